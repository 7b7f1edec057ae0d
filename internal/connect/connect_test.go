package connect

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/mvsim"
)

type bundle struct {
	sim    *mvsim.Server
	client *multivende.Client
}

func setup(t *testing.T, secret string) bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := mvsim.New(mvsim.Options{Seed: 3, AccessTTL: time.Minute, RefreshTTL: 2 * time.Minute})
	base, err := s.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if secret == "" {
		secret = s.ClientSecret()
	}
	return bundle{sim: s, client: multivende.New(multivende.Config{BaseURL: base, ClientID: s.ClientID(), ClientSecret: secret})}
}

func start(t *testing.T, b bundle, timeout time.Duration) *Flow {
	t.Helper()
	f, err := Start(Options{Client: b.client, Port: -1, Timeout: timeout, Lang: i18n.ES})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func consent(t *testing.T, f *Flow) *url.URL {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	loc, err := mvsim.Consent(ctx, nil, f.AuthorizeURL(), "Prueba")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// browse loads u in the background, as the browser does after consent.
func browse(u string) <-chan string {
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(u)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- strconv.Itoa(resp.StatusCode) + " " + string(b)
	}()
	return got
}

func TestAuthorizeURL(t *testing.T) {
	b := setup(t, "")
	f := start(t, b, time.Second)
	u, _ := url.Parse(f.AuthorizeURL())
	q := u.Query()
	if u.Path != "/apps/authorize" || q.Get("response_type") != "code" || q.Get("client_id") != b.sim.ClientID() ||
		q.Get("scope") != strings.Join(multivende.Scopes, " ") || q.Get("code_challenge_method") != "S256" ||
		len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 22 || q.Get("redirect_uri") != f.RedirectURI() {
		t.Fatalf("authorize URL %s", f.AuthorizeURL())
	}
	if !strings.HasPrefix(f.RedirectURI(), "http://127.0.0.1:"+strconv.Itoa(f.Port())+"/callback") {
		t.Fatalf("redirect %s", f.RedirectURI())
	}
	g := start(t, b, time.Second)
	if g.state == f.state || g.pkce.Verifier == f.pkce.Verifier {
		t.Fatal("state and verifier must be fresh per flow")
	}
}

func TestCallback(t *testing.T) {
	b := setup(t, "")
	f := start(t, b, 5*time.Second)
	page := browse(consent(t, f).String())
	res, err := f.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Via != "callback" || res.Token.Token == "" || res.Token.MerchantID != b.sim.MerchantID() {
		t.Fatalf("result %+v", res)
	}
	select {
	case <-page:
		t.Fatal("the page must wait for Finish")
	case <-time.After(50 * time.Millisecond):
	}
	f.Finish(nil)
	if p := <-page; !strings.HasPrefix(p, "200 ") || !strings.Contains(p, "Conexión OK") {
		t.Fatalf("page %s", p)
	}
	// A second visit is told an answer was taken.
	if p := <-browse(f.RedirectURI() + "?code=x&state=" + f.state); !strings.HasPrefix(p, "409 ") {
		t.Fatalf("second visit %s", p)
	}
}

func TestPaste(t *testing.T) {
	for name, use := range map[string]func(*url.URL) string{
		"url":   func(u *url.URL) string { return "  " + u.String() + "\n" },
		"query": func(u *url.URL) string { return "?" + u.RawQuery },
		"code":  func(u *url.URL) string { return u.Query().Get("code") },
	} {
		t.Run(name, func(t *testing.T) {
			b := setup(t, "")
			f := start(t, b, 5*time.Second)
			if err := f.Paste("esto no es"); !errors.Is(err, ErrNotRedirect) {
				t.Fatalf("garbage: %v", err)
			}
			if err := f.Paste(use(consent(t, f))); err != nil {
				t.Fatal(err)
			}
			res, err := f.Wait(context.Background())
			if err != nil || res.Via != "paste" || res.Token.Token == "" {
				t.Fatalf("%+v %v", res, err)
			}
			if err := f.Paste("otro-codigo"); !errors.Is(err, ErrAnswered) {
				t.Fatalf("second paste: %v", err)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	tests := map[string]struct {
		secret string
		act    func(t *testing.T, f *Flow)
		kind   string
	}{
		"denied": {act: func(t *testing.T, f *Flow) {
			browse(f.RedirectURI() + "?error=access_denied&state=" + url.QueryEscape(f.state))
		}, kind: KindDenied},
		"other error": {act: func(t *testing.T, f *Flow) {
			browse(f.RedirectURI() + "?error=invalid_scope&error_description=nope&state=" + url.QueryEscape(f.state))
		}, kind: KindProvider},
		"wrong state": {act: func(t *testing.T, f *Flow) {
			u := consent(t, f)
			q := u.Query()
			q.Set("state", "ajeno")
			u.RawQuery = q.Encode()
			browse(u.String())
		}, kind: KindState},
		"missing state": {act: func(t *testing.T, f *Flow) {
			browse(f.RedirectURI() + "?code=" + consent(t, f).Query().Get("code"))
		}, kind: KindState},
		"pasted wrong state": {act: func(t *testing.T, f *Flow) {
			u := consent(t, f)
			if err := f.Paste(strings.Replace(u.String(), "state=", "state=x", 1)); err != nil {
				t.Error(err)
			}
		}, kind: KindState},
		"bad secret": {secret: "mvsecret-no", act: func(t *testing.T, f *Flow) { browse(consent(t, f).String()) }, kind: KindExchange},
		"code used": {act: func(t *testing.T, f *Flow) {
			u := consent(t, f)
			if _, err := f.client.Exchange(context.Background(), u.Query().Get("code"), f.redirect, f.pkce.Verifier); err != nil {
				t.Error(err)
			}
			browse(u.String())
		}, kind: KindExchange},
		"timeout": {act: func(*testing.T, *Flow) {}, kind: KindTimeout},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tc.secret)
			timeout := 5 * time.Second
			if tc.kind == KindTimeout {
				timeout = 300 * time.Millisecond
			}
			f := start(t, b, timeout)
			tc.act(t, f)
			_, err := f.Wait(context.Background())
			e, ok := AsError(err)
			if !ok || e.Kind != tc.kind {
				t.Fatalf("error %v, want kind %s", err, tc.kind)
			}
			if strings.Contains(err.Error(), b.sim.ClientSecret()) || strings.Contains(err.Error(), f.pkce.Verifier) {
				t.Fatalf("error shows a secret: %v", err)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	b := setup(t, "")
	f := start(t, b, 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Wait(ctx); err == nil {
		t.Fatal("no error")
	} else if e, _ := AsError(err); e.Kind != KindCanceled {
		t.Fatalf("%v", err)
	}
}

func TestListenBusy(t *testing.T) {
	b := setup(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Start(Options{Client: b.client, Port: ln.Addr().(*net.TCPAddr).Port})
	if e, ok := AsError(err); !ok || e.Kind != KindListen || !strings.Contains(e.Detail, "127.0.0.1:") {
		t.Fatalf("%v", err)
	}
}

func TestParsePasted(t *testing.T) {
	good := map[string]answer{
		"http://127.0.0.1:8765/callback?code=abc&state=s1":   {code: "abc", state: "s1", checkState: true},
		"<http://127.0.0.1:8765/callback?code=abc&state=s1>": {code: "abc", state: "s1", checkState: true},
		"code=abc&state=s1":                       {code: "abc", state: "s1", checkState: true},
		"?error=access_denied&state=s1":           {errCode: "access_denied", state: "s1", checkState: true},
		"mvc-1234-abcd":                           {code: "mvc-1234-abcd"},
		"http://127.0.0.1:8765/callback?code=abc": {code: "abc"},
	}
	for in, want := range good {
		got, err := parsePasted(in)
		want.via = "paste"
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "   ", "hola mundo", "http://127.0.0.1:8765/callback", "state=x", "a<b>", "ab"} {
		if _, err := parsePasted(in); !errors.Is(err, ErrNotRedirect) {
			t.Errorf("%q accepted", in)
		}
	}
}
