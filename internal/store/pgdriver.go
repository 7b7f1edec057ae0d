package store

// The PostgreSQL dialect: the store's queries are written once, in SQLite's
// SQL, and a database/sql connector wrapped around pgx's rewrites each one
// (once, then cached) into PostgreSQL's. Keeping the rewrite in one place
// means no query is written twice and a new query works on both drivers
// unless it uses something listed in pgRewrite.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// pgWriterLock is taken at the start of every write transaction: one writer
// per store (per schema) across every process, as SQLite's BEGIN IMMEDIATE
// gives, so that a write's reads (the lease, the fence, an order's state)
// cannot be changed under it. It waits up to lock_timeout (the busy timeout).
const pgWriterLock = `SELECT pg_advisory_xact_lock(1718578281, hashtext(current_schema()))`

// rawSQL marks a context whose statements are PostgreSQL already (the
// PostgreSQL migrations): the connector passes them through untouched.
type rawSQL struct{}

func withRawSQL(ctx context.Context) context.Context { return context.WithValue(ctx, rawSQL{}, true) }

// pgConnector makes the store's connections to PostgreSQL. writer marks the
// writer's, whose transactions take pgWriterLock.
type pgConnector struct {
	inner  driver.Connector
	writer bool
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	ic, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{inner: ic, writer: c.writer}, nil
}

func (c *pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is one pgx connection speaking the store's SQL.
type pgConn struct {
	inner  driver.Conn
	writer bool
}

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
)

func (c *pgConn) rewrite(ctx context.Context, q string) (pgQuery, error) {
	if raw, _ := ctx.Value(rawSQL{}).(bool); raw {
		return pgQuery{text: q}, nil
	}
	r := pgRewriteCached(q)
	return r, r.err
}

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), q)
}

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	r, err := c.rewrite(ctx, q)
	if err != nil {
		return nil, err
	}
	st, err := c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, r.text)
	if err != nil {
		return nil, err
	}
	return &pgStmt{inner: st, conn: c, returningID: r.returningID}, nil
}

func (c *pgConn) Close() error { return c.inner.Close() }

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly && opts.Isolation == driver.IsolationLevel(sql.LevelDefault) {
		// A read transaction is one snapshot, as in SQLite (InspectOrder's
		// parts agree with each other).
		opts.Isolation = driver.IsolationLevel(sql.LevelRepeatableRead)
	}
	tx, err := c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil || !c.writer || opts.ReadOnly {
		return tx, err
	}
	if _, err := c.inner.(driver.ExecerContext).ExecContext(ctx, pgWriterLock, nil); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.rewrite(ctx, q)
	if err != nil {
		return nil, err
	}
	if r.returningID {
		rows, err := c.inner.(driver.QueryerContext).QueryContext(ctx, r.text, args)
		if err != nil {
			return nil, err
		}
		return readID(rows)
	}
	return c.inner.(driver.ExecerContext).ExecContext(ctx, r.text, args)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.rewrite(ctx, q)
	if err != nil {
		return nil, err
	}
	return c.inner.(driver.QueryerContext).QueryContext(ctx, r.text, args)
}

// CheckNamedValue passes Go booleans as 0 and 1: the flag columns are
// integers, as in SQLite.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	if ch, ok := c.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return nil
}

func (c *pgConn) ResetSession(ctx context.Context) error {
	if rs, ok := c.inner.(driver.SessionResetter); ok {
		return rs.ResetSession(ctx)
	}
	return nil
}

func (c *pgConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// pgStmt is a prepared statement; an INSERT whose caller wants its
// LastInsertId runs with RETURNING id.
type pgStmt struct {
	inner       driver.Stmt
	conn        *pgConn
	returningID bool
}

func (s *pgStmt) Close() error  { return s.inner.Close() }
func (s *pgStmt) NumInput() int { return s.inner.NumInput() }

func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.returningID {
		rows, err := s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
		if err != nil {
			return nil, err
		}
		return readID(rows)
	}
	return s.inner.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.inner.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *pgStmt) CheckNamedValue(nv *driver.NamedValue) error { return s.conn.CheckNamedValue(nv) }

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// idResult is an INSERT … RETURNING id's result.
type idResult struct{ id, n int64 }

func (r idResult) LastInsertId() (int64, error) { return r.id, nil }
func (r idResult) RowsAffected() (int64, error) { return r.n, nil }

func readID(rows driver.Rows) (driver.Result, error) {
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	var res idResult
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return nil, err
		}
		res.n++
		if id, ok := dest[0].(int64); ok {
			res.id = id
		}
	}
}

// pgQuery is a query in PostgreSQL's SQL.
type pgQuery struct {
	text        string
	returningID bool  // INSERT … RETURNING id, for LastInsertId
	err         error // a statement PostgreSQL has no equivalent for
}

var pgRewrites sync.Map // SQLite text → pgQuery

func pgRewriteCached(q string) pgQuery {
	if r, ok := pgRewrites.Load(q); ok {
		return r.(pgQuery)
	}
	r := pgRewrite(q)
	pgRewrites.Store(q, r)
	return r
}

// Statements with no PostgreSQL counterpart.
const (
	// The WAL's insert position moves with every commit that changed
	// something (in this database or another of the server's: a redraw
	// too many, never one too few); reads write no WAL.
	pgChangeCounter = `SELECT (pg_current_wal_lsn() - '0/0')::bigint`
	// An index left invalid (a failed CREATE INDEX CONCURRENTLY, a crash
	// mid-build) is what PostgreSQL can report without extensions.
	pgQuickCheck = `SELECT coalesce(string_agg('index ' || c.relname || ' is invalid: REINDEX INDEX ' || c.relname, E'\n'), 'ok')
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`
	pgSchemaVersion = `SELECT coalesce((SELECT version FROM folio_schema WHERE id = 1), 0)`
	pgNothing       = `SELECT NULL WHERE false`
)

// errPGBackup answers folio backup on a PostgreSQL store.
var errPGBackup = errors.New("a PostgreSQL store is not copied with folio backup; use PostgreSQL's own tools (pg_dump, or the server's backups)")

// idTables are the tables whose rows get an id from a sequence: an INSERT
// into one returns it, so that LastInsertId works.
var idTables = map[string]bool{"connections": true, "documents": true, "events": true, "http_log": true, "controls": true}

var (
	reIndexedBy = regexp.MustCompile(`\s+INDEXED BY \w+`)
	reJSONEach  = regexp.MustCompile(`json_each\(\?\)`)
	reIif       = regexp.MustCompile(`\biif\(([^,()]+),\s*([^,()]+),\s*([^,()]+)\)`)
	reMax2      = regexp.MustCompile(`\bmax\(([\w.]+),`)
	reLike      = regexp.MustCompile(`\bLIKE\b`)
	reUnaryPlus = regexp.MustCompile(`([\s(,])\+([a-z_]+)`)
	reFromParen = regexp.MustCompile(`(?i)\bFROM\s*\(`)
	reInsert    = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+(\w+)`)
	reWord      = regexp.MustCompile(`^\s*(\w+)`)
)

// pgRewrite turns a query of the store's (SQLite's SQL) into PostgreSQL's:
//
//   - placeholders ? and ?N become $N;
//   - index hints (INDEXED BY) go: PostgreSQL's planner has none;
//   - json_each(?) reads the JSON array with json_array_elements_text;
//   - iif(c, a, b), instr and two-argument max become CASE, strpos and
//     greatest; LIKE becomes ILIKE (SQLite's LIKE ignores case);
//   - unary + (SQLite's "do not use this index") goes;
//   - a subquery in FROM gets the alias PostgreSQL 15 requires;
//   - PRAGMAs become their equivalents (data_version, quick_check,
//     user_version) or nothing; VACUUM INTO is refused;
//   - an INSERT into a table with an id sequence returns the id.
func pgRewrite(q string) pgQuery {
	head := strings.ToUpper(strings.TrimSpace(q))
	switch {
	case strings.HasPrefix(head, "PRAGMA"):
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(q)[len("PRAGMA"):], " ")))
		switch {
		case strings.HasPrefix(name, "data_version"):
			return pgQuery{text: pgChangeCounter}
		case strings.HasPrefix(name, "quick_check"), strings.HasPrefix(name, "integrity_check"):
			return pgQuery{text: pgQuickCheck}
		case name == "user_version":
			return pgQuery{text: pgSchemaVersion}
		}
		return pgQuery{text: pgNothing}
	case strings.HasPrefix(head, "VACUUM"):
		return pgQuery{err: errPGBackup}
	}
	s := reIndexedBy.ReplaceAllString(q, "")
	s = reJSONEach.ReplaceAllString(s, "json_array_elements_text((?::text)::json)")
	s = reIif.ReplaceAllString(s, "CASE WHEN $1 <> 0 THEN $2 ELSE $3 END")
	s = strings.ReplaceAll(s, "instr(", "strpos(")
	s = reMax2.ReplaceAllString(s, "greatest($1,")
	s = reLike.ReplaceAllString(s, "ILIKE")
	s = reUnaryPlus.ReplaceAllString(s, "$1$2")
	s = aliasSubqueries(s)
	s = numberPlaceholders(s)
	out := pgQuery{text: s}
	if m := reInsert.FindStringSubmatch(s); m != nil && idTables[strings.ToLower(m[1])] {
		up := strings.ToUpper(s)
		if !strings.Contains(up, "RETURNING") && !strings.Contains(up, "ON CONFLICT") {
			out.text = strings.TrimRight(s, " \t\n;") + " RETURNING id"
			out.returningID = true
		}
	}
	return out
}

// notAlias are the words that may follow a subquery without being its alias.
var notAlias = map[string]bool{"UNION": true, "WHERE": true, "ORDER": true, "LIMIT": true, "JOIN": true, "LEFT": true,
	"INNER": true, "CROSS": true, "GROUP": true, "HAVING": true, "EXCEPT": true, "INTERSECT": true, "ON": true, "OFFSET": true}

// aliasSubqueries names every unnamed subquery in FROM (_q1, _q2, …).
func aliasSubqueries(s string) string {
	n := 0
	for from := 0; ; {
		loc := reFromParen.FindStringIndex(s[from:])
		if loc == nil {
			return s
		}
		open := from + loc[1] - 1
		end := matchParen(s, open)
		if end < 0 {
			return s
		}
		from = open + 1
		if m := reWord.FindStringSubmatch(s[end+1:]); m != nil && !notAlias[strings.ToUpper(m[1])] {
			continue // named already (or AS)
		}
		n++
		s = s[:end+1] + " AS _q" + strconv.Itoa(n) + s[end+1:]
	}
}

// matchParen returns the index of the parenthesis closing the one at open,
// skipping quoted text; -1 if none.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				return -1
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// numberPlaceholders turns ? into $N (the next number after the highest so
// far, as SQLite counts) and ?N into $N, outside quoted text.
func numberPlaceholders(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	highest := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+j+2])
			i += j + 1
		case '?':
			k := i + 1
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			n := highest + 1
			if k > i+1 {
				n, _ = strconv.Atoi(s[i+1 : k])
			}
			highest = max(highest, n)
			fmt.Fprintf(&b, "$%d", n)
			i = k - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
