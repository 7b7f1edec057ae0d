//go:build !unix

package config

import "os"

// keepOwner does nothing where files have no POSIX owner.
func keepOwner(*os.File, os.FileInfo) {}
