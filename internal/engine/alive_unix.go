//go:build unix

package engine

import (
	"errors"
	"syscall"
)

// processAlive says whether a process with this PID exists here. Only a
// definite "no such process" counts as dead.
func processAlive(pid int) bool {
	if pid <= 0 {
		return true
	}
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
