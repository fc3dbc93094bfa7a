//go:build unix

package rundir

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this pid exists on this host (a process of
// another user counts: signalling it is merely not permitted).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
