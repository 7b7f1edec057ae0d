// Package invoicer is the interface folio's engine uses to issue DTEs
// through an electronic invoicer, whatever the provider. Each provider is an
// adapter in a sub-package (libredte, …).
//
// Issuing happens in the provider's steps so that the engine can record an
// intent before the one step that consumes a folio, and resolve an uncertain
// outcome of that step without issuing twice:
//
//	p, err := inv.Prepare(ctx, doc)  // no folio yet; store p as the intent
//	iss, err := inv.Issue(ctx, p)    // consumes a folio
//	// err is *Error with Uncertain set: never call Issue again blindly;
//	res, err := inv.Resolve(ctx, p, doc, claimed)
//
// Errors are *Error values whose Code is a key of the catalog in
// internal/dte (INV-*).
package invoicer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/transport"
)

// Capabilities say what an adapter can do, so the engine picks a safe path.
type Capabilities struct {
	// CanLookupByReference: the provider finds a document by an external
	// reference the caller chose (OpenFactura's Idempotency-Key style).
	CanLookupByReference bool
	// CanResolveUncertain: after an uncertain Issue, Resolve can tell
	// whether the document was issued.
	CanResolveUncertain bool
	// HasSIIStatus: Status reports the SII's verdict.
	HasSIIStatus bool
	// HasCatalog / HasStock: the provider keeps an item catalog / stock.
	HasCatalog bool
	HasStock   bool
	// ReportsFolios: the provider tells how many folios are left.
	ReportsFolios bool
}

// Pending is the provider's handle on a prepared document that has not
// consumed a folio yet (LibreDTE: the temporary document's key). It is JSON,
// so the engine can store it as the intent before calling Issue.
type Pending json.RawMessage

// Issued is a document that carries a folio.
type Issued struct {
	Type    dte.DocType `json:"dte"`
	Folio   int64       `json:"folio"`
	Emisor  string      `json:"emisor"` // RUT, 12345678-5
	Fecha   string      `json:"fecha"`  // YYYY-MM-DD
	Total   int64       `json:"total"`
	Neto    int64       `json:"neto,omitempty"`
	IVA     int64       `json:"iva,omitempty"`
	Exento  int64       `json:"exento,omitempty"`
	TrackID string      `json:"track_id,omitempty"`
	// Token is the provider's own handle on the issued document, when it
	// has one (OpenFactura's TOKEN: its PDF and status are asked by it).
	Token string `json:"token,omitempty"`
	// Raw is the provider's reply, kept for the console's Raw view.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON reads an Issued written by MarshalJSON and also a
// provider's raw reply stored in its place: numbers may come as strings, the
// emisor as a RUT body without check digit, the track id as a number.
func (d *Issued) UnmarshalJSON(b []byte) error {
	var w struct {
		Type    flexInt         `json:"dte"`
		Folio   flexInt         `json:"folio"`
		Emisor  json.RawMessage `json:"emisor"`
		Fecha   string          `json:"fecha"`
		Total   flexInt         `json:"total"`
		Neto    flexInt         `json:"neto"`
		IVA     flexInt         `json:"iva"`
		Exento  flexInt         `json:"exento"`
		TrackID json.RawMessage `json:"track_id"`
		Token   string          `json:"token"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	emisor, err := rutText(w.Emisor)
	if err != nil {
		return fmt.Errorf("emisor: %w", err)
	}
	track, err := idText(w.TrackID)
	if err != nil {
		return fmt.Errorf("track_id: %w", err)
	}
	*d = Issued{Type: dte.DocType(w.Type), Folio: int64(w.Folio), Emisor: emisor, Fecha: w.Fecha,
		Total: int64(w.Total), Neto: int64(w.Neto), IVA: int64(w.IVA), Exento: int64(w.Exento), TrackID: track, Token: w.Token}
	return nil
}

// flexInt reads a JSON number, a numeric string, null or false as an int64.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch s {
	case "null", "false", `""`:
		*n = 0
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %.20s", string(b))
	}
	*n = flexInt(v)
	return nil
}

// rutText reads "12345678-5", or a body such as 12345678 or "12345678"
// (the check digit is computed).
func rutText(raw json.RawMessage) (string, error) {
	s, err := idText(raw)
	if err != nil || s == "" {
		return s, err
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 99_999_999 {
		return dte.RUT{Body: n, DV: dte.CheckDigit(n)}.String(), nil
	}
	r, err := dte.ParseRUT(s)
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

// idText reads a JSON string or number as text; null and false are empty.
func idText(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null", "false":
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		err := json.Unmarshal(raw, &v)
		return strings.TrimSpace(v), err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// Outcome of resolving an uncertain Issue.
type Outcome int

const (
	// StillPending: the prepared document was not issued; Issue may run again.
	StillPending Outcome = iota
	// WasIssued: the document was issued; Resolution.Issued says as what.
	WasIssued
	// Unknown: the provider cannot tell; a person must verify.
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case StillPending:
		return "still-pending"
	case WasIssued:
		return "was-issued"
	case Unknown:
		return "unknown"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Resolution is what Resolve found.
type Resolution struct {
	Outcome Outcome
	Issued  Issued
	// Detail explains an Unknown outcome in plain words (es-CL; the
	// provider's words are Spanish too); DetailMsg is the same as a
	// catalog message, for showing it in the reader's language.
	Detail    string
	DetailMsg i18n.Message
	// Candidates are the folios that matched when there was more than one.
	Candidates []int64
}

// SIIState is the SII's verdict on an issued document, provider-neutral.
type SIIState string

// SII states.
const (
	SIIPending   SIIState = "pending"
	SIIAccepted  SIIState = "accepted"
	SIIObjection SIIState = "accepted_with_objections"
	SIIRejected  SIIState = "rejected"
)

// Final reports whether the SII will not change its verdict any more.
func (s SIIState) Final() bool { return s == SIIAccepted || s == SIIObjection || s == SIIRejected }

// SIIStatus is the SII's verdict and its reason.
type SIIStatus struct {
	State SIIState
	// Code is the SII's state code: EPR, RLV, RCH, RSC, RFR, RCT, SOK, …
	// For a rejection, "SII-"+Code is the catalog key (SII-RCH when absent).
	Code string
	// Reason is the SII's (or the invoicer's) words, Spanish.
	Reason  string
	TrackID string
}

// Invoicer issues DTEs through one provider account. Implementations are
// safe for concurrent use.
type Invoicer interface {
	Capabilities() Capabilities
	// Prepare hands the document to the provider without consuming a folio.
	Prepare(ctx context.Context, doc dte.Document) (Pending, error)
	// Issue consumes a folio for a prepared document. An *Error with
	// Uncertain set means it may have happened: call Resolve, never Issue.
	Issue(ctx context.Context, p Pending) (Issued, error)
	// Resolve finds out what became of an uncertain Issue. claimed lists
	// folios of doc's type that already belong to other orders, so a match
	// is never taken from them. Call it only once no Issue of p can still
	// be running at the provider (after the uncertain call's own timeout).
	Resolve(ctx context.Context, p Pending, doc dte.Document, claimed map[int64]bool) (Resolution, error)
	// PDF renders an issued document.
	PDF(ctx context.Context, d Issued) ([]byte, error)
	// Status asks the SII's verdict on an issued document.
	Status(ctx context.Context, d Issued) (SIIStatus, error)
	// Check verifies the credentials and the emisor with a harmless call.
	Check(ctx context.Context) error
}

type referenceKey struct{}

// WithReference tags ctx with the caller's stable reference for the
// document about to be prepared (folio: the order). An adapter whose
// exactly-once rests on a key the caller chooses (CanLookupByReference)
// derives it from this in Prepare; the others ignore it.
func WithReference(ctx context.Context, ref string) context.Context {
	return context.WithValue(ctx, referenceKey{}, ref)
}

// ReferenceFrom returns the reference ctx was tagged with, or "".
func ReferenceFrom(ctx context.Context) string {
	s, _ := ctx.Value(referenceKey{}).(string)
	return s
}

// Lister is an Invoicer that can list the documents it issued in a period,
// so that folios no order claims (an uncertain issue that was never
// resolved) can be found and shown to a person.
type Lister interface {
	Emitted(ctx context.Context, from, to time.Time) ([]Issued, error)
}

// Error codes (keys of the dte catalog).
const (
	CodeBadDoc      = "INV-BAD-DOC"
	CodeAuth        = "INV-AUTH"
	CodeForbidden   = "INV-FORBIDDEN"
	CodeNotFound    = "INV-NOT-FOUND"
	CodeNoSignature = "INV-NO-SIGNATURE"
	CodeNoFolios    = "INV-NO-FOLIOS"
	CodeServer      = "INV-SERVER"
	CodeTimeout     = "INV-TIMEOUT"
	CodePriceType   = "INV-PRICE-TYPE"
)

// CodeForStatus maps an HTTP status of a provider's error reply to a code,
// following the classes invoicers.md gives (LibreDTE's; OpenFactura's are
// the usual ones).
func CodeForStatus(status int) string {
	switch {
	case status == 400 || status == 409 || status == 422:
		return CodeBadDoc
	case status == 401:
		return CodeAuth
	case status == 403:
		return CodeForbidden
	case status == 404:
		return CodeNotFound
	case status == 506:
		return CodeNoSignature
	case status == 508:
		return CodeNoFolios
	case status == 408 || status == 504:
		return CodeTimeout
	}
	return CodeServer
}

// Error is a failed invoicer call. It never holds the API key.
type Error struct {
	Code    string
	Op      string // the provider's call, e.g. "generar"
	Status  int    // HTTP status, 0 when no reply came
	Message string // the provider's words
	// Msg is folio's own account of the failure, when it has one (a check
	// of its own failed, not the provider): shown instead of Message, in
	// the reader's language.
	Msg i18n.Message
	// RetryAfter is the wait the provider asked for, if any.
	RetryAfter time.Duration
	// Uncertain: a folio-consuming call may have taken effect although no
	// usable reply came back. Resolve before anything else.
	Uncertain bool
	Err       error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invoicer: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Code)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if msg := e.Message; msg != "" || !e.Msg.IsZero() {
		if msg == "" {
			msg = e.Msg.Plain(i18n.EN)
		}
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Uncertain {
		b.WriteString(" [uncertain: may have taken effect]")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may succeed, as the error
// catalog says for the code. An uncertain error is not retryable: it must be
// resolved first.
func (e *Error) Retryable() bool {
	if e.Uncertain {
		return false
	}
	if ent, ok := dte.Lookup(e.Code); ok {
		return ent.Retryable
	}
	return e.Code == CodeServer || e.Code == CodeTimeout
}

// AsError returns the *Error inside err.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsUncertain reports whether err says a folio-consuming call may have
// taken effect.
func IsUncertain(err error) bool {
	e, ok := AsError(err)
	return ok && e.Uncertain
}

// APIRoot is an adapter's base URL as it calls it: def when none is
// given, spaces and a trailing slash trimmed, and refused unless it is an
// http(s) URL with a host (provider names the adapter in the error).
func APIRoot(provider, base, def string) (string, error) {
	if base == "" {
		base = def
	}
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if !transport.IsWebURL(base) {
		return "", fmt.Errorf("%s: API root %q: want a URL such as %s", provider, base, def)
	}
	return base, nil
}
