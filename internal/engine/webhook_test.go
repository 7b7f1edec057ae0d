package engine_test

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
)

// waitAttached waits until every paid, not cancelled order the simulator
// has carries an uploaded document, or the deadline passes.
func waitAttached(b *bundle, deadline time.Duration) bool {
	return eventually(deadline, func() bool { return allAttached(b) })
}

func allAttached(b *bundle) bool {
	for _, c := range b.sims.MV.State().Checkouts {
		if c.PaymentStatus == "completed" && c.Status != "cancelled" && (len(c.Documents) == 0 || !c.Documents[0].Uploaded) {
			return false
		}
	}
	return true
}

// Notifications dropped, repeated and late: every paid order gets exactly
// one document (polling catches the dropped ones), and duplicates cost no
// second folio.
func TestWebhooksWithDropsDuplicatesDelays(t *testing.T) {
	t.Parallel()
	synctest.Test(t, webhooksWithDropsDuplicatesDelays)
}

func webhooksWithDropsDuplicatesDelays(t *testing.T) {
	b, ws := hookRig(t, 2*time.Second, -1, faults.Spec{WebhookDrop: 0.3, WebhookDup: 0.4, WebhookDelay: 0.4}, true, true)
	for range 6 {
		b.sims.MV.AddOrders(5)
		time.Sleep(300 * time.Millisecond) // orders arrive over time, as in a shop
	}
	b.settle(60 * time.Second)
	b.checkLedgers()
	if st := b.eng.HintStats(); st.Read == 0 || st.Duplicate == 0 {
		t.Fatalf("hints %+v: the webhooks were not used, or no duplicate came", st)
	}
	if h := ws.Health(); h.LastHour == 0 || h.Rejected != 0 {
		t.Fatalf("health %+v", h)
	}
}

// With polling every hour, webhooks alone bring new and newly paid orders
// to the end of the pipeline.
func TestWebhooksAloneBringNewOrders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, webhooksAloneBringNewOrders)
}

func webhooksAloneBringNewOrders(t *testing.T) {
	var mu sync.Mutex
	details := map[string]int{} // checkout id → detail reads
	b, _ := hookRig(t, time.Hour, -1, faults.None, true, true, func(ex multivende.Exchange) {
		if ex.Op == "checkout" && ex.Status == 200 {
			mu.Lock()
			details[ex.Object]++
			mu.Unlock()
		}
	})
	waitFor(t, "the first poll", func() bool { return !b.eng.Stats().LastPoll.IsZero() })
	b.sims.MV.AddOrders(12)
	if !waitAttached(b, 30*time.Second) {
		t.Fatalf("paid orders not attached through webhooks alone: %+v", b.eng.HintStats())
	}
	// The detail a hint read serves the build: no second read (each is
	// a request under Multivende's rate limit). A notification that comes
	// after the attach (the order changed) may read it again.
	mu.Lock()
	for _, c := range b.sims.MV.State().Checkouts {
		if len(c.Documents) > 0 && (details[c.ID] < 1 || details[c.ID] > 2) {
			t.Errorf("order %s: %d detail reads, want the hint's and at most the one after its attach", c.ID, details[c.ID])
		}
	}
	mu.Unlock()
	b.checkLedgersOfSeen()
	if h := b.eng.WebhookHealth(); !h.Healthy(time.Now()) {
		t.Fatalf("health %+v", h)
	}
}

// checkLedgersOfSeen is checkLedgers for a run where unpaid orders may
// never be polled: no order has two documents, no folio is used twice.
func (b *bundle) checkLedgersOfSeen() {
	b.t.Helper()
	seen := map[string]bool{}
	for _, e := range b.sims.LD.State().Emitted {
		k := fmt.Sprint(e.DTE, "/", e.Folio)
		if seen[k] {
			b.t.Errorf("folio %s consumed twice", k)
		}
		seen[k] = true
	}
	for _, c := range b.sims.MV.State().Checkouts {
		if len(c.Documents) > 1 {
			b.t.Errorf("order %s has %d documents", c.ID, len(c.Documents))
		}
	}
}

// The poll interval rises only while webhooks are healthy, and falls back
// as soon as they are not.
func TestPollEveryFollowsWebhookHealth(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h := engine.WebhookHealth{Listening: true}
	b := setup(t, opts{noStart: true})
	inv := offlineInvoicer(t)
	cfg := engine.Config{Store: b.st, Invoicer: inv, Markets: func(store.Connection) (engine.Marketplace, error) { return nil, nil },
		PollInterval: time.Minute, HealthyPollInterval: time.Hour, Now: func() time.Time { return now },
		Webhook: func() engine.WebhookHealth { return h }}
	eng, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if eng.PollEvery() != time.Minute {
		t.Fatal("no notification yet: polling must stay at PollInterval")
	}
	h.LastReceived = now.Add(-10 * time.Minute)
	if eng.PollEvery() != time.Hour || eng.WebhookHealth().PollEvery != time.Hour {
		t.Fatal("healthy webhooks: the interval rises")
	}
	h.LastReceived = now.Add(-61 * time.Minute)
	if eng.PollEvery() != time.Minute {
		t.Fatal("no notification for an hour: back to PollInterval")
	}
	h.LastReceived, h.Listening = now, false
	if eng.PollEvery() != time.Minute {
		t.Fatal("listener down: back to PollInterval")
	}
}

// BenchmarkPaidToAttached measures, from outside (the simulator's paidAt
// and uploadedAt), how long a paid order waits for its PDF on the order:
// with webhooks, and with polling only every hour. Multivende's rate limit
// is 5 req/s on both sides. Orders arrive one every 2 s.
//
//	go test ./internal/engine -run '^$' -bench PaidToAttached -benchtime 1x
//
// Measured on 2 shared cores (20 orders, one every 2 s): webhooks p50
// 0.81 s, p95 0.98 s, rate-limit waits included; polling every hour, none
// of 14 attached within the run (p50/p95 ≥ 35 s/55 s, the run's end; the
// wait is the time to the next poll, uniform over the hour: p50 ≈ 30 min,
// p95 ≈ 57 min).
func BenchmarkPaidToAttached(b *testing.B) {
	const orders, every = 20, 2 * time.Second
	for _, mode := range []string{"webhooks", "polling-1h"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				rig, _ := hookRig(b, time.Hour, 5, faults.None, mode == "webhooks", false)
				waitFor(b, "the first poll", func() bool { return !rig.eng.Stats().LastPoll.IsZero() })
				start := time.Now()
				for range orders {
					rig.sims.MV.AddOrders(1)
					time.Sleep(every)
				}
				window := 15 * time.Second
				all := waitAttached(rig, window)
				lat, paid := latencies(rig.sims.MV.State(), start, time.Now())
				b.ReportMetric(float64(countAttached(rig.sims.MV.State(), start))/float64(max(paid, 1)), "attached/paid")
				b.ReportMetric(percentile(lat, 0.50), "p50-s")
				b.ReportMetric(percentile(lat, 0.95), "p95-s")
				b.Logf("%s: %d of %d paid orders attached (all: %v); p50 %.2fs p95 %.2fs max %.2fs (unattached counted at the run's end)",
					mode, countAttached(rig.sims.MV.State(), start), paid, all, percentile(lat, 0.5), percentile(lat, 0.95), percentile(lat, 1))
			}
		})
	}
}

// latencies are paid → uploaded, in seconds, of the orders paid since
// start; an order not attached counts as waiting until end (a lower bound).
func latencies(st mvsim.State, start, end time.Time) ([]float64, int) {
	var out []float64
	paid := 0
	for _, c := range st.Checkouts {
		p := time.Time(c.PaidAt)
		if p.Before(start) || c.Status == "cancelled" {
			continue
		}
		paid++
		at := end
		if len(c.Documents) > 0 && c.Documents[0].Uploaded {
			at = time.Time(c.Documents[0].UploadedAt)
		}
		out = append(out, at.Sub(p).Seconds())
	}
	return out, paid
}

func countAttached(st mvsim.State, start time.Time) int {
	n := 0
	for _, c := range st.Checkouts {
		if !time.Time(c.PaidAt).Before(start) && len(c.Documents) > 0 && c.Documents[0].Uploaded {
			n++
		}
	}
	return n
}

func percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
