package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// folio demo --invoicer openfactura issues through the OpenFactura
// simulator: every document it issued is attached.
func TestDemoWithOpenFactura(t *testing.T) {
	isolate(t)
	if _, _, err := runFolio(t, "", "demo", "--headless", "--invoicer", "bsale", "--lang", "en"); err == nil || !strings.Contains(err.Error(), "libredte or openfactura") {
		t.Fatalf("unknown invoicer: %v", err)
	}
	out, errOut, err := runFolio(t, "", "demo", "--headless", "--orders", "4", "--faults", "none", "--seed", "3", "--invoicer", "openfactura")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var sum struct {
		Settled   bool           `json:"settled"`
		Folios    int            `json:"folios_consumed"`
		Attached  int            `json:"attached"`
		ByOutcome map[string]int `json:"by_outcome"`
		Store     string         `json:"store"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if sum.Store != "" {
		t.Cleanup(func() { os.RemoveAll(filepath.Dir(sum.Store)) })
	}
	if !sum.Settled || sum.Folios == 0 || sum.Folios != sum.Attached || sum.ByOutcome["issued"] != sum.Folios {
		t.Fatalf("summary %+v", sum)
	}
}
