package connect

import (
	"errors"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
)

// A token exchange that reached no one is said in the reader's language:
// the client's account from the catalog, the system's words quoted.
func TestExplainUnreachableExchange(t *testing.T) {
	t.Parallel()
	mv := &multivende.Error{Code: multivende.CodeServer, Op: "exchange code", Msg: i18n.M("mv.unreachable"),
		Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}
	err := Explain(i18n.ES, &Error{Kind: KindExchange, Err: mv}, "http://127.0.0.1:1", 8765)
	got := err.Error()
	if !strings.Contains(got, "no se envió: no se pudo llegar a Multivende: «dial tcp 127.0.0.1:1: connect: connection refused»") ||
		strings.Contains(got, "multivende: exchange code") {
		t.Errorf("in Spanish: %q", got)
	}
}
