package multivende

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

// Error codes (keys of the dte catalog).
const (
	CodeAuth           = "MV-AUTH"            // 401, 403
	CodeRate           = "MV-RATE"            // 429, or the client's own pace/pause outlasting the deadline
	CodeNotFound       = "MV-NOT-FOUND"       // 404
	CodeServer         = "MV-SERVER"          // 5xx, or no connection
	CodeTimeout        = "MV-TIMEOUT"         // context deadline, cancellation or net timeout
	CodeDecode         = "MV-DECODE"          // a reply folio cannot read
	CodePDFTooLarge    = "MV-PDF-TOO-LARGE"   // refused before sending
	CodeNeedsReconnect = "MV-NEEDS-RECONNECT" // no token, or the refresh was refused: a person must connect again
	CodeBadRequest     = "MV-BAD-REQUEST"     // any other 4xx: the request itself is wrong
)

// Error is a failed Multivende call: which call, on which object, and what
// Multivende said. It never holds a secret. Use errors.As (or AsError) to
// read it.
type Error struct {
	Code    string
	Op      string // the call, e.g. "checkout"
	Object  string // what it was about, e.g. the checkout id
	Status  int    // HTTP status, 0 if no reply came back
	Message string // Multivende's own words
	// Msg is what went wrong on folio's side of the wire (no reply, a
	// reply it cannot read), in both languages: shown instead of Message.
	Msg i18n.Message
	// RetryAfter is the wait Multivende asked for (429), or how long the
	// client's own pause still had to run.
	RetryAfter time.Duration
	// Uncertain: the request was sent and no usable reply came back, so a
	// call that changes something (POST) may have taken effect. Check (read
	// back) before repeating it.
	Uncertain bool
	Err       error
}

// Error reads "multivende: checkout 4f1c…: 404 not found: Checkout not found".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("multivende: ")
	b.WriteString(e.Op)
	if e.Object != "" {
		b.WriteString(" ")
		b.WriteString(e.Object)
	}
	b.WriteString(":")
	if e.Status != 0 {
		fmt.Fprintf(&b, " %d %s", e.Status, strings.ToLower(http.StatusText(e.Status)))
		if e.Message != "" || !e.Msg.IsZero() || e.Err != nil {
			b.WriteString(":")
		}
	}
	msg := e.Message
	if msg == "" && !e.Msg.IsZero() {
		msg = e.Msg.Plain(i18n.EN)
	}
	if msg != "" {
		b.WriteString(" ")
		b.WriteString(msg)
	}
	if e.Err != nil {
		if msg != "" {
			b.WriteString(":")
		}
		b.WriteString(" ")
		b.WriteString(redactText(e.Err.Error()))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Uncertain {
		b.WriteString(" (outcome uncertain: it may have taken effect)")
	}
	return b.String()
}

// Unwrap returns the underlying cause (a net or context error), if any.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may succeed. For an
// Uncertain error, read back first: the first attempt may have worked.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeRate, CodeServer, CodeTimeout, CodeDecode:
		return true
	}
	return false
}

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsUncertain reports whether err says a request was sent and its outcome
// is unknown.
func IsUncertain(err error) bool {
	e, ok := AsError(err)
	return ok && e.Uncertain
}

// ErrorCode returns the MV-* code of err, or "" when err is not a
// Multivende error.
func ErrorCode(err error) string {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return ""
}
