package sim

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/folio-cl/folio/internal/store"
)

// TestConnectEveryMerchant: against a simulator of several merchants,
// Connect makes one Multivende connection per merchant, each through its
// own consent (its own merchant and tokens), and the one invoicer account.
func TestConnectEveryMerchant(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Start(ctx, Options{Merchants: 3, Orders: 2, Seed: 9, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.MV.Close()
	defer s.LD.Close()
	defer s.OF.Close()
	if len(s.Info.Merchants) != 3 {
		t.Fatalf("Info lists %d merchants, want 3", len(s.Info.Merchants))
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 2 { // a second connect (a restarted engine) replaces, not adds
		if _, err := Connect(ctx, st, s.Info.Multivende, store.KindLibreDTE); err != nil {
			t.Fatal(err)
		}
	}
	conns, err := st.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]store.Connection{}
	for _, c := range conns {
		byName[c.Name] = c
	}
	tokens := map[string]bool{}
	for i, name := range []string{"simulador", "simulador-2", "simulador-3"} {
		c, ok := byName[name]
		switch {
		case !ok:
			t.Fatalf("no connection %s among %d", name, len(conns))
		case c.Kind != store.KindMultivende || c.MerchantID != s.Info.Merchants[i].ID:
			t.Errorf("%s: kind %s merchant %s, want multivende %s", name, c.Kind, c.MerchantID, s.Info.Merchants[i].ID)
		case tokens[c.AccessToken] || c.AccessToken == "":
			t.Errorf("%s: access token %q shared or empty", name, c.AccessToken)
		}
		tokens[c.AccessToken] = true
	}
	if len(conns) != 4 || byName["libredte"].Kind != store.KindLibreDTE {
		t.Errorf("%d connections, want the 3 merchants and libredte", len(conns))
	}
}
