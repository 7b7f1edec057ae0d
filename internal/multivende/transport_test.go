package multivende

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// cut hijacks the connection and closes it with RST: no reply at all.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// hang reads the request, then waits for the client to give up (bounded).
func hang(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body) // the server notices a closed connection only once the body is read
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func TestTransportFailures(t *testing.T) {
	t.Parallel()
	newDoc := NewBillingDocument{ID: "10482", Type: DocTypeBoleta}
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name      string
		handler   http.HandlerFunc
		base      string // instead of the test server
		post      bool
		timeout   time.Duration // context deadline
		httpLimit time.Duration // http.Client.Timeout
		code      string
		uncertain bool
		is        error
	}{
		{name: "reset after a POST was sent", post: true, code: CodeServer, uncertain: true,
			handler: func(w http.ResponseWriter, r *http.Request) { io.ReadAll(r.Body); cut(w) }},
		{name: "reset on a GET", code: CodeServer,
			handler: func(w http.ResponseWriter, r *http.Request) { cut(w) }},
		{name: "connection refused on a POST", post: true, base: closedURL, code: CodeServer},
		{name: "context deadline on a GET", timeout: 50 * time.Millisecond, code: CodeTimeout, is: context.DeadlineExceeded,
			handler: hang},
		{name: "context deadline after a POST was sent", post: true, timeout: 50 * time.Millisecond, code: CodeTimeout, uncertain: true,
			is: context.DeadlineExceeded, handler: hang},
		{name: "http client timeout", httpLimit: 50 * time.Millisecond, code: CodeTimeout,
			handler: hang},
		{name: "gateway timeout on a POST", post: true, code: CodeServer, uncertain: true,
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(504) }},
		{name: "unavailable on a POST", post: true, code: CodeServer,
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }},
		{name: "2xx cut short on a POST", post: true, code: CodeServer, uncertain: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(201)
				io.WriteString(w, `{"_id":`)
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := tt.base
			if base == "" {
				srv := httptest.NewServer(tt.handler)
				t.Cleanup(srv.Close)
				base = srv.URL
			}
			log := &hookLog{}
			c := New(Config{BaseURL: base, RateLimit: -1, Tokens: staticTokens{}, Hook: log.hook,
				HTTPClient: &http.Client{Timeout: tt.httpLimit}})
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			var err error
			if tt.post {
				_, err = c.CreateBillingDocument(ctx, "co-1", newDoc)
			} else {
				_, _, err = c.Checkout(ctx, "co-1")
			}
			e := mustCode(t, err, tt.code)
			if e.Uncertain != tt.uncertain || !e.Retryable() {
				t.Fatalf("uncertain=%v retryable=%v: %v", e.Uncertain, e.Retryable(), err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("%v is not %v", err, tt.is)
			}
			if ex := log.list(); len(ex) != 1 || (ex[0].Status == 0 && ex[0].Err == "") {
				t.Fatalf("hook: %+v", ex)
			}
		})
	}
}

func TestCanceledContextIsNotSent(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.CreateBillingDocument(ctx, "co-1", NewBillingDocument{ID: "1"})
	if e := mustCode(t, err, CodeTimeout); e.Uncertain || !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Fatalf("%v, %d calls", err, calls.Load())
	}
}

func TestHookRedactsSecrets(t *testing.T) {
	t.Parallel()
	// A token reply larger than the log's cut, with the refresh token right
	// where the cut falls: redaction must come first.
	pad := strings.Repeat("x", LogBodyMax-40)
	tokenReply := `{"pad":"` + pad + `","refreshToken":"` + secretRefresh + `","token":"` + secretAccess +
		`","escaped":"a","access_token":"` + secretAccess + `\"tail"}`
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/access-token":
			io.WriteString(w, tokenReply)
		case "/api/checkouts/echo":
			w.WriteHeader(400)
			// A careless server echoing what it got.
			io.WriteString(w, `{"message":"bad header Bearer `+secretAccess+` and refresh_token=`+secretRefresh+`"}`)
		default:
			io.WriteString(w, `{"_id":"co-1","code":"2000009876543","token":"`+secretAccess+`"}`)
		}
	}))
	ctx := context.Background()
	if _, err := c.Exchange(ctx, "auth-code-SECRET", "http://x/cb", "verifier-SECRET"); err == nil {
		// the reply has a token, so it decodes
	} else {
		t.Fatal(err)
	}
	if _, err := c.Refresh(ctx, secretRefresh); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Checkout(ctx, "co-1"); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Checkout(ctx, "echo")
	if err == nil || strings.Contains(err.Error(), secretAccess) || strings.Contains(err.Error(), secretRefresh) {
		t.Fatalf("error text: %v", err)
	}
	out := log.text()
	// Prefixes too: a cut through a secret must not leave its first half.
	for _, s := range []string{"ACCESS-", "REFRESH-", secretClient[:8], "auth-code", "verifier-", "tail"} {
		if i := strings.Index(out, s); i >= 0 {
			t.Errorf("%q reached the hook: …%s…", s, out[max(0, i-60):min(len(out), i+60)])
		}
	}
	// Redaction keeps what the log is for.
	for _, s := range []string{`"code\":\"2000009876543\"`, `\"grant_type\":\"refresh_token\"`, `[redacted]`, `bytes in all]`} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %s: %s", s, out)
		}
	}
	for _, ex := range log.list() {
		if len(ex.RespBody) > LogBodyMax+40 || len(ex.ReqBody) > LogBodyMax+40 {
			t.Errorf("body not cut: %d, %d bytes", len(ex.ReqBody), len(ex.RespBody))
		}
	}
}

func TestRedactors(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://mv/x?code=abc&state=s":                "https://mv/x?code=%5Bredacted%5D&state=s",
		"https://mv/x?access_token=abc&token=d&page=2": "https://mv/x?access_token=%5Bredacted%5D&page=2&token=%5Bredacted%5D",
		"https://user:pw@mv/x":                         "https://%5Bredacted%5D@mv/x",
		"https://mv/api/checkouts/1":                   "https://mv/api/checkouts/1",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tt := range []struct {
		in    string
		oauth bool
		want  string
	}{
		{`{"token": "a\"b", "x":1}`, false, `{"token": "[redacted]", "x":1}`},
		{`{"code":"C1","client_secret":"s"}`, false, `{"code":"C1","client_secret":"[redacted]"}`},
		{`{"code":"C1","client_secret":"s"}`, true, `{"code":"[redacted]","client_secret":"[redacted]"}`},
		{`grant_type=refresh_token&refresh_token=abc&client_secret=s`, false, `grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]`},
		{`Authorization: Bearer abc.def-ghi`, false, `Authorization: Bearer [redacted]`},
	} {
		if got := redactBody([]byte(tt.in), tt.oauth, "application/json"); got != tt.want {
			t.Errorf("redactBody(%q, %v) = %q, want %q", tt.in, tt.oauth, got, tt.want)
		}
	}
}

// BenchmarkRedactBody measures the HTTP-log redaction of a typical
// checkout page (about 25 KB of JSON).
func BenchmarkRedactBody(b *testing.B) {
	entry := `{"_id":"4f1c2a9e-7d3b-4c55-9a10-2b8e6f0d1a01","code":"2000009876543","origin":"mercadolibre","paymentStatus":"completed","status":"confirmed","soldAt":"2026-11-20T14:03:11.000Z","updatedAt":"2026-11-20T14:05:42.000Z","total":29970},`
	body := []byte(`{"entries":[` + strings.Repeat(entry, 110) + `{}],"pagination":{"total_items":111,"total_pages":3,"current_page":1,"next_page":2}}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		redactBody(body, false, "application/json")
	}
}
