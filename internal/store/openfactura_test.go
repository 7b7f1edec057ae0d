package store

import (
	"context"
	"testing"
)

// Schema 9 lets a connection be an OpenFactura account; the rebuilt table
// keeps the ids the orders point at.
func TestOpenFacturaConnectionKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, reopen := oldStore(t, false, 8)
	if _, err := db.Exec(`INSERT INTO connections (id, name, kind, api_key, settings, created_at, updated_at) VALUES (7,'ld','libredte','k','{"provider":"x"}',1,1);
		INSERT INTO orders (id, connection_id, code, state, state_since, updated_at) VALUES ('o1',7,'C1','queued',1,1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO connections (name, kind, created_at, updated_at) VALUES ('of','openfactura',1,1)`); err == nil {
		t.Fatal("schema 8 took an openfactura connection: the test would prove nothing")
	}
	st, err := reopen()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Connection(ctx, "ld")
	if err != nil || c.ID != 7 || c.APIKey != "k" || c.Settings.Provider != "x" {
		t.Fatalf("the LibreDTE connection after the rebuild: %+v %v", c, err)
	}
	rows, err := st.w.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Fatal("an order lost its connection in the rebuild")
	}
	rows.Close()
	err = st.Write(ctx, func(tx *Tx) error {
		_, err := tx.SaveConnection(ctx, Connection{Name: "of", Kind: KindOpenFactura, EmisorRUT: "76086428-5", APIKey: "secret"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := st.Connection(ctx, "of"); err != nil || c.Kind != KindOpenFactura || !IsInvoicerKind(c.Kind) {
		t.Fatalf("%+v %v", c, err)
	}
}
