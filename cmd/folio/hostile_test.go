package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/doctor"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext/safetexttest"
	"github.com/folio-cl/folio/internal/store"
)

// hostileNames is the hostile table in a fixed order.
func hostileNames() []string {
	var names []string
	for n := range safetexttest.Hostile {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// hostileStore is a store whose connection and orders carry one hostile
// string in every text field that came from outside.
func hostileStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Write(ctx, func(tx *store.Tx) error {
		h := safetexttest.Hostile["osc52 clip"]
		id, err := tx.SaveConnection(ctx, store.Connection{Name: "mv\x1b]0;x\x07", Kind: store.KindMultivende, MerchantID: h,
			BaseURL: "https://api.example", Status: store.ConnOK, Scopes: []string{"read\x1b[2J"}})
		if err != nil {
			return err
		}
		for i, n := range hostileNames() {
			h := safetexttest.Hostile[n]
			if len(h) > 200 {
				h = h[:200]
			}
			oid := "o" + string(rune('a'+i))
			if _, err := tx.UpsertOrders(ctx, []store.OrderUpsert{{ID: oid, ConnectionID: id, Code: "C" + h, Marketplace: h,
				PaymentStatus: "paid" + h, Total: 12990, InitialState: store.StateQueued}}); err != nil {
				return err
			}
			if err := tx.SetDetail(ctx, oid, `{"x":"`+strings.ReplaceAll(h, `"`, ``)+`"}`, h, "11.111.111-1", "", time.Now(), "paid", ""); err != nil {
				return err
			}
			doc := map[string]any{"Encabezado": map[string]any{"IdDoc": map[string]any{"TipoDTE": 39},
				"Receptor": map[string]any{"RznSocRecep": h, "DirRecep": h}},
				"Detalle": []map[string]any{{"NmbItem": h, "QtyItem": 1, "PrcItem": 12990}}}
			b, _ := json.Marshal(doc)
			if err := tx.SaveEmission(ctx, store.Emission{OrderID: oid, ExtRef: oid, DocType: 39, Document: string(b)}); err != nil {
				return err
			}
			if err := tx.MoveOrder(ctx, oid, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention,
				Reason: "SII: " + h, ReasonCode: "X", Event: store.Event{Kind: "error", Message: "refused " + h, Data: h}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func assertSafe(t *testing.T, what, out string) {
	t.Helper()
	if bad := safetexttest.Raw(out, false); bad != "" {
		i := max(strings.IndexFunc(out, func(r rune) bool { return r == 0x1b }), 0)
		t.Errorf("%s: %s in output (near %q)", what, bad, out[i:min(len(out), i+60)])
	}
}

func TestHostileTextInPrinters(t *testing.T) {
	path := hostileStore(t)
	for _, args := range [][]string{
		{"orders", "--store", path},
		{"connections", "--store", path},
	} {
		out, errOut, err := runFolio(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		assertSafe(t, strings.Join(args, " "), out+errOut)
	}
	for i, n := range hostileNames() {
		out, errOut, err := runFolio(t, "", "order", "show", "o"+string(rune('a'+i)), "--store", path)
		if err != nil {
			t.Fatalf("order show (%s): %v\n%s", n, err, errOut)
		}
		assertSafe(t, "order show "+n, out+errOut)
	}
}

// The --json outputs keep Go's JSON escaping: no raw control character,
// and the hostile text comes back exactly.
func TestHostileTextInJSON(t *testing.T) {
	path := hostileStore(t)
	out, _, err := runFolio(t, "", "orders", "--json", "--store", path)
	if err != nil {
		t.Fatal(err)
	}
	// JSON leaves U+2028/9 and bidi runes raw, which a terminal does not act on
	// as controls; ESC, CR, LF in strings, BEL and C1 are escaped.
	for _, b := range []string{"\x1b", "\r", "\x07", "\u009b", "\x00"} {
		if strings.Contains(out, b) {
			t.Errorf("orders --json holds raw %q", b)
		}
	}
	var rows []orderJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Buyer == safetexttest.Hostile["osc0 title"] {
			found = true
		}
	}
	if !found {
		t.Error("orders --json does not give the buyer's name back as stored")
	}
}

func TestHostileTextInDTEExplain(t *testing.T) {
	co := fixture(t, "multivende-checkout.json")
	var m map[string]any
	if err := json.Unmarshal([]byte(co), &m); err != nil {
		t.Fatal(err)
	}
	h := safetexttest.Hostile["osc0 title"] + safetexttest.Hostile["cr fake line"] + "\u202e\u009b"
	walk(m, h)
	b, _ := json.Marshal(m)
	out, errOut, err := runFolio(t, string(b), "dte", "build", "--explain")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	assertSafe(t, "dte build --explain", out+errOut)
	out, errOut, err = runFolio(t, string(b), "dte", "build")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	assertSafe(t, "dte build", out+errOut)
}

// walk puts h at the end of every name-like string of a checkout.
func walk(v any, h string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				switch strings.ToLower(k) {
				case "name", "fullname", "lastname", "address_1", "address_2", "city", "commune", "email", "code", "description":
					v[k] = s + h
				}
				continue
			}
			walk(x, h)
		}
	case []any:
		for _, x := range v {
			walk(x, h)
		}
	}
}

func TestHostileTextInDoctor(t *testing.T) {
	h := safetexttest.Hostile["csi clear"] + safetexttest.Hostile["lf fake line"]
	var b bytes.Buffer
	printChecks(&b, i18n.ES, []doctor.Check{{Conn: "multivende " + h, Aspect: "token", OK: false, Detail: "401: " + h, Fix: "fix " + h}})
	assertSafe(t, "doctor", strings.TrimSuffix(strings.ReplaceAll(b.String(), "\n    → ", " → "), "\n"))
	if strings.Count(b.String(), "\n") != 2 {
		t.Errorf("doctor: a check's text broke the line:\n%s", b.String())
	}
}

// folio catalog's lines quote item codes, names and the invoicer's errors.
func TestHostileTextInCatalogLines(t *testing.T) {
	for _, n := range hostileNames() {
		h := safetexttest.Hostile[n]
		for _, id := range []i18n.ID{"catalog.skipped", "catalog.price_list", "catalog.item_failed"} {
			out := i18n.EN.T(id, safeArgs([]any{h, h})...)
			assertSafe(t, string(id)+" "+n, out)
			if strings.Contains(out, "\n") {
				t.Errorf("%s %s: a line break from outside", id, n)
			}
		}
	}
}

// folio run's JSON log lines name buyers and services' words: what
// encoding/json leaves raw (C1, bidi) is escaped too, and each line stays
// the JSON it was.
func TestHostileTextInTheRunLog(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(jsonLines{&out}, nil))
	for _, n := range hostileNames() {
		log.Info("order failed", "buyer", safetexttest.Hostile[n])
	}
	if bad := safetexttest.Raw(out.String(), false); bad != "" {
		t.Fatalf("the run log holds raw %q", bad)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON line any more: %v: %s", err, line)
		}
	}
}
