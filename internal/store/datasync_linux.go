package store

import (
	"os"
	"syscall"
)

// datasync is fdatasync(2), what SQLite itself calls on Linux: the data
// and the size, not the times (fsync would also write the inode's mtime
// on every commit).
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = syscall.Fdatasync(int(fd))
			if serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return serr
}
