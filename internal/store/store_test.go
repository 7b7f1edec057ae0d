package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/testutil"
)

func TestOpenCreatesPrivateFilesAtLatestSchema(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if b.st.SchemaVersion() != LatestSchema() || LatestSchema() < 2 {
		t.Fatalf("schema %d, latest %d", b.st.SchemaVersion(), LatestSchema())
	}
	b.insert(t, 3, StateQueued)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(b.path + suffix)
		if err != nil {
			t.Fatalf("%s: %v", suffix, err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s%s has mode %o, want 600", b.path, suffix, perm)
		}
	}
}

func TestReopenKeepsWrites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.insert(t, 10, StateQueued)
	b.st.Close()
	st, err := Open(context.Background(), b.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountOrders(context.Background(), OrderQuery{})
	if err != nil || n != 10 {
		t.Fatalf("after reopen: %d orders, %v", n, err)
	}
}

func TestMigrateFromEachOlderVersion(t *testing.T) {
	t.Parallel()
	migratesFromEachOlderVersion(t, false)
}

// migratesFromEachOlderVersion opens, on either driver, a store left at
// each older version with an order in it: the order stays found and
// counted, and the migrated index follows later changes.
func migratesFromEachOlderVersion(t *testing.T, pg bool) {
	first := 0
	if pg {
		first = 1 // PostgreSQL stores begin at schema 1
	}
	for from := first; from < LatestSchema(); from++ {
		t.Run(fmt.Sprintf("from %d", from), func(t *testing.T) {
			if pg {
				t.Parallel()
			}
			ctx := context.Background()
			db, reopen := oldStore(t, pg, from)
			if from >= 1 {
				if _, err := db.Exec(`INSERT INTO connections (name, kind, created_at, updated_at) VALUES ('c','multivende',1,1)`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(`INSERT INTO orders (id, connection_id, code, buyer_name, state, state_since, updated_at)
					VALUES ('o1',1,'FAL-118273645','Comercial Los Aromos','queued',1,1)`); err != nil {
					t.Fatal(err)
				}
				if from >= 5 {
					// From schema 5 UpsertOrders counts what it inserts, and
					// (SQLite) an order enters the search index when its buyer
					// is set (SetDetail), never on insert.
					if !pg {
						if _, err := db.Exec(`UPDATE orders SET buyer_name='' WHERE id='o1'`); err != nil {
							t.Fatal(err)
						}
						if _, err := db.Exec(`UPDATE orders SET buyer_name='Comercial Los Aromos' WHERE id='o1'`); err != nil {
							t.Fatal(err)
						}
					}
					if _, err := db.Exec(`UPDATE order_counts SET n = n + 1 WHERE state = 'queued'`); err != nil {
						t.Fatal(err)
					}
				}
			}
			st, err := reopen()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.SchemaVersion() != LatestSchema() {
				t.Fatalf("version %d after open", st.SchemaVersion())
			}
			if from == 0 {
				return
			}
			if got, err := st.ListOrders(ctx, OrderQuery{Text: "aromos"}); err != nil || len(got) != 1 {
				t.Fatalf("old order not searchable after migration: %v %v", got, err)
			}
			if counts, err := st.CountByState(ctx); err != nil || counts[StateQueued] != 1 {
				t.Fatalf("old order not counted after migration: %v %v", counts, err)
			}
			if err := st.Write(ctx, func(tx *Tx) error {
				return tx.MoveOrder(ctx, "o1", Move{From: []State{StateQueued}, To: StateDone, Outcome: OutcomeIssued, Folio: 777})
			}); err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{"aromos", "777"} {
				if got, _ := st.ListOrders(ctx, OrderQuery{Text: text}); len(got) != 1 || got[0].State != StateDone {
					t.Fatalf("%q after a move: %+v", text, got)
				}
			}
		})
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.st.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", LatestSchema()+1)); err != nil {
		t.Fatal(err)
	}
	b.st.Close()
	_, err := Open(context.Background(), b.path, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade folio") {
		t.Fatalf("err = %v, want a newer-schema refusal saying to upgrade", err)
	}
}

func TestOpenFailuresSayWhatAndHow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not sqlite\n", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, garbage, Options{})
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), garbage) {
		t.Errorf("garbage file: %v", err)
	}

	roDir := filepath.Join(dir, "ro")
	if err := os.Mkdir(roDir, 0o500); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(roDir, "folio.db")
	if os.Geteuid() == 0 {
		// root ignores directory modes; /sys is writable by nobody.
		target = "/sys/folio-test.db"
	}
	_, err = Open(ctx, target, Options{})
	if !errors.Is(err, ErrReadOnlyDir) || !strings.Contains(err.Error(), "--store") {
		t.Errorf("read-only location: %v", err)
	}

	missing := filepath.Join(dir, "a", "b", "folio.db")
	st, err := Open(ctx, missing, Options{})
	if err != nil {
		t.Errorf("missing directories should be created: %v", err)
	} else {
		st.Close()
	}

	_, err = Open(ctx, filepath.Join(dir, "nope.db"), Options{ReadOnly: true})
	if err == nil {
		t.Error("read-only open of a missing store should fail")
	}
}

func TestDiskFullMessage(t *testing.T) {
	t.Parallel()
	err := openError("/x/folio.db", OpWrite, errors.New("database or disk is full (13)"))
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free disk space") {
		t.Fatalf("disk full: %v", err)
	}
}

func TestSecondWriterGetsLockedError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other, err := Open(ctx, b.path, Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- b.st.Write(ctx, func(tx *Tx) error {
			if err := tx.SetSetting(ctx, "k", "v"); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	err = other.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "w") })
	close(release)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestReaderIsNotBlockedByAWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 5, StateQueued)
	err := b.st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.UpsertOrders(ctx, []OrderUpsert{b.order(99, StateQueued)}); err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		n, err := b.st.CountOrders(rctx, OrderQuery{})
		if err != nil {
			return fmt.Errorf("reader during write: %w", err)
		}
		if n != 5 {
			return fmt.Errorf("reader saw %d orders during the write, want the old snapshot of 5", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := b.st.CountOrders(ctx, OrderQuery{}); n != 6 {
		t.Fatalf("after commit: %d", n)
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := b.st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.UpsertOrders(ctx, []OrderUpsert{b.order(1, StateQueued)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n, _ := b.st.CountOrders(ctx, OrderQuery{}); n != 0 {
		t.Fatalf("rolled-back write left %d orders", n)
	}
}

func TestUpsertReportsNewAndChanged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o1, o2 := b.order(1, StateQueued), b.order(2, StateWaiting)
	var got []Upserted
	write := func(batch ...OrderUpsert) {
		t.Helper()
		if err := b.st.Write(ctx, func(tx *Tx) (err error) { got, err = tx.UpsertOrders(ctx, batch); return }); err != nil {
			t.Fatal(err)
		}
	}
	write(o1, o2)
	if len(got) != 2 || !got[0].New || got[1].State != StateWaiting {
		t.Fatalf("first upsert: %+v", got)
	}
	write(o1, o2)
	if len(got) != 0 {
		t.Fatalf("unchanged orders reported: %+v", got)
	}
	o2.RemoteUpdatedAt = o2.RemoteUpdatedAt.Add(time.Minute)
	o2.PaymentStatus = "completed"
	write(o1, o2)
	if len(got) != 1 || got[0].ID != o2.ID || got[0].New || got[0].State != StateWaiting {
		t.Fatalf("changed upsert: %+v", got)
	}
	o, err := b.st.GetOrder(ctx, o2.ID)
	if err != nil || o.PaymentStatus != "completed" {
		t.Fatalf("order not updated: %+v %v", o, err)
	}
	// A batch naming an order twice (pages overlapping) reports it once,
	// keeps the newer version and counts it once.
	o3, o3later := b.order(3, StateQueued), b.order(3, StateQueued)
	o3later.RemoteUpdatedAt, o3later.Status = o3.RemoteUpdatedAt.Add(time.Second), "shipped"
	o1.RemoteUpdatedAt = o1.RemoteUpdatedAt.Add(time.Second)
	write(o3, o1, o3later, o3, o1)
	if len(got) != 2 || got[0] != (Upserted{ID: o3.ID, New: true, State: StateQueued}) || got[1] != (Upserted{ID: o1.ID, State: StateQueued}) {
		t.Fatalf("batch with repeats: %+v", got)
	}
	if o, _ := b.st.GetOrder(ctx, o3.ID); o.Status != "shipped" {
		t.Fatalf("the newer version was not kept: %q", o.Status)
	}
	if n, _ := b.st.CountOrders(ctx, OrderQuery{States: []State{StateQueued}}); n != 2 {
		t.Fatalf("queued count %d, want 2", n)
	}
}

func TestMoveOrderIsGuarded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	move := func(m Move) error {
		return b.st.Write(ctx, func(tx *Tx) error { return tx.MoveOrder(ctx, id, m) })
	}
	if err := move(Move{From: []State{StateQueued}, To: StateBuilding, Event: Event{Kind: "building", Message: "m"}}); err != nil {
		t.Fatal(err)
	}
	err := move(Move{From: []State{StateQueued}, To: StateBuilding})
	if !errors.Is(err, ErrStateChanged) || !strings.Contains(err.Error(), "building") {
		t.Fatalf("stale move: %v", err)
	}
	if err := move(Move{From: []State{StateBuilding}, To: StateDone}); err == nil {
		t.Fatal("done without an outcome must violate the schema's CHECK")
	}
	if err := move(Move{From: []State{StateBuilding}, To: StateDone, Outcome: OutcomeIssued, Folio: 42, DocType: 39}); err != nil {
		t.Fatal(err)
	}
	o, _ := b.st.GetOrder(ctx, id)
	if o.State != StateDone || o.Folio != 42 || o.Outcome != OutcomeIssued {
		t.Fatalf("order = %+v", o)
	}
	evs, _ := b.st.Events(ctx, id)
	if len(evs) != 1 || evs[0].Kind != "building" {
		t.Fatalf("events = %+v", evs)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, "nope", Move{From: []State{StateQueued}, To: StateBuilding})
	}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}

func TestFolioBelongsToOneOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	add := func(i int) error {
		return b.st.Write(ctx, func(tx *Tx) error {
			return tx.AddDocument(ctx, Document{OrderID: b.order(i, "").ID, Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: 7, Total: 100, Fecha: "2026-11-24"})
		})
	}
	if err := add(0); err != nil {
		t.Fatal(err)
	}
	if err := add(1); !errors.Is(err, ErrFolioTaken) {
		t.Fatalf("second claim of folio 7: %v", err)
	}
	claimed, err := b.st.ClaimedFolios(ctx, "76086428-5", 39)
	if err != nil || claimed[7] != b.order(0, "").ID {
		t.Fatalf("claimed = %v %v", claimed, err)
	}
}

func TestEmissionIntentIsUniquePerReference(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	save := func(i int, ref string) error {
		return b.st.Write(ctx, func(tx *Tx) error {
			return tx.SaveEmission(ctx, Emission{OrderID: b.order(i, "").ID, ExtRef: ref, Pending: `{"codigo":"abc"}`})
		})
	}
	if err := save(0, "ref-0"); err != nil {
		t.Fatal(err)
	}
	if err := save(0, "ref-0"); err != nil {
		t.Fatalf("re-saving the same intent: %v", err)
	}
	if err := save(1, "ref-0"); err == nil {
		t.Fatal("two orders share one external reference")
	}
	e, err := b.st.GetEmission(ctx, b.order(0, "").ID)
	if err != nil || e.Pending != `{"codigo":"abc"}` {
		t.Fatalf("emission = %+v %v", e, err)
	}
}

func TestKeysetPaginationAndFilter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 120, StateQueued)
	seen := map[string]bool{}
	var before int64
	var last int64 = 1 << 62
	for page := 0; ; page++ {
		rows, err := b.st.ListOrders(ctx, OrderQuery{Before: before, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, o := range rows {
			if seen[o.ID] || o.Seq >= last {
				t.Fatalf("page %d: %s repeated or out of order", page, o.ID)
			}
			seen[o.ID], last = true, o.Seq
		}
		before = rows[len(rows)-1].Seq
	}
	if len(seen) != 120 {
		t.Fatalf("saw %d orders, want 120", len(seen))
	}
	err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.SetDetail(ctx, b.order(7, "").ID, `{}`, "Comercial Los Aromos SpA", "76354771-K", "invoice", time.Time{}, "completed", "confirmed")
	})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]int{"aromos": 1, "LOS AR": 1, "76354771": 1, "2000000000117": 1, "queued": 120, "attention": 0, "zz": 0, "2000000000011": 1, "200000000011": 10, "0000000007": 1} {
		rows, err := b.st.ListOrders(ctx, OrderQuery{Text: text, Limit: 1000})
		if n := len(rows); err != nil || n != want {
			t.Errorf("filter %q: %d orders, %v; want %d", text, len(rows), err, want)
		}
	}
	rows, _ := b.st.ListOrders(ctx, OrderQuery{States: []State{StateAttention}, Text: "queued"})
	if len(rows) != 0 {
		t.Errorf("a state filter outside the pane's states matched %d rows", len(rows))
	}
}

func TestHTTPLogIsBounded(t *testing.T) {
	t.Parallel()
	path := storePathFor(t)
	st, err := Open(context.Background(), path, Options{HTTPLogKeep: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for i := 0; i < 50; i++ {
		batch := make([]Exchange, 7)
		for j := range batch {
			batch[j] = Exchange{At: time.Now(), Method: "GET", URL: fmt.Sprintf("/x/%d", i*7+j), Status: 200, OrderID: "o"}
		}
		if err := st.AppendHTTP(ctx, batch); err != nil {
			t.Fatal(err)
		}
		// The bound holds after every batch, not only on average.
		if n, _ := st.HTTPLog(ctx, "", 1000); len(n) > 100 || len(n) != min(100, (i+1)*7) {
			t.Fatalf("after batch %d the http log holds %d rows, want %d (bound 100)", i, len(n), min(100, (i+1)*7))
		}
	}
	all, err := st.HTTPLog(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if all[0].URL != "/x/349" {
		t.Fatalf("newest first: %s", all[0].URL)
	}
}

func TestLease(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	h1 := Holder{PID: 111, Host: "srv", StartedAt: time.Now()}
	h2 := Holder{PID: 222, Host: "srv", StartedAt: time.Now()}
	f1, err := b.st.AcquireLease(ctx, h1, time.Minute)
	if err != nil || f1.Generation != 1 {
		t.Fatal(f1, err)
	}
	_, err = b.st.AcquireLease(ctx, h2, time.Minute)
	var le *LeaseError
	if !errors.As(err, &le) || le.Holder.PID != 111 || !strings.Contains(err.Error(), "PID 111") {
		t.Fatalf("second engine: %v", err)
	}
	if err := b.st.Heartbeat(ctx, Fence{Holder: h2, Generation: 1}, time.Minute); err == nil {
		t.Fatal("a non-holder heartbeat must fail")
	}
	if err := b.st.ReleaseLease(ctx, f1); err != nil {
		t.Fatal(err)
	}
	f2, err := b.st.AcquireLease(ctx, h2, time.Millisecond)
	if err != nil || f2.Generation != 2 {
		t.Fatalf("after release: %v %v (a new holder gets a new generation)", f2, err)
	}
	time.Sleep(5 * time.Millisecond)
	f1, err = b.st.AcquireLease(ctx, h1, time.Minute)
	if err != nil || f1.Generation != 3 {
		t.Fatalf("an expired lease must be taken over, at a new generation: %v %v", f1, err)
	}
	// A second engine in the same process differs only by its start.
	twin := Holder{PID: h1.PID, Host: h1.Host, StartedAt: h1.StartedAt.Add(time.Second)}
	if _, err := b.st.AcquireLease(ctx, twin, time.Minute); !errors.As(err, &le) {
		t.Fatalf("an engine of the same process must be refused: %v", err)
	}
	if again, err := b.st.AcquireLease(ctx, h1, time.Minute); err != nil || again.Generation != 3 {
		t.Fatalf("the holder renews its own lease at its generation: %v %v", again, err)
	}
}

// A holder frozen past its lease wakes up after another engine took it
// over: every write it makes fails and commits nothing, it is told once,
// and the new holder's writes go through.
func TestFencedWritesOfAStaleHolder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a, err := b.st.AcquireLease(ctx, Holder{PID: 111, Host: "srv", StartedAt: time.Now()}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	actx := WithFence(ctx, a, func() { lost++ })
	if err := b.st.Write(actx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "a1") }); err != nil {
		t.Fatalf("the holder's write: %v", err)
	}
	time.Sleep(5 * time.Millisecond) // a's lease expires while it is "frozen"
	bf, err := b.st.AcquireLease(ctx, Holder{PID: 222, Host: "srv", StartedAt: time.Now()}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		err := b.st.Write(actx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "stale") })
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("a stale holder's write: %v", err)
		}
	}
	if err := b.st.CheckFence(actx); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("CheckFence of a stale holder: %v", err)
	}
	if err := b.st.Heartbeat(actx, a, time.Minute); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("a stale holder cannot renew: %v", err)
	}
	if lost != 1 {
		t.Fatalf("onLost called %d times, want once", lost)
	}
	if v, _ := b.st.Setting(ctx, "k"); v != "a1" {
		t.Fatalf("a stale write was committed: %q", v)
	}
	bctx := WithFence(ctx, bf, nil)
	if err := b.st.Write(bctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "b1") }); err != nil {
		t.Fatalf("the new holder's write: %v", err)
	}
	if err := b.st.CheckFence(bctx); err != nil {
		t.Fatal(err)
	}
	// Releasing keeps the generation: the stale one stays stale even
	// after the new holder leaves.
	if err := b.st.ReleaseLease(ctx, bf); err != nil {
		t.Fatal(err)
	}
	if err := b.st.Write(actx, func(tx *Tx) error { return nil }); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("after release, the stale holder: %v", err)
	}
}

func TestControlsRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	id, err := b.st.AddControl(ctx, Control{Kind: CtlSkip, Target: "co-1", Args: `{"reason":"duplicado"}`, By: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.AddControl(ctx, Control{Kind: "explode"}); err == nil {
		t.Fatal("unknown control kind accepted")
	}
	p, _ := b.st.PendingControls(ctx, 10)
	if len(p) != 1 || p[0].ID != id {
		t.Fatalf("pending = %+v", p)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.CompleteControl(ctx, id, CtlApplied, "omitido") }); err != nil {
		t.Fatal(err)
	}
	c, _ := b.st.Control(ctx, id)
	if c.Status != CtlApplied || c.Outcome != "omitido" {
		t.Fatalf("control = %+v", c)
	}
}

func TestChangeCounterMovesOnCommit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	c1, err := b.st.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := b.st.ChangeCounter(ctx)
	if c1 != c2 {
		t.Fatal("counter moved without a commit")
	}
	b.insert(t, 1, StateQueued)
	c3, _ := b.st.ChangeCounter(ctx)
	// PostgreSQL's notification reaches the listener just after the commit.
	if onPostgres(t) {
		testutil.Until(10*time.Second, 5*time.Millisecond, func() bool { c3, _ = b.st.ChangeCounter(ctx); return c3 != c2 })
	}
	if c3 == c2 {
		t.Fatal("counter did not move after a commit")
	}
}

// A change committed by another process's store (here another Store on
// the same database) moves the counter too; on PostgreSQL through the
// notification, with no query to the server per read.
func TestChangeCounterHearsOtherWriters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other, err := Open(ctx, b.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c1, err := b.st.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	c2, _ := b.st.ChangeCounter(ctx)
	testutil.Until(10*time.Second, 5*time.Millisecond, func() bool { c2, _ = b.st.ChangeCounter(ctx); return c2 != c1 })
	if c2 == c1 {
		t.Fatal("another writer's commit did not move the counter")
	}
}

func TestBackup(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 25, StateQueued)
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := b.st.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %o", fi.Mode().Perm())
	}
	if err := b.st.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("overwrite: %v", err)
	}
	cp, err := Open(ctx, dst, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, _ := cp.CountOrders(ctx, OrderQuery{}); n != 25 {
		t.Fatalf("backup has %d orders", n)
	}
	if _, err := cp.AddControl(ctx, Control{Kind: CtlPause}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on read-only store: %v", err)
	}
}

func TestTextFilterPagesNewestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 130, StateQueued)
	err := b.st.Write(ctx, func(tx *Tx) error {
		for i := 0; i < 130; i++ {
			name := "Camila Rojas"
			if i%10 < 9 {
				name = "Comercial Los Aromos"
			}
			if err := tx.SetDetail(ctx, b.order(i, "").ID, "{}", name, "", "", time.Time{}, "completed", ""); err != nil {
				return err
			}
		}
		// Ten of them need a person.
		for i := 0; i < 130; i += 13 {
			if err := tx.MoveOrder(ctx, b.order(i, "").ID, Move{From: []State{StateQueued}, To: StateAttention}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(q OrderQuery) int {
		t.Helper()
		seen := map[string]bool{}
		last := int64(1 << 62)
		for {
			rows, err := b.st.ListOrders(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				return len(seen)
			}
			for _, o := range rows {
				if seen[o.ID] || o.Seq >= last {
					t.Fatalf("%s repeated or out of order", o.ID)
				}
				seen[o.ID], last = true, o.Seq
			}
			q.Before = rows[len(rows)-1].Seq
		}
	}
	if n := count(OrderQuery{Text: "aromos", Limit: 20}); n != 117 {
		t.Fatalf("aromos pages gave %d orders, want 117", n)
	}
	want := 0
	for i := 0; i < 130; i += 13 {
		if i%10 < 9 {
			want++
		}
	}
	if n := count(OrderQuery{Text: "aromos", States: []State{StateAttention}, Limit: 3}); n != want {
		t.Fatalf("aromos in attention: %d, want %d", n, want)
	}
}

func TestEventMessagesKeepTheirCatalogID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	if _, err := b.st.UpsertOrders(ctx, []OrderUpsert{{ID: "o1", ConnectionID: b.conn, Code: "A-1", InitialState: StateQueued}}); err != nil {
		t.Fatal(err)
	}
	err := b.st.Write(ctx, func(tx *Tx) error {
		if err := tx.AppendEvent(ctx, "o1", Event{Kind: "issued", Message: "folio 7 asignado", MsgID: "event.folio", MsgArgs: []string{"7"}}); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, "o1", Event{Kind: "note", Message: "a plain line"})
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := b.st.Events(ctx, "o1")
	if err != nil || len(evs) != 2 {
		t.Fatalf("%v %v", evs, err)
	}
	if evs[0].MsgID != "event.folio" || len(evs[0].MsgArgs) != 1 || evs[0].MsgArgs[0] != "7" || evs[0].Message != "folio 7 asignado" {
		t.Errorf("first event %+v", evs[0])
	}
	if evs[1].MsgID != "" || evs[1].MsgArgs != nil {
		t.Errorf("a plain event came back with a catalog id: %+v", evs[1])
	}
}

// A backup to a full disk names the destination and says to free space
// there, not where the store lives.
func TestBackupToAFullDiskNamesTheDestination(t *testing.T) {
	b := setup(t)
	b.insert(t, 1, StateQueued)
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	b.st.backupFault = func() error { return fmt.Errorf("write %s: %w", dst, syscall.ENOSPC) }
	err := b.st.Backup(context.Background(), dst)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "df -h "+dir) || strings.Contains(err.Error(), "where the store lives") {
		t.Fatalf("backup to a full disk: %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Error("a partial copy was left behind")
	}
}
