package engine

import (
	"context"
	"iter"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
)

// Marketplace is what the engine needs from Multivende for one merchant.
// *multivende.Client provides it. CreateBillingDocument and
// UploadDocumentFile must run preflight.Check on their context right
// before the request leaves: it is the engine's only lease check before
// those calls.
type Marketplace interface {
	Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[multivende.CheckoutPage, error]
	Checkout(ctx context.Context, id string) (*multivende.Checkout, []byte, error)
	CreateBillingDocument(ctx context.Context, checkoutID string, d multivende.NewBillingDocument) (*multivende.ElectronicBillingDocument, error)
	UploadDocumentFile(ctx context.Context, documentID, filename string, pdf []byte) error
	BillingDocuments(ctx context.Context, checkoutID string) ([]multivende.ElectronicBillingDocument, error)
}

type orderKey struct{}

// WithOrder tags ctx with the order being worked on, so HTTP exchanges
// made under it land in that order's HTTP log.
func WithOrder(ctx context.Context, orderID string) context.Context {
	return context.WithValue(ctx, orderKey{}, orderID)
}

// OrderFrom returns the order ctx was tagged with, or "".
func OrderFrom(ctx context.Context) string {
	s, _ := ctx.Value(orderKey{}).(string)
	return s
}
