package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

// Two merchants' marketplaces may give one code to two orders: a command
// given that code refuses, naming both, instead of acting on the newest.
func TestAmbiguousCodeIsRefusedNamingEachOrder(t *testing.T) {
	isolate(t)
	t.Setenv("LANG", "en_US.UTF-8")
	const twin = "otherid00000000000000001"
	path := seedStore(t, 2, func(ctx context.Context, tx *store.Tx, ids []string) error {
		id, err := tx.SaveConnection(ctx, store.Connection{Name: "otra-tienda", Kind: store.KindMultivende})
		if err != nil {
			return err
		}
		at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		_, err = tx.UpsertOrders(ctx, []store.OrderUpsert{{ID: twin, ConnectionID: id, Code: "MEL-00000001",
			Marketplace: "MercadoLibre", PaymentStatus: "completed", Status: "completed", Total: 990,
			SoldAt: at, RemoteUpdatedAt: at, Light: `{"_id":"x"}`, InitialState: store.StateQueued}})
		return err
	})
	for _, args := range [][]string{{"order", "show", "MEL-00000001"}, {"order", "retry", "MEL-00000001"}} {
		_, _, err := runFolio(t, "", append(args, "--store", path)...)
		if err == nil {
			t.Fatalf("%v: an ambiguous code was taken", args)
		}
		msg := err.Error()
		for _, want := range []string{`code "MEL-00000001" belongs to 2 orders`, twin + " in otra-tienda", "6650f1c2a9e4b10000000001 in tienda", "give the Multivende id"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: %q lacks %q", args, msg, want)
			}
		}
	}
	if cs := controls(t, path); len(cs) != 0 {
		t.Fatalf("a control was written for an ambiguous code: %+v", cs)
	}
	// Each order by its id, and an unambiguous code, still work.
	for _, key := range []string{twin, "6650f1c2a9e4b10000000001", "MEL-00000000"} {
		if out, _, err := runFolio(t, "", "order", "show", key, "--store", path); err != nil || out == "" {
			t.Errorf("order show %s: %v", key, err)
		}
	}
}
