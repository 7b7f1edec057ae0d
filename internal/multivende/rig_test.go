package multivende

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

// The client tests' one rig: clients with a static token over an
// httptest server (newTestClient: real connections, for resets and cuts)
// or over an in-memory handler (pacedClient: for synctest bubbles), the
// hook log they write to, and the fixtures of testdata/.

const (
	secretAccess  = "ACCESS-abc123-secret"
	secretRefresh = "REFRESH-def456-secret"
	secretClient  = "csecret-xyz-789"
)

type staticTokens struct{ tok string }

func (s staticTokens) Token() (*oauth2.Token, error) {
	if s.tok == "" {
		s.tok = secretAccess
	}
	return &oauth2.Token{AccessToken: s.tok}, nil
}

// hookLog collects what the HTTP-log hook receives.
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

func (h *hookLog) list() []Exchange {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Exchange(nil), h.all...)
}

// newTestClient serves h and returns an unpaced client with a static token.
func newTestClient(t *testing.T, h http.Handler) (*Client, *hookLog) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	log := &hookLog{}
	c := New(Config{BaseURL: srv.URL + "/", ClientID: "cid", ClientSecret: secretClient, RateLimit: -1,
		Hook: log.hook, Tokens: staticTokens{}})
	return c, log
}

// handlerTransport serves requests from an http.Handler in memory: no
// sockets, so a synctest bubble's fake time can move.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// pacedClient is a client at rateLimit over h in memory.
func pacedClient(h http.Handler, rateLimit float64) *Client {
	return New(Config{BaseURL: "http://mv.test", RateLimit: rateLimit, Tokens: staticTokens{},
		HTTPClient: &http.Client{Transport: handlerTransport{h}}})
}

// readFixture is a file of testdata/ (copies of the shared real-shape
// fixtures): the package's one way to read them.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
