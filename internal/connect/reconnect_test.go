package connect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// A reconnect keeps the pause a person chose and the attach settings the
// new consent leaves unset, lifts the pause a needed reconnect made, and
// refuses another merchant or a name of another kind.
func TestSaveMultivendeKeepsWhatAReconnectMust(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	first := store.Connection{Name: "tienda", Kind: store.KindMultivende, MerchantID: "m1", AccessToken: "a1", RefreshToken: "r1",
		Settings: store.ConnSettings{EmitterID: "em", DocTypes: map[string]string{"39": "B"}}}
	if err := SaveMultivende(ctx, i18n.EN, st, first); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetConnectionPaused(ctx, "tienda", true) }); err != nil {
		t.Fatal(err)
	}
	again := store.Connection{Name: "tienda", Kind: store.KindMultivende, MerchantID: "m1", AccessToken: "a2", RefreshToken: "r2",
		Settings: store.ConnSettings{Provider: "p", DocTypes: map[string]string{"33": "F"}}}
	if err := SaveMultivende(ctx, i18n.EN, st, again); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Connection(ctx, "tienda")
	s := c.Settings
	if !c.Paused || c.AccessToken != "a2" || s.EmitterID != "em" || s.Provider != "p" || s.DocTypes["39"] != "B" || s.DocTypes["33"] != "F" {
		t.Fatalf("after a reconnect: paused %v, token %q, settings %+v", c.Paused, c.AccessToken, s)
	}

	// The engine found the refresh token dead: that pause ends with the reconnect.
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return tx.SetConnectionStatus(ctx, c.ID, store.ConnNeedsReconnect, "refresh token expired")
	}); err != nil {
		t.Fatal(err)
	}
	if err := SaveMultivende(ctx, i18n.EN, st, again); err != nil {
		t.Fatal(err)
	}
	if c, _ = st.Connection(ctx, "tienda"); c.Paused || c.Status != store.ConnOK {
		t.Fatalf("after reconnecting a connection that needed it: paused %v, status %q", c.Paused, c.Status)
	}

	other := again
	other.MerchantID = "m2"
	if err := SaveMultivende(ctx, i18n.EN, st, other); err == nil || !strings.Contains(err.Error(), "m2") {
		t.Fatalf("another merchant under the same name: %v", err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, APIKey: "k"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	taken := again
	taken.Name = "libredte"
	if err := SaveMultivende(ctx, i18n.EN, st, taken); err == nil || !strings.Contains(err.Error(), "libredte") {
		t.Fatalf("a name of another kind: %v", err)
	}
}

func TestNeedsReconnectAndTheCommand(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		conn store.Connection
		want bool
		cmd  string
	}{
		{store.Connection{Name: "t", Kind: store.KindMultivende, RefreshExpiresAt: now.Add(time.Hour)}, false, "folio connect multivende --name t"},
		{store.Connection{Name: "t", Kind: store.KindMultivende, RefreshExpiresAt: now}, true, "folio connect multivende --name t"},
		{store.Connection{Name: "t", Kind: store.KindMultivende}, false, "folio connect multivende --name t"},
		{store.Connection{Name: "t", Kind: store.KindMultivende, Status: store.ConnNeedsReconnect}, true, "folio connect multivende --name t"},
		{store.Connection{Name: "ld", Kind: store.KindLibreDTE, Status: store.ConnNeedsReconnect}, true, "folio connect libredte --name ld"},
		{store.Connection{Name: "of", Kind: store.KindOpenFactura, RefreshExpiresAt: now.Add(-time.Hour)}, false, "folio connect openfactura --name of"},
	} {
		if got := NeedsReconnect(c.conn, now); got != c.want {
			t.Errorf("%+v: needs reconnect %v", c.conn, got)
		}
		if got := ReconnectCommand(c.conn); got != c.cmd {
			t.Errorf("%s: %q", c.conn.Name, got)
		}
	}
}
