// Package store is folio's only speaker of SQL: a SQLite file (WAL, each
// commit synced before its Write returns) holding connections, orders
// with their raw checkout JSON, emissions (the exactly-once intents),
// documents, the per-order timeline, a bounded HTTP log, controls, the
// engine lease and settings.
//
// Writes go through one connection in immediate transactions, so writers
// queue in Go instead of failing with SQLITE_BUSY, and those queued at once
// share one commit (groupcommit.go); reads use a separate pool
// and, thanks to WAL, never wait for a writer. Another process writing the
// same file waits up to the busy timeout, then gets ErrLocked; a second
// engine is kept out earlier by the lease (AcquireLease).
//
// The schema comes from numbered migrations embedded in the binary
// (migrations/NNNN_name.up.sql); PRAGMA user_version holds the version, and
// a store written by a newer folio is refused (ErrNewerSchema).
//
// The console's queries stay fast at a million orders because each one
// walks an index and stops once its page is full: orders are listed newest
// first by seq (keyset pagination); per-state counts are kept by triggers;
// text filters use an FTS5 trigram index (substring, any case) or, inside
// a small set of states, the state index. TestListQueriesUseIndexes checks
// the query plans, BenchmarkStoreFilter1M the times.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// Options steer Open.
type Options struct {
	// ReadOnly opens only the read pool; every write fails. Used by
	// commands that just look (orders, doctor) while an engine runs.
	ReadOnly bool
	// BusyTimeout is how long a write waits for another process's lock
	// before failing; default 5 s.
	BusyTimeout time.Duration
	// HTTPLogKeep bounds the HTTP log; default 20 000 rows.
	HTTPLogKeep int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// WriteFault, when set, is called at the start of every Write; an
	// error it returns fails that Write, classified like SQLite's own, with
	// nothing written. Tests use it to fill the disk (syscall.ENOSPC reads
	// as ErrDiskFull) where making a small filesystem would need root.
	WriteFault func() error
	// SyncWAL, when set, is called instead of the fdatasync that makes
	// commits durable (SQLite). Benchmarks use it to measure what the
	// pipeline would do with a disk that syncs for free.
	SyncWAL func() error
}

// Store is an open folio store.
type Store struct {
	path    string
	w       *sql.DB // one connection: the single writer
	r       *sql.DB // read pool
	version int
	opts    Options
	pg      bool // PostgreSQL (pg.go), not SQLite
	// clk is PostgreSQL's clock as read at a moment of this engine's
	// clock: leaseNow (pg.go). realClock: Options.Now was not given.
	clk       atomic.Pointer[pgClock]
	realClock bool

	ccMu   sync.Mutex
	cc     *sql.Conn   // pinned for ChangeCounter (SQLite)
	listen *pgListener // PostgreSQL's change notifications
	pgCfg  *pgx.ConnConfig

	prepared map[string]*sql.Stmt // hotQueries, on the writer
	reads    readStmts            // prepared reads, on the read pool

	commits *committer   // SQLite's group commit; nil on PostgreSQL and read-only
	writes  atomic.Int64 // writes committed
	// durableWrites: those of them made by Write, returned once on disk
	durableWrites atomic.Int64

	trace func(query string, args []any) // tests: see the SQL of order listings
	// backupFault, when set, fails a backup before its copy is written
	// (tests: a full destination).
	backupFault func() error
}

// Path returns the store's file path.
func (s *Store) Path() string { return s.path }

// SchemaVersion returns the store's schema version.
func (s *Store) SchemaVersion() int { return s.version }

// LatestSchema is the schema version this folio writes.
func LatestSchema() int {
	// The highest number, not the count: migrations are numbered by
	// branches worked on in parallel, so a gap may stand until they meet.
	ms := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (s *Store) now() time.Time { return s.opts.Now() }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// Open opens (creating if needed) the store at path and brings its schema
// up to date. A store written by a newer folio is refused.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.HTTPLogKeep <= 0 {
		opts.HTTPLogKeep = 20000
	}
	realClock := opts.Now == nil
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path, opts, realClock)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store path %s: %w", path, err)
	}
	s := &Store{path: abs, opts: opts}
	if !opts.ReadOnly {
		if err := createFile(abs); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(abs); err != nil {
		return nil, openError(abs, OpOpen, err)
	} else if err := checkExisting(abs); err != nil {
		return nil, err // a directory, or not a database: say so, not "disk I/O error"
	}
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		"synchronous(FULL)",
		// After a checkpoint the WAL shrinks back to this size (64 MiB)
		// instead of keeping its largest size forever.
		"journal_size_limit(67108864)",
		// Statement journals (every write with a trigger needs one) and
		// sorts stay in memory: as files they cost a write(2) per page and
		// made a batch of inserts three times slower.
		"temp_store(MEMORY)",
		// Freed space (a rotated token, a deleted connection's key) is
		// zeroed instead of left readable in free pages and freeblocks.
		// While the store is open, old page images can stay in the WAL;
		// the TRUNCATE checkpoint on Close empties it.
		"secure_delete(1)",
	}
	if !opts.ReadOnly {
		s.w, err = sql.Open("sqlite", dsn(abs, pragmas, "_txlock", "immediate"))
		if err != nil {
			return nil, openError(abs, OpOpen, err)
		}
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxIdleTime(0)
		if err := setWAL(ctx, s.w, opts.BusyTimeout); err != nil {
			s.Close()
			return nil, openError(abs, OpOpen, err)
		}
		if err := s.migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
		if err := s.prepare(ctx); err != nil {
			s.Close()
			return nil, err
		}
		// Commits are made durable by the committer's WAL sync, apart
		// from the write lock (walsync.go).
		if _, err := s.w.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
			s.Close()
			return nil, openError(abs, OpOpen, err)
		}
		s.commits = newCommitter(s)
	}
	s.r, err = sql.Open("sqlite", dsn(abs, pragmas, "mode", "ro"))
	if err != nil {
		s.Close()
		return nil, openError(abs, OpOpen, err)
	}
	s.reads.db = s.r
	s.r.SetMaxOpenConns(5)
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&s.version); err != nil {
		s.Close()
		return nil, openError(abs, OpRead, err)
	}
	if s.version > LatestSchema() {
		s.Close()
		return nil, newerSchema(abs, s.version)
	}
	if opts.ReadOnly && s.version < LatestSchema() {
		s.Close()
		return nil, olderSchema(abs, s.version)
	}
	return s, nil
}

// dsn is the driver's data source name for path: each pragma runs on every
// new connection; extra are more query parameters, as name, value pairs.
func dsn(path string, pragmas []string, extra ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Add(extra[i], extra[i+1])
	}
	p := filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" {
		p = "/" + p // file:/C:/… is SQLite's URI form of a Windows path
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// createFile makes the store's directory (0700) and file (0600) before
// SQLite sees them. SQLite gives the WAL and SHM files the database file's
// mode, so a store that holds tokens is never readable by others. Modes are
// set explicitly: the umask could have taken bits off (a 0400 store cannot
// be written) and a file copied in from elsewhere may grant others more.
// setWAL switches a store to WAL. Two processes opening a new file at once
// both hold a shared lock in the rollback journal and both want to write:
// SQLite answers one of them "database is locked" at once, without its busy
// handler (waiting could only deadlock). That one tries again, within the
// busy timeout, once the other has moved the file to WAL.
func setWAL(ctx context.Context, db *sql.DB, busy time.Duration) error {
	deadline := time.Now().Add(busy)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		_, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL")
		if err == nil || !errors.Is(classify(err), ErrLocked) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// checkExisting refuses, before anything is created or chmod-ed, a path
// that is a directory or a file that is not a SQLite database.
func checkExisting(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // absent: created below; other troubles surface there
	}
	if fi.IsDir() {
		return &OpenError{Path: path, Kind: ErrCannotOpen, Detail: "it is a directory",
			Fix: "give the store file's path, for example " + filepath.Join(path, "folio.db"), Case: CaseDirectory}
	}
	if fi.Size() == 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return openError(path, OpOpen, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if n, _ := io.ReadFull(f, head); n < len(head) || string(head) != sqliteHeader {
		return &OpenError{Path: path, Kind: ErrNotDatabase, Fix: fixes[ErrNotDatabase], Case: CaseNotAStoreFile}
	}
	return nil
}

func createFile(path string) error {
	if err := checkExisting(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return openError(path, OpMkdir, err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return openError(path, OpMkdir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return openError(path, OpCreate, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return openError(path, OpCreate, err)
	}
	if fi.Size() == 0 && fi.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			return openError(path, OpCreate, err)
		}
	}
	// Take away what others may read from an existing store and its WAL;
	// never widen (a failure here is not the owner's: leave it).
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, fi.Mode().Perm()&0o700)
		}
	}
	return nil
}

// Close closes the store.
func (s *Store) Close() error {
	var errs []error
	if s.commits != nil {
		s.commits.close() // after the group it is committing; later writes fail
	}
	s.ccMu.Lock()
	if s.cc != nil {
		errs = append(errs, s.cc.Close())
		s.cc = nil
	}
	if s.listen != nil {
		s.listen.stop()
		s.listen = nil
	}
	s.ccMu.Unlock()
	for _, st := range s.prepared {
		errs = append(errs, st.Close())
	}
	s.prepared = nil
	if s.w != nil {
		// A checkpoint on close keeps the WAL from growing across runs; it
		// gives up quickly rather than wait on an attached console's reads.
		_, _ = s.w.Exec("PRAGMA busy_timeout = 200")
		_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, s.w.Close())
	}
	if s.r != nil {
		errs = append(errs, s.reads.close(), s.r.Close())
	}
	return errors.Join(errs...)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() []migration { return readMigrations(migrationFiles, "migrations") }

// readMigrations lists the numbered migrations in dir of fsys, in order.
func readMigrations(fsys embed.FS, dir string) []migration {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || e.IsDir() {
			continue
		}
		b, err := fsys.ReadFile(dir + "/" + e.Name())
		if err != nil {
			continue
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out
}

// migrate applies the migrations newer than the file's user_version, each
// in its own immediate transaction together with the version bump, so two
// folios opening a new store at once apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, LatestSchema())
}

func (s *Store) migrateTo(ctx context.Context, target int) error {
	if s.pg {
		return s.migratePGTo(ctx, target)
	}
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return openError(s.path, OpRead, err)
	}
	if v > LatestSchema() {
		return newerSchema(s.path, v)
	}
	for _, m := range migrations() {
		if m.version <= v || m.version > target {
			continue
		}
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return openError(s.path, OpMigrate, err)
		}
		// The version is read again under the write lock (BEGIN IMMEDIATE):
		// another folio opening the same new store may have applied this
		// migration while this one waited for the lock.
		var cur int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
			_ = tx.Rollback()
			return openError(s.path, OpMigrate, err)
		}
		if cur >= m.version {
			_ = tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("store %s: migration %s: %w", s.path, m.name, classify(err))
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			_ = tx.Rollback()
			return openError(s.path, OpMigrate, err)
		}
		if err := tx.Commit(); err != nil {
			return openError(s.path, OpMigrate, err)
		}
	}
	return nil
}

// Tx is a write transaction. Its methods are the store's write operations,
// so that one engine step is one durable commit.
type Tx struct {
	tx    *sql.Tx
	s     *Store
	now   int64
	stmts map[string]*sql.Stmt // prepared for this transaction, by query
}

// ErrReadOnly is returned by writes on a store opened read-only.
var ErrReadOnly = errors.New("store opened read-only")

// Write runs fn in one immediate transaction and commits it, durable when
// Write returns nil (on SQLite, once the WAL is synced: walsync.go). If
// fn fails, nothing of it is written.
// Under a ctx from WithFence, the transaction first checks the lease is
// still held. On SQLite, writes waiting at once share one commit
// (groupcommit.go); fn sees the writes committed with it before it, as it
// would have in a transaction of its own.
func (s *Store) Write(ctx context.Context, fn func(*Tx) error) error {
	return s.write(ctx, fn, true)
}

// WriteRecoverable is Write for a record that a resume rebuilds from the
// services when it is missing (what Multivende already shows of the
// order). It returns once committed (readers see it; never half-written;
// a crash of folio keeps it) and is made durable with the next sync,
// without waiting for it: only a power loss in that moment can lose it.
// It must never guard a call: what must be on disk before a service is
// called goes through Write. (On PostgreSQL: synchronous_commit off, for
// this transaction only.)
func (s *Store) WriteRecoverable(ctx context.Context, fn func(*Tx) error) error {
	return s.write(ctx, fn, false)
}

func (s *Store) write(ctx context.Context, fn func(*Tx) error, durable bool) error {
	if s.w == nil {
		return ErrReadOnly
	}
	var err error
	switch {
	case s.commits != nil:
		err = s.commits.write(ctx, fn, durable)
	case !durable && s.pg:
		err = s.writeAlone(ctx, func(t *Tx) error {
			if _, err := t.tx.ExecContext(withRawSQL(ctx), "SET LOCAL synchronous_commit TO OFF"); err != nil {
				return fmt.Errorf("store: %w", classify(err))
			}
			return fn(t)
		})
	default:
		err = s.writeAlone(ctx, fn)
	}
	if err == nil {
		s.writes.Add(1)
		if durable {
			s.durableWrites.Add(1)
		}
	}
	return err
}

// Writes is how many writes (Write and WriteRecoverable) this store
// handle has committed, whether or not they shared SQLite's commit with
// others (benchmarks count commits per order with it).
func (s *Store) Writes() int64 { return s.writes.Load() }

// DurableWrites is how many of Writes were made by Write: each returned
// only once on disk, so its caller waited for the disk.
func (s *Store) DurableWrites() int64 { return s.durableWrites.Load() }

// Syncs is how many times this store handle has synced SQLite's WAL to
// make its commits durable: one sync covers every commit made before it
// (0 on PostgreSQL, whose server syncs).
func (s *Store) Syncs() int64 {
	if s.commits == nil {
		return 0
	}
	return s.commits.syncer.synced.Load()
}

// Now is the transaction's timestamp.
func (t *Tx) Now() time.Time { return fromMS(t.now) }

// stmt returns q prepared for this transaction: one of the statements
// prepared at Open when q is among them, else prepared here once, so that a
// batch (ingest planning a thousand orders) parses each query once.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := t.stmts[q]; st != nil {
		return st, nil
	}
	var st *sql.Stmt
	if ps := t.s.prepared[q]; ps != nil {
		st = t.tx.StmtContext(ctx, ps)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, classify(err)
		}
	}
	if t.stmts == nil {
		t.stmts = make(map[string]*sql.Stmt, 4)
	}
	t.stmts[q] = st
	return st, nil
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	r, err := st.ExecContext(ctx, args...)
	if err != nil {
		return nil, classify(err)
	}
	return r, nil
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return t.tx.QueryRowContext(ctx, q, args...) // its Scan reports the error
	}
	return st.QueryRowContext(ctx, args...)
}

// hotQueries are the engine's per-order statements, prepared once at Open
// on the writer connection: parsing costs about as much as executing them.
var hotQueries = []string{qAppendEvent, qMoveOrder, qMoveOrderKeepDoc, qOrderState, qOrderStatus, qGetOrder, qSetDetail, qSetRaw, qSaveEmission,
	qGetEmission, qAddDocument, qSetSetting, qCompleteControl, qUpsertExisting, qInsertOrders, qInsertOrdersSmall, qInsertOrdersOne, qUpsertUpdate, qCountAdd,
	qAppendEvents, qAppendEventsSmall,
	qRecordIntent, qRecordIssued, qRecordAttached, qRecordUploaded, qSetLastError, qHoldsLease, qHoldsConnection}

func (s *Store) prepare(ctx context.Context) error {
	s.prepared = make(map[string]*sql.Stmt, len(hotQueries))
	for _, q := range hotQueries {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("store %s: prepare: %w", s.path, classify(err))
		}
		s.prepared[q] = st
	}
	return nil
}
