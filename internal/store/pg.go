package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A store address starting with postgres:// or postgresql:// is a
// PostgreSQL database (through pgx); anything else is a SQLite file. The
// store's tables live in the first schema of the address's search_path
// (public unless the address says otherwise).

//go:embed migrations/postgres/*.up.sql
var pgMigrationFiles embed.FS

// IsPostgres reports whether a store address names a PostgreSQL database.
func IsPostgres(addr string) bool {
	a := strings.ToLower(strings.TrimSpace(addr))
	return strings.HasPrefix(a, "postgres://") || strings.HasPrefix(a, "postgresql://")
}

// RedactAddress is a store address fit to show: a PostgreSQL address
// without its password; a path as it is.
func RedactAddress(addr string) string {
	if !IsPostgres(addr) {
		return addr
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "postgres://…" // said in the detail: it does not parse
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// pgOpenTimeout bounds the first connection to the server.
const pgOpenTimeout = 15 * time.Second

func openPostgres(ctx context.Context, addr string, opts Options, realClock bool) (*Store, error) {
	shown := RedactAddress(addr)
	cfg, err := pgx.ParseConfig(addr)
	if err != nil {
		cause := redactErr(err, addr)
		return nil, &OpenError{Path: shown, Kind: ErrCannotOpen, Detail: OpParse.doing() + ": " + cause, Op: OpParse, Cause: cause,
			Fix: "give the store as postgres://USER:PASSWORD@HOST:PORT/DATABASE (store in the config, FOLIO_STORE or --store)", Case: CaseBadAddress}
	}
	// Every statement is planned for its own arguments. pgx prepares and
	// caches statements, and after five runs PostgreSQL may switch one to a
	// generic plan: for "state = $1 ORDER BY seq DESC LIMIT n" that walks
	// the primary key, which for a state with no orders reads every order
	// (a second per Queue pane read at a million) instead of an empty
	// index range. Planning costs a fraction of a millisecond.
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	s := &Store{path: shown, opts: opts, pg: true, pgCfg: cfg, realClock: realClock}
	octx, cancel := context.WithTimeout(ctx, pgOpenTimeout)
	defer cancel()
	if !opts.ReadOnly {
		w := cfg.Copy()
		w.RuntimeParams["lock_timeout"] = strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
		w.RuntimeParams["application_name"] = "folio"
		s.w = sql.OpenDB(&pgConnector{inner: stdlib.GetConnector(*w), writer: true})
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxIdleTime(0)
		if err := s.w.PingContext(octx); err != nil {
			s.Close()
			return nil, pgOpenError(shown, addr, OpConnect, "", err)
		}
		if err := s.migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
		if err := s.prepare(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	r := cfg.Copy()
	r.RuntimeParams["default_transaction_read_only"] = "on"
	r.RuntimeParams["application_name"] = "folio"
	s.r = sql.OpenDB(&pgConnector{inner: stdlib.GetConnector(*r)})
	s.reads.db = s.r
	s.r.SetMaxOpenConns(5)
	if s.version, err = s.pgVersion(octx); err != nil {
		s.Close()
		return nil, pgOpenError(shown, addr, OpRead, "", err)
	}
	if err := s.readClock(octx); err != nil {
		s.Close()
		return nil, pgOpenError(shown, addr, OpRead, "", err)
	}
	if s.version > LatestSchema() {
		s.Close()
		return nil, newerSchema(shown, s.version)
	}
	if opts.ReadOnly && s.version < LatestSchema() {
		s.Close()
		return nil, olderSchema(shown, s.version)
	}
	return s, nil
}

// pgClock is PostgreSQL's clock (base) read at this engine's at.
type pgClock struct{ base, at time.Time }

func (s *Store) clock() pgClock {
	if c := s.clk.Load(); c != nil {
		return *c
	}
	return pgClock{}
}

func (s *Store) setClock(c pgClock) { s.clk.Store(&c) }

const qServerClock = `SELECT (EXTRACT(EPOCH FROM clock_timestamp())*1000)::bigint`

// readClock reads PostgreSQL's clock against this engine's (leaseNow).
func (s *Store) readClock(ctx context.Context) error {
	var base int64
	before := s.now()
	if err := s.r.QueryRowContext(ctx, qServerClock).Scan(&base); err != nil {
		return err
	}
	after := s.now()
	s.setClock(pgClock{base: fromMS(base), at: before.Add(after.Sub(before) / 2)})
	return nil
}

// rereadClock reads PostgreSQL's clock again in t, for an engine on the
// real clock: its monotonic clock stops while the machine is suspended.
// An injected clock (tests) is left to move the leases' time itself.
func (t *Tx) rereadClock(ctx context.Context) error {
	if !t.s.pg || !t.s.realClock {
		return nil
	}
	var base int64
	if err := t.queryRow(ctx, qServerClock).Scan(&base); err != nil {
		return classify(err)
	}
	t.s.setClock(pgClock{base: fromMS(base), at: t.s.now()})
	return nil
}

// leaseNow is the time the leases are written and judged by. Engines on
// several machines share them, and a lease's expiry judged by each
// engine's own clock would let one running ahead take live leases; so on
// PostgreSQL it is the server's clock, read at open (and again at each
// registration, rereadClock) and carried on by this engine's (monotonic,
// when it is time.Now), so that an injected clock still moves it. On
// SQLite, one machine's clock.
func (s *Store) leaseNow() time.Time {
	c := s.clk.Load()
	if !s.pg || c == nil {
		return s.now()
	}
	return c.base.Add(s.now().Sub(c.at))
}

// pgVersion reads the schema version, 0 for a database folio never wrote to.
func (s *Store) pgVersion(ctx context.Context) (int, error) {
	var exists bool
	if err := s.r.QueryRowContext(ctx, `SELECT to_regclass('folio_schema') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := s.r.QueryRowContext(ctx, pgSchemaVersion).Scan(&v)
	return v, err
}

// redactErr is err's text without the address's password (in its
// user part or its password parameter), as written or URL-escaped.
func redactErr(err error, addr string) string {
	msg := err.Error()
	u, perr := url.Parse(addr)
	if perr != nil {
		return msg
	}
	var pws []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			pws = append(pws, pw)
		}
	}
	pws = append(pws, u.Query()["password"]...)
	for _, pw := range pws {
		if pw == "" {
			continue
		}
		for _, form := range []string{pw, url.PathEscape(pw), url.QueryEscape(pw)} {
			msg = replaceWord(msg, form, "xxxxx")
		}
	}
	return msg
}

// replaceWord replaces each occurrence of old in s that is not part of a
// longer word: a short password ("p") must not blot out every "p" of the
// message, while one written into it (":p@", "password=p") still goes.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if wordRune(before) && wordRune(firstRune(old)) || wordRune(after) && wordRune(lastRune(old)) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s = s[end:]
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// pgOpenError is err met at step op; what names the migration that failed.
func pgOpenError(shown, addr string, op Op, what string, err error) error {
	kind := kindOf(err)
	if kind == nil {
		kind = ErrCannotOpen
	}
	fix, situation := fixes[kind], ""
	switch {
	case pgCode(err) == pgNoPrivilege:
		fix, situation = "folio's role creates its tables and the pg_trgm extension: make it the database's owner (ALTER DATABASE … OWNER TO …), or grant it CREATE on the schema and have a superuser run CREATE EXTENSION pg_trgm first", CaseNoPrivilege
	case kind == ErrCannotOpen:
		fix, situation = "check that the PostgreSQL server is running and reachable, and that the address (store in the config, FOLIO_STORE or --store) names the right host, database, user and password", CaseUnreachable
	}
	cause := redactErr(err, addr)
	if what != "" {
		cause = what + ": " + cause
	}
	return &OpenError{Path: shown, Kind: kind, Detail: op.doing() + ": " + cause, Fix: fix, Case: situation, Op: op, Cause: cause}
}

func pgMigrations() []migration { return readMigrations(pgMigrationFiles, "migrations/postgres") }

// migratePGTo applies the PostgreSQL migrations up to target, each in its
// own write transaction (the writer lock held) with the version bump, so
// two folios opening a new store at once apply each migration once. The
// version lives in folio_schema, PostgreSQL's user_version.
func (s *Store) migratePGTo(ctx context.Context, target int) error {
	raw := withRawSQL(ctx)
	for _, m := range append([]migration{{version: 0, name: "folio_schema"}}, pgMigrations()...) {
		if m.version > target {
			break
		}
		tx, err := s.w.BeginTx(raw, nil)
		if err != nil {
			return pgOpenError(s.path, s.path, OpMigrate, "", err)
		}
		if m.version == 0 {
			_, err = tx.ExecContext(raw, `CREATE TABLE IF NOT EXISTS folio_schema (
				id      INTEGER PRIMARY KEY CHECK (id = 1),
				version INTEGER NOT NULL)`)
			if err == nil {
				err = tx.Commit()
			} else {
				_ = tx.Rollback()
			}
			if err != nil {
				return pgOpenError(s.path, s.path, OpMigrate, "", err)
			}
			continue
		}
		var cur int
		if err := tx.QueryRowContext(raw, pgSchemaVersion).Scan(&cur); err != nil {
			_ = tx.Rollback()
			return pgOpenError(s.path, s.path, OpMigrate, "", err)
		}
		if cur > LatestSchema() {
			_ = tx.Rollback()
			return newerSchema(s.path, cur)
		}
		if cur >= m.version {
			_ = tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(raw, m.sql); err != nil {
			_ = tx.Rollback()
			if pgCode(err) == pgNoPrivilege {
				return pgOpenError(s.path, s.path, OpMigrate, "postgres/"+m.name, err)
			}
			return fmt.Errorf("store %s: migration postgres/%s: %w", s.path, m.name, classify(err))
		}
		if _, err := tx.ExecContext(raw, `INSERT INTO folio_schema (id, version) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version`, m.version); err != nil {
			_ = tx.Rollback()
			return pgOpenError(s.path, s.path, OpMigrate, "", err)
		}
		if err := tx.Commit(); err != nil {
			return pgOpenError(s.path, s.path, OpMigrate, "", err)
		}
	}
	return nil
}

// pgNoPrivilege is insufficient_privilege: the role may not create folio's
// tables or pg_trgm.
const pgNoPrivilege = "42501"

// PostgreSQL's error classes and codes folio tells apart.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// pgKindOf maps PostgreSQL's SQLSTATEs to the store's kinds.
func pgKindOf(err error) error {
	switch code := pgCode(err); {
	case code == "55P03": // lock_not_available: the writer lock, past lock_timeout
		return ErrLocked
	case code == "53100": // disk_full (the server's)
		return ErrDiskFull
	}
	return nil
}

// pgConstraint reports a violated constraint (class 23: unique, foreign
// key, check, not null).
func pgConstraint(err error) bool { return strings.HasPrefix(pgCode(err), "23") }

// pgSearch is the text the trigram index holds for an order, each field
// apart (a unit separator between them, which no typed filter holds), as
// SQLite's trigram index matches within a column.
// The folio is not in it (schema 18): a number finds its folio exactly.
const pgSearch = `(code || E'\x1f' || buyer_name || E'\x1f' || buyer_rut)`

// pgTextWindow and pgTextWindow2 are how many of the newest orders (past
// the cursor) a text filter on PostgreSQL matches row by row before it
// turns to the trigram index. A GIN index cannot return rows newest first:
// for a common word (a surname in 5% of a million orders) the trigram walk
// fetches and sorts every match, most of a second, where the newest few
// thousand rows fill the page in milliseconds. The second, larger window
// is read only when the first did not fill the page but held enough
// matches that, as dense, the second will (a common word under a state or
// a merchant that keeps few of its matches); a rarer word goes to the
// index at once.
const (
	pgTextWindow  = 2000
	pgTextWindow2 = 20000
)

// listTextPG is listText on PostgreSQL, in one statement: the newest
// orders past the cursor matched row by row (pgTextWindow, then up to
// pgTextWindow2), and only when they do not fill the page, the older ones
// through the pg_trgm index (orders_search, migration postgres/0002) over
// orders whose detail was read, matched with ILIKE, newest first; from six
// characters, code prefixes of orders not read yet too
// (orders_code_nodetail). Each later part is a one-time filter: the
// planner skips it when the parts before filled the page.
func (s *Store) listTextPG(ctx context.Context, q OrderQuery, text string) ([]Order, error) {
	common, args := q.commonWhere()
	if st, stArgs := q.stateIn("state"); st != "" {
		common = append(common, st)
		args = append(args, stArgs...)
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
	long := len([]rune(text)) >= 6
	hi := text + "\U0010FFFF"

	cursor, cursorArgs := "", []any(nil)
	if q.Before > 0 {
		cursor, cursorArgs = "seq < ?", []any{q.Before}
	}
	// floor is the oldest seq of the newest n orders past the cursor.
	floor := func(n int) string {
		return `(SELECT min(seq) FROM (SELECT seq FROM orders` + where(nonEmpty(cursor)) + ` ORDER BY seq DESC LIMIT ` + strconv.Itoa(n) + `) f)`
	}
	match, matchArgs := `((buyer_name <> '' OR buyer_rut <> '') AND `+pgSearch+` ILIKE ? ESCAPE '\')`, []any{like}
	if long {
		match = `(` + match + ` OR (buyer_name = '' AND buyer_rut = '' AND code COLLATE "C" >= ? AND code COLLATE "C" < ?))`
		matchArgs = append(matchArgs, text, hi)
	}
	folio, isFolio := folioText(text)
	if isFolio {
		match = `(` + match + ` OR (folio > 0 AND folio = ?))`
		matchArgs = append(matchArgs, folio)
	}
	// rows matches n orders, newest first, of those past the cursor (and
	// below seqCond), by the primary key; gate, when set, must hold.
	rows := func(seqCond string, seqArgs []any, n int, gate string) (string, []any) {
		inner := append(nonEmpty(cursor), nonEmpty(seqCond)...)
		conds := append(append([]string{match}, common...), nonEmpty(gate)...)
		sql := `SELECT ` + listCols + ` FROM (SELECT * FROM orders` + where(inner) + ` ORDER BY seq DESC LIMIT ` + strconv.Itoa(n) + `) w` +
			where(conds) + ` ORDER BY seq DESC LIMIT ?`
		a := append(append(append(append(append([]any{}, cursorArgs...), seqArgs...), matchArgs...), args...), q.Limit)
		if seqCond != "" {
			a = append(append(append([]any{}, cursorArgs...), cursorArgs...), a[len(cursorArgs):]...)
		}
		return sql, a
	}
	first, fargs := rows("", nil, pgTextWindow, "")
	// The second window runs when the first's matches, found as densely
	// there, would fill the page: count × (window2 / window1) ≥ limit.
	dense := `(SELECT count(*) FROM a) * ` + strconv.Itoa(pgTextWindow2/pgTextWindow) + ` >= ?`
	second, sargs := rows("seq < "+floor(pgTextWindow), nil, pgTextWindow2-pgTextWindow,
		dense+` AND (SELECT count(*) FROM a) < ?`)
	// The gate's arguments come after the conditions', before the limit.
	sargs = append(append(sargs[:len(sargs)-1:len(sargs)-1], q.Limit, q.Limit), q.Limit)

	// Past the windows: the indexes. (seq + 0: the windows' floor is no
	// range of the primary key to walk, which would be nearly every order.)
	past := append([]string{`seq + 0 < CASE WHEN ` + dense + ` THEN ` + floor(pgTextWindow2) +
		` ELSE ` + floor(pgTextWindow) + ` END`}, common...)
	pargs := append(append(append([]any{q.Limit}, cursorArgs...), cursorArgs...), args...)
	// The first condition repeats the index's predicate, word for word.
	conds := append([]string{"(buyer_name <> '' OR buyer_rut <> '')", pgSearch + ` ILIKE ? ESCAPE '\'`}, past...)
	older := `SELECT ` + listCols + ` FROM orders` + where(conds) + ` ORDER BY seq DESC LIMIT ?`
	oargs := append(append([]any{like}, pargs...), q.Limit)
	if long {
		// The conditions repeat orders_code_nodetail's (postgres/0004).
		prefix := append([]string{`code COLLATE "C" >= ? AND code COLLATE "C" < ?`, "buyer_name = ''", "buyer_rut = ''"}, past...)
		older = `SELECT * FROM (` + older + `) UNION SELECT * FROM (SELECT ` + listCols + ` FROM orders` +
			where(prefix) + ` ORDER BY seq DESC LIMIT ?) ORDER BY 1 DESC LIMIT ?`
		oargs = append(append(append(oargs, text, hi), pargs...), q.Limit, q.Limit)
	}
	if isFolio {
		// The conditions repeat orders_folio's (postgres/0003).
		exact := append([]string{"folio > 0 AND folio = ?"}, past...)
		older = `SELECT * FROM (` + older + `) UNION SELECT * FROM (SELECT ` + listCols + ` FROM orders` +
			where(exact) + ` ORDER BY seq DESC LIMIT ?) ORDER BY 1 DESC LIMIT ?`
		oargs = append(append(append(oargs, folio), pargs...), q.Limit, q.Limit)
	}
	query := `WITH a AS MATERIALIZED (` + first + `), b AS MATERIALIZED (` + second + `) SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM (` +
		older + `) c WHERE (SELECT count(*) FROM a) + (SELECT count(*) FROM b) < ? ORDER BY 1 DESC LIMIT ?`
	qargs := append(append(append(append(fargs, sargs...), oargs...), q.Limit), q.Limit)
	return s.queryOrders(ctx, query, qargs...)
}

// nonEmpty is the one condition c, or none.
func nonEmpty(c string) []string {
	if c == "" {
		return nil
	}
	return []string{c}
}
