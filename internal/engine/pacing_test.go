package engine_test

import (
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
)

// TestPacingUsesTheRateLimit runs the engine, its Multivende client paced
// at 5 req/s, against the simulator enforcing Multivende's 5 req/s per
// token, with more orders than the window can take: the engine must use at
// least 90 % of the allowed requests and never be answered 429. Requests
// are counted as the engine's client saw them (its exchange hook, which
// also feeds the store's HTTP log). 20 s of fake time (testing/synctest,
// the simulators in memory) by default; FOLIO_SOAK=1 runs two minutes of
// real time over sockets.
func TestPacingUsesTheRateLimit(t *testing.T) {
	t.Parallel()
	if os.Getenv("FOLIO_SOAK") == "1" {
		pacing(t, 2*time.Minute, 1200, true)
		return
	}
	synctest.Test(t, func(t *testing.T) { pacing(t, 20*time.Second, 300, false) })
}

func pacing(t *testing.T, window time.Duration, orders int, sockets bool) {
	const limit = 5.0 // Multivende's requests per second per token
	var mu sync.Mutex
	var at []time.Time
	var stopping atomic.Bool
	statuses := map[int]int{}
	r := setup(t, opts{sim: &sim.Options{Orders: orders, Seed: 21, RateLimit: limit, SIIDelay: 50 * time.Millisecond},
		mvRate: limit, workers: 8, noStart: true, sockets: sockets,
		hook: func(ex multivende.Exchange) {
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if ex.Status == 0 && stopping.Load() {
				return // cut by the stop's drain deadline while waiting its turn
			}
			statuses[ex.Status]++
			if ex.Status != 0 {
				at = append(at, now)
			}
		},
		tune: func(c *engine.Config) {
			c.PollInterval, c.SIIInterval, c.LeaseTTL, c.DrainTimeout = 5*time.Second, time.Second, 10*time.Second, 2*time.Second
		}})
	r.start()
	time.Sleep(window + 2*time.Second)
	stopping.Store(true)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(at) == 0 {
		t.Fatal("no request reached Multivende")
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	// The window opens with the first reply; the client's burst of one
	// allows 1 + limit × window requests in it.
	start, n := at[0], 0
	for _, a := range at {
		if a.Sub(start) <= window {
			n++
		}
	}
	allowed := 1 + limit*window.Seconds()
	use := float64(n) / allowed
	counts, _ := r.st.CountByState(t.Context())
	t.Logf("%d requests in %v (allowed %.0f): %.1f%% of the limit; replies by status %v; orders %v", n, window, allowed, 100*use, statuses, counts)
	if statuses[429] != 0 {
		t.Errorf("%d requests answered 429", statuses[429])
	}
	if statuses[0] != 0 {
		t.Errorf("%d requests got no reply", statuses[0])
	}
	if use < 0.9 {
		t.Errorf("the engine used %.1f%% of the allowed rate; want at least 90%%", 100*use)
	}
	if use > 1.0001 {
		t.Errorf("the engine sent %d requests in %v, more than the %.0f allowed", n, window, allowed)
	}
}
