package multivende

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// These tests run in a synctest bubble: time is virtual, so rates and
// pauses are exact and nothing depends on how loaded the machine is. The
// server is an in-memory http.Handler behind a RoundTripper.

// strictServer answers 429 to a request that would be the seventh within
// one second (5 per second, plus the client's burst of one), and records
// when each request arrived.
type strictServer struct {
	mu       sync.Mutex
	arrivals []time.Time
	tooMany  int
	first429 time.Duration // when set, the first request gets 429 with this Retry-After
	served   atomic.Int32
}

func (s *strictServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.first429 > 0 && s.served.Add(1) == 1 {
		// Answer only once every other caller waits its turn in the
		// client's limiter: the 429 must reach callers already queued.
		synctest.Wait()
		s.mu.Lock()
		s.arrivals = append(s.arrivals, time.Now())
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(int(s.first429/time.Second)))
		w.WriteHeader(429)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	n := 0
	for _, t := range s.arrivals {
		if now.Sub(t) < time.Second {
			n++
		}
	}
	s.arrivals = append(s.arrivals, now)
	if n >= 6 {
		s.tooMany++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
		return
	}
	io.WriteString(w, `{"_id":"x"}`)
}

func TestPacingAvoids429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &strictServer{}
		c := pacedClient(srv, 0) // the default: 5 req/s, burst 1
		start := time.Now()
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					if _, _, err := c.Checkout(context.Background(), "x"); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if srv.tooMany != 0 {
			t.Fatalf("%d requests got 429 despite pacing", srv.tooMany)
		}
		// 40 requests at 5/s with a burst of one: the last leaves at 7.8 s.
		if got := time.Since(start); got < 7800*time.Millisecond-time.Millisecond || got > 8*time.Second {
			t.Fatalf("40 requests took %v", got)
		}
		// At most six in any one-second window.
		for i := range srv.arrivals {
			if i >= 6 && srv.arrivals[i].Sub(srv.arrivals[i-6]) < time.Second-time.Millisecond {
				t.Fatalf("7 requests within %v", srv.arrivals[i].Sub(srv.arrivals[i-6]))
			}
		}
	})
}

func TestUnpacedClientCollects429(t *testing.T) {
	t.Parallel()
	// The counter-test: without pacing the same server refuses, so the
	// test above would notice a client that stopped pacing.
	synctest.Test(t, func(t *testing.T) {
		srv := &strictServer{}
		c := pacedClient(srv, -1)
		for range 10 {
			c.Checkout(context.Background(), "x")
		}
		if srv.tooMany == 0 {
			t.Fatal("the strict server let an unpaced burst through")
		}
	})
}

func TestRetryAfterPausesEveryCaller(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &strictServer{first429: 5 * time.Second}
		c := pacedClient(srv, 1) // 1/s: the callers behind the first queue in the limiter
		start := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var rated []*Error
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := c.Checkout(context.Background(), "x"); err != nil {
					e, ok := AsError(err)
					if !ok || e.Code != CodeRate {
						t.Errorf("want MV-RATE, got %v", err)
						return
					}
					mu.Lock()
					rated = append(rated, e)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(rated) != 1 || rated[0].RetryAfter != 5*time.Second || rated[0].Status != 429 {
			t.Fatalf("429s: %+v", rated)
		}
		if !c.PausedUntil().Equal(start.Add(5 * time.Second)) {
			t.Fatalf("paused until %v", c.PausedUntil().Sub(start))
		}
		// The three queued at 1 s, 2 s and 3 s when the 429 came; none may
		// leave before the pause ends.
		if len(srv.arrivals) != 4 {
			t.Fatalf("%d requests", len(srv.arrivals))
		}
		for i, at := range srv.arrivals[1:] {
			if at.Sub(start) < 5*time.Second {
				t.Fatalf("request %d left at %v, inside the 5 s pause", i+2, at.Sub(start))
			}
		}
		// A caller whose deadline ends before the pause does is told at
		// once, and nothing is sent.
		srv.first429 = 0
		srv.arrivals = nil
		c.pause(10 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		before := time.Now()
		_, _, err := c.Checkout(ctx, "x")
		e := mustCode(t, err, CodeRate)
		if e.RetryAfter != 10*time.Second || e.Status != 0 || len(srv.arrivals) != 0 || time.Since(before) != 0 {
			t.Fatalf("%v: %d sent after %v", err, len(srv.arrivals), time.Since(before))
		}
	})
}

func TestBurstIsConfigurable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &strictServer{}
		c := New(Config{BaseURL: "http://mv.test", RateLimit: 2, Burst: 3, Tokens: staticTokens{},
			HTTPClient: &http.Client{Transport: handlerTransport{srv}}})
		start := time.Now()
		for range 5 {
			c.Checkout(context.Background(), "x")
		}
		// Three at once, then one every half second.
		if got := time.Since(start); got != time.Second {
			t.Fatalf("5 requests at 2/s burst 3 took %v", got)
		}
	})
}
