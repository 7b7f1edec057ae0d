package multivende

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// listServer serves the page form of the checkouts list from memory, the
// way Multivende does: updatedAt in [from, to] at whole seconds, pages of
// limit, no order. It records every request and can fail one.
type listServer struct {
	mu       sync.Mutex
	updated  map[string]time.Time
	requests []url3
	failOn   func(r url3) bool // answers 503 when true
	// onPage runs after a page is served (to change the list under a walk).
	onPage func(page int)
}

type url3 struct {
	from, to time.Time
	limit    string
	page     int
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, _ := time.Parse(TimeFormat, q.Get("_updated_at_from"))
	to, _ := time.Parse(TimeFormat, q.Get("_updated_at_to"))
	page, _ := strconv.Atoi(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
	req := url3{from: from, to: to, limit: q.Get("limit"), page: page}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	fail := s.failOn != nil && s.failOn(req)
	var ids []string
	for id, u := range s.updated {
		if u := u.Truncate(time.Second); !u.Before(from) && !u.After(to) {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"message":"down"}`)
		return
	}
	slices.Sort(ids) // by _id, not by date
	limit, _ := strconv.Atoi(req.limit)
	pages := (len(ids) + limit - 1) / limit
	next := page + 1
	if page >= pages {
		next = 0
	}
	var entries []map[string]any
	for _, id := range ids[min((page-1)*limit, len(ids)):min(page*limit, len(ids))] {
		s.mu.Lock()
		entries = append(entries, map[string]any{"_id": id, "updatedAt": s.updated[id].Format("2006-01-02T15:04:05.000Z")})
		s.mu.Unlock()
	}
	slices.Reverse(entries)
	json.NewEncoder(w).Encode(map[string]any{"entries": entries, "pagination": map[string]int{
		"total_items": len(ids), "total_pages": pages, "current_page": page, "next_page": next}})
	if s.onPage != nil {
		s.onPage(page)
	}
}

// poll is what the engine does with CheckoutWindows: it moves its
// high-water mark to each window's end as the window is yielded.
func poll(t *testing.T, c *Client, highWater *time.Time, to time.Time) (map[string]int, error) {
	t.Helper()
	seen := map[string]int{}
	for w, err := range CheckoutWindows(context.Background(), c, "m", *highWater, to) {
		if err != nil {
			return seen, err
		}
		for _, e := range w.Entries {
			seen[e.ID]++
		}
		*highWater = w.To
	}
	return seen, nil
}

func TestWindowsSplitAGap(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 24, 8, 0, 0, 700, time.UTC)
	ws := Windows(from, from.Add(7*time.Hour))
	if len(ws) != 4 {
		t.Fatalf("a 7-hour gap gives %d windows: %v", len(ws), ws)
	}
	for i, w := range ws {
		if w[1].Sub(w[0]) > MaxWindow || w[1].Sub(w[0]) <= 0 || (i > 0 && !w[0].Equal(ws[i-1][1])) {
			t.Fatalf("window %d: %v", i, w)
		}
	}
	if !ws[0][0].Equal(from.Truncate(time.Second)) || !ws[3][1].Equal(from.Add(7*time.Hour).Truncate(time.Second)) {
		t.Fatalf("windows do not cover the gap: %v", ws)
	}
	if len(Windows(from, from)) != 0 || len(Windows(from, from.Add(-time.Hour))) != 0 {
		t.Fatal("an empty or negative gap has windows")
	}
}

func TestCheckoutWindowsReadAGapByTheRules(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	srv := &listServer{updated: map[string]time.Time{}}
	// 2600 orders over 7 hours, 2 500 of them in the second window: that
	// window takes three pages of 1000.
	for i := range 100 {
		srv.updated[fmt.Sprintf("a-%04d", i)] = start.Add(time.Duration(i) * 4 * time.Minute).Add(123 * time.Millisecond)
	}
	for i := range 2500 {
		srv.updated[fmt.Sprintf("b-%04d", i)] = start.Add(2*time.Hour + time.Duration(i)*2*time.Second + time.Second)
	}
	c, _ := newTestClient(t, srv)
	hw := start
	seen, err := poll(t, c, &hw, start.Add(7*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2600 {
		t.Fatalf("read %d of 2600 orders", len(seen))
	}
	windows := map[[2]time.Time]bool{}
	for _, r := range srv.requests {
		if r.to.Sub(r.from) > MaxWindow || r.to.Before(r.from) {
			t.Errorf("request over %v: %v..%v", MaxWindow, r.from, r.to)
		}
		if r.limit != "1000" {
			t.Errorf("request with limit=%q", r.limit)
		}
		windows[[2]time.Time{r.from, r.to}] = true
	}
	if len(windows) != 4 || len(srv.requests) != 6 {
		t.Fatalf("%d windows in %d requests, want 4 in 6", len(windows), len(srv.requests))
	}
	if !hw.Equal(start.Add(7 * time.Hour)) {
		t.Fatalf("high-water %v", hw)
	}
}

func TestCheckoutWindowsMoveTheMarkOnlyAfterAWholeWindow(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	srv := &listServer{updated: map[string]time.Time{}}
	for i := range 3000 {
		srv.updated[fmt.Sprintf("o-%04d", i)] = start.Add(time.Duration(i) * 7 * time.Second)
	}
	// Page 2 of the second window fails once.
	failed := false
	srv.failOn = func(r url3) bool {
		if !failed && r.from.Equal(start.Add(2*time.Hour)) && r.page == 2 {
			failed = true
			return true
		}
		return false
	}
	c, _ := newTestClient(t, srv)
	hw := start
	first, err := poll(t, c, &hw, start.Add(7*time.Hour))
	if ErrorCode(err) != CodeServer {
		t.Fatalf("want the page's 503, got %v", err)
	}
	if !hw.Equal(start.Add(2 * time.Hour)) {
		t.Fatalf("after a failure in the second window the mark is %v, want the first window's end", hw)
	}
	for id := range first {
		if srv.updated[id].After(start.Add(2 * time.Hour)) {
			t.Fatalf("%s of the failed window was yielded", id)
		}
	}
	// The next poll reads the failed window again, whole, from page 1.
	n := len(srv.requests)
	second, err := poll(t, c, &hw, start.Add(7*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r := srv.requests[n]; !r.from.Equal(start.Add(2*time.Hour)) || r.page != 1 {
		t.Fatalf("the next poll started at %v page %d", r.from, r.page)
	}
	all := map[string]bool{}
	for id := range first {
		all[id] = true
	}
	for id := range second {
		all[id] = true
	}
	if len(all) != 3000 || !hw.Equal(start.Add(7*time.Hour)) {
		t.Fatalf("%d of 3000 read, mark %v", len(all), hw)
	}
}

// An order updated during the walk leaves the window, and the entries
// after it shift onto pages already read: the window is walked again.
func TestCheckoutWindowsWalkAgainWhenTheListChanges(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	srv := &listServer{updated: map[string]time.Time{}}
	for i := range 2500 {
		srv.updated[fmt.Sprintf("o-%04d", i)] = start.Add(time.Duration(i) * 2 * time.Second)
	}
	moved := false
	srv.onPage = func(page int) {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if page == 1 && !moved {
			moved = true
			for i := range 5 { // five orders read on page 1 are updated now
				srv.updated[fmt.Sprintf("o-%04d", i)] = start.Add(3 * time.Hour)
			}
		}
	}
	c, _ := newTestClient(t, srv)
	var got *Window
	for w, err := range CheckoutWindows(context.Background(), c, "m", start, start.Add(2*time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		got = &w
	}
	if got == nil || got.Walks != 2 {
		t.Fatalf("window %+v", got)
	}
	ids := map[string]bool{}
	for _, e := range got.Entries {
		if ids[e.ID] {
			t.Fatalf("%s twice in a window", e.ID)
		}
		ids[e.ID] = true
	}
	// Every order still in the window was read; the five moved ones were
	// read before they moved (the next window shows them again).
	if len(ids) != 2500 {
		t.Fatalf("read %d of 2500", len(ids))
	}
}

func TestCheckoutsRefusesAWideOrOpenRange(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		fmt.Fprint(w, `{"entries":[],"pagination":{}}`)
	}))
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, r := range [][2]time.Time{{now.Add(-MaxWindow - time.Second), now}, {{}, now}, {now, {}}, {now, now.Add(-time.Second)}} {
		for _, err := range c.Checkouts(context.Background(), "m", r[0], r[1]) {
			mustCode(t, err, CodeBadRequest)
		}
	}
	if sent.Load() != 0 {
		t.Fatal("a refused range reached the wire")
	}
	// Exactly two hours is one query.
	for _, err := range c.Checkouts(context.Background(), "m", now.Add(-MaxWindow), now) {
		if err != nil {
			t.Fatalf("a 2-hour range refused: %v", err)
		}
	}
	if sent.Load() != 1 {
		t.Fatalf("%d requests for a 2-hour range", sent.Load())
	}
}

// The scroll form (uncertain.go) walks by cursor behind the same iterator.
func TestCheckoutsScrollForm(t *testing.T) {
	var requests []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.URL.RequestURI())
		switch r.URL.Query().Get(scrollCursorParam) {
		case "":
			fmt.Fprintf(w, `{"entries":[{"_id":"a"},{"_id":"b"}],%q:"c1"}`, scrollCursorField)
		case "c1":
			fmt.Fprintf(w, `{"entries":[{"_id":"c"}],%q:"c2"}`, scrollCursorField)
		default:
			fmt.Fprint(w, `{"entries":[]}`)
		}
	}))
	c.form = listScroll
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var ids []string
	for p, err := range c.Checkouts(context.Background(), "m", now.Add(-time.Hour), now) {
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			ids = append(ids, e.ID)
		}
	}
	if strings.Join(ids, ",") != "a,b,c" || len(requests) != 3 {
		t.Fatalf("ids %v after %q", ids, requests)
	}
	for _, r := range requests {
		if !strings.HasPrefix(r, "/api/m/m/checkouts/light/scroll?") || !strings.Contains(r, "limit=1000") {
			t.Fatalf("request %s", r)
		}
	}
}
