package store

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"modernc.org/sqlite"
)

// Kinds of failure, for errors.Is. Every error the store returns for one of
// these conditions matches the kind and says how to fix it.
var (
	ErrNotDatabase = errors.New("not a folio store")
	ErrLocked      = errors.New("store is locked by another process")
	ErrReadOnlyDir = errors.New("store location is not writable")
	ErrDiskFull    = errors.New("disk full")
	ErrNewerSchema = errors.New("store written by a newer folio")
	ErrOldSchema   = errors.New("store needs an upgrade")
	ErrCannotOpen  = errors.New("store cannot be opened")
)

// fixes says, for each kind, what a person does about it.
var fixes = map[error]string{
	ErrNotDatabase: "the file is not a SQLite database; point --store at a folio store, or move the file away to start a new one",
	ErrLocked:      "another process held the write lock longer than the busy timeout; if another folio or a sqlite3 shell is writing to this store, stop it, or wait and try again",
	ErrReadOnlyDir: "folio cannot write there; make the file and its directory writable by this user, or choose another path with --store",
	ErrDiskFull:    "free disk space where the store lives (df -h shows it), then try again",
	ErrCannotOpen:  "check the path given with --store (folio info shows the configured one)",
}

// OpenError says what went wrong with the store file and how to fix it.
type OpenError struct {
	Path   string
	Kind   error
	Detail string // in English: the step, then the cause
	Fix    string
	// Op is the step that failed and Cause the words of what failed it
	// (the system's, SQLite's, PostgreSQL's; a password taken out), for a
	// command to say the step in its reader's language and quote the
	// cause; both "" when Detail is folio's own words.
	Op    Op
	Cause string
	// Case names a situation the words above are specific to, so that a
	// command can say it in its reader's language ("" when Kind, Detail
	// and the kind's fix say it all): one of the Case* constants. Have and
	// Want are the schema versions of CaseNewerSchema and CaseOldSchema.
	Case       string
	Have, Want int
}

// newerSchema refuses a store a newer folio wrote (schema have).
func newerSchema(path string, have int) *OpenError {
	return &OpenError{Path: path, Kind: ErrNewerSchema,
		Detail: fmt.Sprintf("schema version %d, this folio knows up to %d", have, LatestSchema()),
		Fix:    "upgrade folio to the version that wrote this store (or restore a backup made by this version)",
		Case:   CaseNewerSchema, Have: have, Want: LatestSchema()}
}

// olderSchema refuses, read-only, a store that needs an upgrade first.
func olderSchema(path string, have int) *OpenError {
	return &OpenError{Path: path, Kind: ErrOldSchema,
		Detail: fmt.Sprintf("schema version %d, this folio needs %d", have, LatestSchema()),
		Fix:    "run folio once without --readonly (or start the engine) to upgrade the store",
		Case:   CaseOldSchema, Have: have, Want: LatestSchema()}
}

// Situations an OpenError names in Case.
const (
	CaseDirectory     = "directory"
	CaseNewerSchema   = "newer_schema"
	CaseOldSchema     = "old_schema"
	CaseBadAddress    = "bad_address"
	CaseNoPrivilege   = "no_privilege"
	CaseUnreachable   = "unreachable"
	CaseNotAStoreFile = "not_a_store_file"
)

// KindName is kind's stable name ("not_database", "locked", …), for a
// reader's catalog; "" for an error that is not one of the kinds.
func KindName(kind error) string {
	switch kind {
	case ErrNotDatabase:
		return "not_database"
	case ErrLocked:
		return "locked"
	case ErrReadOnlyDir:
		return "read_only_dir"
	case ErrDiskFull:
		return "disk_full"
	case ErrNewerSchema:
		return "newer_schema"
	case ErrOldSchema:
		return "old_schema"
	case ErrCannotOpen:
		return "cannot_open"
	}
	return ""
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

// Error is a failed read or write of a known kind, with the fix.
type Error struct {
	Kind error // one of the Err* kinds
	Err  error // SQLite's error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v: %v; %s", e.Kind, e.Err, fixes[e.Kind])
}

// Unwrap exposes both the kind and SQLite's error to errors.Is and As.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// SQLite primary result codes folio tells apart.
const (
	codePerm       = 3
	codeBusy       = 5
	codeLocked     = 6
	codeReadOnly   = 8
	codeIOErr      = 10
	codeFull       = 13
	codeCantOpen   = 14
	codeConstraint = 19
	codeNotADB     = 26
)

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isConstraint(err error) bool { return sqliteCode(err) == codeConstraint || pgConstraint(err) }

// kindOf maps SQLite's result codes (or, for errors from outside SQLite,
// their text and errno) to the store's kinds; nil when none applies.
func kindOf(err error) error {
	if k := pgKindOf(err); k != nil {
		return k
	}
	msg := strings.ToLower(err.Error())
	switch code := sqliteCode(err); {
	case code == codeNotADB || strings.Contains(msg, "not a database"):
		return ErrNotDatabase
	case code == codeBusy || code == codeLocked || strings.Contains(msg, "database is locked"):
		return ErrLocked
	case code == codeFull || strings.Contains(msg, "disk is full") || errors.Is(err, syscall.ENOSPC):
		return ErrDiskFull
	case code == codeReadOnly || code == codePerm || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, syscall.EROFS) || strings.Contains(msg, "readonly database"):
		return ErrReadOnlyDir
	}
	return nil
}

// classify marks an error of a known kind with that kind and its fix,
// keeping the original error in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind := kindOf(err)
	if kind == nil {
		return err
	}
	return &Error{Kind: kind, Err: err}
}

// Op is a step of opening a store, as OpenError names it.
type Op string

const (
	OpOpen    Op = "open"
	OpCreate  Op = "create"
	OpRead    Op = "read"
	OpWrite   Op = "write"
	OpMkdir   Op = "mkdir"
	OpConnect Op = "connect"
	OpMigrate Op = "migrate"
	OpParse   Op = "parse" // a PostgreSQL address
)

// Ops lists every Op, for the check that the catalog words each one.
var Ops = []Op{OpOpen, OpCreate, OpRead, OpWrite, OpMkdir, OpConnect, OpMigrate, OpParse}

// doing is the step as OpenError.Error says it.
func (o Op) doing() string {
	switch o {
	case OpMkdir:
		return "create directory for"
	case OpParse:
		return "the address does not parse"
	}
	return string(o)
}

// openError wraps err, met at step op of opening path, as an OpenError
// with a fix.
func openError(path string, op Op, err error) error {
	kind := kindOf(err)
	if kind == nil {
		code := sqliteCode(err)
		kind = ErrCannotOpen
		if code == codeCantOpen || code == codeIOErr || errors.Is(err, syscall.EPERM) {
			// SQLite says only "unable to open": usually the directory.
			kind = ErrReadOnlyDir
		}
	}
	var e *Error
	if errors.As(err, &e) {
		err = e.Err
	}
	return &OpenError{Path: path, Kind: kind, Detail: op.doing() + ": " + err.Error(), Fix: fixes[kind], Op: op, Cause: err.Error()}
}
