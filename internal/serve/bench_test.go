package serve

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/config"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkSessions opens FOLIO_BENCH_SESSIONS consoles at once (default
// 4) over a store of FOLIO_BENCH_ORDERS orders per merchant (default
// 2000; two merchants), then moves the cursor in every one of them at the
// same time. It reports the heap each session adds (client side included:
// the SSH client runs in this process) and the time from a key sent to
// the frame that answers it arriving, as the person sees it (the program
// draws at most 60 frames a second). FOLIO_BENCH_SCOPE=otra limits the
// user to one merchant.
//
//	FOLIO_BENCH_SESSIONS=20 FOLIO_BENCH_ORDERS=50000 go test ./internal/serve -run X -bench Sessions -benchtime 20x
func BenchmarkSessions(b *testing.B) {
	n := envInt("FOLIO_BENCH_SESSIONS", 4)
	ana := newPerson(b)
	var scope []string
	if c := os.Getenv("FOLIO_BENCH_SCOPE"); c != "" {
		scope = []string{c} // tienda or otra: a support agent's console
	}
	h := start(b, []config.User{{Name: "ana", Keys: []string{ana.line}, Role: config.RoleOperator, Connections: scope}}, envInt("FOLIO_BENCH_ORDERS", 2000))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	screens := make([]*screen, n)
	for i := range screens {
		screens[i] = h.open(ana, 120, 40, nil)
	}
	for _, sc := range screens {
		sc.waitText("C1-0")
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var wg sync.WaitGroup
		for _, sc := range screens {
			wg.Go(func() {
				key := "j"
				if i%2 == 1 {
					key = "k"
				}
				sc.mu.Lock()
				from := sc.out.Len()
				sc.mu.Unlock()
				t0 := time.Now()
				sc.keys(key)
				for {
					sc.mu.Lock()
					grew := sc.out.Len() > from
					sc.mu.Unlock()
					if grew {
						break
					}
					time.Sleep(200 * time.Microsecond)
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-frame-p50")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "ms-frame-p95")
	}
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/float64(n)/(1<<20), "MB/session")
	b.ReportMetric(float64(n), "sessions")
}
