//go:build !unix

package store

// syncDir does nothing where a directory cannot be opened to sync it
// (Windows: NTFS journals the file's creation itself).
func syncDir(string) error { return nil }
