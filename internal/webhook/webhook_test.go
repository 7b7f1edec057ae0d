package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

const secret = "0123456789abcdef0123456789abcdef"

type recorder struct {
	mu    sync.Mutex
	hints []string
	res   engine.HintResult
}

func (r *recorder) hint(conn int64, id string) engine.HintResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hints = append(r.hints, id)
	return r.res
}

func newServer(t *testing.T, rec *recorder, targets ...Target) *Server {
	t.Helper()
	if targets == nil {
		targets = []Target{{ConnectionID: 7, ClientID: "170000000001"}}
	}
	s, err := New(Config{Secret: secret, Hint: rec.hint,
		Targets: func(context.Context) ([]Target, error) { return targets, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func post(h http.Handler, path, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	return w
}

func TestNotificationAccepted(t *testing.T) {
	for name, body := range map[string]string{
		"number client id": `{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001},"other":{"x":[1,2]}}`,
		"string client id": `{"CheckoutId":"co-1","OauthClient":{"client_id":"170000000001"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{}
			s := newServer(t, rec)
			w := post(s.Handler(), Path+secret, body)
			if w.Code != http.StatusAccepted || len(rec.hints) != 1 || rec.hints[0] != "co-1" {
				t.Fatalf("status %d, hints %v", w.Code, rec.hints)
			}
			if h := s.Health(); h.LastHour != 1 || h.LastReceived.IsZero() || h.Rejected != 0 {
				t.Fatalf("health %+v", h)
			}
		})
	}
}

func TestRejections(t *testing.T) {
	good := `{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001}}`
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"bad secret", "POST", Path + "0123456789abcdef0123456789abcdee", good, 404},
		{"secret prefix", "POST", Path + secret[:10], good, 404},
		{"no secret", "POST", Path, good, 404},
		{"bad secret GET", "GET", Path + "nope", "", 404},
		{"good secret GET", "GET", Path + secret, "", 405},
		{"not json", "POST", Path + secret, `CheckoutId=co-1`, 400},
		{"json array", "POST", Path + secret, `[1,2]`, 400},
		{"no checkout id", "POST", Path + secret, `{"OauthClient":{"client_id":170000000001}}`, 400},
		{"checkout id a number", "POST", Path + secret, `{"CheckoutId":5,"OauthClient":{"client_id":170000000001}}`, 400},
		{"no client", "POST", Path + secret, `{"CheckoutId":"co-1"}`, 400},
		{"client id a float", "POST", Path + secret, `{"CheckoutId":"co-1","OauthClient":{"client_id":1.5}}`, 400},
		{"wrong client id", "POST", Path + secret, `{"CheckoutId":"co-1","OauthClient":{"client_id":170000000002}}`, 403},
		{"oversized", "POST", Path + secret, `{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001},"pad":"` + strings.Repeat("x", MaxBody) + `"}`, 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			s := newServer(t, rec)
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
			if w.Code != c.want || len(rec.hints) != 0 {
				t.Fatalf("status %d (want %d), hints %v", w.Code, c.want, rec.hints)
			}
			if strings.Contains(w.Body.String(), secret) {
				t.Fatal("the reply shows the secret")
			}
			wantRejected := int64(1)
			if c.path == Path {
				wantRejected = 0 // not the notification route at all
			}
			if h := s.Health(); h.Rejected != wantRejected || h.LastHour != 0 {
				t.Fatalf("health %+v", h)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	s := newServer(t, &recorder{})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != 200 {
		t.Fatalf("healthz %d", w.Code)
	}
}

// Every connection of the app gets the hint (one app, several merchants).
func TestSeveralConnectionsOfOneApp(t *testing.T) {
	var got []int64
	s, _ := New(Config{Secret: secret, Hint: func(c int64, id string) engine.HintResult { got = append(got, c); return engine.HintQueued },
		Targets: func(context.Context) ([]Target, error) {
			return []Target{{1, "170000000001"}, {2, "170000000001"}, {3, "999"}}, nil
		}})
	if w := post(s.Handler(), Path+secret, `{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001}}`); w.Code != 202 || len(got) != 2 {
		t.Fatalf("%d %v", w.Code, got)
	}
}

// The last hour's count forgets older minutes.
func TestLastHour(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	s, _ := New(Config{Secret: secret, Hint: (&recorder{}).hint, Now: func() time.Time { return now },
		Targets: func(context.Context) ([]Target, error) { return []Target{{1, "1"}}, nil }})
	for i := 0; i < 3; i++ {
		post(s.Handler(), Path+secret, `{"CheckoutId":"a","OauthClient":{"client_id":1}}`)
		now = now.Add(25 * time.Minute)
	}
	if h := s.Health(); h.LastHour != 2 {
		t.Fatalf("last hour %d, want 2", h.LastHour)
	}
}

// A flood through the handler into a real engine's queue: duplicates are
// shed, never queued twice.
func TestFloodShedsDuplicates(t *testing.T) {
	eng := newEngine(t)
	s, _ := New(Config{Secret: secret, Hint: eng.Hint,
		Targets: func(context.Context) ([]Target, error) { return []Target{{1, "1"}}, nil }})
	h := s.Handler()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 250; j++ {
				if w := post(h, Path+secret, `{"CheckoutId":"co-same","OauthClient":{"client_id":1}}`); w.Code != 202 {
					t.Errorf("status %d", w.Code)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := eng.HintStats()
	if st.Queued != 1 || st.Duplicate != 1999 || st.Shed != 0 {
		t.Fatalf("stats %+v: one read queued, the rest duplicates", st)
	}
	// Distinct ids beyond the queue are shed, and counted.
	for i := 0; i < 1100; i++ {
		post(h, Path+secret, `{"CheckoutId":"co-`+string(rune('a'+i%26))+strings.Repeat("x", i/26)+`","OauthClient":{"client_id":1}}`)
	}
	if st := eng.HintStats(); st.Shed == 0 || s.Health().Shed != st.Shed {
		t.Fatalf("stats %+v, health %+v: the queue must bound a flood", st, s.Health())
	}
}

// newEngine is an engine that is not running: hints wait in its queue.
func newEngine(t *testing.T) *engine.Engine {
	t.Helper()
	st := storetest.Open(t)
	inv, err := libredte.New(libredte.Config{BaseURL: "http://127.0.0.1:1", Hash: "x", Emisor: "76086428-5"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: st, Invoicer: inv,
		Markets: func(store.Connection) (engine.Marketplace, error) { return nil, errors.New("not in this test") }})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
