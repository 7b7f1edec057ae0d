//go:build !(linux || darwin || freebsd)

package doctor

import "errors"

// freeBytes is not measured here: the disk check is left out.
func freeBytes(string) (uint64, error) {
	return 0, errors.New("free disk space is not measured on this system")
}
