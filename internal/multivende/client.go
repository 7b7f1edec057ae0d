package multivende

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// DefaultBaseURL is Multivende's API.
const DefaultBaseURL = "https://app.multivende.com"

// MaxPDFSize is the largest file Multivende accepts as a document upload.
const MaxPDFSize = 1 << 20

// Config sets up a Client. One Client serves one merchant: it owns that
// merchant's rate limiter.
type Config struct {
	BaseURL      string
	ClientID     string
	ClientSecret string
	// HTTPClient defaults to one with a 30 s timeout.
	HTTPClient *http.Client
	// RateLimit is requests per second (default 5, Multivende's limit);
	// negative means unlimited (benchmarks against the simulator).
	RateLimit float64
	// Hook receives every exchange, redacted, for the HTTP log.
	Hook func(context.Context, Exchange)
	// Tokens authorizes API calls (not needed for the OAuth calls).
	Tokens oauth2.TokenSource
}

// Client speaks Multivende's API.
type Client struct {
	cfg  Config
	http *http.Client
	lim  *rate.Limiter

	mu   sync.Mutex
	hold time.Time // no request before this (a 429's Retry-After)
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 5
	}
	lim := rate.NewLimiter(rate.Inf, 0)
	if cfg.RateLimit > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.RateLimit), 1)
	}
	return &Client{cfg: cfg, http: cfg.HTTPClient, lim: lim}
}

// SetTokens replaces the token source (after a reconnect).
func (c *Client) SetTokens(ts oauth2.TokenSource) {
	c.mu.Lock()
	c.cfg.Tokens = ts
	c.mu.Unlock()
}

// Exchange is one HTTP call as the HTTP log records it: secrets redacted,
// bodies cut to 4 KiB.
type Exchange struct {
	Method   string
	URL      string
	Status   int
	Duration time.Duration
	ReqBody  string
	RespBody string
	Err      string
}

const logBodyMax = 4 << 10

// wait paces the client: the token bucket, and any Retry-After hold.
func (c *Client) wait(ctx context.Context) error {
	c.mu.Lock()
	hold := c.hold
	c.mu.Unlock()
	if d := time.Until(hold); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return c.lim.Wait(ctx)
}

func (c *Client) holdFor(d time.Duration) {
	c.mu.Lock()
	if until := time.Now().Add(d); until.After(c.hold) {
		c.hold = until
	}
	c.mu.Unlock()
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
	secretBody  bool // the body carries OAuth secrets: redact "code" too
}

// do sends r and returns the reply body, mapping failures to *Error.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	fail := func(code string, status int, msg string, err error) *Error {
		return &Error{Code: code, Op: r.op, Object: r.object, Status: status, Message: msg, Err: err}
	}
	if err := c.wait(ctx); err != nil {
		return nil, fail(CodeTimeout, 0, "waiting for the rate limit", err)
	}
	u := c.cfg.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
	if err != nil {
		return nil, fail(CodeDecode, 0, "building the request", err)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.auth {
		c.mu.Lock()
		ts := c.cfg.Tokens
		c.mu.Unlock()
		if ts == nil {
			return nil, fail(CodeNeedsReconnect, 0, "no token: connect first (folio connect multivende)", nil)
		}
		tok, err := ts.Token()
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, e
			}
			return nil, fail(CodeNeedsReconnect, 0, "getting a token", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex := Exchange{Method: r.method, URL: redactURL(u), ReqBody: redactBody(r.body, r.secretBody, r.contentType)}
	if err != nil {
		ex.Duration, ex.Err = time.Since(start), redactText(err.Error())
		c.report(ctx, ex)
		e := fail(CodeTimeout, 0, "no reply", err)
		e.Uncertain = r.method != http.MethodGet
		if !isTimeout(err) {
			e.Code = CodeServer
		}
		return nil, e
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	ex.Status, ex.Duration = resp.StatusCode, time.Since(start)
	ex.RespBody = redactBody(body, r.secretBody, resp.Header.Get("Content-Type"))
	if rerr != nil {
		ex.Err = redactText(rerr.Error())
	}
	c.report(ctx, ex)
	if rerr != nil {
		e := fail(CodeTimeout, resp.StatusCode, "reply cut short", rerr)
		e.Uncertain = r.method != http.MethodGet
		return nil, e
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	msg := errorMessage(body)
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return nil, fail(CodeAuth, s, msg, nil)
	case s == http.StatusNotFound:
		return nil, fail(CodeNotFound, s, msg, nil)
	case s == http.StatusTooManyRequests:
		e := fail(CodeRate, s, msg, nil)
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		c.holdFor(e.RetryAfter)
		return nil, e
	case s >= 500:
		return nil, fail(CodeServer, s, msg, nil)
	default:
		return nil, fail(CodeBadRequest, s, msg, nil)
	}
}

func (c *Client) report(ctx context.Context, ex Exchange) {
	if c.cfg.Hook != nil {
		c.cfg.Hook(ctx, ex)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// parseRetryAfter reads seconds or an HTTP date; default 1 s.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return time.Second
}

// errorMessage reads Multivende's error body: {"message"} or {"error"}.
func errorMessage(body []byte) string {
	var m struct {
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(body, &m) == nil {
		if m.Message != "" {
			return m.Message
		}
		if s, ok := m.Error.(string); ok && s != "" {
			return s
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return redactText(s)
}

var (
	secretJSON     = regexp.MustCompile(`"(token|refreshToken|client_secret|refresh_token|access_token|accessToken)"(\s*:\s*)"[^"]*"`)
	secretCodeJSON = regexp.MustCompile(`"(code|code_verifier)"(\s*:\s*)"[^"]*"`)
	secretText     = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+`)
)

func redactBody(b []byte, oauth bool, contentType string) string {
	if len(b) == 0 {
		return ""
	}
	if strings.HasPrefix(contentType, "multipart/") || strings.HasPrefix(contentType, "application/pdf") {
		return fmt.Sprintf("[%d bytes %s]", len(b), strings.Split(contentType, ";")[0])
	}
	s := string(b)
	if len(s) > logBodyMax {
		s = s[:logBodyMax] + "…"
	}
	s = secretJSON.ReplaceAllString(s, `"$1"$2"[redacted]"`)
	if oauth {
		s = secretCodeJSON.ReplaceAllString(s, `"$1"$2"[redacted]"`)
	}
	return redactText(s)
}

func redactText(s string) string { return secretText.ReplaceAllString(s, "${1}[redacted]") }

func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	for _, k := range []string{"code", "client_secret", "access_token", "refresh_token", "token"} {
		if q.Has(k) {
			q.Set(k, "[redacted]")
		}
	}
	p.RawQuery = q.Encode()
	return p.String()
}

func (c *Client) getJSON(ctx context.Context, op, object, path string, q url.Values, out any) ([]byte, error) {
	b, err := c.do(ctx, request{op: op, object: object, method: http.MethodGet, path: path, query: q, auth: true})
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return b, &Error{Code: CodeDecode, Op: op, Object: object, Message: "unexpected reply", Err: err}
		}
	}
	return b, nil
}

func (c *Client) postJSON(ctx context.Context, op, object, path string, in, out any) ([]byte, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, &Error{Code: CodeDecode, Op: op, Object: object, Message: "encoding the request", Err: err}
	}
	b, err := c.do(ctx, request{op: op, object: object, method: http.MethodPost, path: path, body: body, contentType: "application/json", auth: true})
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return b, &Error{Code: CodeDecode, Op: op, Object: object, Message: "unexpected reply", Err: err}
		}
	}
	return b, nil
}

// Checkout reads one order's detail, returning it decoded and as the raw
// JSON Multivende sent (the store keeps the raw).
func (c *Client) Checkout(ctx context.Context, id string) (*Checkout, []byte, error) {
	var co Checkout
	raw, err := c.getJSON(ctx, "checkout", id, "/api/checkouts/"+url.PathEscape(id), nil, &co)
	if err != nil {
		return nil, raw, err
	}
	return &co, raw, nil
}

// CreateBillingDocument attaches a billing document to a checkout.
func (c *Client) CreateBillingDocument(ctx context.Context, checkoutID string, d NewBillingDocument) (*ElectronicBillingDocument, error) {
	var out ElectronicBillingDocument
	if _, err := c.postJSON(ctx, "attach document to checkout", checkoutID,
		"/api/checkouts/"+url.PathEscape(checkoutID)+"/electronic-billing-documents", d, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &Error{Code: CodeDecode, Op: "attach document to checkout", Object: checkoutID, Message: "reply has no _id"}
	}
	return &out, nil
}

// UploadDocumentFile uploads a document's PDF (multipart field "file").
// A file over 1 MB is refused before anything is sent.
func (c *Client) UploadDocumentFile(ctx context.Context, documentID, filename string, pdf []byte) error {
	op := "upload document file"
	if len(pdf) > MaxPDFSize {
		return &Error{Code: CodePDFTooLarge, Op: op, Object: documentID,
			Message: fmt.Sprintf("the PDF has %d bytes; Multivende accepts at most %d", len(pdf), MaxPDFSize)}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)}
	h["Content-Type"] = []string{"application/pdf"}
	w, err := mw.CreatePart(h)
	if err == nil {
		_, err = w.Write(pdf)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return &Error{Code: CodeDecode, Op: op, Object: documentID, Message: "building the upload", Err: err}
	}
	_, err = c.do(ctx, request{op: op, object: documentID, method: http.MethodPost,
		path: "/api/electronic-billing-documents/" + url.PathEscape(documentID) + "/upload",
		body: buf.Bytes(), contentType: mw.FormDataContentType(), auth: true})
	return err
}

// BillingDocuments reads back the documents attached to a checkout.
func (c *Client) BillingDocuments(ctx context.Context, checkoutID string) ([]ElectronicBillingDocument, error) {
	var out []ElectronicBillingDocument
	for page := 1; page > 0; {
		var p Page[ElectronicBillingDocument]
		if _, err := c.getJSON(ctx, "read checkout documents", checkoutID,
			fmt.Sprintf("/api/checkouts/%s/electronic-billing-documents/p/%d", url.PathEscape(checkoutID), page), nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Entries...)
		page = nextPage(p.Pagination, page)
	}
	return out, nil
}

// nextPage returns the page after cur, or 0 at the end; a server that
// repeats itself cannot loop the client.
func nextPage(p Pagination, cur int) int {
	if p.NextPage <= cur {
		return 0
	}
	return p.NextPage
}
