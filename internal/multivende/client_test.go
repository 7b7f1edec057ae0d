package multivende

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const secretAccess, secretRefresh = "ACCESS-abc123-secret", "REFRESH-def456-secret"

type staticTokens struct{}

func (staticTokens) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: secretAccess}, nil
}

type hookLog struct {
	mu  sync.Mutex
	all []Exchange
}

func (h *hookLog) hook(_ context.Context, e Exchange) {
	h.mu.Lock()
	h.all = append(h.all, e)
	h.mu.Unlock()
}

func (h *hookLog) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, _ := json.Marshal(h.all)
	return string(b)
}

func newTestClient(t *testing.T, h http.Handler) (*Client, *hookLog) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	log := &hookLog{}
	c := New(Config{BaseURL: srv.URL, ClientID: "cid", ClientSecret: "csecret-xyz", RateLimit: -1, Hook: log.hook, Tokens: staticTokens{}})
	return c, log
}

func TestAuthorizeURLAsksForEveryScope(t *testing.T) {
	t.Parallel()
	c := New(Config{BaseURL: "https://mv.example", ClientID: "cid"})
	p := NewPKCE()
	u := c.AuthorizeURL("http://127.0.0.1:8765/callback", "st4te", &p)
	for _, want := range []string{"https://mv.example/apps/authorize?", "response_type=code", "client_id=cid",
		"redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback", "state=st4te", "code_challenge_method=S256", "read%3Acheckouts+write%3Acheckouts"} {
		if !strings.Contains(u, want) {
			t.Errorf("authorize URL %s lacks %s", u, want)
		}
	}
	if NewState() == NewState() {
		t.Error("state is not random")
	}
}

func TestExchangeSpeaksMultivendeJSON(t *testing.T) {
	t.Parallel()
	fixture, err := os.ReadFile("testdata/multivende-token.json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/access-token" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "wrong call", 400)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.Write(fixture)
	}))
	tok, err := c.Exchange(context.Background(), "the-code", "http://127.0.0.1/cb", "verif")
	if err != nil {
		t.Fatal(err)
	}
	if got["grant_type"] != "authorization_code" || got["code"] != "the-code" || got["client_id"] != "cid" || got["client_secret"] != "csecret-xyz" {
		t.Fatalf("body = %v", got)
	}
	if tok.Token != "mv-access-EXAMPLE-NOT-A-SECRET" || tok.MerchantID != "0d3c2b1a-9f8e-4d7c-6b5a-493827160514" ||
		tok.RefreshTokenExpiresAt.IsZero() || len(tok.Scopes) != 5 {
		t.Fatalf("token = %+v", tok)
	}
	logged := log.text()
	for _, s := range []string{"mv-access-EXAMPLE", "mv-refresh-EXAMPLE", "csecret-xyz", "the-code"} {
		if strings.Contains(logged, s) {
			t.Errorf("hook saw secret %q: %s", s, logged)
		}
	}
}

func TestTokenSourceRefreshesAheadOnce(t *testing.T) {
	t.Parallel()
	var refreshes atomic.Int32
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req["grant_type"] != "refresh_token" || req["refresh_token"] != secretRefresh {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"message":"invalid refresh token"}`)
			return
		}
		refreshes.Add(1)
		time.Sleep(20 * time.Millisecond)
		fmt.Fprintf(w, `{"token":"NEW-%s","expiresAt":%q,"refreshToken":%q,"refreshTokenExpiresAt":%q}`,
			secretAccess, time.Now().Add(6*time.Hour).Format(time.RFC3339), secretRefresh, time.Now().Add(48*time.Hour).Format(time.RFC3339))
	}))
	var saved atomic.Int32
	// Expires in 2 minutes: inside the 5-minute margin, so it refreshes.
	ts := c.NewTokenSource(Token{Token: secretAccess, ExpiresAt: time.Now().Add(2 * time.Minute), RefreshToken: secretRefresh,
		RefreshTokenExpiresAt: time.Now().Add(time.Hour)}, 0, func(Token) error { saved.Add(1); return nil })
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token()
			if err != nil || tok.AccessToken != "NEW-"+secretAccess {
				t.Errorf("token %v, %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if refreshes.Load() != 1 || saved.Load() != 1 {
		t.Fatalf("%d refreshes, %d saves; want one of each", refreshes.Load(), saved.Load())
	}
	if strings.Contains(log.text(), secretRefresh) || strings.Contains(log.text(), secretAccess) {
		t.Fatal("token in the hook's output")
	}
	// A refused refresh means reconnect.
	bad := c.NewTokenSource(Token{Token: "x", ExpiresAt: time.Now(), RefreshToken: "wrong", RefreshTokenExpiresAt: time.Now().Add(time.Hour)}, 0, nil)
	_, err := bad.Token()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNeedsReconnect {
		t.Fatalf("refused refresh: %v", err)
	}
	expired := c.NewTokenSource(Token{Token: "x", ExpiresAt: time.Now(), RefreshToken: secretRefresh, RefreshTokenExpiresAt: time.Now().Add(-time.Second)}, 0, nil)
	if _, err := expired.Token(); !errors.As(err, &e) || e.Code != CodeNeedsReconnect {
		t.Fatalf("expired refresh token: %v", err)
	}
}

func TestCheckoutsPagesByUpdatedAt(t *testing.T) {
	t.Parallel()
	var queries []string
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretAccess {
			w.WriteHeader(401)
			return
		}
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		page := strings.TrimPrefix(r.URL.Path, "/api/m/m1/checkouts/light/p/")
		next := map[string]int{"1": 2, "2": 3, "3": 0}[page]
		fmt.Fprintf(w, `{"entries":[{"_id":"id-%s","code":"C%s","total":990.0,"updatedAt":"2026-11-20T14:05:42.000Z"}],"pagination":{"total_items":3,"total_pages":3,"current_page":%s,"next_page":%d}}`, page, page, page, next)
	}))
	from := time.Date(2026, 11, 24, 14, 3, 0, 0, time.FixedZone("CLT", -3*3600))
	var ids []string
	for p, err := range c.Checkouts(context.Background(), "m1", from, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range p.Entries {
			ids = append(ids, e.ID)
			if !strings.Contains(string(p.Raw[i]), e.ID) || e.Total != 990 {
				t.Fatalf("entry %+v raw %s", e, p.Raw[i])
			}
		}
	}
	if strings.Join(ids, ",") != "id-1,id-2,id-3" {
		t.Fatalf("ids = %v", ids)
	}
	if queries[0] != "/api/m/m1/checkouts/light/p/1?_updated_at_from=2026-11-24T17%3A03%3A00" {
		t.Fatalf("first query %s", queries[0])
	}
	if strings.Contains(log.text(), secretAccess) {
		t.Fatal("bearer token logged")
	}
}

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status     int
		header     string
		body       string
		code       string
		retryable  bool
		retryAfter time.Duration
	}{
		"unauthorized": {401, "", `{"message":"token expired"}`, CodeAuth, false, 0},
		"not found":    {404, "", `{"error":"Checkout not found"}`, CodeNotFound, false, 0},
		"rate limited": {429, "3", `{"message":"slow down"}`, CodeRate, true, 3 * time.Second},
		"server":       {503, "", `oops`, CodeServer, true, 0},
		"bad request":  {400, "", `{"message":"bad"}`, CodeBadRequest, false, 0},
		"not json":     {200, "", `<html>`, CodeDecode, true, 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			_, _, err := c.Checkout(context.Background(), "4f1c")
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Retryable() != tt.retryable || e.RetryAfter != tt.retryAfter {
				t.Fatalf("err = %#v", err)
			}
			if !strings.Contains(err.Error(), "checkout 4f1c") {
				t.Fatalf("error does not name the call and object: %v", err)
			}
		})
	}
}

func TestRateLimitHoldsBackAfter429(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var last atomic.Int64
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last.Store(time.Now().UnixNano())
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, `{"_id":"x"}`)
	}))
	start := time.Now()
	if _, _, err := c.Checkout(context.Background(), "x"); err == nil {
		t.Fatal("want the 429")
	}
	if _, _, err := c.Checkout(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 900*time.Millisecond {
		t.Fatal("the client did not wait out Retry-After before the next call")
	}
}

func TestPacingAvoids429(t *testing.T) {
	t.Parallel()
	// A server that answers 429 above 5 requests in any second.
	var mu sync.Mutex
	var times []time.Time
	var tooMany atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now := time.Now()
		n := 0
		for _, t := range times {
			if now.Sub(t) < time.Second {
				n++
			}
		}
		times = append(times, now)
		mu.Unlock()
		if n >= 6 { // 5 per second plus a burst of one
			tooMany.Add(1)
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, `{"_id":"x"}`)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, Tokens: staticTokens{}})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				if _, _, err := c.Checkout(context.Background(), "x"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if tooMany.Load() != 0 {
		t.Fatalf("%d requests got 429 despite pacing", tooMany.Load())
	}
}

func TestUploadRefusesLargePDFBeforeSending(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var gotName, gotType string
	var gotLen int
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b, _ := io.ReadAll(f)
		gotName, gotType, gotLen = h.Filename, h.Header.Get("Content-Type"), len(b)
		io.WriteString(w, `{}`)
	}))
	err := c.UploadDocumentFile(context.Background(), "doc1", "39-10482.pdf", make([]byte, MaxPDFSize+1))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodePDFTooLarge || calls.Load() != 0 {
		t.Fatalf("large upload: %v after %d calls", err, calls.Load())
	}
	if err := c.UploadDocumentFile(context.Background(), "doc1", "39-10482.pdf", []byte("%PDF-1.4 tiny")); err != nil {
		t.Fatal(err)
	}
	if gotName != "39-10482.pdf" || gotType != "application/pdf" || gotLen != 13 {
		t.Fatalf("upload got %q %q %d", gotName, gotType, gotLen)
	}
	if !strings.Contains(log.text(), "bytes multipart/form-data") {
		t.Fatalf("PDF bytes logged: %s", log.text())
	}
}

func TestPostWithoutReplyIsUncertain(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
	}))
	_, err := c.CreateBillingDocument(context.Background(), "co1", NewBillingDocument{ID: "10482"})
	var e *Error
	if !errors.As(err, &e) || !e.Uncertain || !e.Retryable() {
		t.Fatalf("reset POST: %#v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	slow, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	_, _, err = slow.Checkout(ctx, "x")
	if !errors.As(err, &e) || e.Code != CodeTimeout || e.Uncertain {
		t.Fatalf("timed-out GET: %#v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{"2": 2 * time.Second, "": time.Second, "x": time.Second,
		"Tue, 24 Nov 2026 12:00:05 GMT": 5 * time.Second, "Tue, 24 Nov 2026 11:00:00 GMT": 0} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
