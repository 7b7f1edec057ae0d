package engine_test

import (
	"errors"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
)

// Every way a typed RUT can fail has words in the catalog: none reaches a
// person as dte's English reason.
func TestRUTReasonNamesEveryFailure(t *testing.T) {
	for in, want := range map[string]string{
		"":             "vacío",
		"12K45-6":      "la K solo puede ser el dígito verificador",
		"12.3a5-6":     "tiene un carácter que no va",
		"1":            "muy corto",
		"123456789-0":  "más de 8 dígitos antes del guion",
		"0-0":          "el número no es positivo",
		"76.123.456-7": "el dígito verificador debería ser 0",
	} {
		_, err := dte.ParseRUT(in)
		re, ok := errors.AsType[*dte.RUTError](err)
		if !ok {
			t.Fatalf("%q: %v, want a RUTError", in, err)
		}
		m := engine.RUTReason(re)
		if !m.Known() || m.ID == "" {
			t.Errorf("%q (%s): no catalog words: %+v", in, re.Reason, m)
		}
		if got := m.In(i18n.ES); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
