package store

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"modernc.org/sqlite"
)

// Kinds of open failure, for errors.Is.
var (
	ErrNotDatabase = errors.New("not a folio store")
	ErrLocked      = errors.New("store is locked by another process")
	ErrReadOnlyDir = errors.New("store location is not writable")
	ErrDiskFull    = errors.New("disk full")
	ErrNewerSchema = errors.New("store written by a newer folio")
	ErrOldSchema   = errors.New("store needs an upgrade")
	ErrCannotOpen  = errors.New("store cannot be opened")
)

// OpenError says what went wrong with the store file and how to fix it.
type OpenError struct {
	Path   string
	Kind   error
	Detail string
	Fix    string
}

func (e *OpenError) Error() string {
	msg := fmt.Sprintf("store %s: %v", e.Path, e.Kind)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

func (e *OpenError) Unwrap() error { return e.Kind }

// SQLite primary result codes folio tells apart.
const (
	codePerm     = 3
	codeBusy     = 5
	codeLocked   = 6
	codeReadOnly = 8
	codeIOErr    = 10
	codeFull     = 13
	codeCantOpen = 14
	codeNotADB   = 26
)

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// classify maps SQLite's result codes to the store's error kinds, keeping
// the original error in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var kind error
	switch sqliteCode(err) {
	case codeBusy, codeLocked:
		kind = ErrLocked
	case codeFull:
		kind = ErrDiskFull
	case codeNotADB:
		kind = ErrNotDatabase
	case codeReadOnly, codePerm:
		kind = ErrReadOnlyDir
	default:
		return err
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// openError wraps err, from doing what to path, as an OpenError with a fix.
func openError(path, doing string, err error) error {
	oe := &OpenError{Path: path, Detail: doing + ": " + err.Error()}
	code := sqliteCode(err)
	msg := strings.ToLower(err.Error())
	switch {
	case code == codeNotADB || strings.Contains(msg, "not a database"):
		oe.Kind, oe.Fix = ErrNotDatabase, "the file is not a SQLite database; point --store at a folio store, or move the file away to start a new one"
	case code == codeBusy || code == codeLocked || strings.Contains(msg, "database is locked"):
		oe.Kind, oe.Fix = ErrLocked, "another process holds a write lock on it; stop the other folio (see `folio doctor`) or wait and try again"
	case code == codeFull || strings.Contains(msg, "disk is full") || strings.Contains(msg, "no space left"):
		oe.Kind, oe.Fix = ErrDiskFull, "free disk space where the store lives (df -h shows it), then try again"
	case code == codeReadOnly || code == codePerm || code == codeCantOpen || code == codeIOErr ||
		errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM) || strings.Contains(msg, "permission denied") || strings.Contains(msg, "read-only"):
		oe.Kind, oe.Fix = ErrReadOnlyDir, "folio cannot write there; make the directory writable by this user or choose another path with --store"
	default:
		oe.Kind, oe.Fix = ErrCannotOpen, "check the path given with --store (see `folio info`)"
	}
	return oe
}
