// Package parallel splits index ranges over goroutines for the plain-Go numeric code
// (k-means, t-SNE). Callers write only per-index results, so the output does not depend on the
// scheduling.
package parallel

import (
	"sync"
	"sync/atomic"
)

// Ranges calls fn on disjoint ranges [lo, hi) of at most chunk indices covering [0, n), from up
// to workers goroutines that take the next range as they finish one (so uneven work balances).
// With workers ≤ 1 it calls fn(0, n) once.
func Ranges(n, workers, chunk int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if workers <= 1 || n < 2 {
		fn(0, n)
		return
	}
	chunk = max(1, chunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, (n+chunk-1)/chunk) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// For calls fn(i) for every i in [0, n), one index at a time, from up to workers goroutines.
func For(n, workers int, fn func(i int)) {
	Ranges(n, workers, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}
