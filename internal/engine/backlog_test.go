package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
	"github.com/folio-cl/folio/internal/testutil"
)

// listReq is one checkouts list request as the simulator saw it.
type listReq struct {
	from, to time.Time
	limit    string
	page     int
	status   int
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }

// A connection's first poll reads a 48-hour backlog in 2-hour windows,
// from pages that come back shuffled, while orders change under the walk:
// every order lands in the store once, the high-water mark ends at the
// poll's "now", and no request breaks Multivende's rules.
func TestIngestReadsA48HourBacklogInWindows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	clk := testutil.NewClock(t0.Add(-48 * time.Hour)) // the injected clock both the simulator and the engine read
	sim := mvsim.New(mvsim.Options{Seed: 48, RateLimit: -1, Now: clk.Now})
	// 20 orders an hour for 48 hours, and a sale day of 2 300 orders in
	// one window (three pages of 1000).
	for h := range 48 {
		clk.Set(t0.Add(-48*time.Hour + time.Duration(h)*time.Hour + 90*time.Second))
		sim.AddOrders(20)
	}
	clk.Set(t0.Add(-17*time.Hour - 30*time.Minute))
	before := len(sim.State().Checkouts)
	sim.AddOrders(2300)
	burst := sim.State().Checkouts[before:]
	clk.Set(t0)

	var mu sync.Mutex
	var reqs []listReq
	touched := []string{}
	burstFrom := t0.Add(-18 * time.Hour)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		sim.ServeHTTP(rec, r)
		q := r.URL.Query()
		if q.Get("_updated_at_from") == "" {
			return
		}
		from, _ := time.Parse(multivende.TimeFormat, q.Get("_updated_at_from"))
		to, _ := time.Parse(multivende.TimeFormat, q.Get("_updated_at_to"))
		page, _ := strconv.Atoi(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		mu.Lock()
		reqs = append(reqs, listReq{from: from, to: to, limit: q.Get("limit"), page: page, status: rec.status})
		first := len(touched) == 0 && from.Equal(burstFrom) && page == 1
		mu.Unlock()
		if first {
			// Orders of the sale day change while its window is read: they
			// leave it (and later entries shift onto the page just read).
			clk.Advance(30 * time.Second)
			mu.Lock()
			for _, c := range burst[:7] {
				touched = append(touched, c.ID)
			}
			mu.Unlock()
			sim.Touch(touched...)
		}
	}))
	t.Cleanup(srv.Close)

	mv := multivende.New(multivende.Config{BaseURL: srv.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), RateLimit: -1})
	loc, err := mvsim.Consent(ctx, nil, mv.AuthorizeURL("http://127.0.0.1:1/cb", "s", nil), "Tienda")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := mv.Exchange(ctx, mustURL(t, loc).Query().Get("code"), "http://127.0.0.1:1/cb", "")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: srv.URL,
			MerchantID: tok.MerchantID, ClientID: sim.ClientID(), AccessToken: tok.Token, RefreshToken: tok.RefreshToken})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := libredte.New(libredte.Config{BaseURL: "http://127.0.0.1:1/api", Hash: "unused", Emisor: "76.192.083-9"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: st, Invoicer: inv, Now: clk.Now, Lookback: 48 * time.Hour,
		Markets: func(c store.Connection) (engine.Marketplace, error) {
			return multivende.New(multivende.Config{BaseURL: c.BaseURL, RateLimit: -1,
				Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: c.AccessToken, TokenType: "Bearer"})}), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := st.Connection(ctx, "tienda")
	all := sim.State().Checkouts
	// seen counts each order's "seen" events (0: not in the store).
	seen := func(id string) int {
		evs, _ := st.Events(ctx, id)
		n := 0
		for _, e := range evs {
			if e.Kind == "seen" {
				n++
			}
		}
		return n
	}
	n, err := eng.Ingest(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	// Orders updated after the poll's "now" (touched during the walk, or
	// paid in those 30 seconds) belong to the next poll; all others are
	// in, once.
	later := 0
	for _, c := range all {
		switch k := seen(c.ID); {
		case k > 1:
			t.Fatalf("order %s seen %d times", c.ID, k)
		case k == 0:
			later++
		}
	}
	if later == 0 || later > 7+len(all)/48 || n != len(all)-later {
		t.Fatalf("the first poll took %d orders of %d, %d left for later", n, len(all), later)
	}
	windows := map[[2]time.Time]int{}
	for _, r := range reqs {
		if r.status != 200 || r.to.Sub(r.from) > multivende.MaxWindow || r.limit != "1000" {
			t.Fatalf("request %+v", r)
		}
		if r.page == 1 {
			windows[[2]time.Time{r.from, r.to}]++
		}
	}
	if len(windows) != 24 || windows[[2]time.Time{burstFrom, burstFrom.Add(2 * time.Hour)}] != 2 {
		t.Fatalf("%d windows (the sale day's walked %d times) in %d requests", len(windows),
			windows[[2]time.Time{burstFrom, burstFrom.Add(2 * time.Hour)}], len(reqs))
	}
	conn, _ = st.Connection(ctx, "tienda")
	if !conn.HighWater.Equal(t0) {
		t.Fatalf("high-water %v, want %v", conn.HighWater, t0)
	}
	t.Logf("48-hour backlog: %d orders in %d requests (%d windows)", len(all), len(reqs), len(windows))

	// The orders updated during the walk come with the next poll.
	clk.Advance(time.Minute)
	reqs = nil
	if _, err := eng.Ingest(ctx, conn); err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if k := seen(c.ID); k != 1 {
			t.Fatalf("after the next poll, order %s seen %d times", c.ID, k)
		}
	}
	for _, id := range touched {
		o, err := st.GetOrder(ctx, id)
		if err != nil || !o.RemoteUpdatedAt.Equal(t0.Add(30*time.Second)) {
			t.Fatalf("order %s updated during the walk: %v, stored update %v", id, err, o.RemoteUpdatedAt)
		}
	}
	if len(reqs) != 1 || !reqs[0].from.Equal(t0.Add(-2*time.Minute)) {
		t.Fatalf("the next poll: %+v", reqs)
	}
}
