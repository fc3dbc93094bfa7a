// Package panics turns panics into errors at API boundaries: GoMLX reports graph-building
// errors by panicking, and clustergan's library functions return errors instead.
package panics

import "fmt"

// Catch runs fn and returns the value it panicked with as an error (nil if it returned).
func Catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	fn()
	return nil
}
