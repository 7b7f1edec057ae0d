package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
)

// With an OpenFactura account instead of LibreDTE's, doctor checks its key
// and says which invoicer issues; a wrong key fails; two invoicers fail.
func TestOpenFacturaInvoicer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.sims
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.DeleteConnection(ctx, "libredte"); err != nil {
			return err
		}
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "of", Kind: store.KindOpenFactura, BaseURL: s.Info.OpenFactura,
			EmisorRUT: s.Info.Emisor, APIKey: s.Info.OpenFacturaKey})
		return err
	})
	m := byName(Run(context.Background(), b.opts))
	if c := m["openfactura.of.credentials"]; !c.OK || !strings.Contains(c.Detail, "OpenFactura accepts") {
		t.Fatalf("credentials: %+v", c)
	}
	if c := m["invoicer"]; !c.OK || !strings.Contains(c.Detail, "OpenFactura") || !strings.Contains(c.Detail, `"of"`) {
		t.Fatalf("which invoicer: %+v", c)
	}
	if len(s.OF.State().Emitted) != 0 {
		t.Fatal("doctor issued a document")
	}

	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "of", Kind: store.KindOpenFactura, BaseURL: s.Info.OpenFactura,
			EmisorRUT: s.Info.Emisor, APIKey: "wrong"})
		return err
	})
	m = byName(Run(context.Background(), b.opts))
	if c := m["openfactura.of.credentials"]; c.OK || !strings.Contains(c.Detail, "401") || c.Fix == "" || strings.Contains(c.Detail, "wrong") {
		t.Fatalf("wrong key: %+v", c)
	}

	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: s.Info.LibreDTE,
			EmisorRUT: s.Info.Emisor, APIKey: s.Info.LibreDTEHash})
		return err
	})
	if c := byName(Run(context.Background(), b.opts))["invoicer"]; c.OK || !strings.Contains(c.Detail, "libredte (libredte), of (openfactura)") {
		t.Fatalf("two invoicers: %+v", c)
	}
}
