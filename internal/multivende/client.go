package multivende

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/preflight"
	"github.com/folio-cl/folio/internal/transport"
)

// DefaultBaseURL is Multivende's API.
const DefaultBaseURL = "https://app.multivende.com"

// Defaults for Config.
const (
	DefaultRateLimit = 5 // requests per second per merchant, Multivende's documented limit
	DefaultBurst     = 1
	DefaultTimeout   = 30 * time.Second // whole exchange, for the default http.Client
)

// maxReply bounds how much of a reply is read (a checkout page is tens of KB).
const maxReply = 16 << 20

// maxHold caps the pause a Retry-After can impose, against nonsense values.
const maxHold = time.Hour

// Config sets up a Client. One Client serves one merchant (one connection):
// it owns that merchant's rate limiter, so share the Client, not the Config.
type Config struct {
	// BaseURL defaults to DefaultBaseURL.
	BaseURL      string
	ClientID     string
	ClientSecret string
	// HTTPClient defaults to one over the shared transport (a kept-alive
	// connection per worker) with a DefaultTimeout timeout.
	HTTPClient *http.Client
	// RateLimit is requests per second (default 5, Multivende's limit);
	// negative means unlimited (benchmarks against the simulator).
	RateLimit float64
	// Burst is how many requests may leave at once (default 1).
	Burst int
	// Hook receives every exchange, redacted, for the HTTP log. It is called
	// synchronously: keep it quick.
	Hook func(context.Context, Exchange)
	// Tokens authorizes API calls (not needed for the OAuth calls). A
	// *TokenSource also lets the client refresh once on a 401.
	Tokens oauth2.TokenSource
	// UserAgent defaults to "folio".
	UserAgent string
}

// Client speaks Multivende's API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
	lim  *rate.Limiter
	// form is how checkouts are listed: checkoutsForm (uncertain.go); a
	// test of the other form sets it.
	form listForm

	mu     sync.Mutex
	tokens oauth2.TokenSource
	hold   time.Time // no request before this (a 429's Retry-After)
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = transport.Client(DefaultTimeout)
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "folio"
	}
	lim := rate.NewLimiter(rate.Inf, 0)
	if cfg.RateLimit > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.RateLimit), cfg.Burst)
	}
	return &Client{cfg: cfg, http: cfg.HTTPClient, lim: lim, tokens: cfg.Tokens, form: checkoutsForm}
}

// BaseURL is the API root the client speaks to.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// SetTokens replaces the token source (after a reconnect).
func (c *Client) SetTokens(ts oauth2.TokenSource) {
	c.mu.Lock()
	c.tokens = ts
	c.mu.Unlock()
}

func (c *Client) tokenSource() oauth2.TokenSource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens
}

// contextTokenSource is a token source that can honour the caller's
// context (TokenSource does).
type contextTokenSource interface {
	TokenContext(context.Context) (*oauth2.Token, error)
}

// invalidator is a token source that can drop a token Multivende refused.
type invalidator interface {
	Invalidate(accessToken string) bool
}

// PausedUntil is when the pause asked by the last 429 ends (zero or past:
// none).
func (c *Client) PausedUntil() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hold
}

func (c *Client) holdLeft() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.hold)
}

// pause stops every request of this merchant for d (a 429's Retry-After).
func (c *Client) pause(d time.Duration) {
	if d > maxHold {
		d = maxHold
	}
	c.mu.Lock()
	if until := time.Now().Add(d); until.After(c.hold) {
		c.hold = until
	}
	c.mu.Unlock()
}

// wait paces the client: the token bucket, and any pause a 429 asked for.
// The pause is checked again after the bucket, since a 429 may arrive while
// a caller waits its turn.
func (c *Client) wait(ctx context.Context) error {
	for {
		if d := c.holdLeft(); d > 0 {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
				return &holdError{left: d}
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if err := c.lim.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &holdError{left: time.Duration(float64(time.Second) / float64(c.lim.Limit())), pace: true}
		}
		if c.holdLeft() <= 0 {
			return nil
		}
	}
}

// holdError: the request would not leave before the caller's deadline.
type holdError struct {
	left time.Duration
	pace bool // the client's own pace, not a 429's pause
}

// msg is h in both languages: why the call was not sent.
func (h *holdError) msg() i18n.Message {
	if h.pace {
		return i18n.M("mv.hold_pace")
	}
	return i18n.M("mv.hold_429")
}

func (h *holdError) Error() string {
	if h.pace {
		return "the client's pace would pass the deadline"
	}
	return "paused by an earlier 429 beyond the deadline"
}

// request describes one API call for do.
type request struct {
	op, object  string
	method      string
	path        string
	query       url.Values
	body        []byte
	contentType string
	auth        bool
	oauth       bool // the body carries OAuth secrets: redact "code" too
}

func (r request) fail(code string, status int, msg string, err error) *Error {
	return &Error{Code: code, Op: r.op, Object: r.object, Status: status, Message: msg, Err: err}
}

// failOwn is fail in folio's words (a catalog message), not Multivende's.
func (r request) failOwn(code string, status int, msg i18n.Message, err error) *Error {
	return &Error{Code: code, Op: r.op, Object: r.object, Status: status, Msg: msg, Err: err}
}

// safe: the method changes nothing, so its outcome is never uncertain.
func (r request) safe() bool { return r.method == http.MethodGet || r.method == http.MethodHead }

// do sends r and returns the reply body, mapping failures to *Error. An
// authorized call refused with 401 is sent once more with a fresh token,
// when the token source can refresh (a 401 means it did not take effect).
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	body, used, err := c.send(ctx, r)
	if e, ok := err.(*Error); ok && r.auth && e.Status == http.StatusUnauthorized {
		if inv, ok := c.tokenSource().(invalidator); ok && inv.Invalidate(used) {
			body, _, err = c.send(ctx, r)
		}
	}
	return body, err
}

// send makes one exchange; it returns the access token it used.
func (c *Client) send(ctx context.Context, r request) ([]byte, string, error) {
	var access string
	if r.auth {
		ts := c.tokenSource()
		if ts == nil {
			return nil, "", r.failOwn(CodeNeedsReconnect, 0, i18n.M("mv.no_token"), nil)
		}
		var tok *oauth2.Token
		var err error
		if cts, ok := ts.(contextTokenSource); ok {
			tok, err = cts.TokenContext(ctx)
		} else {
			tok, err = ts.Token()
		}
		if err != nil {
			if _, ok := AsError(err); ok {
				return nil, "", err
			}
			return nil, "", fmt.Errorf("multivende: %s %s: getting a token: %w", r.op, r.object, err)
		}
		access = tok.AccessToken
	}
	if err := c.wait(ctx); err != nil {
		var h *holdError
		if errors.As(err, &h) {
			e := r.failOwn(CodeRate, 0, h.msg(), nil)
			e.RetryAfter = h.left
			return nil, access, e
		}
		return nil, access, r.failOwn(CodeTimeout, 0, i18n.M("mv.stopped_waiting"), err)
	}
	if !r.safe() {
		// The caller's last check (the engine's lease), after the wait.
		if err := preflight.Check(ctx); err != nil {
			return nil, access, fmt.Errorf("multivende: %s %s: not sent: %w", r.op, r.object, err)
		}
	}
	u := c.cfg.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var wrote atomic.Bool
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	var rd io.Reader
	if r.body != nil {
		rd = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(tctx, r.method, u, rd)
	if err != nil {
		return nil, access, r.failOwn(CodeBadRequest, 0, i18n.M("call.building_request"), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", r.contentType)
	}
	if access != "" {
		req.Header.Set("Authorization", "Bearer "+access)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	var ex *Exchange
	if c.cfg.Hook != nil {
		ex = &Exchange{Op: r.op, Object: r.object, Method: r.method, URL: redactURL(u),
			ReqBody: redactBody(r.body, r.oauth, r.contentType)}
	}
	if err != nil {
		if ex != nil {
			ex.Duration, ex.Err = time.Since(start), redactSecrets(err.Error(), true)
			c.cfg.Hook(ctx, *ex)
		}
		e := r.failOwn(CodeServer, 0, i18n.M("call.no_reply"), err)
		if ctx.Err() != nil || isTimeout(err) {
			e.Code, e.Msg = CodeTimeout, i18n.M("call.no_reply_in_time")
		}
		if !wrote.Load() {
			e.Msg = i18n.M("mv.unreachable")
			if e.Code == CodeTimeout {
				e.Msg = i18n.M("mv.not_sent_in_time")
			}
		}
		e.Uncertain = wrote.Load() && !r.safe()
		return nil, access, e
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	resp.Body.Close()
	if ex != nil {
		ex.Status, ex.Duration = resp.StatusCode, time.Since(start)
		ex.RespBody = redactBody(body, r.oauth, resp.Header.Get("Content-Type"))
		if rerr != nil {
			ex.Err = redactSecrets(rerr.Error(), true)
		}
		c.cfg.Hook(ctx, *ex)
	}
	s := resp.StatusCode
	ok := s >= 200 && s < 300
	if rerr != nil && ok {
		e := r.failOwn(CodeServer, s, i18n.M("call.reply_cut"), rerr)
		if ctx.Err() != nil || isTimeout(rerr) {
			e.Code = CodeTimeout
		}
		e.Uncertain = !r.safe() // it answered 2xx: it most likely took effect
		return nil, access, e
	}
	if ok {
		return body, access, nil
	}
	msg := errorMessage(body)
	switch {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return nil, access, r.fail(CodeAuth, s, msg, nil)
	case s == http.StatusNotFound:
		return nil, access, r.fail(CodeNotFound, s, msg, nil)
	case s == http.StatusTooManyRequests:
		e := r.fail(CodeRate, s, msg, nil)
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		c.pause(e.RetryAfter)
		return nil, access, e
	case s >= 500:
		e := r.fail(CodeServer, s, msg, nil)
		// A gateway that gave up on the backend cannot say whether it acted.
		e.Uncertain = !r.safe() && (s == http.StatusBadGateway || s == http.StatusGatewayTimeout)
		return nil, access, e
	default:
		return nil, access, r.fail(CodeBadRequest, s, msg, nil)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// DefaultRetryAfter is the wait assumed for a 429 without a usable
// Retry-After (Multivende sends 429 with or without it).
const DefaultRetryAfter = time.Second

// parseRetryAfter reads seconds or an HTTP date, capped at maxHold.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultRetryAfter
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return DefaultRetryAfter
		}
		if n > int64(maxHold/time.Second) {
			return maxHold
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		switch {
		case d < 0:
			return 0
		case d > maxHold:
			return maxHold
		}
		return d
	}
	return DefaultRetryAfter
}

// errorMessage reads Multivende's error body ({"message"} or {"error"}),
// falling back to the start of the text.
func errorMessage(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range errorKeys {
			switch v := m[k].(type) {
			case string:
				if v != "" {
					return httplog.Truncate(redactSecrets(v, true), 300)
				}
			case map[string]any: // {"error":{"message":"…"}}
				if s, ok := v["message"].(string); ok && s != "" {
					return httplog.Truncate(redactSecrets(s, true), 300)
				}
			}
		}
	}
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
	return httplog.Truncate(redactSecrets(s, true), 200)
}

func (c *Client) getJSON(ctx context.Context, op, object, path string, q url.Values, out any) ([]byte, error) {
	b, err := c.do(ctx, request{op: op, object: object, method: http.MethodGet, path: path, query: q, auth: true})
	if err != nil {
		return nil, err
	}
	if err := decode(b, out); err != nil {
		if ae, ok := errors.AsType[*AmountError](err); ok {
			// Not transient: asking again returns the same amount.
			return b, &Error{Code: CodeBadAmount, Op: op, Object: object, Msg: i18n.M("mv.unreadable_amount"), Err: ae}
		}
		return b, &Error{Code: CodeDecode, Op: op, Object: object, Msg: i18n.M("call.unexpected_reply"), Err: err}
	}
	return b, nil
}

func (c *Client) postJSON(ctx context.Context, op, object, path string, in, out any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, &Error{Code: CodeBadRequest, Op: op, Object: object, Msg: i18n.M("mv.encoding_request"), Err: err}
	}
	b, err := c.do(ctx, request{op: op, object: object, method: http.MethodPost, path: path, body: body,
		contentType: "application/json", auth: true})
	if err != nil {
		return nil, err
	}
	if err := decode(b, out); err != nil {
		// It answered 2xx, so the call took effect; only the reply is unreadable.
		return b, &Error{Code: CodeDecode, Op: op, Object: object, Msg: i18n.M("mv.unexpected_reply_effect"), Err: err}
	}
	return b, nil
}

func decode(b []byte, out any) error {
	if out == nil {
		return nil
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return errors.New("empty reply")
	}
	return json.Unmarshal(b, out)
}

// need refuses an empty id before anything is sent: it would change the
// path into another call.
func need(op string, what i18n.Message, v string) error {
	if strings.TrimSpace(v) == "" {
		return &Error{Code: CodeBadRequest, Op: op, Msg: i18n.M("mv.empty", what)}
	}
	return nil
}
