package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Issue 18: a shop's store copied from its SQLite file into PostgreSQL
// (and into another file) keeps every order, event and document, counts
// and the filter included, and the destination goes on from there.
func TestCopyKeepsEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := seededStore(t)
	dsts := map[string]string{"sqlite": filepath.Join(t.TempDir(), "copy.db")}
	if os.Getenv(pgTestEnv) != "" {
		dsts["postgres"] = pgTestStore(t)
	} else {
		t.Log(pgSkip)
	}
	for name, path := range dsts {
		t.Run(name, func(t *testing.T) {
			dst, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			var seen []string
			report, err := Copy(ctx, src, dst, func(p CopyProgress) {
				if p.Done == p.Total {
					seen = append(seen, p.Table)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]int64{}
			for _, r := range report {
				rows[r.Table] = r.Rows
				if len(r.Checksum) != 64 {
					t.Errorf("%s: checksum %q", r.Table, r.Checksum)
				}
			}
			if rows["orders"] != 30 || rows["events"] != 20 || rows["documents"] != 2 || rows["controls"] != 1 || rows["connections"] != 1 || rows["settings"] != 1 || rows["emissions"] != 1 {
				t.Errorf("rows copied: %v", rows)
			}
			if len(seen) < len(copyTables) {
				t.Errorf("progress finished only %v", seen)
			}
			want, _ := src.CountByState(ctx)
			got, err := dst.CountByState(ctx)
			if err != nil || len(got) != len(want) || got[StateDone] != want[StateDone] || got[StateQueued] != want[StateQueued] {
				t.Errorf("counts by state: got %v (%v), want %v", got, err, want)
			}
			found, err := dst.ListOrders(ctx, OrderQuery{Text: "aromos"})
			if err != nil || len(found) != 1 || found[0].BuyerName != "Comercial Los Aromos SpA" {
				t.Errorf("the filter finds the buyer: %v, %v", found, err)
			}
			// The destination goes on: a new order and document get new ids.
			err = dst.Write(ctx, func(tx *Tx) error {
				if _, err := tx.UpsertOrders(ctx, []OrderUpsert{{ID: "co-new", ConnectionID: 1, Code: "NEW-1", InitialState: StateQueued,
					SoldAt: time.UnixMilli(1_800_000_000_000), RemoteUpdatedAt: time.UnixMilli(1_800_000_000_000)}}); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, "co-new", Event{Kind: "seen", Message: "visto"})
			})
			if err != nil {
				t.Fatalf("writing after the copy: %v", err)
			}
			// A second copy into it is refused, and leaves it as it was.
			if _, err := Copy(ctx, src, dst, nil); !errors.Is(err, ErrNotEmpty) {
				t.Errorf("a copy into a store with data: %v", err)
			}
			if n, _ := dst.CountByState(ctx); n[StateQueued] != want[StateQueued]+1 {
				t.Errorf("after the refused copy: %v", n)
			}
		})
	}
}

// BenchmarkCopy copies a store of 20 000 orders into a new SQLite file
// (and into PostgreSQL with FOLIO_TEST_POSTGRES), reporting orders/s.
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	src, err := Open(ctx, filepath.Join(b.TempDir(), "src.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	bu := &bundle{st: src}
	if err := src.Write(ctx, func(tx *Tx) error {
		bu.conn, err = tx.SaveConnection(ctx, Connection{Name: "tienda", Kind: KindMultivende, MerchantID: "m1"})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	const orders = 20000
	bu.insert(b, orders, StateQueued)
	targets := map[string]func() string{"sqlite": func() string { return filepath.Join(b.TempDir(), "dst.db") }}
	if os.Getenv(pgTestEnv) != "" {
		targets["postgres"] = func() string { return pgTestStore(b) }
	}
	for name, target := range targets {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dst, err := Open(ctx, target(), Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := Copy(ctx, src, dst, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				dst.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(orders*b.N)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}
