// Package libredte is the LibreDTE adapter of internal/invoicer: HTTP Basic
// with user X and the API hash, issuing in LibreDTE's two steps (emitir →
// temporary document, generar → folio), resolving an uncertain generar
// through the temporary document and the emitted documents, PDF and SII
// status.
package libredte

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
)

// DefaultBaseURL is LibreDTE's public API root.
const DefaultBaseURL = "https://libredte.cl/api"

// Exchange is one HTTP call for the HTTP log; the hash never appears in it.
type Exchange struct {
	Method   string
	URL      string
	Status   int
	Duration time.Duration
	ReqBody  string
	RespBody string
	Err      string
}

// Config sets up a Client.
type Config struct {
	BaseURL string
	// Hash is the user's API hash (a secret).
	Hash string
	// Emisor is the issuing company's RUT (12345678-5).
	Emisor     string
	HTTPClient *http.Client
	Hook       func(context.Context, Exchange)
}

// Client talks to one LibreDTE account for one emisor.
type Client struct {
	cfg    Config
	http   *http.Client
	emisor int64
}

var _ invoicer.Invoicer = (*Client)(nil)

// New returns a client; the emisor must be a valid RUT.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	rut, err := dte.ParseRUT(cfg.Emisor)
	if err != nil {
		return nil, fmt.Errorf("libredte: emisor: %w", err)
	}
	return &Client{cfg: cfg, http: cfg.HTTPClient, emisor: int64(rut.Body)}, nil
}

// Capabilities implements invoicer.Invoicer.
func (c *Client) Capabilities() invoicer.Capabilities {
	return invoicer.Capabilities{CanResolveUncertain: true, HasSIIStatus: true}
}

func (c *Client) do(ctx context.Context, op, method, path string, in any, out any) ([]byte, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: op, Message: "building the request", Err: err}
	}
	req.SetBasicAuth("X", c.cfg.Hash)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	ex := Exchange{Method: method, URL: c.cfg.BaseURL + path, ReqBody: truncate(string(body))}
	if err != nil {
		ex.Duration, ex.Err = time.Since(start), c.redact(err.Error())
		c.report(ctx, ex)
		code := invoicer.CodeServer
		if isTimeout(err) {
			code = invoicer.CodeTimeout
		}
		return nil, &invoicer.Error{Code: code, Op: op, Message: "no reply", Uncertain: method != http.MethodGet, Err: errors.New(c.redact(err.Error()))}
	}
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	ex.Status, ex.Duration = resp.StatusCode, time.Since(start)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/pdf") {
		ex.RespBody = fmt.Sprintf("[%d bytes application/pdf]", len(raw))
	} else {
		ex.RespBody = truncate(c.redact(string(raw)))
	}
	c.report(ctx, ex)
	if rerr != nil {
		return nil, &invoicer.Error{Code: invoicer.CodeTimeout, Op: op, Message: "reply cut short", Uncertain: method != http.MethodGet, Err: rerr}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				return raw, &invoicer.Error{Code: invoicer.CodeServer, Op: op, Status: resp.StatusCode, Message: "unexpected reply", Err: err}
			}
		}
		return raw, nil
	}
	// LibreDTE's error body is a bare JSON string.
	var msg string
	if json.Unmarshal(raw, &msg) != nil {
		msg = strings.TrimSpace(string(raw))
	}
	e := &invoicer.Error{Op: op, Status: resp.StatusCode, Message: c.redact(msg)}
	switch s := resp.StatusCode; {
	case s == 400:
		e.Code = invoicer.CodeBadDoc
	case s == 401:
		e.Code = invoicer.CodeAuth
	case s == 403:
		e.Code = invoicer.CodeForbidden
	case s == 404:
		e.Code = invoicer.CodeNotFound
	case s == 506:
		e.Code = invoicer.CodeNoSignature
	case s == 508:
		e.Code = invoicer.CodeNoFolios
	case s == 429:
		e.Code = invoicer.CodeServer
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	default:
		e.Code = invoicer.CodeServer
	}
	return raw, e
}

func (c *Client) report(ctx context.Context, ex Exchange) {
	if c.cfg.Hook != nil {
		c.cfg.Hook(ctx, ex)
	}
}

func (c *Client) redact(s string) string {
	if c.cfg.Hash != "" {
		s = strings.ReplaceAll(s, c.cfg.Hash, "[redacted]")
	}
	return basicRE.ReplaceAllString(s, "${1}[redacted]")
}

var basicRE = regexp.MustCompile(`(?i)(basic\s+)[A-Za-z0-9+/=]+`)

func truncate(s string) string {
	if len(s) > 4<<10 {
		return s[:4<<10] + "…"
	}
	return s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func rutNumber(s string) int64 {
	r, err := dte.ParseRUT(s)
	if err != nil {
		return 0
	}
	return int64(r.Body)
}

// Prepare implements invoicer.Invoicer: emitir creates a temporary
// document; no folio is taken yet.
func (c *Client) Prepare(ctx context.Context, doc dte.Document) (invoicer.Pending, error) {
	if doc.Encabezado.Emisor.RUTEmisor == "" {
		doc.Encabezado.Emisor.RUTEmisor = dte.RUT{Body: int(c.emisor), DV: dte.CheckDigit(int(c.emisor))}.String()
	}
	var key tmpKey
	if _, err := c.do(ctx, "emitir", http.MethodPost, pathEmitir, doc, &key); err != nil {
		return nil, err
	}
	if key.Codigo == "" {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: "emitir", Message: "the reply has no temporary document code"}
	}
	key.Fecha, key.Total = doc.Encabezado.IdDoc.FchEmis, doc.Encabezado.Totales.MntTotal
	b, _ := json.Marshal(key)
	return invoicer.Pending(b), nil
}

func decodeKey(p invoicer.Pending) (tmpKey, error) {
	var k tmpKey
	if err := json.Unmarshal(p, &k); err != nil || k.Codigo == "" {
		return k, &invoicer.Error{Code: invoicer.CodeBadDoc, Op: "generar", Message: "the recorded temporary document key is unreadable"}
	}
	return k, nil
}

// Issue implements invoicer.Invoicer: generar takes the folio.
func (c *Client) Issue(ctx context.Context, p invoicer.Pending) (invoicer.Issued, error) {
	k, err := decodeKey(p)
	if err != nil {
		return invoicer.Issued{}, err
	}
	var out emitted
	raw, err := c.do(ctx, "generar", http.MethodPost, pathGenerar, tmpKey{Emisor: k.Emisor, Receptor: k.Receptor, DTE: k.DTE, Codigo: k.Codigo}, &out)
	if err != nil {
		return invoicer.Issued{}, err
	}
	if out.Folio <= 0 {
		return invoicer.Issued{}, &invoicer.Error{Code: invoicer.CodeServer, Op: "generar", Message: "the reply has no folio"}
	}
	return c.issued(out, raw), nil
}

func (c *Client) issued(e emitted, raw []byte) invoicer.Issued {
	em := e.Emisor
	if em == 0 {
		em = c.emisor
	}
	track := ""
	if e.TrackID != 0 {
		track = strconv.FormatInt(e.TrackID, 10)
	}
	return invoicer.Issued{Type: dte.DocType(e.DTE), Folio: e.Folio, Emisor: dte.RUT{Body: int(em), DV: dte.CheckDigit(int(em))}.String(),
		Fecha: e.Fecha, Total: e.Total, TrackID: track, Raw: raw}
}

// Resolve implements invoicer.Invoicer. While the temporary document
// exists, generar has not happened. Once it is gone, the emitted document
// is looked up by receptor, date and total, leaving out folios that
// belong to other orders; exactly one candidate is adopted.
func (c *Client) Resolve(ctx context.Context, p invoicer.Pending, doc dte.Document, claimed map[int64]bool) (invoicer.Resolution, error) {
	k, err := decodeKey(p)
	if err != nil {
		return invoicer.Resolution{}, err
	}
	_, err = c.do(ctx, "dte_tmps info", http.MethodGet, fmt.Sprintf(pathTmpInfo, k.Receptor, k.DTE, k.Codigo, k.Emisor), nil, nil)
	if err == nil {
		return invoicer.Resolution{Outcome: invoicer.StillPending}, nil
	}
	if ie, ok := invoicer.AsError(err); !ok || ie.Code != invoicer.CodeNotFound {
		return invoicer.Resolution{}, err
	}
	fecha, total := k.Fecha, k.Total
	if fecha == "" {
		fecha, total = doc.Encabezado.IdDoc.FchEmis, doc.Encabezado.Totales.MntTotal
	}
	var found []emitted
	raw, err := c.do(ctx, "dte_emitidos buscar", http.MethodPost, fmt.Sprintf(pathBuscar, k.Emisor),
		searchQuery{DTE: k.DTE, Receptor: k.Receptor, Fecha: fecha, Total: total}, &found)
	if err != nil {
		return invoicer.Resolution{}, err
	}
	var cands []emitted
	for _, f := range found {
		if f.DTE == k.DTE && f.Total == total && !claimed[f.Folio] {
			cands = append(cands, f)
		}
	}
	switch len(cands) {
	case 1:
		b, _ := json.Marshal(cands[0])
		_ = raw
		return invoicer.Resolution{Outcome: invoicer.WasIssued, Issued: c.issued(cands[0], b)}, nil
	case 0:
		return invoicer.Resolution{Outcome: invoicer.Unknown, Detail: fmt.Sprintf(
			"el documento temporal ya no existe y LibreDTE no muestra un %s emitido el %s por %s sin asignar", dte.DocType(k.DTE).Name(), fecha, dte.FormatCLP(total))}, nil
	}
	folios := make([]string, len(cands))
	for i, f := range cands {
		folios[i] = strconv.FormatInt(f.Folio, 10)
	}
	return invoicer.Resolution{Outcome: invoicer.Unknown, Detail: fmt.Sprintf(
		"hay %d documentos que calzan (folios %s): revise en LibreDTE cuál corresponde a este pedido", len(cands), strings.Join(folios, ", "))}, nil
}

// PDF implements invoicer.Invoicer.
func (c *Client) PDF(ctx context.Context, d invoicer.Issued) ([]byte, error) {
	raw, err := c.do(ctx, "pdf", http.MethodGet, fmt.Sprintf(pathPDF, int(d.Type), d.Folio, c.emisorOf(d)), nil, nil)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(raw, []byte("%PDF-")) {
		return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: "pdf", Message: "the reply is not a PDF"}
	}
	return raw, nil
}

func (c *Client) emisorOf(d invoicer.Issued) int64 {
	if n := rutNumber(d.Emisor); n != 0 {
		return n
	}
	return c.emisor
}

// Status implements invoicer.Invoicer.
func (c *Client) Status(ctx context.Context, d invoicer.Issued) (invoicer.SIIStatus, error) {
	var s status
	if _, err := c.do(ctx, "estado", http.MethodGet, fmt.Sprintf(pathEstado, int(d.Type), d.Folio, c.emisorOf(d)), nil, &s); err != nil {
		return invoicer.SIIStatus{}, err
	}
	code, _, _ := strings.Cut(strings.TrimSpace(s.RevisionEstado), " ")
	code = strings.ToUpper(code)
	out := invoicer.SIIStatus{Code: code, Reason: s.RevisionDetalle}
	switch code {
	case "EPR", "DOK", "ACD":
		out.State = invoicer.SIIAccepted
		if strings.Contains(strings.ToLower(s.RevisionDetalle), "reparo") {
			out.State = invoicer.SIIObjection
		}
	case "RLV", "RPR":
		out.State = invoicer.SIIObjection
	case "RCH", "RSC", "RFR", "RCT", "RPT", "RCS", "RDC", "DNK", "FAU", "FNA", "FAN", "EMP", "TMD", "TMC", "MMD", "MMC":
		out.State = invoicer.SIIRejected
	default:
		out.State = invoicer.SIIPending
	}
	return out, nil
}

// Check implements invoicer.Invoicer with a harmless call: asking for a
// temporary document that does not exist answers 404 when the hash and the
// emisor are right, 401 or 403 when not.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.do(ctx, "check", http.MethodGet, fmt.Sprintf(pathTmpInfo, 66666666, 39, "folio-check", c.emisor), nil, nil)
	if ie, ok := invoicer.AsError(err); ok && ie.Code == invoicer.CodeNotFound {
		return nil
	}
	return err
}
