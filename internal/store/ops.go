package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

// Exchange is one HTTP call for the HTTP log. Bodies arrive already
// redacted and truncated by the client that made the call.
type Exchange struct {
	ID         int64
	At         time.Time
	Connection string
	OrderID    string
	Method     string
	URL        string
	Status     int
	Duration   time.Duration
	ReqBody    string
	RespBody   string
	Error      string
}

// AppendHTTP adds exchanges to the HTTP log and trims it to its bound.
func (s *Store) AppendHTTP(ctx context.Context, ex []Exchange) error {
	if len(ex) == 0 {
		return nil
	}
	return s.Write(ctx, func(t *Tx) error {
		st, err := t.stmt(ctx, `INSERT INTO http_log (at, connection, order_id, method, url, status, duration_ms,
			req_body, resp_body, error) VALUES (?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return classify(err)
		}
		var last int64
		for _, e := range ex {
			r, err := st.ExecContext(ctx, ms(e.At), e.Connection, e.OrderID, e.Method, e.URL, e.Status,
				e.Duration.Milliseconds(), e.ReqBody, e.RespBody, e.Error)
			if err != nil {
				return fmt.Errorf("store: http log: %w", classify(err))
			}
			last, _ = r.LastInsertId()
		}
		// Trim on every batch: ids grow by one per row, so this deletes
		// just the rows over the bound, walking the primary key.
		if keep := int64(s.opts.HTTPLogKeep); last > keep {
			if _, err := t.exec(ctx, `DELETE FROM http_log WHERE id <= ?`, last-keep); err != nil {
				return fmt.Errorf("store: trim http log: %w", err)
			}
		}
		return nil
	})
}

// HTTPLog returns the newest exchanges, of one order when orderID is set.
func (s *Store) HTTPLog(ctx context.Context, orderID string, limit int) ([]Exchange, error) {
	return httpLog(ctx, s.r, orderID, limit)
}

func httpLog(ctx context.Context, db querier, orderID string, limit int) ([]Exchange, error) {
	q := `SELECT id, at, connection, order_id, method, url, status, duration_ms, req_body, resp_body, error FROM http_log`
	args := []any{}
	if orderID != "" {
		q += ` WHERE order_id=?`
		args = append(args, orderID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Exchange
	for rows.Next() {
		var e Exchange
		var at, d int64
		if err := rows.Scan(&e.ID, &at, &e.Connection, &e.OrderID, &e.Method, &e.URL, &e.Status, &d, &e.ReqBody, &e.RespBody, &e.Error); err != nil {
			return nil, classify(err)
		}
		e.At, e.Duration = fromMS(at), time.Duration(d)*time.Millisecond
		out = append(out, e)
	}
	return out, classify(rows.Err())
}

// Control kinds: what a person asked the engine to do.
const (
	CtlPause         = "pause"
	CtlResume        = "resume"
	CtlRetry         = "retry"
	CtlSkip          = "skip"
	CtlBuyerOverride = "buyer_override"
	CtlIssueAsBoleta = "issue_as_boleta"
	CtlRetryFilter   = "retry_filter"
	// CtlReissue replaces a document the SII rejected with a new one.
	CtlReissue = "reissue"
	// CtlCredit issues a nota de crédito (61) for a cancelled or refunded
	// order whose document was issued (schema 11).
	CtlCredit = "credit"
)

// Control statuses.
const (
	CtlPending  = "pending"
	CtlApplied  = "applied"
	CtlRejected = "rejected"
)

// Control is a request from a person (console or CLI) that the engine
// applies and answers.
type Control struct {
	ID        int64
	At        time.Time
	Kind      string
	Target    string // order id, connection name, or "" for all
	Args      string // JSON
	By        string
	Status    string
	Outcome   string // plain words (Spanish)
	AppliedAt time.Time
	// User, Fingerprint and Connection say who asked and what it touches
	// (schema 13): from the Actor of the context the control was added
	// with; empty for a control written without one (the CLI).
	User        string
	Fingerprint string
	Connection  string
	// OutcomeMsg, when set, is Outcome as a catalog message (i18n.Message's
	// JSON), for showing it in the reader's language (schema 12).
	OutcomeMsg string
}

// AddControl records a request and returns its id. With an Actor in ctx
// (WithActor) the control carries who asked, and is refused, in the same
// transaction that would write it, when the actor may not act on what it
// touches (ErrActorReadOnly, *ScopeError).
func (s *Store) AddControl(ctx context.Context, c Control) (int64, error) {
	var id int64
	var refused error
	err := s.Write(ctx, func(t *Tx) error {
		a, hasActor := ActorFrom(ctx)
		status, why := CtlPending, i18n.Message{}
		if hasActor {
			conn, err := t.controlConnection(ctx, c)
			if err != nil {
				return err
			}
			c.User, c.Fingerprint, c.Connection = a.User, a.Fingerprint, conn
			switch {
			case a.ReadOnly:
				refused = fmt.Errorf("store: control %s by %s: %w", c.Kind, a.User, ErrActorReadOnly)
				status, why = CtlRejected, i18n.M("control.refused_viewer", a.User)
			case !a.InScope(conn):
				refused = &ScopeError{User: a.User, Connection: conn}
				status, why = CtlRejected, i18n.M("control.refused_scope", a.User, conn)
				if conn == "" {
					why = i18n.M("control.refused_scope_all", a.User)
				}
			}
		}
		// A refused attempt is kept too, rejected, for the audit: who
		// tried what is part of the record.
		r, err := t.exec(ctx, `INSERT INTO controls (at, kind, target, args, by, "user", fingerprint, connection, status, outcome, outcome_msg, applied_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			t.now, c.Kind, c.Target, c.Args, c.By, c.User, c.Fingerprint, c.Connection, status, why.Plain(i18n.ES), why.Encode(), refusedAt(status, t.now))
		if err != nil {
			return fmt.Errorf("store: control %s: %w", c.Kind, err)
		}
		id, err = r.LastInsertId()
		return err
	})
	if err == nil && refused != nil {
		return 0, refused
	}
	return id, err
}

// refusedAt is when a control refused as it was asked was settled: then.
func refusedAt(status string, now int64) int64 {
	if status == CtlRejected {
		return now
	}
	return 0
}

// PendingControls returns the requests not yet applied, oldest first.
func (s *Store) PendingControls(ctx context.Context, limit int) ([]Control, error) {
	return s.controls(ctx, `WHERE status='pending' ORDER BY id LIMIT ?`, limit)
}

// ControlPending says whether control id is still pending, as read in the
// write: several engines read the pending store-wide controls, and the
// one applying it second must see it was applied.
func (t *Tx) ControlPending(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT count(*) FROM controls WHERE id=? AND status='pending'`, id).Scan(&n); err != nil {
		return false, classify(err)
	}
	return n > 0, nil
}

// Control reads one control by id.
func (s *Store) Control(ctx context.Context, id int64) (Control, error) {
	cs, err := s.controls(ctx, `WHERE id=?`, id)
	if err != nil {
		return Control{}, err
	}
	if len(cs) == 0 {
		return Control{}, fmt.Errorf("control %d: %w", id, ErrNotFound)
	}
	return cs[0], nil
}

func (s *Store) controls(ctx context.Context, where string, args ...any) ([]Control, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, kind, target, args, by, status, outcome, outcome_msg, applied_at, "user", fingerprint, connection FROM controls `+where, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Control
	for rows.Next() {
		var c Control
		var at, ap int64
		if err := rows.Scan(&c.ID, &at, &c.Kind, &c.Target, &c.Args, &c.By, &c.Status, &c.Outcome, &c.OutcomeMsg, &ap, &c.User, &c.Fingerprint, &c.Connection); err != nil {
			return nil, classify(err)
		}
		c.At, c.AppliedAt = fromMS(at), fromMS(ap)
		out = append(out, c)
	}
	return out, classify(rows.Err())
}

const qCompleteControl = `UPDATE controls SET status=?, outcome=?, outcome_msg=?, applied_at=? WHERE id=? AND status='pending'`

// CompleteControl records how a request ended.
func (t *Tx) CompleteControl(ctx context.Context, id int64, status, outcome string) error {
	return t.CompleteControlMsg(ctx, id, status, outcome, "")
}

// CompleteControlMsg records how a request ended, with the outcome also as
// a catalog message (JSON; "" for none).
func (t *Tx) CompleteControlMsg(ctx context.Context, id int64, status, outcome, msg string) error {
	_, err := t.exec(ctx, qCompleteControl, status, outcome, msg, t.now, id)
	return err
}

// Holder identifies the engine holding the lease. StartedAt is part of the
// identity (to the millisecond), so two engines in one process are told apart.
type Holder struct {
	PID       int
	Host      string
	StartedAt time.Time
}

// LeaseError says the store is already driven by another engine.
type LeaseError struct {
	Holder    Holder
	ExpiresAt time.Time
}

func (e *LeaseError) Error() string {
	return fmt.Sprintf("another folio engine (PID %d on %s, since %s) is running on this store; stop it first, or attach the console to it",
		e.Holder.PID, e.Holder.Host, e.Holder.StartedAt.Format(time.DateTime))
}

// AcquireLease makes h the store's one engine for ttl, unless another
// holder's lease is still live, and returns the fence its writes carry
// (WithFence). Taking the lease from another holder raises the generation;
// the holder renewing its own keeps it.
func (s *Store) AcquireLease(ctx context.Context, h Holder, ttl time.Duration) (Fence, error) {
	var f Fence
	err := s.Write(ctx, func(t *Tx) error {
		var cur Holder
		var started, exp, gen int64
		err := t.queryRow(ctx, `SELECT pid, host, started_at, expires_at, generation FROM lease WHERE id=1`).
			Scan(&cur.PID, &cur.Host, &started, &exp, &gen)
		cur.StartedAt = fromMS(started)
		same := err == nil && cur.same(h)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return classify(err)
		case exp > t.now && !same:
			return &LeaseError{Holder: cur, ExpiresAt: fromMS(exp)}
		}
		if !same {
			gen++
		}
		_, err = t.exec(ctx, `INSERT INTO lease (id, pid, host, started_at, heartbeat_at, expires_at, generation) VALUES (1,?,?,?,?,?,?)
			ON CONFLICT (id) DO UPDATE SET pid=excluded.pid, host=excluded.host, started_at=excluded.started_at,
			heartbeat_at=excluded.heartbeat_at, expires_at=excluded.expires_at, generation=excluded.generation`,
			h.PID, h.Host, ms(h.StartedAt), t.now, t.now+ttl.Milliseconds(), gen)
		f = Fence{Holder: h, Generation: gen}
		return err
	})
	return f, err
}

func (h Holder) same(o Holder) bool {
	return h.PID == o.PID && h.Host == o.Host && ms(h.StartedAt) == ms(o.StartedAt)
}

// ErrLeaseLost means the engine's lease was taken over (it expired while
// the engine was stalled): the engine must stop.
var ErrLeaseLost = errors.New("store: engine lease lost to another process")

const qHoldsLease = `SELECT generation FROM lease WHERE id=1 AND pid=? AND host=? AND started_at=?`

// holds checks, inside t, that f still holds the lease at its generation.
func (t *Tx) holds(ctx context.Context, f Fence) error {
	var gen int64
	err := t.queryRow(ctx, qHoldsLease, f.Holder.PID, f.Holder.Host, ms(f.Holder.StartedAt)).Scan(&gen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w (generation %d; another engine holds it now)", ErrLeaseLost, f.Generation)
	case err != nil:
		return classify(err)
	case gen != f.Generation:
		return fmt.Errorf("%w (generation %d; the lease is at %d)", ErrLeaseLost, f.Generation, gen)
	}
	return nil
}

// Heartbeat extends f's lease; it fails with ErrLeaseLost if f no longer
// holds it.
func (s *Store) Heartbeat(ctx context.Context, f Fence, ttl time.Duration) error {
	return s.Write(ctx, func(t *Tx) error {
		r, err := t.exec(ctx, `UPDATE lease SET heartbeat_at=?, expires_at=? WHERE id=1 AND pid=? AND host=? AND started_at=? AND generation=?`,
			t.now, t.now+ttl.Milliseconds(), f.Holder.PID, f.Holder.Host, ms(f.Holder.StartedAt), f.Generation)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrLeaseLost
		}
		return nil
	})
}

// ReleaseLease gives up f's lease: it expires now, and its row keeps the
// generation.
func (s *Store) ReleaseLease(ctx context.Context, f Fence) error {
	return s.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `UPDATE lease SET expires_at=0 WHERE id=1 AND pid=? AND host=? AND started_at=? AND generation=?`,
			f.Holder.PID, f.Holder.Host, ms(f.Holder.StartedAt), f.Generation)
		return err
	})
}

// BreakLease expires the lease if dead still holds it: for an engine that
// is known to have died (killed on this host) without waiting out its ttl.
func (s *Store) BreakLease(ctx context.Context, dead Holder) error {
	return s.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `UPDATE lease SET expires_at=0 WHERE id=1 AND pid=? AND host=? AND started_at=?`, dead.PID, dead.Host, ms(dead.StartedAt))
		return err
	})
}

// LeaseHolder returns the live lease holder, if any. On a shared store
// (PostgreSQL), where engines take no store-wide lease, it is the newest
// live engine registered (engines), so "an engine runs" means the same
// to every caller.
func (s *Store) LeaseHolder(ctx context.Context) (Holder, bool, error) {
	if s.Shared() {
		es, err := s.Engines(ctx)
		if err != nil {
			return Holder{}, false, err
		}
		for _, e := range es {
			if e.Live {
				return e.Holder, true, nil
			}
		}
		return Holder{}, false, nil
	}
	var h Holder
	var started, exp int64
	err := s.r.QueryRowContext(ctx, `SELECT pid, host, started_at, expires_at FROM lease WHERE id=1`).Scan(&h.PID, &h.Host, &started, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, classify(err)
	}
	h.StartedAt = fromMS(started)
	return h, exp > ms(s.now()), nil
}

const qSetSetting = `INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT (key) DO UPDATE SET value=excluded.value`

// SetSetting stores a setting.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx, qSetSetting, key, value)
	return err
}

// Setting reads a setting ("" when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.reads.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, classify(err)
}

// ChangeCounter changes whenever any connection, in this process or
// another, commits to the store; a console attached to a daemon polls it to
// know when to redraw. On SQLite it reads PRAGMA data_version on a
// connection kept for that purpose, which never writes, so every commit
// moves it; on PostgreSQL it counts the store's change notifications
// (pglisten.go).
func (s *Store) ChangeCounter(ctx context.Context) (uint64, error) {
	s.ccMu.Lock()
	defer s.ccMu.Unlock()
	if s.pg {
		return s.pgChangeCounter(ctx)
	}
	if s.cc == nil {
		c, err := s.r.Conn(ctx)
		if err != nil {
			return 0, classify(err)
		}
		s.cc = c
	}
	var v uint64
	if err := s.cc.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		// A connection lost (a PostgreSQL server restarted) is replaced
		// on the next call; the new one's first value reads as a change.
		_ = s.cc.Close()
		s.cc = nil
		return 0, classify(err)
	}
	return v, nil
}

// Backup writes a consistent copy of the store to dst with VACUUM INTO:
// one read transaction's snapshot, so it is safe while the engine writes
// and does not hold up its commits. The copy is mode 0600, synced to disk,
// and a complete database on its own (no WAL). An existing dst is never
// overwritten.
func (s *Store) Backup(ctx context.Context, dst string) error {
	return backupInto(ctx, s.r, dst, s.backupFault)
}

// BackupFile copies the store at src to dst like Store.Backup, without
// opening it as a store: whatever its schema version, so that a store can
// be saved before a newer folio migrates it, or by an older folio than the
// one that wrote it. src must exist; it is only read.
func BackupFile(ctx context.Context, src, dst string) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return fmt.Errorf("backup of %s: %w", src, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return openError(abs, OpOpen, err)
	}
	db, err := sql.Open("sqlite", dsn(abs, []string{"busy_timeout(5000)"}, "mode", "ro"))
	if err != nil {
		return openError(abs, OpOpen, err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return openError(abs, OpRead, err)
	}
	return backupInto(ctx, db, dst, nil)
}

// BackupError is a backup's path folio will not write: a file is there
// (Exists), or its directory (Dir) is not.
type BackupError struct {
	Path   string
	Dir    string
	Exists bool
}

func (e *BackupError) Error() string {
	if e.Exists {
		return fmt.Sprintf("backup %s: the file exists; choose a new name or remove it first", e.Path)
	}
	return fmt.Sprintf("backup %s: the directory %s does not exist; create it first", e.Path, e.Dir)
}

func backupInto(ctx context.Context, db *sql.DB, dst string, fault func() error) error {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("backup %s: %w", dst, err)
	}
	// Create the file 0600 first (O_EXCL: never someone else's file) so the
	// copy is never readable by others; VACUUM INTO fills an empty file.
	f, err := os.OpenFile(abs, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return &BackupError{Path: dst, Exists: true}
	case errors.Is(err, fs.ErrNotExist):
		return &BackupError{Path: dst, Dir: filepath.Dir(abs)}
	case err != nil:
		return fmt.Errorf("backup %s: %w", dst, classify(err))
	}
	err = f.Chmod(0o600) // whatever the umask
	f.Close()
	if err == nil && fault != nil {
		err = fault()
	}
	if err == nil {
		_, err = db.ExecContext(ctx, `VACUUM INTO ?`, abs)
	}
	if err == nil {
		err = syncFile(abs)
	}
	if err != nil {
		os.Remove(abs)
		if err := classify(err); errors.Is(err, ErrDiskFull) {
			// The store's own fix would point at the store's disk.
			dir := filepath.Dir(abs)
			return fmt.Errorf("backup %s: %w: the disk that holds %s is full; free space there (df -h %s) or write the backup elsewhere",
				dst, ErrDiskFull, dir, dir)
		}
		return fmt.Errorf("backup %s: %w", dst, classify(err))
	}
	return nil
}

// syncFile flushes a file and its directory entry to disk.
func syncFile(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil && p == path {
			return err
		}
	}
	return nil
}
