package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/transport"
)

// ConnectError is a --sim URL that leads to no simulator folio can use;
// Case says why (the CLI says it in the reader's language from it).
type ConnectError struct {
	URL      string
	Case     string
	Invoicer string // CaseNoInvoicer: the invoicer asked for
	Err      error
}

// The cases of ConnectError.
const (
	CaseNotAURL       = "not_a_url"     // not an http(s) URL with a host
	CaseUnreachable   = "unreachable"   // nothing answered there
	CaseNotASimulator = "not_simulator" // something answered, not folio sim
	CaseNoInvoicer    = "no_invoicer"   // a folio sim without that invoicer
)

func (e *ConnectError) Error() string {
	switch e.Case {
	case CaseNotAURL:
		return fmt.Sprintf("--sim %s: not a URL; give the Multivende URL that folio sim printed (http://127.0.0.1:PORT)", e.URL)
	case CaseUnreachable:
		return fmt.Sprintf("--sim %s: cannot reach the simulator (is folio sim running?): %v", e.URL, e.Err)
	case CaseNoInvoicer:
		return fmt.Sprintf("--sim %s: this simulator has no %s: run a folio sim of this version", e.URL, e.Invoicer)
	}
	return fmt.Sprintf("--sim %s: /_sim/info did not answer with the simulator's details; give the Multivende URL that folio sim printed", e.URL)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// CheckURL refuses a --sim value that is not an http(s) URL with a host,
// before anything is opened or asked.
func CheckURL(simURL string) error {
	if !transport.IsWebURL(simURL) {
		return &ConnectError{URL: simURL, Case: CaseNotAURL}
	}
	return nil
}

// Connect sets up in st, against the running simulator at simURL (its
// Multivende URL, as folio sim prints it), what a person would: a
// Multivende connection per merchant of the simulator through the consent
// page and the token exchange ("simulador" for the first, "simulador-2",
// … for the others), and the account of the simulated invoicer of kind
// invKind (libredte or openfactura), through which every merchant issues.
// The other simulated invoicer's connection, if an earlier run made it, is
// removed: folio issues through one. The Info returned carries the OAuth
// client secret, which the store does not keep: whoever builds the
// connection's client needs it.
func Connect(ctx context.Context, st *store.Store, simURL, invKind string) (Info, error) {
	simURL = strings.TrimRight(simURL, "/")
	var info Info
	if err := CheckURL(simURL); err != nil {
		return info, err
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, simURL+"/_sim/info", nil)
	if err != nil {
		return info, &ConnectError{URL: simURL, Case: CaseNotAURL, Err: err}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return info, &ConnectError{URL: simURL, Case: CaseUnreachable, Err: err}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != 200 || json.Unmarshal(body, &info) != nil || info.ClientID == "" {
		return info, &ConnectError{URL: simURL, Case: CaseNotASimulator}
	}
	merchants := info.Merchants
	if len(merchants) == 0 { // a simulator of one merchant that does not list it
		merchants = []mvsim.MerchantRef{{}}
	}
	// The merchants consent a few at a time (each its own consent and
	// exchange), so that a simulator of many is connected in about the time
	// of a few.
	mvConns := make([]store.Connection, len(merchants))
	errs := make([]error, len(merchants))
	sem := make(chan struct{}, connectAtOnce)
	var wg sync.WaitGroup
	for i, m := range merchants {
		name, label, as := "simulador", "Simulador", ""
		if len(merchants) > 1 {
			as = m.ID
		}
		if i > 0 {
			name, label = fmt.Sprintf("simulador-%d", i+1), fmt.Sprintf("Simulador %d", i+1)
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			// A client per merchant: Multivende's pace is per merchant.
			mv := multivende.New(multivende.Config{BaseURL: info.Multivende, ClientID: info.ClientID, ClientSecret: info.ClientSecret})
			tok, err := connectOne(ctx, mv, label, as)
			switch {
			case err != nil && len(merchants) > 1:
				errs[i] = fmt.Errorf("--sim: connection %s: %w", name, err)
			case err != nil:
				errs[i] = fmt.Errorf("--sim: %w", err)
			}
			mvConns[i] = store.Connection{Name: name, Kind: store.KindMultivende, BaseURL: info.Multivende,
				MerchantID: tok.MerchantID, ClientID: info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken,
				AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt, Scopes: tok.Scopes}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return info, err
	}
	conns, err := st.Connections(ctx)
	if err != nil {
		return info, err
	}
	err = st.Write(ctx, func(tx *store.Tx) error {
		for _, c := range mvConns {
			if _, err := tx.SaveConnection(ctx, c); err != nil {
				return err
			}
		}
		inv := store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: info.LibreDTE, EmisorRUT: info.Emisor, APIKey: info.LibreDTEHash}
		if invKind == store.KindOpenFactura {
			inv = store.Connection{Name: "openfactura", Kind: store.KindOpenFactura, BaseURL: info.OpenFactura, EmisorRUT: info.Emisor, APIKey: info.OpenFacturaKey}
		}
		if inv.BaseURL == "" {
			return &ConnectError{URL: simURL, Case: CaseNoInvoicer, Invoicer: invKind}
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

// connectAtOnce is how many merchants Connect connects at once.
const connectAtOnce = 4

// connectOne connects one merchant (its id; "": the simulator's only
// one), its Multivende connection named label. The simulator's faults
// reach its consent page and token endpoint too: a 5xx or a cut reply is
// tried again with a fresh consent (a code is good for one exchange), a
// refusal is not.
func connectOne(ctx context.Context, mv *multivende.Client, label, merchant string) (multivende.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for attempt, wait := 1, 200*time.Millisecond; ; attempt, wait = attempt+1, min(2*wait, 2*time.Second) {
		tok, err := consent(ctx, mv, label, merchant)
		mvErr, isMV := multivende.AsError(err)
		if err == nil || attempt == 6 || (isMV && !mvErr.Retryable()) {
			return tok, err
		}
		select {
		case <-ctx.Done():
			return tok, err
		case <-time.After(wait):
		}
	}
}

// consent grants the simulator's consent as a person would and exchanges
// the code it comes back with.
func consent(ctx context.Context, mv *multivende.Client, label, merchant string) (multivende.Token, error) {
	const redirect = "http://127.0.0.1:8765/callback"
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.ConsentAs(ctx, nil, mv.AuthorizeURL(redirect, state, &pkce), label, merchant)
	if err != nil {
		return multivende.Token{}, fmt.Errorf("consent: %w", err)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("state") != state || u.Query().Get("code") == "" {
		return multivende.Token{}, fmt.Errorf("the consent did not come back with a code and the same state")
	}
	return mv.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
}
