package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawCheckout is a realistic detail body (about 1.2 KB) for ingest benchmarks.
var rawCheckout = `{"_id":"%s","code":"%s","origin":"mercadolibre","status":"confirmed","paymentStatus":"completed",` +
	`"soldAt":"2026-11-20T14:03:11.000Z","updatedAt":"2026-11-20T14:05:42.000Z","total":29970,"billingDocumentType":"bill",` +
	`"Client":{"_id":"c0ffee00","fullName":"Camila Rojas Pérez","email":"camila.rojas@example.cl","taxId":"","BillingAddresses":[]},` +
	`"CheckoutItems":[{"_id":"a1","code":"TAZA-CER-01","name":"Taza de cerámica esmaltada 350 ml, azul","count":2,"gross":12990,"discount":0,"totalWithDiscount":25980}],` +
	`"DeliveryOrderInCheckouts":[{"DeliveryOrder":{"_id":"d1","cost":3990,"courier":"Chilexpress"}}],` +
	`"CheckoutPayments":[{"_id":"p1","amount":29970,"paymentStatus":"completed","paymentMethod":"mercadopago","couponAmount":0}],"ElectronicBillingDocuments":[]}`

// BenchmarkStoreIngest measures batched upserts of new orders, 1000 per
// transaction, with their raw JSON.
func BenchmarkStoreIngest(b *testing.B) {
	bu := setup(b)
	ctx := context.Background()
	const batchSize = 1000
	batch := make([]OrderUpsert, batchSize)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for i := range batch {
			o := bu.order(n, StateQueued)
			o.Light = ""
			batch[i] = o
			n++
		}
		if err := bu.st.Write(ctx, func(tx *Tx) error { _, err := tx.UpsertOrders(ctx, batch); return err }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkStoreDetail measures storing checkout details (raw JSON and
// buyer fields, re-indexed for the filter), 1000 per transaction.
func BenchmarkStoreDetail(b *testing.B) {
	bu := setup(b)
	ctx := context.Background()
	bu.insert(b, 20000, StateQueued)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		err := bu.st.Write(ctx, func(tx *Tx) error {
			for i := 0; i < 1000; i++ {
				o := bu.order(n%20000, "")
				if err := tx.SetDetail(ctx, o.ID, fmt.Sprintf(rawCheckout, o.ID, o.Code), "Camila Rojas Pérez", "", "bill", o.RemoteUpdatedAt, "completed", "confirmed"); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkStoreCommit measures one small durable transaction: a guarded
// transition plus its timeline event, the unit of the engine's work. Its
// commits/s is the ceiling the engine's throughput is read against.
func BenchmarkStoreCommit(b *testing.B) {
	bu := setup(b)
	ctx := context.Background()
	bu.insert(b, 1, StateQueued)
	id := bu.order(0, "").ID
	states := []State{StateQueued, StateBuilding}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		from, to := states[i%2], states[(i+1)%2]
		err := bu.st.Write(ctx, func(tx *Tx) error {
			return tx.MoveOrder(ctx, id, Move{From: []State{from}, To: to, Event: Event{Kind: "bench", Message: "step"}})
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

var million struct {
	once sync.Once
	st   *Store
	err  error
}

// millionStore opens a store of one million orders, built once and kept in
// the temp directory between runs (it takes a while to build).
func millionStore(b *testing.B) *Store {
	million.once.Do(func() {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("folio-bench-1m-v%d.db", LatestSchema()))
		ctx := context.Background()
		_, statErr := os.Stat(path)
		st, err := Open(ctx, path, Options{})
		if err != nil {
			million.err = err
			return
		}
		million.st = st
		if statErr == nil {
			if n, _ := st.CountOrders(ctx, OrderQuery{}); n == 1_000_000 {
				return
			}
		}
		var conn int64
		if err := st.Write(ctx, func(tx *Tx) (err error) {
			conn, err = tx.SaveConnection(ctx, Connection{Name: "bench", Kind: KindMultivende})
			return
		}); err != nil {
			million.err = err
			return
		}
		names := []string{"Camila Rojas", "Matías Fuentes", "Sofía Contreras", "Benjamín Soto", "Comercial Los Aromos SpA"}
		var states []State
		for _, st := range States() {
			if st != StateDone {
				states = append(states, st)
			}
		}
		for start := 0; start < 1_000_000; start += 5000 {
			err := st.Write(ctx, func(tx *Tx) error {
				batch := make([]OrderUpsert, 0, 5000)
				for i := start; i < start+5000; i++ {
					batch = append(batch, OrderUpsert{ID: fmt.Sprintf("co-%07d", i), ConnectionID: conn, Code: fmt.Sprintf("2000%09d", i),
						Marketplace: "mercadolibre", Total: int64(990 + i%100000), RemoteUpdatedAt: time.UnixMilli(int64(i)),
						InitialState: states[i%len(states)]})
				}
				if _, err := tx.UpsertOrders(ctx, batch); err != nil {
					return err
				}
				// Most orders get their detail (buyer) and a third finish.
				_, err := tx.tx.ExecContext(ctx, `UPDATE orders SET buyer_name = ?, buyer_rut = '76354771-K',
					state = CASE WHEN seq % 3 = 0 THEN 'done' ELSE state END,
					outcome = CASE WHEN seq % 3 = 0 THEN 'issued' ELSE '' END,
					folio = CASE WHEN seq % 3 = 0 THEN seq ELSE 0 END WHERE seq > ?`, names[start/5000%len(names)], start)
				return err
			})
			if err != nil {
				million.err = err
				return
			}
		}
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	return million.st
}

// BenchmarkStoreFilter1M measures a console page (50 rows) over one
// million orders: the newest page, a page of one state, and a text filter.
func BenchmarkStoreFilter1M(b *testing.B) {
	st := millionStore(b)
	ctx := context.Background()
	for name, q := range map[string]OrderQuery{
		"newest":     {Limit: 50},
		"state":      {States: []State{StateAttention}, Limit: 50},
		"text-code":  {Text: "0000123", Limit: 50},
		"text-buyer": {Text: "aromos", Limit: 50},
		"text-rare":  {Text: "2000000999999", Limit: 50},
		"deep-page":  {Before: 500_000, Limit: 50},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rows, err := st.ListOrders(ctx, q)
				if err != nil || (len(rows) == 0 && !strings.HasPrefix(name, "text")) {
					b.Fatalf("%v rows, %v", len(rows), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/query")
		})
	}
}
