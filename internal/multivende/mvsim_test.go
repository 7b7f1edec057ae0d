package multivende_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/mvsim"
)

// These tests run the client against the simulator, which reads the same
// documentation independently: a client that passes here speaks the
// documented wire format, not merely its own.

const redirect = "http://127.0.0.1:1/callback"

type simBundle struct {
	sim    *mvsim.Server
	base   string
	client *multivende.Client
	tok    multivende.Token
	mu     sync.Mutex
	log    strings.Builder
	saved  []multivende.Token
}

func (b *simBundle) logText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log.String()
}

// connect runs the whole connection flow against the simulator, as a
// person would: authorize link, consent form, code exchange with PKCE.
func connect(t *testing.T, o mvsim.Options, rateLimit float64) *simBundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim := mvsim.New(o)
	base, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &simBundle{sim: sim, base: base}
	b.client = multivende.New(multivende.Config{BaseURL: base, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(),
		RateLimit: rateLimit, Hook: func(_ context.Context, ex multivende.Exchange) {
			j, _ := json.Marshal(ex)
			b.mu.Lock()
			b.log.Write(j)
			b.mu.Unlock()
		}})
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, b.client.AuthorizeURL(redirect, state, &pkce), "Tienda Aromos")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, redirect) {
		t.Fatalf("consent sent the person to %q", loc)
	}
	if u.Query().Get("state") != state || u.Query().Get("code") == "" {
		t.Fatalf("consent came back with %v", u.Query())
	}
	b.tok, err = b.client.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	b.useTokens(b.tok, 0)
	return b
}

func (b *simBundle) useTokens(tok multivende.Token, margin time.Duration) *multivende.TokenSource {
	ts := b.client.NewTokenSource(tok, margin, func(t multivende.Token) error {
		b.mu.Lock()
		b.saved = append(b.saved, t)
		b.mu.Unlock()
		return nil
	})
	b.client.SetTokens(ts)
	return ts
}

func (b *simBundle) assertNoSecretLogged(t *testing.T) {
	t.Helper()
	log := b.logText()
	if log == "" {
		t.Fatal("the hook saw nothing")
	}
	secrets := append(b.sim.State().Tokens, b.sim.ClientSecret())
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Fatalf("secret %s… reached the HTTP-log hook", s[:6])
		}
	}
}

func TestSimConnectExchangeRefresh(t *testing.T) {
	t.Parallel()
	b := connect(t, mvsim.Options{Seed: 10, Orders: 3, RateLimit: -1}, -1)
	ctx := context.Background()
	if b.tok.MerchantID != b.sim.MerchantID() || b.tok.RefreshToken == "" || len(b.tok.Scopes) != len(multivende.Scopes) {
		t.Fatalf("token %+v", b.tok)
	}
	if life := time.Until(b.tok.ExpiresAt); life < 5*time.Hour || life > 7*time.Hour {
		t.Fatalf("access token lasts %v, want about 6 h", life)
	}
	if life := time.Until(b.tok.RefreshTokenExpiresAt); life < 47*time.Hour || life > 49*time.Hour {
		t.Fatalf("refresh token lasts %v, want about 48 h", life)
	}
	fresh, err := b.client.Refresh(ctx, b.tok.RefreshToken)
	if err != nil || fresh.Token == "" || fresh.Token == b.tok.Token {
		t.Fatalf("refresh: %v %+v", err, fresh)
	}
	// The simulator rotates refresh tokens: the old one is spent.
	_, err = b.client.Refresh(ctx, b.tok.RefreshToken)
	if e, ok := multivende.AsError(err); !ok || e.Code != multivende.CodeNeedsReconnect || e.Status != 401 {
		t.Fatalf("spent refresh token: %v", err)
	}
	b.useTokens(fresh, 0)
	if _, _, err := b.client.Checkout(ctx, b.sim.State().Checkouts[0].ID); err != nil {
		t.Fatal(err)
	}
	// A code works once.
	if _, err := b.client.Exchange(ctx, "ac-made-up", redirect, ""); multivende.ErrorCode(err) != multivende.CodeBadRequest {
		t.Fatalf("unknown code: %v", err)
	}
	b.assertNoSecretLogged(t)
}

func TestSimListDetailAttachCatalog(t *testing.T) {
	t.Parallel()
	b := connect(t, mvsim.Options{Seed: 11, Orders: 120, RateLimit: -1}, -1)
	ctx := context.Background()
	seen := map[string]multivende.LightCheckout{}
	windows := 0
	for w, err := range multivende.CheckoutWindows(ctx, b.client, b.tok.MerchantID, time.Now().Add(-72*time.Hour), time.Now().Add(time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		windows++
		for _, e := range w.Entries {
			if _, dup := seen[e.ID]; dup && !e.UpdatedAt.Truncate(time.Second).Equal(w.From) {
				t.Fatalf("%s listed in two windows", e.ID)
			}
			seen[e.ID] = e
		}
		if len(w.Raw) != len(w.Entries) {
			t.Fatal("raw and decoded entries differ in number")
		}
	}
	if len(seen) != 120 || windows != 37 {
		t.Fatalf("listed %d of 120 in %d windows", len(seen), windows)
	}
	// A narrow window lists only what changed in it.
	var all []multivende.LightCheckout
	for _, e := range seen {
		all = append(all, e)
	}
	from := all[0].UpdatedAt
	to := from.Add(2 * time.Hour)
	n := 0
	for p, err := range b.client.Checkouts(ctx, b.tok.MerchantID, from, to) {
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			n++
			if e.UpdatedAt.Before(from.Truncate(time.Second)) || e.UpdatedAt.Truncate(time.Second).After(to) {
				t.Fatalf("%s updated %v, outside [%v, %v]", e.ID, e.UpdatedAt, from, to)
			}
		}
	}
	if n == 0 || n >= 120 {
		t.Fatalf("a 2-hour window listed %d", n)
	}

	id := all[0].ID
	co, raw, err := b.client.Checkout(ctx, id)
	if err != nil || co.ID != id || co.Code != seen[id].Code || len(co.CheckoutItems) == 0 || co.Client.ID == "" {
		t.Fatalf("detail: %v %+v", err, co)
	}
	var generic map[string]any
	if json.Unmarshal(raw, &generic) != nil || generic["_id"] != id {
		t.Fatal("raw detail is not the checkout's JSON")
	}
	if _, _, err := b.client.Checkout(ctx, "missing"); multivende.ErrorCode(err) != multivende.CodeNotFound ||
		!strings.Contains(err.Error(), "checkout missing: 404 not found") {
		t.Fatalf("missing checkout: %v", err)
	}

	doc, err := b.client.CreateBillingDocument(ctx, co.ID, multivende.NewBillingDocument{ClientID: co.Client.ID, ID: "10482", Code: "10482",
		Name: "10482", EmissionDate: "2026-11-24", Type: multivende.DocTypeBoleta, Provider: "libredte"})
	if err != nil || doc.ID == "" || doc.DocID != "10482" {
		t.Fatalf("attach: %v %+v", err, doc)
	}
	logged := strings.Count(b.logText(), `"Method"`)
	if err := b.client.UploadDocumentFile(ctx, doc.ID, "39-10482.pdf", make([]byte, multivende.MaxPDFSize+1)); multivende.ErrorCode(err) != multivende.CodePDFTooLarge {
		t.Fatalf("large PDF: %v", err)
	}
	if strings.Count(b.logText(), `"Method"`) != logged {
		t.Fatal("the large PDF was sent")
	}
	if err := b.client.UploadDocumentFile(ctx, doc.ID, "39-10482.pdf", []byte("%PDF-1.4\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	docs, err := b.client.BillingDocuments(ctx, co.ID)
	if err != nil || len(docs) != 1 || docs[0].ID != doc.ID || docs[0].DocID != "10482" ||
		len(docs[0].ElectronicBillingDocumentFiles) != 1 || docs[0].ElectronicBillingDocumentFiles[0].URL == "" {
		t.Fatalf("read back: %v %+v", err, docs)
	}
	for _, c := range b.sim.State().Checkouts {
		if c.ID == co.ID && (len(c.Documents) != 1 || !c.Documents[0].Uploaded || c.Documents[0].Type != multivende.DocTypeBoleta) {
			t.Fatalf("simulator state %+v", c)
		}
	}

	if got := docs[0].ElectronicBillingDocumentFiles[0]; got.SynchronizationStatus != multivende.SyncPending {
		t.Fatalf("sync status %q: a merchant without automatic sending sees %q", got.SynchronizationStatus, multivende.SyncPending)
	}
	if pdf := download(t, docs[0].ElectronicBillingDocumentFiles[0].URL); string(pdf) != "%PDF-1.4\n%%EOF\n" {
		t.Fatalf("the file url gives %q", pdf)
	}

	products, err := b.client.Products(ctx, b.tok.MerchantID)
	if err != nil || len(products) == 0 || products[0].ID == "" || products[0].Name == "" {
		t.Fatalf("products: %v %+v", err, products)
	}
	state := b.sim.State().Catalog
	vers, err := b.client.ProductVersions(ctx, b.tok.MerchantID, "")
	if err != nil || len(vers) != len(state.Versions) {
		t.Fatalf("versions: %v, %d of %d", err, len(vers), len(state.Versions))
	}
	codes := make([]string, len(vers))
	for i, v := range vers {
		codes[i] = v.Code
		if sv := state.Versions[i]; v.Code != sv.Code || v.Product.Name != sv.Name || v.Active() != sv.Active || v.HasStock {
			t.Fatalf("version %d: %+v, simulator %+v", i, v, sv)
		}
	}
	whs, err := b.client.Warehouses(ctx, b.tok.MerchantID)
	if err != nil || len(whs) == 0 || whs[0].ID == "" {
		t.Fatalf("warehouses: %v", err)
	}
	st, err := b.client.Stock(ctx, whs[0].ID, codes)
	if err != nil || len(st) != len(codes) {
		t.Fatalf("stock: %v, %d entries", err, len(st))
	}
	for _, e := range st {
		if want, ok := state.Stock[whs[0].ID][e.Code]; !ok || want != e.Amount {
			t.Fatalf("stock of %s: %d, simulator %d", e.Code, e.Amount, want)
		}
	}
	withStock, err := b.client.ProductVersions(ctx, b.tok.MerchantID, whs[0].ID)
	if err != nil || len(withStock) == 0 || !withStock[0].HasStock || withStock[0].Stock != state.Stock[whs[0].ID][withStock[0].Code] {
		t.Fatalf("versions with stock: %v %+v", err, withStock)
	}
	lists, err := b.client.PriceLists(ctx, b.tok.MerchantID)
	if err != nil || len(lists) == 0 || lists[0].Currency != "CLP" {
		t.Fatalf("price lists: %v %+v", err, lists)
	}
	prices, err := b.client.Prices(ctx, lists[0].ID, codes)
	if err != nil || len(prices) != len(codes) {
		t.Fatalf("prices: %v, %d entries", err, len(prices))
	}
	for _, p := range prices {
		if want := state.Prices[lists[0].ID][p.Code]; p.Gross <= 0 || int64(p.Gross) != want {
			t.Fatalf("price of %s: %d, simulator %d", p.Code, p.Gross, want)
		}
	}
	if _, err := b.client.Products(ctx, "another-merchant"); multivende.ErrorCode(err) != multivende.CodeAuth {
		t.Fatalf("another merchant: %v", err)
	}
	b.assertNoSecretLogged(t)
}

func TestSimPacingStaysUnderTheLimit(t *testing.T) {
	t.Parallel()
	// The simulator answers 429 above 5 req/s per token; the client, at its
	// default pace, never gets one.
	b := connect(t, mvsim.Options{Seed: 12, Orders: 5, RateLimit: 5}, 0)
	ids := b.sim.State().Checkouts
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				if _, _, err := b.client.Checkout(context.Background(), ids[(g+i)%len(ids)].ID); err != nil {
					t.Errorf("request %d/%d: %v", g, i, err)
				}
			}
		}()
	}
	wg.Wait()
	if strings.Contains(b.logText(), `"Status":429`) {
		t.Fatal("a 429 despite pacing")
	}
}

func TestSimFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("5xx", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 13, Orders: 1, RateLimit: -1}, -1)
		co := b.sim.State().Checkouts[0].ID
		b.sim.Faults().Set(faults.Spec{ServerError: 1})
		_, _, err := b.client.Checkout(ctx, co)
		e, ok := multivende.AsError(err)
		if !ok || e.Code != multivende.CodeServer || e.Status != 503 || !e.Retryable() || e.Uncertain {
			t.Fatalf("%v", err)
		}
		// A 503 on the attach did not take effect, and says so.
		_, err = b.client.CreateBillingDocument(ctx, co, multivende.NewBillingDocument{ID: "1", Type: multivende.DocTypeBoleta})
		if e, ok := multivende.AsError(err); !ok || e.Code != multivende.CodeServer || e.Uncertain {
			t.Fatalf("%v", err)
		}
		if docs := b.sim.State().Checkouts[0].Documents; len(docs) != 0 {
			t.Fatalf("a 503 attach left %+v", docs)
		}
		b.sim.Faults().Set(faults.None)
		if _, _, err := b.client.Checkout(ctx, co); err != nil {
			t.Fatalf("after the fault: %v", err)
		}
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 14, Orders: 1, RateLimit: -1}, -1)
		co := b.sim.State().Checkouts[0].ID
		b.sim.Faults().Set(faults.Spec{RateLimit: 1})
		_, _, err := b.client.Checkout(ctx, co)
		e, ok := multivende.AsError(err)
		if !ok || e.Code != multivende.CodeRate || e.RetryAfter != time.Second || !e.Retryable() {
			t.Fatalf("%v", err)
		}
		until := b.client.PausedUntil()
		if time.Until(until) <= 0 {
			t.Fatal("the 429 did not pause the merchant's requests")
		}
		// A caller that cannot wait that long is told so without a request.
		short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		if _, _, err := b.client.Checkout(short, co); multivende.ErrorCode(err) != multivende.CodeRate {
			t.Fatalf("inside the pause: %v", err)
		}
		b.sim.Faults().Set(faults.None)
		if _, _, err := b.client.Checkout(ctx, co); err != nil {
			t.Fatalf("after the pause: %v", err)
		}
		if time.Now().Before(until) {
			t.Fatal("a request left before Retry-After ended")
		}
	})
	t.Run("latency within the timeout", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 15, Orders: 1, RateLimit: -1}, -1)
		b.sim.Faults().Set(faults.Spec{LatencyMin: 20 * time.Millisecond, LatencyMax: 40 * time.Millisecond})
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, _, err := b.client.Checkout(tctx, b.sim.State().Checkouts[0].ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("latency beyond the timeout", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 15, Orders: 1, RateLimit: -1}, -1)
		co := b.sim.State().Checkouts[0].ID
		b.sim.Faults().Set(faults.Spec{LatencyMin: 2 * time.Second, LatencyMax: 2 * time.Second})
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, _, err := b.client.Checkout(tctx, co)
		if e, ok := multivende.AsError(err); !ok || e.Code != multivende.CodeTimeout || !errors.Is(err, context.DeadlineExceeded) || e.Uncertain {
			t.Fatalf("%v", err)
		}
		// The same on an attach: sent, no reply in time, so uncertain.
		tctx2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel2()
		_, err = b.client.CreateBillingDocument(tctx2, co, multivende.NewBillingDocument{ID: "1", Type: multivende.DocTypeBoleta})
		if e, ok := multivende.AsError(err); !ok || e.Code != multivende.CodeTimeout || !e.Uncertain {
			t.Fatalf("%v", err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 16, Orders: 1, RateLimit: -1}, -1)
		co := b.sim.State().Checkouts[0].ID
		detail, _, err := b.client.Checkout(ctx, co)
		if err != nil {
			t.Fatal(err)
		}
		b.sim.Faults().Set(faults.Spec{Reset: 1})
		_, _, err = b.client.Checkout(ctx, co)
		if e, ok := multivende.AsError(err); !ok || e.Code != multivende.CodeServer || e.Uncertain || !e.Retryable() {
			t.Fatalf("reset GET: %v", err)
		}
		_, err = b.client.CreateBillingDocument(ctx, co, multivende.NewBillingDocument{ClientID: detail.Client.ID, ID: "1", Type: multivende.DocTypeBoleta})
		if !multivende.IsUncertain(err) {
			t.Fatalf("reset POST: %v", err)
		}
		// It did take effect behind the reset: reading back finds it.
		b.sim.Faults().Set(faults.None)
		docs, err := b.client.BillingDocuments(ctx, co)
		if err != nil || len(docs) != 1 || docs[0].DocID != "1" {
			t.Fatalf("read back after the reset: %v %+v", err, docs)
		}
	})
	t.Run("token-expire, refreshed ahead", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 17, Orders: 1, RateLimit: -1, Faults: faults.Spec{TokenExpire: 2 * time.Second}}, -1)
		b.useTokens(b.tok, 5*time.Second)
		if _, _, err := b.client.Checkout(ctx, b.sim.State().Checkouts[0].ID); err != nil {
			t.Fatal(err)
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.saved) != 1 || b.saved[0].Token == b.tok.Token || strings.Contains(b.log.String(), `"Status":401`) {
			t.Fatalf("not refreshed ahead of expiry: %d saved", len(b.saved))
		}
	})
	t.Run("token-expire, earlier than it said", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 18, Orders: 1, RateLimit: -1, Faults: faults.Spec{TokenExpire: 300 * time.Millisecond}}, -1)
		// The client believes the token lasts hours; Multivende expires it.
		believed := b.tok
		believed.ExpiresAt = time.Now().Add(6 * time.Hour)
		ts := b.useTokens(believed, 0)
		time.Sleep(400 * time.Millisecond)
		if _, _, err := b.client.Checkout(ctx, b.sim.State().Checkouts[0].ID); err != nil {
			t.Fatalf("no recovery from the 401: %v", err)
		}
		if ts.Current().Token == b.tok.Token || !strings.Contains(b.logText(), `"Status":401`) {
			t.Fatal("the expired token was not replaced after its 401")
		}
		b.assertNoSecretLogged(t)
	})
	t.Run("expired refresh token needs reconnect", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 19, Orders: 1, RateLimit: -1, Faults: faults.Spec{TokenExpire: time.Second}}, -1)
		b.sim.ExpireRefreshTokens()
		_, _, err := b.client.Checkout(ctx, b.sim.State().Checkouts[0].ID)
		if multivende.ErrorCode(err) != multivende.CodeNeedsReconnect {
			t.Fatalf("%v", err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		b := connect(t, mvsim.Options{Seed: 20, Orders: 1}, -1)
		bad := multivende.New(multivende.Config{BaseURL: b.base, ClientID: b.sim.ClientID(), ClientSecret: "wrong"})
		if _, err := bad.Exchange(ctx, "x", redirect, ""); multivende.ErrorCode(err) != multivende.CodeAuth {
			t.Fatalf("%v", err)
		}
	})
}

// BenchmarkSimCheckoutDetail measures the client's unpaced throughput on
// checkout detail against the in-process simulator (loopback HTTP).
func BenchmarkSimCheckoutDetail(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := mvsim.New(mvsim.Options{Seed: 30, Orders: 50, RateLimit: -1})
	base, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	c := multivende.New(multivende.Config{BaseURL: base, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), RateLimit: -1,
		Hook: func(context.Context, multivende.Exchange) {}})
	pkce := multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, c.AuthorizeURL(redirect, "s", &pkce), "bench")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(loc)
	tok, err := c.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
	if err != nil {
		b.Fatal(err)
	}
	c.SetTokens(c.NewTokenSource(tok, 0, nil))
	ids := sim.State().Checkouts
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, _, err := c.Checkout(ctx, ids[i%len(ids)].ID); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("download %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("download %s: %s", url, resp.Status)
	}
	return b
}

// Every checkout the simulator serves decodes, and its sale builds: a
// boleta totals what the checkout says, a factura by the buyer's identity
// (in Client or CheckoutBillingClients) carries its address and comuna,
// and a coupon is derived from the total.
func TestSimCheckoutsBuild(t *testing.T) {
	t.Parallel()
	b := connect(t, mvsim.Options{Seed: 21, Orders: 120, RateLimit: -1}, 1000)
	ctx := context.Background()
	var facturas, derived int
	for _, st := range b.sim.State().Checkouts {
		co, _, err := b.client.Checkout(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := co.Sale()
		s.Date = "2026-11-24"
		doc, _, err := dte.Build(s, dte.Options{})
		switch {
		case s.Rule.ID == multivende.RuleIdentity || s.Rule.ID == multivende.RuleCompany:
			facturas++
			if err != nil {
				if _, ok := dte.AsValidation(err); !ok {
					t.Fatalf("%s: %v", co.ID, err)
				}
				continue // a bad RUT or a missing giro waits for a person
			}
			r := doc.Encabezado.Receptor
			if doc.Encabezado.IdDoc.TipoDTE != dte.Factura || r.DirRecep == "" || r.CmnaRecep == "" || r.GiroRecep == "" {
				t.Fatalf("%s: factura %+v", co.ID, doc.Encabezado)
			}
		case s.Rule.ID == multivende.RuleNone:
			if err != nil || doc.Encabezado.IdDoc.TipoDTE != dte.Boleta || doc.Encabezado.Totales.MntTotal != int64(co.Total) ||
				doc.Detalle[0].NmbItem == "" || doc.Detalle[0].CdgItem == "" {
				t.Fatalf("%s: boleta %v %+v", co.ID, err, doc)
			}
		default:
			t.Fatalf("%s: rule %+v", co.ID, s.Rule)
		}
		if len(doc.DscRcgGlobal) > 0 {
			derived++
		}
	}
	if facturas == 0 || derived == 0 {
		t.Errorf("facturas %d, derived coupons %d", facturas, derived)
	}
}
