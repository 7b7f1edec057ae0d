// Package invoicer is the interface folio's engine uses to issue DTEs
// through an electronic invoicer, whatever the provider. Each provider is
// an adapter in a sub-package (libredte, …). Issuing happens in the
// provider's steps so the engine can record an intent before the step that
// consumes a folio, and resolve an uncertain outcome without issuing twice.
package invoicer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/folio-cl/folio/internal/dte"
)

// Capabilities say what an adapter can do, so the engine picks a safe path.
type Capabilities struct {
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
// consumed a folio yet (LibreDTE: the temporary document's key). It is
// JSON so the engine can store it as the intent before calling Issue.
type Pending json.RawMessage

// Issued is a document that carries a folio.
type Issued struct {
	Type    dte.DocType `json:"dte"`
	Folio   int64       `json:"folio"`
	Emisor  string      `json:"emisor"`
	Fecha   string      `json:"fecha"`
	Total   int64       `json:"total"`
	TrackID string      `json:"track_id,omitempty"`
	// Raw is the provider's reply, kept for the console's Raw view.
	Raw json.RawMessage `json:"-"`
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

// Resolution is what Resolve found.
type Resolution struct {
	Outcome Outcome
	Issued  Issued
	// Detail explains an Unknown outcome in plain words.
	Detail string
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

// SIIStatus is the SII's verdict and its reason.
type SIIStatus struct {
	State  SIIState
	Code   string // e.g. EPR, RLV, RCH, RSC
	Reason string
}

// Invoicer issues DTEs through one provider account.
type Invoicer interface {
	Capabilities() Capabilities
	// Prepare hands the document to the provider without consuming a folio.
	Prepare(ctx context.Context, doc dte.Document) (Pending, error)
	// Issue consumes a folio for a prepared document. An *Error with
	// Uncertain set means it may have happened: call Resolve, never Issue.
	Issue(ctx context.Context, p Pending) (Issued, error)
	// Resolve finds out what became of an uncertain Issue. claimed lists
	// folios of doc's type already belonging to other orders, so a match
	// is never taken from them.
	Resolve(ctx context.Context, p Pending, doc dte.Document, claimed map[int64]bool) (Resolution, error)
	// PDF renders an issued document.
	PDF(ctx context.Context, d Issued) ([]byte, error)
	// Status asks the SII's verdict on an issued document.
	Status(ctx context.Context, d Issued) (SIIStatus, error)
	// Check verifies the credentials with a harmless call.
	Check(ctx context.Context) error
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
)

// Error is a failed invoicer call. It never holds the API key.
type Error struct {
	Code    string
	Op      string
	Status  int
	Message string // the provider's words
	// RetryAfter is the wait the provider asked for, if any.
	RetryAfter time.Duration
	// Uncertain: the request was sent and no answer came back; a
	// folio-consuming call may have taken effect.
	Uncertain bool
	Err       error
}

func (e *Error) Error() string {
	s := "invoicer: " + e.Op + ":"
	if e.Status != 0 {
		s += fmt.Sprintf(" %d", e.Status)
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may succeed.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeServer, CodeTimeout, CodeNotFound:
		return true
	}
	return false
}

// AsError returns the *Error inside err.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
