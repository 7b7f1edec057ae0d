package engine

import (
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
	code, reason, _, retry, connDown := classify(err)
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
