package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

func TestAuditNewestFirstWithWhoActed(t *testing.T) {
	t.Parallel()
	path := ordersStore(t, 2)
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	order := "6650f1c2a9e4b10000000001"
	if _, err := st.AddControl(ctx, store.Control{Kind: store.CtlPause, Target: "tienda", By: "cli@host"}); err != nil {
		t.Fatal(err)
	}
	ana := store.WithActor(ctx, store.Actor{User: "ana", Fingerprint: "SHA256:abc"})
	if _, err := st.AddControl(ana, store.Control{Kind: store.CtlRetry, Target: order, By: "ana SHA256:abc (ssh)"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// A viewer's refused attempt and an applied pause, read in Spanish: the
	// action and how it ended in words, the stored ids left to --json.
	mixed := ordersStore(t, 2)
	if st, err = store.Open(ctx, mixed, store.Options{}); err != nil {
		t.Fatal(err)
	}
	eve := store.WithActor(ctx, store.Actor{User: "eve", ReadOnly: true})
	if _, err := st.AddControl(eve, store.Control{Kind: store.CtlSkip, Target: order}); !errors.Is(err, store.ErrActorReadOnly) {
		t.Fatalf("a viewer's control: %v", err)
	}
	id, err := st.AddControl(ctx, store.Control{Kind: store.CtlPause, Target: "tienda", By: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error {
		m := i18n.M("control.paused", "tienda")
		return tx.CompleteControlMsg(ctx, id, store.CtlApplied, m.Plain(i18n.ES), m.Encode())
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, _, err := runFolio(t, "", "audit", "--store", mixed, "--lang", "es")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pausar", "aplicado: en pausa: tienda", "omitir", "rechazado: eve solo puede mirar (rol viewer)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the Spanish table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rechazado: rechazado") || strings.Contains(out, "applied") || strings.Contains(out, " skip ") {
		t.Errorf("the Spanish table repeats the status or keeps the stored ids:\n%s", out)
	}

	out, _, err = runFolio(t, "", "audit", "--json", "--store", path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]string
	if err := json.Unmarshal([]byte(out), &lines); err != nil || len(lines) != 2 {
		t.Fatalf("%q: %v", out, err)
	}
	want := map[string]string{"user": "ana", "fingerprint": "SHA256:abc", "action": "retry", "order": order, "connection": "tienda", "outcome": "pending"}
	for k, v := range want {
		if lines[0][k] != v {
			t.Errorf("newest %s = %q, want %q", k, lines[0][k], v)
		}
	}
	if len(lines[0]) != 7 || lines[0]["at"] == "" {
		t.Errorf("fields: %v", lines[0])
	}
	if lines[1]["user"] != "cli@host" || lines[1]["connection"] != "tienda" || lines[1]["order"] != "" {
		t.Errorf("the command's pause: %v", lines[1])
	}
	out, _, err = runFolio(t, "", "audit", "--store", path, "--lang", "en")
	if err != nil || !strings.HasPrefix(out, "WHEN") || !strings.Contains(out, "SHA256:abc") || strings.Index(out, "ana") > strings.Index(out, "cli@host") {
		t.Fatalf("table: %v\n%s", err, out)
	}
}
