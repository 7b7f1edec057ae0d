//go:build unix

package config

import (
	"os"
	"syscall"
)

// keepOwner gives the replacement file the owner and group of the file it
// replaces (root:folio for the service's config), when allowed.
func keepOwner(f *os.File, old os.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid)) // best effort: only root may give a file away
	}
}
