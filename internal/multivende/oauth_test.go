package multivende

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/testutil"
)

// refreshServer is a token endpoint that rotates tokens: each refresh
// token works once. New access tokens last ttl by the fake clock.
type refreshServer struct {
	clock   *testutil.Clock
	ttl     time.Duration
	delay   time.Duration
	mu      sync.Mutex
	valid   map[string]bool // refresh tokens
	access  map[string]bool // access tokens the API accepts
	n       int
	calls   atomic.Int32 // refreshes granted
	refused atomic.Int32
	gate    chan struct{} // if not nil, each refresh waits for a value
	cut     atomic.Int32  // this many refreshes are cut (connection reset) before the server reads them
	fail5xx atomic.Int32  // this many refreshes answer 503 without rotating
}

func newRefreshServer(clock *testutil.Clock, ttl time.Duration) *refreshServer {
	return &refreshServer{clock: clock, ttl: ttl, valid: map[string]bool{secretRefresh: true}, access: map[string]bool{}}
}

func (s *refreshServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/oauth/access-token" {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		ok := s.access[tok]
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(401)
			io.WriteString(w, `{"message":"Access token expired"}`)
			return
		}
		io.WriteString(w, `{"_id":"co-1"}`)
		return
	}
	if s.cut.Add(-1) >= 0 {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if s.fail5xx.Add(-1) >= 0 {
		w.WriteHeader(503)
		return
	}
	var req map[string]string
	_ = json.NewDecoder(r.Body).Decode(&req)
	if s.gate != nil {
		<-s.gate
	}
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if req["grant_type"] != "refresh_token" || !s.valid[req["refresh_token"]] {
		s.refused.Add(1)
		w.WriteHeader(401)
		io.WriteString(w, `{"message":"Invalid or expired refresh token"}`)
		return
	}
	delete(s.valid, req["refresh_token"])
	s.n++
	access, refresh := fmt.Sprintf("%s-%d", secretAccess, s.n), fmt.Sprintf("%s-%d", secretRefresh, s.n)
	s.valid[refresh], s.access[access] = true, true
	s.calls.Add(1)
	now := s.clock.Now()
	fmt.Fprintf(w, `{"token":%q,"expiresAt":%q,"refreshToken":%q,"refreshTokenExpiresAt":%q}`,
		access, now.Add(s.ttl).Format(time.RFC3339Nano), refresh, now.Add(48*time.Hour).Format(time.RFC3339Nano))
}

func tokenSourceFor(t *testing.T, srv *refreshServer, tok Token, margin time.Duration, onNew func(Token) error) (*TokenSource, *Client, *hookLog) {
	t.Helper()
	c, log := newTestClient(t, srv)
	ts := c.NewTokenSource(tok, margin, onNew)
	ts.now = srv.clock.Now
	c.SetTokens(ts)
	return ts, c, log
}

func TestTokenSourceRefreshesAheadOnce(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, 6*time.Hour)
	srv.delay = 20 * time.Millisecond
	var saved []Token
	var smu sync.Mutex
	start := Token{Token: secretAccess, ExpiresAt: clock.Now().Add(10 * time.Minute), RefreshToken: secretRefresh,
		RefreshTokenExpiresAt: clock.Now().Add(48 * time.Hour)}
	ts, _, log := tokenSourceFor(t, srv, start, 0, func(tok Token) error {
		smu.Lock()
		saved = append(saved, tok)
		smu.Unlock()
		return nil
	})

	// Outside the 5-minute margin: the stored token, no refresh.
	if tok, err := ts.Token(); err != nil || tok.AccessToken != secretAccess || tok.RefreshToken != "" {
		t.Fatalf("token %+v, %v", tok, err)
	}
	// Inside it: sixteen concurrent callers, one refresh, one save.
	clock.Advance(5*time.Minute + time.Second)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token()
			if err != nil || tok.AccessToken != secretAccess+"-1" {
				t.Errorf("token %v, %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if srv.calls.Load() != 1 || len(saved) != 1 || saved[0].Token != secretAccess+"-1" || saved[0].RefreshToken != secretRefresh+"-1" {
		t.Fatalf("%d refreshes, saved %+v; want one of each", srv.calls.Load(), saved)
	}
	if ts.Current().RefreshToken != secretRefresh+"-1" {
		t.Fatal("the rotated refresh token was not kept")
	}
	// The new token lasts 6 h: no refresh until 5 minutes before that.
	clock.Advance(5*time.Hour + 54*time.Minute)
	if tok, _ := ts.Token(); tok.AccessToken != secretAccess+"-1" || srv.calls.Load() != 1 {
		t.Fatal("refreshed too early")
	}
	clock.Advance(2 * time.Minute)
	if tok, _ := ts.Token(); tok.AccessToken != secretAccess+"-2" || srv.calls.Load() != 2 {
		t.Fatal("did not refresh inside the margin")
	}
	for _, s := range []string{secretAccess, secretRefresh} {
		if strings.Contains(log.text(), s) {
			t.Fatalf("%s in the hook's output: %s", s, log.text())
		}
	}
}

func TestTokenSourceShortLivedTokens(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, time.Minute) // like --faults token-expire=60s
	ts, _, _ := tokenSourceFor(t, srv, Token{Token: secretAccess, ExpiresAt: clock.Now().Add(time.Minute),
		RefreshToken: secretRefresh}, 0, nil)
	// The stored token's lifetime is unknown: inside the margin, refresh.
	if tok, _ := ts.Token(); tok.AccessToken != secretAccess+"-1" {
		t.Fatal("no first refresh")
	}
	// Its successor is known to last a minute: half of it is the margin,
	// so calls do not refresh every time.
	for range 5 {
		clock.Advance(5 * time.Second)
		ts.Token()
	}
	if srv.calls.Load() != 1 {
		t.Fatalf("%d refreshes in 25 s of a 60 s token", srv.calls.Load())
	}
	clock.Advance(6 * time.Second)
	if tok, _ := ts.Token(); tok.AccessToken != secretAccess+"-2" {
		t.Fatal("no refresh past half the lifetime")
	}
}

func TestTokenSourceNeedsReconnect(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		name     string
		tok      Token
		requests int32
	}{
		{"refresh token expired", Token{Token: "x", ExpiresAt: clock.Now(), RefreshToken: secretRefresh,
			RefreshTokenExpiresAt: clock.Now().Add(-time.Second)}, 0},
		{"no refresh token", Token{Token: "x", ExpiresAt: clock.Now()}, 0},
		{"refresh refused", Token{Token: "x", ExpiresAt: clock.Now(), RefreshToken: "revoked",
			RefreshTokenExpiresAt: clock.Now().Add(time.Hour)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newRefreshServer(clock, time.Hour)
			ts, c, _ := tokenSourceFor(t, srv, tt.tok, 0, nil)
			_, err := ts.Token()
			e := mustCode(t, err, CodeNeedsReconnect)
			if e.Retryable() || srv.refused.Load() != tt.requests {
				t.Fatalf("%v after %d refused refreshes", err, srv.refused.Load())
			}
			// An API call says the same, and sends nothing.
			_, _, err = c.Checkout(context.Background(), "co-1")
			mustCode(t, err, CodeNeedsReconnect)
		})
	}
	c := New(Config{BaseURL: "http://127.0.0.1:1"})
	if _, _, err := c.Checkout(context.Background(), "x"); ErrorCode(err) != CodeNeedsReconnect {
		t.Fatalf("no token source: %v", err)
	}
}

func TestTokenSourceSaveFailureKeepsToken(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, 6*time.Hour)
	broken := errors.New("disk full")
	var fail atomic.Bool
	fail.Store(true)
	var saves atomic.Int32
	ts, _, _ := tokenSourceFor(t, srv, Token{Token: secretAccess, ExpiresAt: clock.Now(), RefreshToken: secretRefresh}, 0,
		func(Token) error {
			saves.Add(1)
			if fail.Load() {
				return broken
			}
			return nil
		})
	if _, err := ts.Token(); !errors.Is(err, broken) {
		t.Fatalf("save failure not reported: %v", err)
	}
	// Still unsaved: every call tries again and says so, without refreshing.
	if _, err := ts.Token(); !errors.Is(err, broken) || srv.calls.Load() != 1 {
		t.Fatalf("%v, %d refreshes", err, srv.calls.Load())
	}
	fail.Store(false)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != secretAccess+"-1" || srv.calls.Load() != 1 {
		t.Fatalf("%v %v, %d refreshes", tok, err, srv.calls.Load())
	}
	n := saves.Load()
	ts.Token()
	if saves.Load() != n {
		t.Fatal("saved again after success")
	}
}

func TestTokenSourceCallerGivesUpRefreshGoesOn(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, 6*time.Hour)
	srv.gate = make(chan struct{})
	ts, _, _ := tokenSourceFor(t, srv, Token{Token: secretAccess, ExpiresAt: clock.Now(), RefreshToken: secretRefresh}, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := ts.TokenContext(ctx); done <- err }()
	cancel()
	err := <-done
	if e := mustCode(t, err, CodeTimeout); !errors.Is(e, context.Canceled) {
		t.Fatalf("%v", err)
	}
	srv.gate <- struct{}{} // the refresh, started by the caller that left, completes
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != secretAccess+"-1" || srv.calls.Load() != 1 || srv.refused.Load() != 0 {
		t.Fatalf("%v %v: %d refreshes, %d refused", tok, err, srv.calls.Load(), srv.refused.Load())
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, 6*time.Hour)
	// The stored token looks valid for hours, but Multivende revoked it.
	ts, c, log := tokenSourceFor(t, srv, Token{Token: secretAccess, ExpiresAt: clock.Now().Add(5 * time.Hour),
		RefreshToken: secretRefresh, RefreshTokenExpiresAt: clock.Now().Add(time.Hour)}, 0, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Checkout(context.Background(), "co-1"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if srv.calls.Load() != 1 || ts.Current().Token != secretAccess+"-1" {
		t.Fatalf("%d refreshes for concurrent 401s", srv.calls.Load())
	}
	if !strings.Contains(log.text(), `"Status":401`) || strings.Contains(log.text(), secretAccess) {
		t.Fatalf("hook: %s", log.text())
	}
	// When the refresh is refused too, a person must reconnect.
	srv.mu.Lock()
	srv.access = map[string]bool{}
	srv.valid = map[string]bool{}
	srv.mu.Unlock()
	_, _, err := c.Checkout(context.Background(), "co-1")
	mustCode(t, err, CodeNeedsReconnect)
	// A plain token source cannot refresh: the 401 stays MV-AUTH.
	plain, _ := newTestClient(t, srv)
	_, _, err = plain.Checkout(context.Background(), "co-1")
	mustCode(t, err, CodeAuth)
}

// A refresh whose reply is lost (a reset, a 5xx) is tried again with the
// refresh token folio still has before anyone hears of a failure: only a
// clear refusal means a person must connect again.
func TestTokenSourceRetriesALostRefresh(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	srv := newRefreshServer(clock, 6*time.Hour)
	srv.cut.Store(1)
	srv.fail5xx.Store(1)
	var saved []string
	ts, _, _ := tokenSourceFor(t, srv, Token{Token: secretAccess, ExpiresAt: clock.Now(), RefreshToken: secretRefresh}, 0,
		func(t Token) error { saved = append(saved, t.RefreshToken); return nil })
	ts.retryWait = func(int) time.Duration { return 0 }
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != secretAccess+"-1" || srv.calls.Load() != 1 || srv.refused.Load() != 0 {
		t.Fatalf("%v %v: %d refreshes, %d refused", tok, err, srv.calls.Load(), srv.refused.Load())
	}
	if len(saved) != 1 || saved[0] != secretRefresh+"-1" {
		t.Fatalf("saved %v", saved)
	}
	// Lost every time: the caller hears a transient error, not a reconnect.
	srv2 := newRefreshServer(clock, 6*time.Hour)
	srv2.cut.Store(100)
	ts2, _, _ := tokenSourceFor(t, srv2, Token{Token: secretAccess, ExpiresAt: clock.Now(), RefreshToken: secretRefresh}, 0, nil)
	ts2.retryWait = func(int) time.Duration { return 0 }
	_, err = ts2.Token()
	if e, ok := AsError(err); !ok || e.Code == CodeNeedsReconnect || !e.Retryable() || srv2.cut.Load() != 100-refreshTries {
		t.Fatalf("%v after %d cut refreshes", err, 100-srv2.cut.Load())
	}
}
