package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

func TestConnectionsAndDisconnect(t *testing.T) {
	dir, s := connectEnv(t)
	if _, _, err := runFolio(t, "", "connections", "--lang", "en"); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Fatalf("without a store: %v", err)
	}
	connectMultivende(t, s, "--name", "tienda")
	connectMultivende(t, s, "--name", "outlet")
	connectLibreDTE(t, s)

	out, _, err := runFolio(t, "", "connections", "--json")
	if err != nil {
		t.Fatal(err)
	}
	// Every token the simulator ever issued, the LibreDTE hash and the
	// client secret: none may show.
	for _, secret := range append(s.MV.State().Tokens, s.Info.LibreDTEHash, s.Info.ClientSecret) {
		if strings.Contains(out, secret) {
			t.Fatalf("a secret in connections --json:\n%s", out)
		}
	}
	var got []connectionJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	byName := map[string]connectionJSON{}
	for _, c := range got {
		byName[c.Name] = c
	}
	mv, ld := byName["tienda"], byName["libredte"]
	if len(got) != 3 || mv.Kind != "multivende" || mv.Merchant != s.MV.MerchantID() || mv.Status != "ok" || mv.ExpiresAt == "" ||
		len(mv.Scopes) != 8 || mv.Reconnect != "" || ld.Emisor != s.Info.Emisor || ld.Kind != "libredte" {
		t.Fatalf("connections:\n%s", out)
	}

	// A refresh token past its expiry needs a person: the command says which.
	path := filepath.Join(dir, "data", "folio", "folio.db")
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := st.Connection(ctx, "outlet")
	past := time.Now().Add(-time.Hour)
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return tx.SetTokens(ctx, c.ID, c.AccessToken, c.RefreshToken, past, past)
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	text, _, err := runFolio(t, "", "connections")
	if err != nil || !strings.Contains(text, "outlet requiere reconectar: folio connect multivende --name outlet") ||
		!strings.Contains(text, "COMERCIO/EMISOR") {
		t.Fatalf("%v\n%s", err, text)
	}
	out, _, _ = runFolio(t, "", "connections", "--json")
	if !strings.Contains(out, `"reconnect": "folio connect multivende --name outlet"`) || !strings.Contains(out, `"status": "needs_reconnect"`) {
		t.Fatalf("json:\n%s", out)
	}

	// Disconnect: gone, and a name that is not there is a clear error.
	if out, _, err := runFolio(t, "", "disconnect", "outlet"); err != nil || !strings.Contains(out, "Se quitó la conexión outlet") {
		t.Fatalf("disconnect: %v\n%s", err, out)
	}
	if _, err := openTestStore(t, dir).Connection(ctx, "outlet"); err == nil {
		t.Fatal("outlet is still there")
	}
	_, _, err = runFolio(t, "", "disconnect", "outlet")
	if err == nil || !strings.Contains(err.Error(), `no existe la conexión "outlet"; las que hay: tienda, libredte`) {
		t.Fatalf("disconnect again: %v", err)
	}
	if _, _, err := runFolio(t, "", "disconnect"); err == nil {
		t.Fatal("disconnect without a name must fail")
	}
	if _, _, err := runFolio(t, "", "disconnect", "nada", "--lang", "en"); err == nil || !strings.Contains(err.Error(), `there is no connection "nada"`) {
		t.Fatalf("english: %v", err)
	}
}
