package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test rig's own statements

	"github.com/folio-cl/folio/internal/store/pgtest"
)

// The store's tests run on both drivers: each test listed in onBothDrivers
// runs as itself on SQLite and again as TestPostgres/<name> on PostgreSQL,
// where storePathFor gives it a fresh schema of the database named by
// FOLIO_TEST_POSTGRES (.ci/run starts a server and sets it).

const pgTestEnv = pgtest.Env

const pgSkip = pgtest.SkipLine

// onBothDrivers are the tests that open a store through setup or
// storePathFor and assert only what both drivers promise. The others
// test SQLite's file (modes, WAL, backups, hand-built old schemas, query
// plans).
var onBothDrivers = []func(*testing.T){
	// orders, transitions, emissions, documents
	TestReopenKeepsWrites, TestWriteRollsBackOnError, TestUpsertReportsNewAndChanged, TestMoveOrderIsGuarded,
	TestUpsertAndEventsAcrossStatementShapes, TestAppendEventsNeedsTheOrder, TestSeenLineRidesInTheOrderRow,
	TestNamedTransitionsLeaveTheRestAlone, TestEmissionWritesSetOnlyTheirColumns,
	TestFolioBelongsToOneOrder, TestEmissionIntentIsUniquePerReference, TestRejectedDocumentMakesRoomForItsReplacement,
	TestWorkNamesTheStepFromTheEmission, TestWaitOnlyBeforeTheIntent,
	// one writer, the lease and fencing
	TestSecondWriterGetsLockedError, TestReaderIsNotBlockedByAWrite, TestWritesAreImmediate,
	TestTwoStoresWritingKeepTheFileSound, TestLease, TestFencedWritesOfAStaleHolder, TestSecondEngineIsRefusedByTheLease,
	TestConnectionLeases, TestDeletedConnectionLeavesNoLease, TestFencedWritesPerConnection, TestWorkOfConnections, TestLeaseHolderOfEachDriver,
	// listings, counts, the filter
	TestKeysetPaginationAndFilter, TestTextFilterPagesNewestFirst, TestTextFilterPathsAgree, TestShortAndSpecialFilters, TestTextFilterPastTheWindow,
	TestCountsFollowEveryWrite, TestDueOrders, TestRecentActivity, TestInspectOrder,
	// the rest
	TestTimelineIsAppendOnly, TestEventMessagesKeepTheirCatalogID, TestHTTPLogIsBounded, TestControlsRoundTrip,
	TestChangeCounterMovesOnCommit, TestChangeCounterHearsOtherWriters, TestConnectionsRoundTrip, TestConnectionSettingsRoundTrip,
	TestReasonOutcomeAndEventMessages, TestAddControlRecordsAndChecksTheActor, TestScopedListsAndCounts, TestScopedPages,
	TestRecoverableWriteCommits,
}

func TestPostgres(t *testing.T) {
	if os.Getenv(pgTestEnv) == "" {
		t.Skip(pgSkip)
	}
	for _, fn := range onBothDrivers {
		name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
		t.Run(name[strings.LastIndex(name, ".")+1:], fn)
	}
}

// onPostgres reports whether t runs under TestPostgres or BenchmarkPostgres.
func onPostgres(t testing.TB) bool {
	return strings.HasPrefix(t.Name(), "TestPostgres/") || strings.HasPrefix(t.Name(), "BenchmarkPostgres/")
}

// BenchmarkPostgres runs the store's write benchmarks on PostgreSQL
// (BenchmarkPostgres/StoreCommit, …), to read against SQLite's.
func BenchmarkPostgres(b *testing.B) {
	if os.Getenv(pgTestEnv) == "" {
		b.Skip(pgSkip)
	}
	b.Run("StoreCommit", BenchmarkStoreCommit)
	b.Run("StoreIngest", BenchmarkStoreIngest)
	b.Run("StoreDetail", BenchmarkStoreDetail)
}

// storePathFor is the address of a new, empty store for t: a file in a
// temporary directory, or under TestPostgres a schema of its own.
func storePathFor(t testing.TB) string {
	t.Helper()
	if onPostgres(t) {
		return pgTestStore(t)
	}
	return filepath.Join(t.TempDir(), "folio.db")
}

// pgTestStore is a store of its own for t in a fresh PostgreSQL schema.
func pgTestStore(t testing.TB) string { return pgtest.Store(t) }

func TestPgRewrite(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE b=? AND c=?`, `SELECT a FROM t WHERE b=$1 AND c=$2`},
		{`SELECT '?' , x FROM t WHERE y = ?`, `SELECT '?' , x FROM t WHERE y = $1`},
		{`SELECT (SELECT count(*) FROM o WHERE at < ?1), (SELECT count(*) FROM d WHERE at < ?1)`,
			`SELECT (SELECT count(*) FROM o WHERE at < $1), (SELECT count(*) FROM d WHERE at < $1)`},
		{`SELECT x FROM orders INDEXED BY orders_state_seq WHERE state = ?`, `SELECT x FROM orders WHERE state = $1`},
		{`SELECT id FROM orders WHERE id IN (SELECT value FROM json_each(?))`,
			`SELECT id FROM orders WHERE id IN (SELECT value FROM json_array_elements_text(($1::text)::json))`},
		{`UPDATE o SET attempts=iif(?, attempts, ?), k=1 WHERE instr(?, ',' || state || ',') > 0`,
			`UPDATE o SET attempts=CASE WHEN $1 <> 0 THEN attempts ELSE $2 END, k=1 WHERE strpos($3, ',' || state || ',') > 0`},
		{`UPDATE c SET high_water=max(high_water, ?)`, `UPDATE c SET high_water=greatest(high_water, $1)`},
		{`SELECT min(a), max(b) FROM t`, `SELECT min(a), max(b) FROM t`},
		{`SELECT x FROM t WHERE (code LIKE ? ESCAPE '\') AND +state IN (?,?)`, `SELECT x FROM t WHERE (code ILIKE $1 ESCAPE '\') AND state IN ($2,$3)`},
		{`SELECT * FROM (SELECT a FROM t LIMIT ?) UNION ALL SELECT * FROM (SELECT a FROM u LIMIT ?) LIMIT ?`,
			`SELECT * FROM (SELECT a FROM t LIMIT $1) AS _q1 UNION ALL SELECT * FROM (SELECT a FROM u LIMIT $2) AS _q2 LIMIT $3`},
		{`SELECT * FROM (SELECT a FROM t) s`, `SELECT * FROM (SELECT a FROM t) s`},
		{`INSERT INTO controls (at, kind) VALUES (?,?)`, `INSERT INTO controls (at, kind) VALUES ($1,$2) RETURNING id`},
		{`INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT (key) DO NOTHING`,
			`INSERT INTO settings (key, value) VALUES ($1,$2) ON CONFLICT (key) DO NOTHING`},
		{`PRAGMA data_version`, pgChangeCounter},
		{`PRAGMA quick_check`, pgQuickCheck},
		{`PRAGMA wal_checkpoint(TRUNCATE)`, pgNothing},
	} {
		got := pgRewrite(c.in)
		if got.err != nil || got.text != c.want {
			t.Errorf("pgRewrite(%q)\n got %q (%v)\nwant %q", c.in, got.text, got.err, c.want)
		}
	}
	if r := pgRewrite(`INSERT INTO controls (at) VALUES (?)`); !r.returningID {
		t.Error("an insert into a table with ids must return its id")
	}
	if r := pgRewrite(`VACUUM INTO ?`); !errors.Is(r.err, errPGBackup) {
		t.Errorf("VACUUM INTO: %v, want the pg_dump advice", r.err)
	}
}

func TestPostgresMigrationsMirrorSQLite(t *testing.T) {
	t.Parallel()
	lite, pg := migrations(), pgMigrations()
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones: add migrations/postgres/NNNN_*.up.sql for each", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].version != pg[i].version || lite[i].name != pg[i].name {
			t.Errorf("migration %d: SQLite %s, PostgreSQL %s (numbered and named alike)", i, lite[i].name, pg[i].name)
		}
	}
}

func TestStoreAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{"postgres://h/db": true, "POSTGRESQL://h/db": true, "/var/lib/folio/folio.db": false,
		"postgres.db": false, "": false} {
		if IsPostgres(addr) != want {
			t.Errorf("IsPostgres(%q) = %v", addr, !want)
		}
	}
	for _, addr := range []string{"postgres://folio:s3cret@db.example.cl/folio", "postgres://folio@db.example.cl/folio?password=s3cret"} {
		if r := RedactAddress(addr); strings.Contains(r, "s3cret") || !strings.Contains(r, "db.example.cl") {
			t.Errorf("RedactAddress(%q) = %q", addr, r)
		}
	}
}

// A server that does not answer is named, without the password, with the fix.
func TestPostgresOpenFailureKeepsThePasswordOut(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://folio:s3cret@127.0.0.1:1/folio?connect_timeout=5", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !errors.Is(err, ErrCannotOpen) ||
		!strings.Contains(err.Error(), "127.0.0.1") || !strings.Contains(err.Error(), "PostgreSQL server is running") {
		t.Fatalf("err = %v", err)
	}
}

func TestPostgresNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	addr := pgTestStore(t)
	ctx := context.Background()
	st, err := Open(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.SchemaVersion() != LatestSchema() {
		t.Fatalf("version %d, want %d", st.SchemaVersion(), LatestSchema())
	}
	if _, err := st.w.ExecContext(withRawSQL(ctx), `UPDATE folio_schema SET version = $1`, LatestSchema()+1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, ro := range []bool{false, true} {
		_, err = Open(ctx, addr, Options{ReadOnly: ro})
		if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade folio") {
			t.Fatalf("read-only %v: err = %v, want a newer-schema refusal saying to upgrade", ro, err)
		}
	}
}

// A read-only open of a database folio never wrote to says how to create
// the store.
func TestPostgresReadOnlyOfAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), pgTestStore(t), Options{ReadOnly: true})
	if !errors.Is(err, ErrOldSchema) || !strings.Contains(err.Error(), "without --readonly") {
		t.Fatalf("err = %v", err)
	}
}

// Each migration applies on the store the previous ones left, with an
// order in it that stays found and counted.
func TestPostgresMigratesFromEachOlderVersion(t *testing.T) {
	t.Parallel()
	migratesFromEachOlderVersion(t, true)
}

// Folios opening a new PostgreSQL store at once: one applies each
// migration, the others wait for the writer lock and find it applied.
func TestPostgresOpenRaceOnNewStore(t *testing.T) {
	t.Parallel()
	addr := pgTestStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(ctx, addr, Options{BusyTimeout: 30 * time.Second})
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			if st.SchemaVersion() != LatestSchema() {
				errs <- fmt.Errorf("version %d", st.SchemaVersion())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPostgresErrorKinds(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]error{"55P03": ErrLocked, "53100": ErrDiskFull} {
		err := fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "m"})
		if got := classify(err); !errors.Is(got, want) {
			t.Errorf("SQLSTATE %s: %v, want %v", code, got, want)
		}
	}
	for _, code := range []string{"23505", "23503", "23514"} {
		if !isConstraint(&pgconn.PgError{Code: code}) {
			t.Errorf("SQLSTATE %s is a constraint violation", code)
		}
	}
	if isConstraint(&pgconn.PgError{Code: "42P01"}) {
		t.Error("an undefined table is no constraint violation")
	}
	err := pgOpenError("postgres://h/db", "postgres://h/db", OpMigrate, "", &pgconn.PgError{Code: pgNoPrivilege, Message: "permission denied for schema public"})
	if !strings.Contains(err.Error(), "database's owner") || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("a role without privileges: %v", err)
	}
}

// The queries behind the panes and the engine's loops can be answered
// from an index on PostgreSQL too: with sequential scans off, none scans
// the orders table, and the text filter walks the trigram index (its
// expression and predicate must match the index's word for word).
func TestPostgresListQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	st, err := Open(context.Background(), pgTestStore(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := &bundle{st: st}
	ctx := context.Background()
	if err := st.Write(ctx, func(tx *Tx) (err error) {
		b.conn, err = tx.SaveConnection(ctx, Connection{Name: "c", Kind: KindMultivende})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b.insert(t, 30, StateQueued)
	var captured []struct {
		q    string
		args []any
	}
	st.trace = func(q string, args []any) {
		captured = append(captured, struct {
			q    string
			args []any
		}{q, args})
	}
	calls := map[string]func(){
		"errors pane":         func() { st.ListOrders(ctx, OrderQuery{States: []State{StateAttention}, Before: 10}) },
		"queue pane":          func() { st.ListOrders(ctx, OrderQuery{States: QueueStates(), ConnectionID: b.conn}) },
		"short folio":         func() { st.ListOrders(ctx, OrderQuery{Text: "42", States: QueueStates()}) },
		"next due":            func() { st.NextDue(ctx) },
		"text in few states":  func() { st.ListOrders(ctx, OrderQuery{Text: "rojas", States: []State{StateAttention}}) },
		"text":                func() { st.ListOrders(ctx, OrderQuery{Text: "rojas", Before: 20}) },
		"text with prefix":    func() { st.ListOrders(ctx, OrderQuery{Text: "FAL-100001", Before: 20}) },
		"text in many states": func() { st.listText(ctx, OrderQuery{States: []State{StateDone}, Limit: 5}, "rojas") },
		"due":                 func() { st.DueOrders(ctx, time.Now(), 10) },
		"first text page":     func() { st.ListOrders(ctx, OrderQuery{Text: "rojas"}) },
		"first prefix page":   func() { st.ListOrders(ctx, OrderQuery{Text: "FAL-100001"}) },
	}
	conn, err := st.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	explain := func(setting, name string) string {
		t.Helper()
		if _, err := conn.ExecContext(ctx, setting); err != nil {
			t.Fatal(err)
		}
		captured = nil
		calls[name]()
		if len(captured) != 1 {
			t.Fatalf("%s: %d queries", name, len(captured))
		}
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+captured[0].q, captured[0].args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, captured[0].q)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		return strings.Join(plan, "\n")
	}
	for name := range calls {
		if plan := explain(`SET enable_seqscan = off`, name); strings.Contains(plan, "Seq Scan on orders") {
			t.Errorf("%s scans the orders table:\n%s", name, plan)
		}
	}
	// With plain index walks off too, a text filter can only be answered
	// through the indexes its conditions name (at 30 rows the planner
	// would rather walk the primary key).
	for _, name := range []string{"first text page", "first prefix page"} {
		plan := explain(`SET enable_indexscan = off`, name)
		// An Index Cond with the ILIKE, not a walk of the whole (partial)
		// index: the filter's expression is the index's.
		if _, after, _ := strings.Cut(plan, "Bitmap Index Scan on orders_search"); !strings.Contains(after, "Index Cond") ||
			!strings.Contains(after, "~~*") {
			t.Errorf("%s cannot use the trigram index:\n%s", name, plan)
		}
		if name == "first prefix page" && !strings.Contains(plan, "Bitmap Index Scan on orders_code_nodetail") {
			t.Errorf("%s cannot find unread orders by their code's index:\n%s", name, plan)
		}
	}
}

// folio backup of a PostgreSQL store says what to use instead and leaves
// no file behind.
func TestPostgresBackupSaysPgDump(t *testing.T) {
	t.Parallel()
	st, err := Open(context.Background(), pgTestStore(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := st.Backup(context.Background(), dst); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup: %v", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the failed backup left %s: %v", dst, err)
	}
}

// An error's text loses the address's password wherever the address
// carried it, and nothing else: a one-letter password does not blot out
// that letter across the message.
func TestRedactErrTakesThePasswordOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ addr, msg, want string }{
		{"postgres://folio:p@127.0.0.1:5432/folio", "dial tcp 127.0.0.1:5432: connect: connection refused (postgres://folio:p@127.0.0.1)",
			"dial tcp 127.0.0.1:5432: connect: connection refused (postgres://folio:xxxxx@127.0.0.1)"},
		{"postgres://folio@h/db?password=s3cret", "bad password=s3cret here", "bad password=xxxxx here"},
		{"postgres://folio:s%2Fx@h/db", "cannot parse folio:s%2Fx@h and s/x", "cannot parse folio:xxxxx@h and xxxxx"},
		{"postgres://folio:ab@h/db", "abc ab cab ab", "abc xxxxx cab xxxxx"},
	} {
		if got := redactErr(errors.New(c.msg), c.addr); got != c.want {
			t.Errorf("redactErr(%q, %q) = %q, want %q", c.msg, c.addr, got, c.want)
		}
	}
}
