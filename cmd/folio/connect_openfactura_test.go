package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

func TestConnectOpenFactura(t *testing.T) {
	dir, s := connectEnv(t)
	args := func(extra ...string) []string {
		return append([]string{"connect", "openfactura", "--base-url", s.Info.OpenFactura, "--emisor", s.Info.Emisor}, extra...)
	}
	// Wrong key: refused by the harmless check, nothing stored.
	if _, _, err := runFolio(t, "", args("--api-key", "not-the-key")...); err == nil || !strings.Contains(err.Error(), "rechazó la API key") {
		t.Fatalf("wrong key: %v", err)
	}
	assertNothingStored(t, dir, s)
	if _, _, err := runFolio(t, "\n", args()...); err == nil || !strings.Contains(err.Error(), "falta la API key") {
		t.Fatalf("empty key: %v", err)
	}
	if _, _, err := runFolio(t, "", "connect", "openfactura", "--api-key", "k", "--emisor", s.Info.Emisor, "--base-url", "http://127.0.0.1:1"); err == nil ||
		!strings.Contains(err.Error(), "no se pudo hablar con OpenFactura") {
		t.Fatalf("unreachable: %v", err)
	}
	assertNothingStored(t, dir, s)

	// The key typed at the prompt (stdin is not a terminal here).
	out, errOut, err := runFolio(t, s.Info.OpenFacturaKey+"\n", args()...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "no se mostrará") || !strings.Contains(out, "Conexión OK: openfactura") || strings.Contains(out+errOut, s.Info.OpenFacturaKey) {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	c, err := openTestStore(t, dir).Connection(context.Background(), "openfactura")
	if err != nil || c.Kind != store.KindOpenFactura || c.APIKey != s.Info.OpenFacturaKey || c.EmisorRUT != s.Info.Emisor {
		t.Fatalf("stored %+v: %v", c, err)
	}

	// One invoicer: a LibreDTE account next to it is refused.
	if _, _, err := runFolio(t, "", "connect", "libredte", "--hash", s.Info.LibreDTEHash, "--base-url", s.Info.LibreDTE,
		"--emisor", s.Info.Emisor); err == nil || !strings.Contains(err.Error(), "folio disconnect openfactura") {
		t.Fatalf("second invoicer: %v", err)
	}

	// connections says which invoicer it is, without the key.
	out, _, err = runFolio(t, "", "connections", "--json")
	if err != nil || strings.Contains(out, s.Info.OpenFacturaKey) {
		t.Fatalf("connections: %v\n%s", err, out)
	}
	var views []connectionJSON
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(views) != 1 || views[0].Kind != store.KindOpenFactura || views[0].Emisor != s.Info.Emisor {
		t.Fatalf("views %+v", views)
	}
}

func TestEngineRefusesTwoInvoicers(t *testing.T) {
	conns := []store.Connection{{Name: "tienda", Kind: store.KindMultivende}, {Name: "ld", Kind: store.KindLibreDTE},
		{Name: "of", Kind: store.KindOpenFactura}}
	_, err := app.InvoicerConnection(conns, i18n.EN)
	if err == nil || !strings.Contains(err.Error(), "ld (libredte), of (openfactura)") || !strings.Contains(err.Error(), "folio disconnect") {
		t.Fatalf("two invoicers: %v", err)
	}
	c, err := app.InvoicerConnection([]store.Connection{conns[0], conns[2]}, i18n.EN)
	if err != nil || c.Kind != store.KindOpenFactura {
		t.Fatalf("one invoicer: %+v %v", c, err)
	}
	iv, err := app.Invoicer(store.Connection{Kind: store.KindOpenFactura, BaseURL: "http://127.0.0.1:1", APIKey: "k", EmisorRUT: "76086428-5"}, app.ClientOptions{})
	if err != nil || !iv.Capabilities().CanLookupByReference {
		t.Fatalf("the OpenFactura connection must build the OpenFactura adapter: %T %v", iv, err)
	}
}
