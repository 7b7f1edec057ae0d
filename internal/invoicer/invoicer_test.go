package invoicer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
)

func TestIssuedJSON(t *testing.T) {
	t.Parallel()
	in := invoicer.Issued{Type: dte.Factura, Folio: 7, Emisor: "76086428-5", Fecha: "2026-11-24", Total: 1299, Neto: 1092, IVA: 207, TrackID: "5000001"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out invoicer.Issued
	if err := json.Unmarshal(b, &out); err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip: %+v %v (%s)", out, err, b)
	}
	// A provider's raw reply stored in its place: RUT body, numbers as
	// strings, a numeric track id, extra keys.
	raw := `{"emisor":76086428,"dte":"33","folio":"7","certificacion":0,"fecha":"2026-11-24","receptor":"96790240","exento":null,
		"neto":1092,"iva":"207","total":1299,"xml":false,"track_id":5000001,"revision_estado":null}`
	if err := json.Unmarshal([]byte(raw), &out); err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("raw reply: %+v %v", out, err)
	}
	for _, bad := range []string{`{"folio":"x"}`, `{"emisor":"12345678-9"}`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestErrorRetryableFollowsTheCatalog(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code      string
		retryable bool
	}{
		{invoicer.CodeBadDoc, false}, {invoicer.CodeAuth, false}, {invoicer.CodeForbidden, false},
		{invoicer.CodeNotFound, true}, {invoicer.CodeNoSignature, false}, {invoicer.CodeNoFolios, false},
		{invoicer.CodeServer, true}, {invoicer.CodeTimeout, true}, {invoicer.CodePriceType, false},
	} {
		ent, ok := dte.Lookup(c.code)
		if !ok {
			t.Errorf("%s is not in the catalog", c.code)
			continue
		}
		e := &invoicer.Error{Code: c.code, Op: "generar"}
		if e.Retryable() != c.retryable || ent.Retryable != c.retryable {
			t.Errorf("%s: retryable %v, catalog %v, want %v", c.code, e.Retryable(), ent.Retryable, c.retryable)
		}
		e.Uncertain = true
		if e.Retryable() {
			t.Errorf("%s: an uncertain error must be resolved, not retried", c.code)
		}
	}
}

func TestCodeForStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]string{400: "INV-BAD-DOC", 401: "INV-AUTH", 403: "INV-FORBIDDEN", 404: "INV-NOT-FOUND",
		506: "INV-NO-SIGNATURE", 508: "INV-NO-FOLIOS", 500: "INV-SERVER", 503: "INV-SERVER", 429: "INV-SERVER", 504: "INV-TIMEOUT", 409: "INV-BAD-DOC"} {
		if got := invoicer.CodeForStatus(status); got != want {
			t.Errorf("%d: %s, want %s", status, got, want)
		}
	}
}

func TestErrorWrapsAndReads(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset by peer")
	e := &invoicer.Error{Code: invoicer.CodeServer, Op: "generar", Message: "no reply", Uncertain: true, Err: cause}
	wrapped := fmt.Errorf("order 123: %w", e)
	if got, ok := invoicer.AsError(wrapped); !ok || got != e || !errors.Is(wrapped, cause) || !invoicer.IsUncertain(wrapped) {
		t.Fatalf("AsError/Is/IsUncertain through a wrap")
	}
	if s := e.Error(); !strings.Contains(s, "generar") || !strings.Contains(s, "INV-SERVER") || !strings.Contains(s, "uncertain") {
		t.Errorf("%q", s)
	}
	if invoicer.IsUncertain(errors.New("x")) {
		t.Error("a plain error is not uncertain")
	}
}
