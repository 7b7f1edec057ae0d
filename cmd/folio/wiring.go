package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
)

// simLookback is the first poll's reach against a simulator, whose orders
// span the last day: a week (the engine's default) would be 84 window
// requests, most of them empty, before the first order shows.
const simLookback = 25 * time.Hour

// engineOptions are the knobs commands pass to newEngine.
type engineOptions struct {
	PollInterval time.Duration
	Workers      int
	RateLimit    float64
	Retry        engine.RetryPolicy
	Emisor       dte.Emisor
	SIIInterval  time.Duration
	LeaseTTL     time.Duration // 0: the engine's default
	Log          *slog.Logger
	Failpoint    func(string)
	// CatalogInterval turns on the periodic catalog sync (0: off).
	CatalogInterval time.Duration
	Lang            i18n.Lang
	// Attach are the config's defaults for attaching documents.
	Attach store.ConnSettings
	// Lookback is how far back a connection's first poll reads (0: the
	// engine's default); each 2 hours of it is one request at least.
	Lookback time.Duration
	// Webhook is the webhook listener's health (nil: no listener);
	// HealthyPollInterval the poll interval while it is healthy (0: none).
	Webhook             func() engine.WebhookHealth
	HealthyPollInterval time.Duration
	// Location is the merchant's zone (nil: the engine's default).
	Location *time.Location
	// CreditAuto issues credit notes without a person's confirmation.
	CreditAuto bool
}

// siiInterval is how often an issued document's SII status is asked.
const siiInterval = 30 * time.Second

// configEngineOptions is the engine the config describes, the same for
// folio run and folio console; each command adds only what it alone knows
// (its log, a listener, a flag).
func configEngineOptions(cfg config.Loaded, lang i18n.Lang, log *slog.Logger) engineOptions {
	return engineOptions{PollInterval: time.Duration(cfg.PollInterval), Workers: cfg.Workers, RateLimit: cfg.RateLimit,
		Retry:  engine.RetryPolicy{MaxAttempts: cfg.Retry.MaxAttempts, Base: time.Duration(cfg.Retry.BaseDelay), Max: time.Duration(cfg.Retry.MaxDelay)},
		Emisor: emisorOf(cfg), Attach: attachDefaults(cfg), SIIInterval: siiInterval, CatalogInterval: time.Duration(cfg.CatalogSyncInterval),
		Lang: lang, Log: log, Location: cfg.Location(), CreditAuto: cfg.CreditNotesAuto}
}

// newEngine builds an engine over the store's connections: the invoicer
// account (LibreDTE or OpenFactura, by its kind) and one Multivende client
// per merchant, whose refreshed tokens are saved and whose HTTP exchanges
// go to the HTTP log.
func newEngine(ctx context.Context, st *store.Store, o engineOptions) (*engine.Engine, error) {
	conns, err := st.Connections(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := invoicerConnection(conns, o.Lang)
	if err != nil {
		return nil, err
	}
	var eng *engine.Engine
	iv, err := newInvoicer(inv, logExchanges(&eng, inv.Name))
	if err != nil {
		return nil, fmt.Errorf("invoicer connection %q: %w", inv.Name, err)
	}
	emisor := o.Emisor
	if emisor.RUTEmisor == "" {
		emisor.RUTEmisor = inv.EmisorRUT
	}
	markets := func(c store.Connection) (engine.Marketplace, error) {
		client := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: c.ClientID, ClientSecret: clientSecretFor(c),
			RateLimit: o.RateLimit, Hook: logExchanges(&eng, c.Name)})
		tok := multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
			RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}
		client.SetTokens(client.NewTokenSource(tok, 0, saveTokens(st, c.ID)))
		return client, nil
	}
	eng, err = engine.New(engine.Config{Store: st, Invoicer: iv, InvoicerName: inv.Name, Markets: markets, Emisor: emisor,
		PollInterval: o.PollInterval, Lookback: o.Lookback, Workers: o.Workers, Retry: o.Retry, SIIInterval: o.SIIInterval, LeaseTTL: o.LeaseTTL, Log: o.Log, Failpoint: o.Failpoint,
		CatalogInterval: o.CatalogInterval, CatalogSync: periodicCatalog(st, o.Lang, o.RateLimit), Attach: o.Attach,
		Webhook: o.Webhook, HealthyPollInterval: o.HealthyPollInterval, Location: o.Location, CreditAuto: o.CreditAuto})
	return eng, err
}

// invoicerConnection is the one invoicer account the engine issues
// through, whichever its kind; two are refused rather than guessed between.
func invoicerConnection(conns []store.Connection, l i18n.Lang) (store.Connection, error) {
	var invs []store.Connection
	var names []string
	for _, c := range conns {
		if store.IsInvoicerKind(c.Kind) {
			invs = append(invs, c)
			names = append(names, c.Name+" ("+c.Kind+")")
		}
	}
	switch len(invs) {
	case 0:
		return store.Connection{}, errors.New("no invoicer account in the store: connect one first (folio connect libredte, or folio connect openfactura), or use folio run --sim URL / folio demo")
	case 1:
		return invs[0], nil
	}
	if l == "" {
		l = i18n.ES
	}
	return store.Connection{}, errors.New(l.T("engine.err.two_invoicers", len(invs), strings.Join(names, ", ")))
}

// newInvoicer builds the adapter of an invoicer connection's kind; its
// HTTP exchanges go to hook.
func newInvoicer(c store.Connection, hook httplog.Hook) (invoicer.Invoicer, error) {
	switch c.Kind {
	case store.KindOpenFactura:
		return openfactura.New(openfactura.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Emisor: c.EmisorRUT, Hook: hook})
	case store.KindLibreDTE:
		return libredte.New(libredte.Config{BaseURL: c.BaseURL, Hash: c.APIKey, Emisor: c.EmisorRUT, Hook: hook})
	}
	return nil, fmt.Errorf("unknown invoicer kind %q", c.Kind)
}

// logExchanges sends a client's HTTP exchanges to the engine's HTTP log
// under the connection's name, once *eng exists (clients are built before
// the engine they serve).
func logExchanges(eng **engine.Engine, connection string) httplog.Hook {
	return func(ctx context.Context, ex httplog.Exchange) {
		if *eng != nil {
			(*eng).LogExchange(ctx, connection, store.Exchange{At: time.Now(), Method: ex.Method, URL: ex.URL, Status: ex.Status,
				Duration: ex.Duration, ReqBody: ex.ReqBody, RespBody: ex.RespBody, Error: ex.Err})
		}
	}
}

// saveTokens persists each token pair a refresh brings, before anything
// uses it. The write is deliberately not fenced and not tied to the
// caller's context: with rotation the new refresh token exists nowhere
// else, and it is the merchant's credential, not the engine's work — an
// engine stopping or losing its lease must still keep it.
func saveTokens(st *store.Store, connID int64) func(multivende.Token) error {
	return func(t multivende.Token) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return st.Write(ctx, func(tx *store.Tx) error {
			return tx.SetTokens(ctx, connID, t.Token, t.RefreshToken, t.ExpiresAt, t.RefreshTokenExpiresAt)
		})
	}
}

// simSecrets holds, for this process, the OAuth client secrets of the
// simulators it connected to: the store keeps tokens, the config (or a
// simulator) the app's secret. Tests connect to several simulators at once.
var simSecrets struct {
	sync.Mutex
	byClient map[string]string
}

func rememberSimSecret(clientID, secret string) {
	simSecrets.Lock()
	defer simSecrets.Unlock()
	if simSecrets.byClient == nil {
		simSecrets.byClient = map[string]string{}
	}
	simSecrets.byClient[clientID] = secret
}

func simSecret(clientID string) (string, bool) {
	simSecrets.Lock()
	defer simSecrets.Unlock()
	s, ok := simSecrets.byClient[clientID]
	return s, ok
}

func clientSecretFor(c store.Connection) string {
	if s, ok := simSecret(c.ClientID); ok {
		return s
	}
	if cfg, err := loadConfig(); err == nil && cfg.Multivende.ClientID == c.ClientID {
		return cfg.Multivende.ClientSecret
	}
	return ""
}

// connectSim sets up, against a running simulator, what a person would:
// a Multivende connection through the consent form and the token exchange,
// and the LibreDTE account.
// simConsent grants the simulator's consent as a person would and exchanges
// the code it comes back with.
func simConsent(ctx context.Context, mv *multivende.Client) (multivende.Token, error) {
	const redirect = "http://127.0.0.1:8765/callback"
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, mv.AuthorizeURL(redirect, state, &pkce), "Simulador")
	if err != nil {
		return multivende.Token{}, fmt.Errorf("consent: %w", err)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("state") != state || u.Query().Get("code") == "" {
		return multivende.Token{}, fmt.Errorf("the consent did not come back with a code and the same state")
	}
	return mv.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
}

func connectSim(ctx context.Context, st *store.Store, simURL string) (sim.Info, error) {
	return connectSimWith(ctx, st, simURL, store.KindLibreDTE)
}

// connectSimWith is connectSim issuing through the simulator's invoicer of
// kind invKind (libredte or openfactura); the other simulated invoicer's
// connection, if an earlier run made it, is removed (folio issues through
// one).
func connectSimWith(ctx context.Context, st *store.Store, simURL, invKind string) (sim.Info, error) {
	simURL = strings.TrimRight(simURL, "/")
	var info sim.Info
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, simURL+"/_sim/info", nil)
	if err != nil {
		return info, fmt.Errorf("--sim %s: %w", simURL, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return info, fmt.Errorf("--sim %s: cannot reach the simulator (is folio sim running?): %w", simURL, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode != 200 || json.Unmarshal(body, &info) != nil || info.ClientID == "" {
		return info, fmt.Errorf("--sim %s: /_sim/info did not answer with the simulator's details; give the Multivende URL that folio sim printed", simURL)
	}
	rememberSimSecret(info.ClientID, info.ClientSecret)
	mv := multivende.New(multivende.Config{BaseURL: info.Multivende, ClientID: info.ClientID, ClientSecret: info.ClientSecret})
	// The simulator's faults reach its consent page and token endpoint too:
	// a 5xx or a cut reply is tried again with a fresh consent (a code is
	// good for one exchange), a refusal is not.
	var tok multivende.Token
	for attempt, wait := 1, 200*time.Millisecond; ; attempt, wait = attempt+1, min(2*wait, 2*time.Second) {
		tok, err = simConsent(rctx, mv)
		mvErr, isMV := multivende.AsError(err)
		if err == nil || attempt == 6 || (isMV && !mvErr.Retryable()) {
			break
		}
		select {
		case <-rctx.Done():
			return info, fmt.Errorf("--sim: %w", err)
		case <-time.After(wait):
		}
	}
	if err != nil {
		return info, fmt.Errorf("--sim: %w", err)
	}
	conns, err := st.Connections(ctx)
	if err != nil {
		return info, err
	}
	err = st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.SaveConnection(ctx, store.Connection{Name: "simulador", Kind: store.KindMultivende, BaseURL: info.Multivende,
			MerchantID: tok.MerchantID, ClientID: info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken,
			AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt, Scopes: tok.Scopes}); err != nil {
			return err
		}
		inv := store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: info.LibreDTE, EmisorRUT: info.Emisor, APIKey: info.LibreDTEHash}
		if invKind == store.KindOpenFactura {
			inv = store.Connection{Name: "openfactura", Kind: store.KindOpenFactura, BaseURL: info.OpenFactura, EmisorRUT: info.Emisor, APIKey: info.OpenFacturaKey}
		}
		if inv.BaseURL == "" {
			return fmt.Errorf("--sim %s: this simulator has no %s: run a folio sim of this version", simURL, invKind)
		}
		for _, c := range conns {
			if store.IsInvoicerKind(c.Kind) && c.Name != inv.Name && (c.Name == "libredte" || c.Name == "openfactura") {
				if err := tx.DeleteConnection(ctx, c.Name); err != nil {
					return err
				}
			}
		}
		_, err := tx.SaveConnection(ctx, inv)
		return err
	})
	return info, err
}
