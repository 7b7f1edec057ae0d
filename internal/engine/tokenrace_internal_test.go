package engine

import (
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Another engine (the connection's holder before a takeover, woken from a
// freeze) refreshed the connection's tokens and saved them: this engine's
// client, built from the pair before, finds its refresh token spent. That
// is not a connection needing a person's reconnect: the store has a good
// pair, and the next poll uses it.
func TestTokensRefreshedByAnotherEngineAreNotAReconnect(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 2)
	c, err := r.st.Connection(r.ctx, "tienda")
	if err != nil {
		t.Fatal(err)
	}
	r.e.dropMarket(c.ID) // the rig's first poll built one
	built := c
	built.AccessExpiresAt = time.Now().Add(-time.Minute) // due for a refresh at its next call
	if _, err := r.e.market(built); err != nil {         // built from the pair before
		t.Fatal(err)
	}
	info := r.sims.Info
	other := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1})
	tok, err := other.Refresh(r.ctx, c.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.Write(r.ctx, func(tx *store.Tx) error {
		return tx.SetTokens(r.ctx, c.ID, tok.Token, tok.RefreshToken, tok.ExpiresAt, tok.RefreshTokenExpiresAt)
	}); err != nil {
		t.Fatal(err)
	}
	r.e.pollAll(r.ctx)
	if c, _ := r.st.Connection(r.ctx, "tienda"); c.Status == store.ConnNeedsReconnect {
		t.Errorf("the connection needs a reconnect after another engine refreshed its tokens: %q", c.LastError)
	}
	// The next poll works with the pair the other engine saved.
	r.e.pollAll(r.ctx)
	if c, _ := r.st.Connection(r.ctx, "tienda"); c.Status == store.ConnNeedsReconnect || c.LastError != "" {
		t.Errorf("the poll after: %s %q", c.Status, c.LastError)
	}
}
