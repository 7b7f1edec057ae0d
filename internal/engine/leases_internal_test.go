package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// noInvoicer stands for an invoicer the test never calls.
type noInvoicer struct{ invoicer.Invoicer }

// A connection given back for an engine that joined is released only at a
// safe point: an idle one at once, one with an order in a worker once that
// order is done, no new order of it being handed out meanwhile.
func TestGiveBackWaitsForASafePoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ids []int64
	err = st.Write(ctx, func(tx *store.Tx) error {
		for _, name := range []string{"a", "b"} {
			id, err := tx.SaveConnection(ctx, store.Connection{Name: name, Kind: store.KindMultivende, MerchantID: name})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Store: st, Invoicer: noInvoicer{}, LeaseTTL: time.Minute,
		Markets: func(store.Connection) (Marketplace, error) { return nil, errors.New("no Multivende here") }})
	if err != nil {
		t.Fatal(err)
	}
	// As on a shared store, alone: it takes both.
	if err := e.startLeases(ctx, store.Holder{PID: 1, Host: "h", StartedAt: time.UnixMilli(1)}, true); err != nil {
		t.Fatal(err)
	}
	if got := e.leased(); len(got) != 2 {
		t.Fatalf("leased %v, want both", got)
	}
	busy, idle := ids[1], ids[0]
	if !e.claim(busy) {
		t.Fatal("claim of a held connection refused")
	}
	live := func(id int64) bool {
		ls, _ := st.ConnectionLeases(ctx)
		for _, l := range ls {
			if l.ConnectionID == id {
				return l.Live
			}
		}
		return false
	}
	e.giveBack(ctx, 2)
	if live(idle) || e.holdsConnection(idle) {
		t.Error("the idle connection was not given back at once")
	}
	if !live(busy) || !e.holdsConnection(busy) {
		t.Fatal("a connection with an order in a worker was given back")
	}
	if e.claim(busy) {
		t.Error("a connection being given back still hands out orders")
	}
	e.unclaim(busy)
	e.giveBack(ctx, 1)
	if live(busy) || e.holdsConnection(busy) {
		t.Error("the drained connection was not given back once idle")
	}
	// Leased again (after another engine had it), its Multivende client is
	// built again from the stored tokens, not the one kept from before.
	e.markets[idle] = nil
	if !e.acquireConnection(ctx, idle, "") {
		t.Fatal("a free connection could not be leased again")
	}
	if _, kept := e.markets[idle]; kept {
		t.Error("the client of an earlier lease was kept")
	}
}

// On a shared store a pause applied by another engine reaches this one's
// hand-over check: pauseGen moves when the store's pauses change, and only
// then.
func TestPausesOfOtherEnginesMovePauseGen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "a", Kind: store.KindMultivende, MerchantID: "a"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Store: st, Invoicer: noInvoicer{},
		Markets: func(store.Connection) (Marketplace, error) { return nil, errors.New("no Multivende here") }})
	if err != nil {
		t.Fatal(err)
	}
	e.leases.shared = true
	e.watchPauses(ctx)
	gen := e.pauseGen.Load()
	e.watchPauses(ctx)
	if e.pauseGen.Load() != gen {
		t.Fatal("pauseGen moved with no change")
	}
	for _, w := range []func(*store.Tx) error{
		func(tx *store.Tx) error { return tx.SetSetting(ctx, settingPaused, "1") },
		func(tx *store.Tx) error { return tx.SetSetting(ctx, settingPaused, "0") },
		func(tx *store.Tx) error { return tx.SetConnectionPaused(ctx, "a", true) },
	} {
		if err := st.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
		e.watchPauses(ctx)
		if e.pauseGen.Load() == gen {
			t.Fatal("a pause written by another engine did not move pauseGen")
		}
		gen = e.pauseGen.Load()
	}
}

// An engine without a webhook listener clears an earlier run's listener
// health, but not while another engine on a shared store is live (the
// health may be that one's listener).
func TestWebhookHealthOfAnotherLiveEngineIsKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e, err := New(Config{Store: st, Invoicer: noInvoicer{},
		Markets: func(store.Connection) (Marketplace, error) { return nil, errors.New("no Multivende here") }})
	if err != nil {
		t.Fatal(err)
	}
	e.leases.shared, e.leases.id = true, "me"
	const theirs = `{"listening":true}`
	put := func() {
		if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, SettingWebhookHealth, theirs) }); err != nil {
			t.Fatal(err)
		}
	}
	put()
	other := store.Holder{PID: 2, Host: "h", StartedAt: time.UnixMilli(2)}
	if err := st.RegisterEngine(ctx, other, time.Hour); err != nil {
		t.Fatal(err)
	}
	e.webhookHealthLoop(ctx)
	if v, _ := st.Setting(ctx, SettingWebhookHealth); v != theirs {
		t.Fatalf("a live engine's listener health was overwritten: %s", v)
	}
	if err := st.DeregisterEngine(ctx, other); err != nil {
		t.Fatal(err)
	}
	e.webhookHealthLoop(ctx)
	if v, _ := st.Setting(ctx, SettingWebhookHealth); v == theirs {
		t.Fatal("an earlier run's listener health was kept with no engine live")
	}
}
