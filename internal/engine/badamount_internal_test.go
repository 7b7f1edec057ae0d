package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/multivende"
)

// Issue 20: an unreadable amount in a checkout was retried 8 times as an
// unexpected reply. It is permanent: Errors at once, naming field and value.
func TestClassifyBadAmountIsPermanent(t *testing.T) {
	t.Parallel()
	ae := &multivende.AmountError{Field: "CheckoutItems[0].gross", Value: `"NaN"`, Reason: "not a number"}
	err := fmt.Errorf("order x: %w", &multivende.Error{Code: multivende.CodeBadAmount, Op: "checkout", Object: "x", Message: ae.Error(), Err: ae})
	code, msg, _, retry, connDown := classify(err)
	reason := es(msg)
	if code != "MV-BAD-AMOUNT" || retry || connDown {
		t.Fatalf("classify = %s retry %v connDown %v, want MV-BAD-AMOUNT, permanent", code, retry, connDown)
	}
	if !strings.Contains(reason, "CheckoutItems[0].gross") || !strings.Contains(reason, `"NaN"`) {
		t.Fatalf("reason %q does not name the field and the value", reason)
	}
	title, _, fix := dte.Explain(code, dte.ES)
	if title == "" || fix == "" || !strings.Contains(reason, title) {
		t.Fatalf("reason %q lacks the catalog title %q (fix %q)", reason, title, fix)
	}
}

// An order issued before amounts were read strictly still attaches to its
// client: a whole decode of its stored checkout would stop at the amount.
func TestClientIDOfAStoredCheckoutWithABadAmount(t *testing.T) {
	t.Parallel()
	raw := `{"_id":"o1","total":"0x32BE","Client":{"_id":"c1","name":"Ana"}}`
	var co multivende.Checkout
	if err := json.Unmarshal([]byte(raw), &co); err == nil || co.Client.ID != "" {
		t.Fatalf("the whole decode = %v, client %q: the premise changed", err, co.Client.ID)
	}
	if got := clientID(raw); got != "c1" {
		t.Fatalf("clientID = %q, want c1", got)
	}
}
