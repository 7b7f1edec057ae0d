// Package openfactura is the OpenFactura (Haulmer) adapter of
// internal/invoicer. Its exactly-once rests on the Idempotency-Key, not on a
// temporary document: Prepare builds the request and a key derived only
// from the order's reference and the document type (never a time), Issue
// sends it, and Resolve sends the very same request with the same key again
// — a repeat within OpenFactura's 24 hours answers 400 OF-06 with the
// original document's token, which is read as "already issued". Calls are
// paced under OpenFactura's 3 requests/s and 100/min. Every wire detail is
// in wire.go.
package openfactura

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/preflight"
	"github.com/folio-cl/folio/internal/transport"
)

// DefaultTimeout bounds one call: issuing signs and sends to the SII.
const DefaultTimeout = 60 * time.Second

const (
	maxReply = 24 << 20 // a base64 PDF of a long boleta
)

// Pacing under OpenFactura's limits (doc: 3 requests/s and 100/min). The
// buckets are sized so that no sliding window can exceed a limit even with
// the whole burst spent at its start: per second 1 + 2 = 3, per minute
// 5 + 90 = 95.
const (
	perSecondRate  = 2
	perSecondBurst = 1
	perMinuteRate  = 90.0 / 60
	perMinuteBurst = 5
)

// Exchange is one HTTP call for the HTTP log. The API key is never part
// of it.
type Exchange = httplog.Exchange

// Config sets up a Client.
type Config struct {
	// BaseURL is the API root (default DefaultBaseURL).
	BaseURL string
	// APIKey is the account's key (a secret).
	APIKey string
	// Emisor is the issuing company's RUT.
	Emisor string
	// HTTPClient defaults to a client without its own timeout.
	HTTPClient *http.Client
	// Timeout bounds each call (default DefaultTimeout).
	Timeout time.Duration
	// Hook receives every exchange, redacted, for the HTTP log.
	Hook func(context.Context, Exchange)
	// Now is the clock the 24-hour key memory is measured with (default
	// time.Now).
	Now func() time.Time
	// UserAgent defaults to "folio".
	UserAgent string
	// NoPacing turns the rate limiters off: only for a simulator run
	// without limits (tests that are not about pacing).
	NoPacing bool
}

// Client talks to one OpenFactura account. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *http.Client
	emisor dte.RUT
	second *rate.Limiter
	minute *rate.Limiter
}

var _ invoicer.Invoicer = (*Client)(nil)

// New returns a client.
func New(cfg Config) (*Client, error) {
	base, err := invoicer.APIRoot("openfactura", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = base
	cfg.APIKey = strings.TrimSpace(cfg.APIKey)
	if cfg.APIKey == "" {
		return nil, errors.New("openfactura: the API key is empty: copy it from OpenFactura (Configuración → API) into the connection")
	}
	rut, err := dte.ParseRUT(cfg.Emisor)
	if err != nil {
		return nil, fmt.Errorf("openfactura: emisor: %w", err)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = transport.Client(0)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "folio"
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient, emisor: rut,
		second: rate.NewLimiter(perSecondRate, perSecondBurst),
		minute: rate.NewLimiter(perMinuteRate, perMinuteBurst)}
	if cfg.NoPacing {
		c.second, c.minute = rate.NewLimiter(rate.Inf, 1), rate.NewLimiter(rate.Inf, 1)
	}
	return c, nil
}

// Emisor is the RUT the client issues for.
func (c *Client) Emisor() dte.RUT { return c.emisor }

// Capabilities implements invoicer.Invoicer: the Idempotency-Key is a
// reference folio chooses, and re-sending it resolves an uncertain issue.
func (c *Client) Capabilities() invoicer.Capabilities {
	return invoicer.Capabilities{CanLookupByReference: true, CanResolveUncertain: true, HasSIIStatus: true}
}

// Codes of the catalog (internal/dte) that only this adapter raises.
const (
	// CodeRepeat: OpenFactura's own OF-06 (read as "already issued"; it
	// reaches a person only when the original could not be read).
	CodeRepeat = codeRepeat
	// CodeNoReference: Prepare was called without the order's reference.
	CodeNoReference = "OF-NO-REFERENCE"
	// CodeEmisorData: the emisor's razón social or giro is not configured.
	CodeEmisorData = "OF-EMISOR-DATA"
)

// IdempotencyKey is the key of the document of type t for the caller's
// reference ref: a function of those two only, so that every retry, crash
// and restart sends the same key.
func IdempotencyKey(ref string, t dte.DocType) string {
	sum := sha256.Sum256([]byte(ref + "\x00" + strconv.Itoa(int(t))))
	return "folio-" + hex.EncodeToString(sum[:20])
}

// pending is what Prepare hands the engine to keep: the exact request and
// its key, so that Issue and Resolve send the same bytes.
type pending struct {
	Key      string          `json:"key"`
	Type     dte.DocType     `json:"dte"`
	Fecha    string          `json:"fecha"`
	Total    int64           `json:"total"`
	Neto     int64           `json:"neto,omitempty"`
	IVA      int64           `json:"iva,omitempty"`
	Exento   int64           `json:"exento,omitempty"`
	Prepared time.Time       `json:"prepared"` // not part of the key: it bounds the key's 24 h
	Body     json.RawMessage `json:"body"`
}

// Prepare implements invoicer.Invoicer without calling OpenFactura: it
// writes the request and derives the key from the reference in ctx
// (invoicer.WithReference) and the document type.
func (c *Client) Prepare(ctx context.Context, doc dte.Document) (invoicer.Pending, error) {
	ref := invoicer.ReferenceFrom(ctx)
	if strings.TrimSpace(ref) == "" {
		return nil, &invoicer.Error{Code: CodeNoReference, Op: "prepare",
			Msg: i18n.M("invoicer.of.no_reference")}
	}
	if doc.Encabezado.Emisor.RUTEmisor == "" {
		doc.Encabezado.Emisor.RUTEmisor = c.emisor.String()
	}
	if em := doc.Encabezado.Emisor; strings.TrimSpace(em.RznSoc) == "" || strings.TrimSpace(em.GiroEmis) == "" {
		// OpenFactura takes the emisor's data from each document, not from
		// the account: without them every document would be refused.
		return nil, &invoicer.Error{Code: CodeEmisorData, Op: "prepare",
			Msg: i18n.M("invoicer.of.no_emisor_data")}
	}
	body, err := json.Marshal(request{Response: responseParts, DTE: dteOf(doc)})
	if err != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: "prepare", Msg: i18n.M("invoicer.doc_not_json"), Err: err}
	}
	t := doc.Encabezado.Totales
	p := pending{Key: IdempotencyKey(ref, doc.Encabezado.IdDoc.TipoDTE), Type: doc.Encabezado.IdDoc.TipoDTE,
		Fecha: doc.Encabezado.IdDoc.FchEmis, Total: t.MntTotal, Neto: t.MntNeto, IVA: t.IVA, Exento: t.MntExe,
		Prepared: c.cfg.Now().UTC(), Body: body}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("openfactura: recording the request: %w", err)
	}
	return invoicer.Pending(b), nil
}

func decodePending(op string, p invoicer.Pending) (pending, error) {
	var k pending
	if err := json.Unmarshal(p, &k); err != nil || k.Key == "" || len(k.Body) == 0 || k.Type <= 0 {
		return k, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: op, Msg: i18n.M("invoicer.of.key_unreadable")}
	}
	return k, nil
}

// Issue implements invoicer.Invoicer: one POST with the key. An OF-06
// means this key already issued a document: that document is the answer.
func (c *Client) Issue(ctx context.Context, p invoicer.Pending) (invoicer.Issued, error) {
	k, err := decodePending("document", p)
	if err != nil {
		return invoicer.Issued{}, err
	}
	return c.send(ctx, k)
}

func (c *Client) send(ctx context.Context, k pending) (invoicer.Issued, error) {
	raw, err := c.do(ctx, call{op: "document", method: http.MethodPost, path: pathDocument, body: k.Body, key: k.Key, consumes: true})
	if ie, ok := invoicer.AsError(err); ok && ie.Code == CodeRepeat {
		return c.adopt(ctx, k, ie)
	}
	if err != nil {
		return invoicer.Issued{}, err
	}
	var out issuedReply
	if err := json.Unmarshal(raw, &out); err != nil || out.Token == "" {
		return invoicer.Issued{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "document", Status: http.StatusOK,
			Msg: i18n.M("invoicer.of.no_token"), Uncertain: true, Err: err}
	}
	folio, _ := intOf(out.Folio)
	if folio <= 0 {
		// Received (it has a token) but no folio came back: read it.
		return c.byToken(ctx, k, out.Token, raw)
	}
	return c.issued(k, out.Token, folio, raw), nil
}

func (c *Client) issued(k pending, token string, folio int64, raw []byte) invoicer.Issued {
	return invoicer.Issued{Type: k.Type, Folio: folio, Emisor: c.emisor.String(), Fecha: k.Fecha, Total: k.Total,
		Neto: k.Neto, IVA: k.IVA, Exento: k.Exento, Token: token, Raw: c.rawOf(k, token, folio, raw)}
}

// rawOf is what the engine keeps of the issued document: folio's own
// fields (so that it reads back as an invoicer.Issued, token included)
// and OpenFactura's reply beside them.
func (c *Client) rawOf(k pending, token string, folio int64, reply []byte) json.RawMessage {
	m := map[string]any{"dte": int(k.Type), "folio": folio, "emisor": c.emisor.String(), "fecha": k.Fecha, "total": k.Total, "token": token}
	if json.Valid(reply) {
		m["openfactura"] = json.RawMessage(reply)
	}
	b, _ := json.Marshal(m)
	return b
}

// adopt reads the document an earlier use of the key issued.
func (c *Client) adopt(ctx context.Context, k pending, repeat *invoicer.Error) (invoicer.Issued, error) {
	tok := repeatTokenOf(repeat)
	if tok == "" {
		return invoicer.Issued{}, &invoicer.Error{Code: CodeRepeat, Op: "document", Status: repeat.Status,
			Msg: i18n.M("invoicer.of.repeat_no_token", i18n.Quote(repeat.Message))}
	}
	return c.byToken(ctx, k, tok, nil)
}

// byToken reads an issued document's folio by its token.
func (c *Client) byToken(ctx context.Context, k pending, token string, reply []byte) (invoicer.Issued, error) {
	raw, err := c.do(ctx, call{op: "document/json", method: http.MethodGet, path: expand(pathByToken, "token", token, "value", "json")})
	if err != nil {
		return invoicer.Issued{}, err
	}
	var r jsonReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return invoicer.Issued{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "document/json", Status: http.StatusOK, Msg: i18n.M("call.unexpected_reply"), Err: err}
	}
	folio, _ := intOf(r.JSON.Encabezado.IdDoc.Folio)
	if folio <= 0 {
		folio, _ = intOf(r.Folio)
	}
	if folio <= 0 {
		return invoicer.Issued{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "document/json", Status: http.StatusOK,
			Msg: i18n.M("invoicer.of.no_folio_yet", shortToken(token))}
	}
	if typ, _ := intOf(r.JSON.Encabezado.IdDoc.TipoDTE); typ > 0 && dte.DocType(typ) != k.Type {
		return invoicer.Issued{}, &invoicer.Error{Code: CodeRepeat, Op: "document/json", Status: http.StatusOK,
			Msg: i18n.M("invoicer.of.other_type", dte.DocType(typ).Name(), k.Type.Name())}
	}
	iss := c.issued(k, token, folio, reply)
	if total, ok := intOf(r.JSON.Encabezado.Totales.MntTotal); ok && total > 0 {
		iss.Total = total
	}
	if r.JSON.Encabezado.IdDoc.FchEmis != "" {
		iss.Fecha = r.JSON.Encabezado.IdDoc.FchEmis
	}
	if reply == nil {
		iss.Raw = c.rawOf(k, token, folio, raw)
	}
	return iss, nil
}

func repeatTokenOf(e *invoicer.Error) string {
	var r repeatBody
	if errors.As(e.Err, &r) {
		return string(r)
	}
	return ""
}

// repeatBody carries an OF-06's token inside the *invoicer.Error.
type repeatBody string

func (r repeatBody) Error() string { return "original token " + shortToken(string(r)) }

// Resolve implements invoicer.Invoicer by sending the same request with
// the same key: OpenFactura either issues it now (the first never
// arrived) or answers OF-06 with the document the first one issued. Past
// the key's memory a re-send could issue a second document, so it is not
// made and a person must look.
func (c *Client) Resolve(ctx context.Context, p invoicer.Pending, _ dte.Document, claimed map[int64]bool) (invoicer.Resolution, error) {
	k, err := decodePending("resolve", p)
	if err != nil {
		return invoicer.Resolution{}, err
	}
	if !k.Prepared.IsZero() && c.cfg.Now().Sub(k.Prepared) > keyMemory-keyMargin {
		m := i18n.M("resolve.of_key_expired", k.Prepared.Format(time.DateTime), k.Type.Name(), k.Fecha, dte.FormatCLP(k.Total))
		return invoicer.Resolution{Outcome: invoicer.Unknown, Detail: m.Plain(i18n.ES), DetailMsg: m}, nil
	}
	iss, err := c.send(ctx, k)
	if err != nil {
		if ie, ok := invoicer.AsError(err); ok && ie.Uncertain {
			// The re-send is as safe as the first while the key is
			// remembered: try again later rather than asking a person.
			cp := *ie
			cp.Uncertain = false
			if cp.Code != invoicer.CodeTimeout {
				cp.Code = invoicer.CodeServer
			}
			return invoicer.Resolution{}, &cp
		}
		return invoicer.Resolution{}, err
	}
	if claimed[iss.Folio] {
		m := i18n.M("resolve.of_taken", iss.Folio)
		return invoicer.Resolution{Outcome: invoicer.Unknown, Detail: m.Plain(i18n.ES), DetailMsg: m}, nil
	}
	return invoicer.Resolution{Outcome: invoicer.WasIssued, Issued: iss}, nil
}

// PDF implements invoicer.Invoicer: by token (doc), or by emisor, type and
// folio when no token was kept (public).
func (c *Client) PDF(ctx context.Context, d invoicer.Issued) ([]byte, error) {
	path, err := c.docPath(d, "pdf")
	if err != nil {
		return nil, err
	}
	raw, err := c.do(ctx, call{op: "document/pdf", method: http.MethodGet, path: path})
	if err != nil {
		return nil, err
	}
	var r pdfReply
	if err := json.Unmarshal(raw, &r); err != nil || r.PDF == "" {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: "document/pdf", Status: http.StatusOK, Msg: i18n.M("invoicer.of.no_pdf"), Err: err}
	}
	pdf, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.PDF))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: "document/pdf", Status: http.StatusOK, Msg: i18n.M("invoicer.of.pdf_not_base64")}
	}
	return pdf, nil
}

func (c *Client) docPath(d invoicer.Issued, value string) (string, error) {
	if d.Token != "" {
		return expand(pathByToken, "token", d.Token, "value", value), nil
	}
	if d.Type <= 0 || d.Folio <= 0 {
		return "", &invoicer.Error{Code: invoicer.CodeNotFound, Op: "document/" + value, Msg: i18n.M("invoicer.of.nothing_to_ask")}
	}
	rut := c.emisor.String()
	if r, err := dte.ParseRUT(d.Emisor); err == nil {
		rut = r.String()
	}
	return expand(pathByFolio, "rut", rut, "tipo", strconv.Itoa(int(d.Type)), "folio", strconv.FormatInt(d.Folio, 10), "value", value), nil
}

// Status implements invoicer.Invoicer. A token means received, not
// accepted: Pendiente and no status yet are pending.
func (c *Client) Status(ctx context.Context, d invoicer.Issued) (invoicer.SIIStatus, error) {
	path, err := c.docPath(d, "status")
	if err != nil {
		return invoicer.SIIStatus{}, err
	}
	raw, err := c.do(ctx, call{op: "document/status", method: http.MethodGet, path: path})
	if err != nil {
		return invoicer.SIIStatus{}, err
	}
	var r statusReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return invoicer.SIIStatus{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "document/status", Status: http.StatusOK, Msg: i18n.M("call.unexpected_reply"), Err: err}
	}
	return siiStatus(r.Estado, d.TrackID), nil
}

// siiStatus maps OpenFactura's words to folio's states and the SII's
// codes (RLV, RCH), which name the catalog entries.
func siiStatus(estado, track string) invoicer.SIIStatus {
	st := invoicer.SIIStatus{Reason: estado, TrackID: track}
	switch strings.ToLower(strings.TrimSpace(estado)) {
	case strings.ToLower(EstadoAceptado):
		st.State, st.Code = invoicer.SIIAccepted, "EPR"
	case strings.ToLower(EstadoReparo), "aceptado con reparos":
		st.State, st.Code = invoicer.SIIObjection, "RLV"
	case strings.ToLower(EstadoRechazado):
		st.State, st.Code = invoicer.SIIRejected, "RCH"
	case "":
		st.State = invoicer.SIIPending // no words of the SII's yet
	default: // Pendiente, or a word not known yet
		st.State = invoicer.SIIPending
	}
	return st
}

// Check implements invoicer.Invoicer with a harmless read (wire.go).
func (c *Client) Check(ctx context.Context) error {
	_, err := c.do(ctx, call{op: "check", method: http.MethodGet, path: pathCheck})
	return err
}

type call struct {
	op       string
	method   string
	path     string
	body     []byte
	key      string // Idempotency-Key
	consumes bool   // a lost reply is uncertain
}

// wait paces a call under both limits: the minute first (the long wait),
// then the second, right before sending.
func (c *Client) wait(ctx context.Context) error {
	if err := c.minute.Wait(ctx); err != nil {
		return err
	}
	return c.second.Wait(ctx)
}

func (c *Client) do(ctx context.Context, k call) ([]byte, error) {
	if err := c.wait(ctx); err != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeTimeout, Op: k.op, Msg: i18n.M("invoicer.of.stopped_waiting"), Err: err}
	}
	if k.method != http.MethodGet {
		// The caller's last check (the engine's lease), after the wait.
		if err := preflight.Check(ctx); err != nil {
			return nil, fmt.Errorf("openfactura: %s: not sent: %w", k.op, err)
		}
	}
	u := c.cfg.BaseURL + k.path
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var wrote atomic.Bool
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) }})
	var rd io.Reader
	if k.body != nil {
		rd = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(tctx, k.method, u, rd)
	if err != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: k.op, Msg: i18n.M("call.building_request"), Err: err}
	}
	req.Header.Set(headerKey, c.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if k.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if k.key != "" {
		req.Header.Set(headerIdempotency, k.key)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex := Exchange{Op: k.op, Method: k.method, URL: u, ReqBody: c.logBody(k.body)}
	if err != nil {
		ex.Duration, ex.Err = time.Since(start), c.redact(err.Error())
		c.report(ctx, ex)
		e := &invoicer.Error{Code: invoicer.CodeServer, Op: k.op, Msg: i18n.M("call.no_reply"), Err: errors.New(c.redact(err.Error()))}
		if ctx.Err() != nil || isTimeout(err) {
			e.Code, e.Msg = invoicer.CodeTimeout, i18n.M("call.no_reply_in_time")
		}
		if !wrote.Load() {
			e.Msg = i18n.M("invoicer.of.unreachable")
		}
		e.Uncertain = k.consumes && wrote.Load()
		return nil, e
	}
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	resp.Body.Close()
	ex.Status, ex.Duration, ex.RespBody = resp.StatusCode, time.Since(start), c.logBody(raw)
	if rerr != nil {
		ex.Err = c.redact(rerr.Error())
	}
	c.report(ctx, ex)
	s := resp.StatusCode
	if s >= 200 && s < 300 {
		if rerr != nil {
			return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: k.op, Status: s, Msg: i18n.M("call.reply_cut"),
				Uncertain: k.consumes, Err: errors.New(c.redact(rerr.Error()))}
		}
		return raw, nil
	}
	return nil, c.replyError(k, s, resp.Header.Get("Retry-After"), raw)
}

// replyError maps an error reply to folio's catalog: OF-06 to CodeRepeat,
// the rest by HTTP status with OpenFactura's code and words kept in the
// message (its other OF-xx codes are not published with meanings).
func (c *Client) replyError(k call, s int, retry string, raw []byte) error {
	var r errorReply
	_ = json.Unmarshal(raw, &r)
	msg, code := strings.TrimSpace(r.Message), ""
	if r.Error != nil {
		code, msg = strings.TrimSpace(r.Error.Code), strings.TrimSpace(r.Error.Message)
		if len(r.Error.Details) > 0 {
			if d, err := json.Marshal(r.Error.Details); err == nil {
				msg += " " + string(d)
			}
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(string(raw))
	}
	msg = c.redact(httplog.Truncate(msg, 600))
	if code != "" {
		msg = code + ": " + msg
	}
	e := &invoicer.Error{Code: invoicer.CodeForStatus(s), Op: k.op, Status: s, Message: msg}
	switch {
	case strings.EqualFold(code, codeRepeat):
		e.Code = CodeRepeat
		e.Err = repeatBody(repeatToken(r))
	case s == http.StatusTooManyRequests:
		e.Code, e.RetryAfter = invoicer.CodeServer, retryAfter(retry)
	case s >= 500 && s != 506 && s != 508:
		// The document may have been saved before the server failed.
		e.Uncertain = k.consumes
	}
	return e
}

func (c *Client) report(ctx context.Context, ex Exchange) {
	if c.cfg.Hook != nil {
		c.cfg.Hook(ctx, ex)
	}
}

// logBody renders a body for the HTTP log; a base64 PDF is summarised
// before the cut.
func (c *Client) logBody(b []byte) string {
	return httplog.Body(b, "application/json", func(s string) string {
		s = c.redact(s)
		if i := strings.Index(s, `"pdf":"`); i >= 0 {
			if j := strings.IndexByte(s[i+7:], '"'); j > 0 {
				s = s[:i+7] + fmt.Sprintf("[%d bytes base64]", j) + s[i+7+j:]
			}
		}
		return s
	})
}

func (c *Client) redact(s string) string { return httplog.Literal(c.cfg.APIKey)(s) }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || (errors.As(err, &ne) && ne.Timeout())
}

func retryAfter(v string) time.Duration {
	if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, time.Hour)
	}
	return time.Second
}

// expand fills {name} placeholders, escaping each value.
func expand(path string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		path = strings.ReplaceAll(path, "{"+kv[i]+"}", url.PathEscape(kv[i+1]))
	}
	return path
}

// intOf reads a JSON number or numeric string.
func intOf(raw json.RawMessage) (int64, bool) {
	s := strings.TrimSpace(string(raw))
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func shortToken(t string) string {
	if len(t) > 12 {
		return t[:12] + "…"
	}
	return t
}
