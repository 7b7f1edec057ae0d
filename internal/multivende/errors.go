package multivende

import (
	"fmt"
	"time"
)

// Error codes (keys of the dte catalog).
const (
	CodeAuth           = "MV-AUTH"
	CodeRate           = "MV-RATE"
	CodeNotFound       = "MV-NOT-FOUND"
	CodeServer         = "MV-SERVER"
	CodeTimeout        = "MV-TIMEOUT"
	CodeDecode         = "MV-DECODE"
	CodePDFTooLarge    = "MV-PDF-TOO-LARGE"
	CodeNeedsReconnect = "MV-NEEDS-RECONNECT"
	CodeBadRequest     = "MV-BAD-REQUEST"
)

// Error is a failed Multivende call: which call, on which object, and what
// Multivende said. It never holds a secret.
type Error struct {
	Code    string
	Op      string // the call, e.g. "checkout"
	Object  string // the id it was about
	Status  int    // HTTP status, 0 if none came back
	Message string
	// RetryAfter is the wait Multivende asked for (429).
	RetryAfter time.Duration
	// Uncertain: the request was sent and no reply came back, so a POST
	// may have taken effect.
	Uncertain bool
	Err       error
}

func (e *Error) Error() string {
	s := "multivende: " + e.Op
	if e.Object != "" {
		s += " " + e.Object
	}
	s += ":"
	if e.Status != 0 {
		s += fmt.Sprintf(" %d", e.Status)
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	if e.Err != nil {
		s += ": " + redactText(e.Err.Error())
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may succeed.
func (e *Error) Retryable() bool {
	switch e.Code {
	case CodeRate, CodeServer, CodeTimeout, CodeDecode:
		return true
	}
	return false
}
