package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// ClientOptions are what a client of a stored connection is built with.
type ClientOptions struct {
	// RateLimit is Multivende's requests per second per merchant (0: the
	// client's default; negative: none).
	RateLimit float64
	// Hook receives the client's HTTP exchanges (nil: none kept).
	Hook httplog.Hook
	// Timeout bounds one invoicer call (0: the adapter's default).
	Timeout time.Duration
}

// Multivende is the client of a stored Multivende connection, with the
// connection's tokens; each pair a refresh brings is saved to st before
// anything uses it.
func (e *Env) Multivende(st *store.Store, c store.Connection, o ClientOptions) *multivende.Client {
	client := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: c.ClientID, ClientSecret: e.ClientSecret(c),
		RateLimit: o.RateLimit, Hook: o.Hook})
	tok := multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
		RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}
	client.SetTokens(client.NewTokenSource(tok, 0, SaveTokens(st, c.ID)))
	return client
}

// SaveTokens persists each token pair a refresh brings, before anything
// uses it. The write is deliberately not fenced and not tied to the
// caller's context: with rotation the new refresh token exists nowhere
// else, and it is the merchant's credential, not the engine's work — an
// engine stopping or losing its lease must still keep it.
func SaveTokens(st *store.Store, connID int64) func(multivende.Token) error {
	return func(t multivende.Token) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return st.Write(ctx, func(tx *store.Tx) error {
			return tx.SetTokens(ctx, connID, t.Token, t.RefreshToken, t.ExpiresAt, t.RefreshTokenExpiresAt)
		})
	}
}

// Invoicer is the adapter of an invoicer connection's kind (LibreDTE or
// OpenFactura).
func Invoicer(c store.Connection, o ClientOptions) (invoicer.Invoicer, error) {
	switch c.Kind {
	case store.KindOpenFactura:
		return openfactura.New(openfactura.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Emisor: c.EmisorRUT, Hook: o.Hook, Timeout: o.Timeout})
	case store.KindLibreDTE:
		return libredte.New(libredte.Config{BaseURL: c.BaseURL, Hash: c.APIKey, Emisor: c.EmisorRUT, Hook: o.Hook, Timeout: o.Timeout})
	}
	return nil, fmt.Errorf("unknown invoicer kind %q", c.Kind)
}

// InvoicerConnection is the one invoicer account the engine issues
// through, whichever its kind; two are refused rather than guessed between.
func InvoicerConnection(conns []store.Connection, l i18n.Lang) (store.Connection, error) {
	var invs []store.Connection
	var names []string
	for _, c := range conns {
		if store.IsInvoicerKind(c.Kind) {
			invs = append(invs, c)
			names = append(names, c.Name+" ("+c.Kind+")")
		}
	}
	if l == "" {
		l = i18n.ES
	}
	switch len(invs) {
	case 0:
		return store.Connection{}, errors.New(l.T("engine.err.no_invoicer"))
	case 1:
		return invs[0], nil
	}
	return store.Connection{}, errors.New(l.T("engine.err.two_invoicers", len(invs), strings.Join(names, ", ")))
}
