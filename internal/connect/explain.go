package connect

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
)

// nameRE keeps connection names safe to paste into a command line
// (folio connect multivende --name NAME).
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName says whether name may name a connection.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Explain turns a failed consent into what happened, why and what to do,
// in the person's language, for folio connect and the console alike;
// port is the callback's. Other errors come back as they are.
func Explain(l i18n.Lang, err error, baseURL string, port int) error {
	ce, ok := AsError(err)
	if !ok {
		return err
	}
	switch ce.Kind {
	case KindListen:
		return errors.New(l.T("connect.err.listen", ce.Detail, errText(l, ce.Err)))
	case KindDenied:
		return errors.New(l.T("connect.err.denied", ce.Detail))
	case KindProvider:
		return errors.New(l.T("connect.err.provider", ce.Detail))
	case KindState:
		return errors.New(l.T("connect.err.state"))
	case KindTimeout:
		return errors.New(l.T("connect.err.timeout", ce.Detail, port, port))
	case KindCanceled:
		return errors.New(l.T("connect.err.canceled"))
	case KindExchange:
		mv, ok := multivende.AsError(ce.Err)
		switch {
		case ok && (mv.Status == http.StatusUnauthorized || mv.Status == http.StatusForbidden):
			return errors.New(l.T("connect.err.auth", mv.Status))
		case ok && mv.Status >= 400 && mv.Status < 500:
			return errors.New(l.T("connect.err.code", mv.Status, mv.Message))
		default:
			return errors.New(l.T("connect.err.unreachable", baseURL, errText(l, ce.Err)))
		}
	}
	return err
}

// errText is what broke underneath, for a person in l: the client's
// own account of a failed call in l, the system's words quoted.
func errText(l i18n.Lang, err error) string {
	if err == nil {
		return ""
	}
	mv, ok := multivende.AsError(err)
	if !ok || mv.Msg.IsZero() {
		return l.T("quote", err.Error())
	}
	text := mv.Msg.In(l)
	if mv.Err != nil {
		text += ": " + l.T("quote", mv.Err.Error())
	}
	return text
}
