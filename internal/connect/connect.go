// Package connect runs Multivende's OAuth consent for folio, the way a
// person connects a merchant: a callback server on loopback, the authorize
// link (every scope, a random state, PKCE S256), then the wait for the
// browser's redirect or for the redirect URL (or bare code) pasted by hand,
// whichever comes first; the state is checked and the code exchanged.
//
// It holds no user-facing text of its own beyond the small page the browser
// shows at the end (from the i18n catalog): failures are *Error values
// whose Kind the caller turns into words.
package connect

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
)

// Defaults for Options.
const (
	DefaultHost    = "127.0.0.1"
	DefaultPort    = 8765
	DefaultPath    = "/callback"
	DefaultTimeout = 5 * time.Minute
	// ExchangeTimeout bounds the token call once a code arrived.
	ExchangeTimeout = 30 * time.Second
)

// Kinds of failure (Error.Kind).
const (
	KindListen   = "listen"   // the callback port could not be opened
	KindDenied   = "denied"   // the person answered No (error=access_denied)
	KindProvider = "provider" // Multivende redirected back with another error, or without a code
	KindState    = "state"    // the state that came back is not ours
	KindExchange = "exchange" // the token endpoint refused the code or could not be reached
	KindTimeout  = "timeout"  // nothing came back in time
	KindCanceled = "canceled" // the caller gave up (Ctrl-C)
)

// Error is a failed connection attempt. It never holds a secret: not the
// code, the verifier, the client secret nor a token.
type Error struct {
	Kind   string
	Detail string // e.g. Multivende's error code and description, or the address
	Err    error
}

func (e *Error) Error() string {
	s := "connect: " + e.Kind
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// AsError returns the *Error inside err.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrNotRedirect is Paste's answer to text that is neither a redirect URL
// nor a code.
var ErrNotRedirect = errors.New("not a redirect URL or an authorization code")

// ErrAnswered is Paste's answer once an answer was already taken.
var ErrAnswered = errors.New("an answer already arrived")

// Options set up a Flow.
type Options struct {
	// Client speaks to Multivende; its config carries the client id and
	// secret used for the exchange.
	Client *multivende.Client
	// Host is the callback's address (default 127.0.0.1: loopback only).
	Host string
	// Port is the callback's port (default DefaultPort; -1: any free port).
	Port int
	// Path is the callback's path (default /callback).
	Path string
	// Timeout bounds Wait (default DefaultTimeout).
	Timeout time.Duration
	// Lang is the language of the page the browser shows at the end.
	Lang i18n.Lang
}

// Result is a successful connection.
type Result struct {
	Token multivende.Token
	// Via is "callback" (the browser came back) or "paste".
	Via string
}

// answer is what came back: by the browser or pasted.
type answer struct {
	code, state, errCode, errDesc string
	via                           string
	checkState                    bool // a bare pasted code carries no state
}

// Flow is one consent in progress. Start it, show AuthorizeURL, feed it
// pasted text with Paste, Wait for the token, then Finish (the browser's
// page waits for it) and Close.
type Flow struct {
	client   *multivende.Client
	lang     i18n.Lang
	timeout  time.Duration
	redirect string
	authURL  string
	state    string
	pkce     multivende.PKCE
	port     int
	srv      *http.Server

	answers chan answer // capacity 1: the first answer wins

	mu       sync.Mutex
	taken    bool
	finished chan struct{}
	outcome  error
}

// Start opens the callback server and prepares the authorize link.
func Start(o Options) (*Flow, error) {
	if o.Client == nil {
		return nil, errors.New("connect: no Multivende client")
	}
	if o.Host == "" {
		o.Host = DefaultHost
	}
	switch {
	case o.Port == 0:
		o.Port = DefaultPort
	case o.Port < 0:
		o.Port = 0
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &Error{Kind: KindListen, Detail: addr, Err: err}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	f := &Flow{client: o.Client, lang: o.Lang, timeout: o.Timeout, port: port,
		state: multivende.NewState(), pkce: multivende.NewPKCE(),
		answers: make(chan answer, 1), finished: make(chan struct{})}
	f.redirect = "http://" + net.JoinHostPort(o.Host, strconv.Itoa(port)) + o.Path
	f.authURL = o.Client.AuthorizeURL(f.redirect, f.state, &f.pkce)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+o.Path, f.callback)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// AuthorizeURL is the link the person opens.
func (f *Flow) AuthorizeURL() string { return f.authURL }

// RedirectURI is where Multivende sends the browser back.
func (f *Flow) RedirectURI() string { return f.redirect }

// Port is the callback server's port (useful when any free port was asked).
func (f *Flow) Port() int { return f.port }

// offer hands an answer to Wait unless one was taken already.
func (f *Flow) offer(a answer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.taken {
		return false
	}
	f.taken = true
	f.answers <- a // never blocks: capacity 1 and taken guards it
	return true
}

// Paste takes text the person pasted: the whole redirect URL, its query,
// or the bare code. ErrNotRedirect means the text is neither (ask again);
// ErrAnswered that an answer already came.
func (f *Flow) Paste(text string) error {
	a, err := parsePasted(text)
	if err != nil {
		return err
	}
	if !f.offer(a) {
		return ErrAnswered
	}
	return nil
}

// codeRE is what a bare authorization code may look like: URL-safe
// (unreserved) characters only.
var codeRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{4,512}$`)

// parsePasted reads pasted text as a redirect URL, a query string, or a
// bare code.
func parsePasted(text string) (answer, error) {
	s := strings.TrimSpace(text)
	s = strings.Trim(s, `"'<>`)
	a := answer{via: "paste"}
	var q url.Values
	switch {
	case s == "":
		return a, ErrNotRedirect
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return a, ErrNotRedirect
		}
		q = u.Query()
	case strings.Contains(s, "code=") || strings.Contains(s, "error="):
		v, err := url.ParseQuery(strings.TrimPrefix(s, "?"))
		if err != nil {
			return a, ErrNotRedirect
		}
		q = v
	default:
		if !codeRE.MatchString(s) {
			return a, ErrNotRedirect
		}
		a.code = s
		return a, nil
	}
	a.code, a.state, a.errCode, a.errDesc = q.Get("code"), q.Get("state"), q.Get("error"), q.Get("error_description")
	if a.code == "" && a.errCode == "" {
		return a, ErrNotRedirect
	}
	a.checkState = a.state != "" || a.errCode != ""
	return a, nil
}

// callback serves the browser's return: it hands the answer over, then
// waits for the caller's Finish to tell the person how it ended.
func (f *Flow) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := answer{code: q.Get("code"), state: q.Get("state"), errCode: q.Get("error"),
		errDesc: q.Get("error_description"), via: "callback", checkState: true}
	if a.code == "" && a.errCode == "" {
		// Not Multivende's redirect (a probe, a reload without query).
		f.page(w, http.StatusBadRequest, nil, "connect.page.bad_request")
		return
	}
	if !f.offer(a) {
		f.page(w, http.StatusConflict, nil, "connect.page.already")
		return
	}
	select {
	case <-f.finished:
	case <-r.Context().Done():
		return
	}
	f.mu.Lock()
	err := f.outcome
	f.mu.Unlock()
	if err != nil {
		f.page(w, http.StatusBadRequest, err, "connect.page.failed")
		return
	}
	f.page(w, http.StatusOK, nil, "connect.page.ok")
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>folio</title></head>
<body><h1>folio</h1><p>{{.Text}}</p>{{if .Detail}}<p><code>{{.Detail}}</code></p>{{end}}</body></html>
`))

func (f *Flow) page(w http.ResponseWriter, status int, err error, id i18n.ID) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	detail := ""
	if e, ok := AsError(err); ok {
		detail = e.Kind
	}
	_ = pageTmpl.Execute(w, struct{ Lang, Text, Detail string }{f.lang.Tag(), f.lang.T(id), detail})
}

// Wait waits up to the timeout for an answer, checks its state and
// exchanges the code. On failure it also finishes the flow, so the
// browser's page says it failed; on success call Finish once the result
// is saved.
func (f *Flow) Wait(ctx context.Context) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var a answer
	select {
	case a = <-f.answers:
	case <-ctx.Done():
		kind := KindCanceled
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			kind = KindTimeout
		}
		err := &Error{Kind: kind, Detail: f.timeout.String(), Err: ctx.Err()}
		f.Finish(err)
		return Result{}, err
	}
	res, err := f.settle(ctx, a)
	if err != nil {
		f.Finish(err)
	}
	return res, err
}

func (f *Flow) settle(ctx context.Context, a answer) (Result, error) {
	if a.checkState && subtle.ConstantTimeCompare([]byte(a.state), []byte(f.state)) != 1 {
		return Result{}, &Error{Kind: KindState}
	}
	switch {
	case a.errCode == "access_denied":
		return Result{}, &Error{Kind: KindDenied, Detail: describe(a)}
	case a.errCode != "":
		return Result{}, &Error{Kind: KindProvider, Detail: describe(a)}
	case a.code == "":
		return Result{}, &Error{Kind: KindProvider, Detail: "no code"}
	}
	ctx, cancel := context.WithTimeout(ctx, ExchangeTimeout)
	defer cancel()
	tok, err := f.client.Exchange(ctx, a.code, f.redirect, f.pkce.Verifier)
	if err != nil {
		return Result{}, &Error{Kind: KindExchange, Err: err}
	}
	return Result{Token: tok, Via: a.via}, nil
}

// describe is Multivende's error and description, cut short (it is shown
// to the person and comes from outside).
func describe(a answer) string {
	s := a.errCode
	if a.errDesc != "" {
		s += ": " + a.errDesc
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// Finish records how the attempt ended (nil: connected and saved) and
// releases the browser's page. Only the first call counts.
func (f *Flow) Finish(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.finished:
	default:
		f.outcome = err
		close(f.finished)
	}
}

// Close finishes the flow if nobody did, gives the browser's page a moment
// to be written, and stops the callback server.
func (f *Flow) Close() error {
	f.Finish(&Error{Kind: KindCanceled})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		_ = f.srv.Close()
		return fmt.Errorf("connect: closing the callback server: %w", err)
	}
	return nil
}
