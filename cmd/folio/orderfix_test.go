package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/store"
)

// order buyer and order boleta do from the command line what b and B do in
// the console: bad buyer data is refused naming what is wrong, and good
// data, like the boleta, becomes a control for the engine.
func TestOrderBuyerAndBoleta(t *testing.T) {
	isolate(t)
	path := ordersStore(t, 2)
	const id, code = "6650f1c2a9e4b10000000000", "MEL-00000001"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rut", "76354771-9", "--razon-social", "X SpA", "--giro", "Ferretería", "--direccion", "Calle 1", "--comuna", "Maipú"}, "76354771-9"},
		{[]string{"--rut", "76354771-K", "--giro", "Ferretería", "--direccion", "Calle 1"}, "missing"},
	} {
		_, _, err := runFolio(t, "", append([]string{"order", "buyer", id, "--store", path, "--lang", "en"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("order buyer %v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if cs := controls(t, path); len(cs) != 0 {
		t.Fatalf("refused buyer data wrote controls: %+v", cs)
	}
	if _, _, err := runFolio(t, "", "order", "buyer", id, "--store", path, "--rut", "76.354.771-k", "--razon-social", "Comercial Los Aromos SpA",
		"--giro", "Ferretería", "--direccion", "Av. Providencia 1234", "--comuna", "Providencia"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runFolio(t, "", "order", "boleta", code, "--store", path); err != nil {
		t.Fatal(err)
	}
	cs := controls(t, path)
	if len(cs) != 2 || cs[0].Kind != store.CtlBuyerOverride || cs[0].Target != id || cs[1].Kind != store.CtlIssueAsBoleta || cs[1].Target == "" {
		t.Fatalf("controls %+v", cs)
	}
	var b dte.Buyer
	if err := json.Unmarshal([]byte(cs[0].Args), &b); err != nil || b.RUT != "76354771-K" || b.Comuna != "Providencia" {
		t.Fatalf("buyer args %q: %+v %v", cs[0].Args, b, err)
	}
}
