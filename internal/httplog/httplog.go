// Package httplog is the one shape an HTTP call takes in folio's HTTP log,
// whichever client made it: the exchange, and how a body is made fit to
// keep (secrets redacted first, then cut, binary summarised).
package httplog

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Exchange is one HTTP call as the log records it. Clients fill it with
// secrets already redacted: an Authorization header is never part of it.
type Exchange struct {
	Op       string // the call, e.g. "checkout", "emitir"
	Object   string // what it was about, when the client knows
	Method   string
	URL      string
	Status   int // 0 when no reply came back
	Duration time.Duration
	ReqBody  string
	RespBody string
	Err      string
}

// Hook receives each exchange a client makes.
type Hook func(context.Context, Exchange)

// BodyMax is how much of each body an Exchange keeps.
const BodyMax = 4 << 10

// Redacted replaces a secret wherever it was.
const Redacted = "[redacted]"

// Body renders b for the log: a file (PDF, upload, octet stream) is
// described, not copied; text is redacted by redact before it is cut to
// BodyMax, so a cut can never leave half a secret behind.
func Body(b []byte, contentType string, redact func(string) string) string {
	if len(b) == 0 {
		return ""
	}
	mt := strings.TrimSpace(strings.Split(contentType, ";")[0])
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		mt = "application/pdf"
	}
	if strings.HasPrefix(mt, "multipart/") || mt == "application/pdf" || mt == "application/octet-stream" {
		return fmt.Sprintf("[%d bytes %s]", len(b), mt)
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if redact != nil {
		s = redact(s)
	}
	if len(s) <= BodyMax {
		return s
	}
	return Truncate(s, BodyMax) + fmt.Sprintf("[%d bytes in all]", len(s))
}

// Truncate cuts s to at most max bytes on a rune boundary, marking the cut
// with "…".
func Truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Literal returns a redactor that replaces each of the given secrets (an
// API key, a hash) wherever it appears; empty ones are ignored.
func Literal(secrets ...string) func(string) string {
	return func(s string) string {
		for _, sec := range secrets {
			if sec != "" {
				s = strings.ReplaceAll(s, sec, Redacted)
			}
		}
		return s
	}
}
