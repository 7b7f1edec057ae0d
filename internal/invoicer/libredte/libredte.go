// Package libredte is the LibreDTE adapter of internal/invoicer: HTTP Basic
// with the API hash as the user and X as the password, issuing in
// LibreDTE's two steps (emitir → temporary document, checked against
// folio's totals, generar → folio), resolving an uncertain generar
// through the temporary document and the emitted documents, PDF and SII
// status. Every wire format it relies on is in wire.go.
package libredte

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/transport"
)

// DefaultBaseURL is LibreDTE's public API root.
const DefaultBaseURL = "https://libredte.cl/api"

// DefaultTimeout bounds one call. generar signs and sends to the SII before
// it answers, so it is generous.
const DefaultTimeout = 60 * time.Second

// maxReply bounds how much of a reply is read (PDFs of long boletas).
const maxReply = 16 << 20

// Exchange is one HTTP call for the HTTP log (Op: emitir, generar,
// dte_tmps/info, …). The Authorization header is never part of it and the
// API hash is redacted from every field.
type Exchange = httplog.Exchange

// Config sets up a Client.
type Config struct {
	// BaseURL is the API root (default DefaultBaseURL); self-hosted
	// instances differ.
	BaseURL string
	// Hash is the user's API hash (a secret).
	Hash string
	// Emisor is the issuing company's RUT (12345678-5).
	Emisor string
	// HTTPClient defaults to a client without its own timeout (each call
	// has Timeout).
	HTTPClient *http.Client
	// Timeout bounds each call (default DefaultTimeout).
	Timeout time.Duration
	// Hook receives every exchange, redacted, for the HTTP log. It is
	// called synchronously: keep it quick.
	Hook func(context.Context, Exchange)
	// PapelContinuo asks PDFs for a receipt roll this many mm wide (57, 75,
	// 80, …); 0 keeps the account's setting.
	PapelContinuo int
	// UserAgent defaults to "folio".
	UserAgent string
}

// Client talks to one LibreDTE account for one emisor. It is safe for
// concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	emisor  dte.RUT
	secrets []string // the hash and its Basic encoding, for redaction
}

var _ invoicer.Invoicer = (*Client)(nil)

// New returns a client. The emisor must be a valid RUT and the hash not
// empty; the base URL must be http(s).
func New(cfg Config) (*Client, error) {
	base, err := invoicer.APIRoot("libredte", cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = base
	cfg.Hash = strings.TrimSpace(cfg.Hash)
	if cfg.Hash == "" {
		return nil, errors.New("libredte: the API hash is empty: copy it from LibreDTE (Usuario → API) into the connection")
	}
	rut, err := dte.ParseRUT(cfg.Emisor)
	if err != nil {
		return nil, fmt.Errorf("libredte: emisor: %w", err)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = transport.Client(0)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "folio"
	}
	basic := base64.StdEncoding.EncodeToString([]byte(cfg.Hash + ":X"))
	return &Client{cfg: cfg, http: cfg.HTTPClient, emisor: rut, secrets: []string{basic, cfg.Hash}}, nil
}

// Emisor is the RUT the client issues for.
func (c *Client) Emisor() dte.RUT { return c.emisor }

// Capabilities implements invoicer.Invoicer. LibreDTE keeps no external
// reference, but its temporary documents make an uncertain generar
// resolvable.
func (c *Client) Capabilities() invoicer.Capabilities {
	return invoicer.Capabilities{CanResolveUncertain: true, HasSIIStatus: true}
}

// call is one request.
type call struct {
	op       string
	method   string
	path     string
	query    url.Values
	body     any
	consumes bool // consumes a folio: a lost reply is uncertain
}

func (c *Client) do(ctx context.Context, k call) ([]byte, error) {
	var body []byte
	if k.body != nil {
		var err error
		if body, err = json.Marshal(k.body); err != nil {
			return nil, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: k.op, Msg: i18n.M("invoicer.doc_not_json"), Err: err}
		}
	}
	u := c.cfg.BaseURL + k.path
	if len(k.query) > 0 {
		u += "?" + k.query.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var wrote atomic.Bool
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(tctx, k.method, u, rd)
	if err != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: k.op, Msg: i18n.M("call.building_request"), Err: err}
	}
	req.SetBasicAuth(c.cfg.Hash, "X") // the official clients' form (wire.go)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	ex := Exchange{Op: k.op, Method: k.method, URL: u, ReqBody: c.logBody(body, "application/json")}
	if err != nil {
		ex.Duration, ex.Err = time.Since(start), c.redact(err.Error())
		c.report(ctx, ex)
		e := &invoicer.Error{Code: invoicer.CodeServer, Op: k.op, Msg: i18n.M("call.no_reply"), Err: errors.New(c.redact(err.Error()))}
		if ctx.Err() != nil || isTimeout(err) {
			e.Code, e.Msg = invoicer.CodeTimeout, i18n.M("call.no_reply_in_time")
		}
		if !wrote.Load() {
			e.Msg = i18n.M("invoicer.ld.unreachable")
		}
		e.Uncertain = k.consumes && wrote.Load()
		return nil, e
	}
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	resp.Body.Close()
	ex.Status, ex.Duration = resp.StatusCode, time.Since(start)
	ex.RespBody = c.logBody(raw, resp.Header.Get("Content-Type"))
	if rerr != nil {
		ex.Err = c.redact(rerr.Error())
	}
	c.report(ctx, ex)

	s := resp.StatusCode
	if s >= 200 && s < 300 {
		if rerr != nil {
			e := &invoicer.Error{Code: invoicer.CodeServer, Op: k.op, Status: s, Msg: i18n.M("call.reply_cut"), Err: errors.New(c.redact(rerr.Error()))}
			if ctx.Err() != nil || isTimeout(rerr) {
				e.Code = invoicer.CodeTimeout
			}
			e.Uncertain = k.consumes // it answered 2xx: it most likely took effect
			return nil, e
		}
		return raw, nil
	}
	msg := c.redact(httplog.Truncate(errorMessage(raw), 600))
	e := &invoicer.Error{Code: invoicer.CodeForStatus(s), Op: k.op, Status: s, Message: msg}
	if !isJSONString(raw) {
		// LibreDTE's API answers errors as a bare JSON string; anything
		// else came from another server (a web page, a proxy).
		e.Err = &notAPIError{status: s, contentType: mediaType(resp.Header.Get("Content-Type"))}
	}
	switch {
	case s == http.StatusNotFound && emisorUnknown(msg):
		e.Code = invoicer.CodeForbidden
	case s == http.StatusNotFound:
		// generar's temporary document is gone: it may have been generated.
		e.Uncertain = k.consumes
	case s == http.StatusTooManyRequests:
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	case s == http.StatusInternalServerError || s == http.StatusBadGateway || s == http.StatusGatewayTimeout:
		// LibreDTE answers 500 for an exception that may come after the
		// DTE was saved; a gateway that gave up cannot say either.
		e.Uncertain = k.consumes
	}
	return nil, e
}

func (c *Client) report(ctx context.Context, ex Exchange) {
	if c.cfg.Hook != nil {
		c.cfg.Hook(ctx, ex)
	}
}

// logBody renders a body for the HTTP log.
func (c *Client) logBody(b []byte, contentType string) string {
	return httplog.Body(b, contentType, c.redact)
}

func (c *Client) redact(s string) string {
	return basicRE.ReplaceAllString(httplog.Literal(c.secrets...)(s), "${1}"+httplog.Redacted)
}

var basicRE = regexp.MustCompile(`(?i)(basic\s+)[A-Za-z0-9+/=]{8,}`)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// retryAfter reads seconds or an HTTP date; default one second, at most an hour.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), time.Hour)
	}
	return time.Second
}

func decodeReply(op string, raw []byte, out any, uncertain bool) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return &invoicer.Error{Code: invoicer.CodeServer, Op: op, Status: http.StatusOK, Msg: i18n.M("call.unexpected_reply"), Uncertain: uncertain, Err: err}
	}
	return nil
}

func rutOf(body int64) string {
	if body <= 0 || body > 99_999_999 {
		return ""
	}
	return dte.RUT{Body: int(body), DV: dte.CheckDigit(int(body))}.String()
}

// Codes of the catalog (internal/dte) that only this adapter raises.
const (
	// CodeTotalsMismatch: the temporary document's totals differ from
	// folio's; the order stops before a folio is spent.
	CodeTotalsMismatch = "LD-TOTALS-MISMATCH"
	// CodeNotAPI: the base URL answers, but not as LibreDTE's API.
	CodeNotAPI = "LD-NOT-API"
)

// Prepare implements invoicer.Invoicer: emitir normalises the document and
// creates a temporary document; no folio is taken yet. The temporary
// document's totals must equal folio's, or the order stops here.
func (c *Client) Prepare(ctx context.Context, doc dte.Document) (invoicer.Pending, error) {
	if doc.Encabezado.Emisor.RUTEmisor == "" {
		// LibreDTE requires RUTEmisor to know whose document it is.
		doc.Encabezado.Emisor.RUTEmisor = c.emisor.String()
	}
	p, err := c.emitir(ctx, doc)
	if err != nil {
		return nil, err
	}
	// What LibreDTE computed is what the emitted document will carry.
	info, err := c.tmpInfo(ctx, "dte_tmps/info", p, tmpQuery)
	if err != nil {
		return nil, err
	}
	if info.Fecha != "" {
		p.Fecha = info.Fecha
	}
	if differ, ok := c.compareTotals(doc.Encabezado.Totales, info); !ok {
		msg := i18n.M("libredte.totals_then", differ, c.discard(ctx, p))
		return nil, &invoicer.Error{Code: CodeTotalsMismatch, Op: "emitir", Status: http.StatusOK, Msg: msg}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("libredte: recording the temporary document's key: %w", err)
	}
	return invoicer.Pending(b), nil
}

// emitir sends the document's payload and returns the temporary
// document's key with folio's date and total.
func (c *Client) emitir(ctx context.Context, doc dte.Document) (pending, error) {
	raw, err := c.do(ctx, call{op: "emitir", method: http.MethodPost, path: pathEmitir, query: emitirQuery, body: PayloadOf(doc)})
	if err != nil {
		return pending{}, err
	}
	var key tmpKey
	if err := decodeReply("emitir", raw, &key, false); err != nil {
		return pending{}, err
	}
	if key.Codigo == "" || key.DTE <= 0 || key.Emisor <= 0 {
		return pending{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "emitir", Status: http.StatusOK, Msg: i18n.M("invoicer.ld.no_tmp_key")}
	}
	return pending{Emisor: int64(key.Emisor), Receptor: int64(key.Receptor), DTE: int(key.DTE), Codigo: key.Codigo,
		Fecha: doc.Encabezado.IdDoc.FchEmis, Total: doc.Encabezado.Totales.MntTotal}, nil
}

// compareTotals says how LibreDTE's totals differ from folio's, with the
// likely cause; ok when they are equal. Without datos only the total can
// be compared.
func (c *Client) compareTotals(want dte.Totales, info tmpInfo) (differ i18n.Message, ok bool) {
	got, read := totalsOf(info.Datos)
	if !read {
		got = totales{MntTotal: info.Total, MntNeto: flexInt(want.MntNeto), IVA: flexInt(want.IVA), MntExe: flexInt(want.MntExe)}
	}
	if int64(got.MntTotal) == want.MntTotal && int64(got.MntNeto) == want.MntNeto && int64(got.IVA) == want.IVA && int64(got.MntExe) == want.MntExe {
		return i18n.Message{}, true
	}
	f := func(n int64) string { return dte.FormatCLP(n) }
	return i18n.M("libredte.totals",
		f(int64(got.MntTotal)), f(int64(got.MntNeto)), f(int64(got.IVA)), f(int64(got.MntExe)),
		f(want.MntTotal), f(want.MntNeto), f(want.IVA), f(want.MntExe), likelyCause(want, got)), false
}

// likelyCause names what usually makes LibreDTE's totals differ.
func likelyCause(want dte.Totales, got totales) i18n.Message {
	diff := int64(got.MntTotal) - want.MntTotal
	if diff < 0 {
		diff = -diff
	}
	taxable := want.MntTotal - want.MntExe
	switch {
	case diff <= 1 && int64(got.MntNeto) == want.MntNeto:
		return i18n.M("libredte.cause.iva_rounding", dte.IVA)
	case diff <= 1:
		return i18n.M("libredte.cause.rounding")
	case taxable > 0 && int64(got.MntTotal)-want.MntTotal > 0 && int64(got.MntTotal)-want.MntTotal >= taxable*15/100:
		return i18n.M("libredte.cause.net_prices")
	case int64(got.MntTotal) == 2*want.MntTotal:
		return i18n.M("libredte.cause.doubled")
	}
	return i18n.M("libredte.cause.settings")
}

// discard deletes a temporary document whose totals are wrong, so that no
// folio is ever spent on it, and says what happened to it.
func (c *Client) discard(ctx context.Context, p pending) i18n.Message {
	_, err := c.do(ctx, call{op: "dte_tmps/eliminar", method: http.MethodGet, path: expand(pathTmpEliminar,
		"receptor", itoa(p.Receptor), "dte", strconv.Itoa(p.DTE), "codigo", p.Codigo, "emisor", itoa(p.Emisor))})
	if err != nil {
		return i18n.M("libredte.tmp_kept", p.Codigo)
	}
	return i18n.M("libredte.tmp_deleted")
}

func (c *Client) tmpInfo(ctx context.Context, op string, p pending, q url.Values) (tmpInfo, error) {
	var info tmpInfo
	raw, err := c.do(ctx, call{op: op, method: http.MethodGet, query: q, path: expand(pathTmpInfo,
		"receptor", itoa(p.Receptor), "dte", strconv.Itoa(p.DTE), "codigo", p.Codigo, "emisor", itoa(p.Emisor))})
	if err != nil {
		return info, err
	}
	return info, decodeReply(op, raw, &info, false)
}

func decodePending(op string, p invoicer.Pending) (pending, error) {
	var k pending
	if err := json.Unmarshal(p, &k); err != nil || k.Codigo == "" || k.DTE <= 0 || k.Emisor <= 0 {
		return k, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: op, Msg: i18n.M("invoicer.ld.key_unreadable")}
	}
	return k, nil
}

// Issue implements invoicer.Invoicer: generar takes the folio, signs, sends
// to the SII and deletes the temporary document.
func (c *Client) Issue(ctx context.Context, p invoicer.Pending) (invoicer.Issued, error) {
	k, err := decodePending("generar", p)
	if err != nil {
		return invoicer.Issued{}, err
	}
	raw, err := c.do(ctx, call{op: "generar", method: http.MethodPost, path: pathGenerar, consumes: true,
		body: generarBody{Emisor: k.Emisor, Receptor: k.Receptor, DTE: k.DTE, Codigo: k.Codigo}})
	if err != nil {
		return invoicer.Issued{}, err
	}
	var out emitido
	if err := decodeReply("generar", raw, &out, true); err != nil {
		return invoicer.Issued{}, err
	}
	if out.Folio <= 0 {
		return invoicer.Issued{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "generar", Status: http.StatusOK,
			Msg: i18n.M("invoicer.no_folio"), Uncertain: true}
	}
	iss := invoicer.Issued{Type: dte.DocType(out.DTE), Folio: int64(out.Folio), Emisor: rutOf(int64(out.Emisor)),
		Fecha: out.Fecha, Total: int64(out.Total), Neto: int64(out.Neto), IVA: int64(out.IVA), Exento: int64(out.Exento), Raw: raw}
	iss.TrackID, _ = trackText(out.TrackID)
	if iss.Type == 0 {
		iss.Type = dte.DocType(k.DTE)
	}
	if iss.Emisor == "" {
		iss.Emisor = rutOf(k.Emisor)
	}
	return iss, nil
}

// Resolve implements invoicer.Invoicer. While the temporary document
// exists, generar has not happened. Once it is gone, the emitted document is
// looked up by type, receptor, date and total, leaving out folios that
// belong to other orders; exactly one candidate is adopted.
func (c *Client) Resolve(ctx context.Context, p invoicer.Pending, doc dte.Document, claimed map[int64]bool) (invoicer.Resolution, error) {
	k, err := decodePending("resolve", p)
	if err != nil {
		return invoicer.Resolution{}, err
	}
	_, err = c.tmpInfo(ctx, "dte_tmps/info", k, nil)
	if err == nil {
		return invoicer.Resolution{Outcome: invoicer.StillPending}, nil
	}
	if ie, ok := invoicer.AsError(err); !ok || ie.Code != invoicer.CodeNotFound {
		return invoicer.Resolution{}, err
	}
	fecha, total := k.Fecha, k.Total
	if fecha == "" {
		fecha = doc.Encabezado.IdDoc.FchEmis
	}
	if total == 0 {
		total = doc.Encabezado.Totales.MntTotal
	}
	rows, err := c.buscar(ctx, k.Emisor, buscarBody{DTE: k.DTE, Receptor: k.Receptor, Fecha: fecha, Total: total})
	if err != nil {
		return invoicer.Resolution{}, err
	}
	var cands []buscarRow
	seen := map[int64]bool{}
	for _, r := range rows {
		f := int64(r.Folio)
		switch {
		case f <= 0 || seen[f] || claimed[f]:
		case int(r.DTE) != k.DTE || int64(r.Total) != total:
		case fecha != "" && r.Fecha != fecha:
		case r.Receptor != 0 && int64(r.Receptor) != k.Receptor:
		default:
			seen[f] = true
			cands = append(cands, r)
		}
	}
	what := i18n.M("resolve.what", dte.DocType(k.DTE).Name(), fecha, dte.FormatCLP(total))
	switch len(cands) {
	case 1:
		r := cands[0]
		raw, _ := json.Marshal(r)
		iss := invoicer.Issued{Type: dte.DocType(k.DTE), Folio: int64(r.Folio), Emisor: rutOf(k.Emisor), Fecha: r.Fecha, Total: int64(r.Total), Raw: raw}
		iss.TrackID, _ = trackText(r.TrackID)
		return invoicer.Resolution{Outcome: invoicer.WasIssued, Issued: iss}, nil
	case 0:
		m := i18n.M("resolve.ld_none", what)
		return invoicer.Resolution{Outcome: invoicer.Unknown, Detail: m.Plain(i18n.ES), DetailMsg: m}, nil
	}
	res := invoicer.Resolution{Outcome: invoicer.Unknown}
	folios := make([]string, len(cands))
	for i, r := range cands {
		res.Candidates = append(res.Candidates, int64(r.Folio))
		folios[i] = strconv.FormatInt(int64(r.Folio), 10)
	}
	res.DetailMsg = i18n.M("resolve.ld_many", len(cands), what, strings.Join(folios, ", "))
	res.Detail = res.DetailMsg.Plain(i18n.ES)
	return res, nil
}

// Emitted lists the documents issued from the day of from to the day of to
// (dates as LibreDTE keeps them, in the emisor's calendar), newest first.
func (c *Client) Emitted(ctx context.Context, from, to time.Time) ([]invoicer.Issued, error) {
	rows, err := c.buscar(ctx, int64(c.emisor.Body), buscarPeriod{FechaDesde: from.Format(time.DateOnly), FechaHasta: to.Format(time.DateOnly)})
	if err != nil {
		return nil, err
	}
	out := make([]invoicer.Issued, 0, len(rows))
	for _, r := range rows {
		iss := invoicer.Issued{Type: dte.DocType(r.DTE), Folio: int64(r.Folio), Emisor: c.emisor.String(), Fecha: r.Fecha, Total: int64(r.Total)}
		iss.TrackID, _ = trackText(r.TrackID)
		out = append(out, iss)
	}
	return out, nil
}

// buscar searches the emitted documents; LibreDTE's 404 "nothing matches"
// is an empty result.
func (c *Client) buscar(ctx context.Context, emisor int64, q any) ([]buscarRow, error) {
	raw, err := c.do(ctx, call{op: "dte_emitidos/buscar", method: http.MethodPost, path: expand(pathBuscar, "emisor", itoa(emisor)), body: q})
	if ie, ok := invoicer.AsError(err); ok && ie.Code == invoicer.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows []buscarRow
	return rows, decodeReply("dte_emitidos/buscar", raw, &rows, false)
}

func (c *Client) emisorOf(d invoicer.Issued) string {
	if r, err := dte.ParseRUT(d.Emisor); err == nil {
		return strconv.Itoa(r.Body)
	}
	return strconv.Itoa(c.emisor.Body)
}

// PDF implements invoicer.Invoicer.
func (c *Client) PDF(ctx context.Context, d invoicer.Issued) ([]byte, error) {
	if d.Type <= 0 || d.Folio <= 0 {
		return nil, &invoicer.Error{Code: invoicer.CodeNotFound, Op: "pdf", Msg: i18n.M("invoicer.nothing_to_ask")}
	}
	var q url.Values
	if c.cfg.PapelContinuo > 0 {
		q = url.Values{"papelContinuo": {strconv.Itoa(c.cfg.PapelContinuo)}}
	}
	raw, err := c.do(ctx, call{op: "dte_emitidos/pdf", method: http.MethodGet, query: q,
		path: expand(pathPDF, "dte", strconv.Itoa(int(d.Type)), "folio", itoa(d.Folio), "emisor", c.emisorOf(d))})
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(raw, []byte("%PDF-")) {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: "dte_emitidos/pdf", Status: http.StatusOK, Msg: i18n.M("invoicer.not_pdf")}
	}
	return raw, nil
}

// Status implements invoicer.Invoicer through actualizar_estado (see wire.go).
func (c *Client) Status(ctx context.Context, d invoicer.Issued) (invoicer.SIIStatus, error) {
	if d.Type <= 0 || d.Folio <= 0 {
		return invoicer.SIIStatus{}, &invoicer.Error{Code: invoicer.CodeNotFound, Op: "dte_emitidos/actualizar_estado", Msg: i18n.M("invoicer.nothing_to_ask")}
	}
	op := "dte_emitidos/actualizar_estado"
	raw, err := c.do(ctx, call{op: op, method: http.MethodGet,
		path: expand(pathActualizarEst, "dte", strconv.Itoa(int(d.Type)), "folio", itoa(d.Folio), "emisor", c.emisorOf(d))})
	if err != nil {
		return invoicer.SIIStatus{}, err
	}
	var r revision
	if err := decodeReply(op, raw, &r, false); err != nil {
		return invoicer.SIIStatus{}, err
	}
	st := siiStatus(r)
	if st.TrackID == "" {
		st.TrackID = d.TrackID
	}
	return st, nil
}

// Check implements invoicer.Invoicer with a harmless call (see wire.go). A
// reply that is not LibreDTE's API is CodeNotAPI, not "hash accepted".
func (c *Client) Check(ctx context.Context) error {
	_, err := c.do(ctx, call{op: "check", method: http.MethodGet, path: expand(pathTmpInfo, "receptor", itoa(int64(dte.GenericRUT.Body)),
		"dte", strconv.Itoa(int(dte.Boleta)), "codigo", checkCodigo, "emisor", strconv.Itoa(c.emisor.Body))})
	var na *notAPIError
	if errors.As(err, &na) && (na.status == http.StatusNotFound || na.status == http.StatusUnauthorized || na.status < 300) {
		return c.notAPI(na.status, na.contentType)
	}
	if err == nil {
		// A temporary document that cannot exist was "found": not LibreDTE.
		return c.notAPI(http.StatusOK, "")
	}
	if ie, ok := invoicer.AsError(err); ok && ie.Code == invoicer.CodeNotFound {
		return nil
	}
	return err
}

func (c *Client) notAPI(status int, contentType string) error {
	what := fmt.Sprintf("HTTP %d", status)
	if contentType != "" {
		what += ", " + contentType
	}
	return &invoicer.Error{Code: CodeNotAPI, Op: "check", Status: status, Message: what}
}

// SuggestAPIRoot is the API root a person most likely meant: the URL with
// /api at its end.
func SuggestAPIRoot(base string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if strings.HasSuffix(base, "/api") || base == "" {
		return DefaultBaseURL
	}
	return base + "/api"
}

// PriceCheck is what CheckPrices found: LibreDTE's totals for a one-line
// boleta against folio's.
type PriceCheck struct {
	Gross     int64       // the test line's price
	Want, Got dte.Totales // folio's and LibreDTE's
	Discarded bool        // the temporary document was deleted
}

// OK says LibreDTE computes what folio does.
func (p PriceCheck) OK() bool { return p.Want == p.Got }

// CheckPrices emits a one-line boleta of $1.190 (no folio is taken: emitir
// only makes a temporary document), reads LibreDTE's totals and deletes
// the temporary document. A misconfigured price type shows as different
// totals.
func (c *Client) CheckPrices(ctx context.Context, fecha string) (PriceCheck, error) {
	const gross = 1190
	pc := PriceCheck{Gross: gross}
	net := dte.NetFromGross(gross)
	pc.Want = dte.Totales{MntNeto: net, IVA: gross - net, TasaIVA: dte.IVA, MntTotal: gross}
	doc := dte.Document{Encabezado: dte.Encabezado{
		IdDoc:    dte.IdDoc{TipoDTE: dte.Boleta, FchEmis: fecha, MntBruto: 1},
		Emisor:   dte.Emisor{RUTEmisor: c.emisor.String()},
		Receptor: dte.Receptor{RUTRecep: dte.GenericRUT.String(), RznSocRecep: "Prueba de folio doctor"},
		Totales:  pc.Want,
	}, Detalle: []dte.Detalle{{NroLinDet: 1, NmbItem: "Prueba de configuración de precios (folio doctor)", QtyItem: 1, PrcItem: gross, MontoItem: gross}}}
	p, err := c.emitir(ctx, doc)
	if err != nil {
		return pc, err
	}
	info, err := c.tmpInfo(ctx, "dte_tmps/info", p, tmpQuery)
	if err == nil {
		if t, ok := totalsOf(info.Datos); ok {
			pc.Got = dte.Totales{MntNeto: int64(t.MntNeto), MntExe: int64(t.MntExe), IVA: int64(t.IVA), MntTotal: int64(t.MntTotal)}
			if pc.Got.MntNeto != 0 {
				pc.Got.TasaIVA = dte.IVA
			}
		} else {
			pc.Got = pc.Want
			pc.Got.MntTotal = int64(info.Total)
		}
	}
	_, derr := c.do(ctx, call{op: "dte_tmps/eliminar", method: http.MethodGet, path: expand(pathTmpEliminar,
		"receptor", itoa(p.Receptor), "dte", strconv.Itoa(p.DTE), "codigo", p.Codigo, "emisor", itoa(p.Emisor))})
	pc.Discarded = derr == nil
	return pc, err
}

// notAPIError marks an error reply that is not LibreDTE's bare JSON string.
type notAPIError struct {
	status      int
	contentType string
}

func (e *notAPIError) Error() string {
	return fmt.Sprintf("the reply (HTTP %d, %s) is not LibreDTE's JSON", e.status, nonEmpty(e.contentType, "no content type"))
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isJSONString says whether a body is one JSON string.
func isJSONString(b []byte) bool {
	var s string
	return json.Unmarshal(b, &s) == nil
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}
