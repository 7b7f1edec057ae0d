package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

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

	out, _, err := runFolio(t, "", "audit", "--json", "--store", path)
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
