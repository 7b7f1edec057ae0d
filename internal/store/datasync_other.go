//go:build !linux

package store

import "os"

// datasync is the platform's full sync (on macOS, F_FULLFSYNC).
func datasync(f *os.File) error { return f.Sync() }
