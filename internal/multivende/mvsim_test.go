package multivende_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/mvsim"
)

type simBundle struct {
	sim    *mvsim.Server
	base   string
	client *multivende.Client
	tok    multivende.Token
	log    *strings.Builder
}

// connect runs the whole connection flow against the simulator, as a user
// would: authorize link, consent form, code exchange.
func connect(t *testing.T, o mvsim.Options, rateLimit float64) *simBundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim := mvsim.New(o)
	base, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	log := &strings.Builder{}
	c := multivende.New(multivende.Config{BaseURL: base, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), RateLimit: rateLimit,
		Hook: func(_ context.Context, ex multivende.Exchange) {
			mu.Lock()
			b, _ := json.Marshal(ex)
			log.Write(b)
			mu.Unlock()
		}})
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, c.AuthorizeURL("http://127.0.0.1:1/callback", state, &pkce), "Tienda Aromos")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	if u.Query().Get("state") != state {
		t.Fatal("state changed on the way back")
	}
	tok, err := c.Exchange(ctx, u.Query().Get("code"), "http://127.0.0.1:1/callback", pkce.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	c.SetTokens(c.NewTokenSource(tok, 0, nil))
	return &simBundle{sim: sim, base: base, client: c, tok: tok, log: log}
}

func TestClientAgainstSimulator(t *testing.T) {
	t.Parallel()
	b := connect(t, mvsim.Options{Seed: 11, Orders: 120, RateLimit: -1}, -1)
	ctx := context.Background()
	if b.tok.MerchantID != b.sim.MerchantID() {
		t.Fatalf("merchant %s", b.tok.MerchantID)
	}
	var ids []string
	for p, err := range b.client.Checkouts(ctx, b.tok.MerchantID, time.Now().Add(-72*time.Hour), time.Now().Add(time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) != 120 {
		t.Fatalf("listed %d of 120", len(ids))
	}
	co, raw, err := b.client.Checkout(ctx, ids[0])
	if err != nil || co.ID != ids[0] || len(raw) == 0 || len(co.CheckoutItems) == 0 {
		t.Fatalf("detail: %v %+v", err, co)
	}
	if _, _, err := b.client.Checkout(ctx, "missing"); !isCode(err, multivende.CodeNotFound) {
		t.Fatalf("missing checkout: %v", err)
	}
	doc, err := b.client.CreateBillingDocument(ctx, co.ID, multivende.NewBillingDocument{ClientID: co.Client.ID, ID: "10482", Code: "10482",
		Name: "10482", EmissionDate: "2026-11-24", Type: multivende.DocTypeBoleta, Provider: "libredte"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.client.UploadDocumentFile(ctx, doc.ID, "39-10482.pdf", []byte("%PDF-1.4\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	docs, err := b.client.BillingDocuments(ctx, co.ID)
	if err != nil || len(docs) != 1 || docs[0].DocID != "10482" || len(docs[0].ElectronicBillingDocumentFiles) != 1 {
		t.Fatalf("read back: %v %+v", err, docs)
	}
	products, err := b.client.Products(ctx, b.tok.MerchantID)
	if err != nil || len(products) == 0 || len(products[0].ProductVersions) == 0 {
		t.Fatalf("products: %v", err)
	}
	whs, err := b.client.Warehouses(ctx, b.tok.MerchantID)
	if err != nil || len(whs) == 0 {
		t.Fatalf("warehouses: %v", err)
	}
	if st, err := b.client.Stock(ctx, b.tok.MerchantID, whs[0].ID); err != nil || len(st) == 0 {
		t.Fatalf("stock: %v", err)
	}
	for _, tok := range b.sim.State().Tokens {
		if strings.Contains(b.log.String(), tok) {
			t.Fatalf("token %s reached the HTTP-log hook", tok)
		}
	}
}

func TestClientPacesUnderSimulatorLimit(t *testing.T) {
	t.Parallel()
	b := connect(t, mvsim.Options{Seed: 12, Orders: 5, RateLimit: 5}, 5)
	ids := b.sim.State().Checkouts
	for i := 0; i < 12; i++ {
		if _, _, err := b.client.Checkout(context.Background(), ids[i%len(ids)].ID); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

func TestClientFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("5xx", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 13, Orders: 1, RateLimit: -1}, -1)
		b.sim.Faults().Set(faults.Spec{ServerError: 1})
		_, _, err := b.client.Checkout(ctx, "x")
		if !isCode(err, multivende.CodeServer) || !retryable(err) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("429", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 14, Orders: 1, RateLimit: -1}, -1)
		b.sim.Faults().Set(faults.Spec{RateLimit: 1})
		_, _, err := b.client.Checkout(ctx, "x")
		var e *multivende.Error
		if !errors.As(err, &e) || e.Code != multivende.CodeRate || e.RetryAfter != time.Second {
			t.Fatalf("%v", err)
		}
	})
	t.Run("latency beyond timeout", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 15, Orders: 1, RateLimit: -1}, -1)
		b.sim.Faults().Set(faults.Spec{LatencyMin: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond})
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, _, err := b.client.Checkout(tctx, "x")
		if !isCode(err, multivende.CodeTimeout) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("reset after an attach is uncertain", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 16, Orders: 1, RateLimit: -1}, -1)
		co := b.sim.State().Checkouts[0].ID
		b.sim.Faults().Set(faults.Spec{Reset: 1})
		_, err := b.client.CreateBillingDocument(ctx, co, multivende.NewBillingDocument{ID: "1", Type: multivende.DocTypeBoleta})
		var e *multivende.Error
		if !errors.As(err, &e) || !e.Uncertain {
			t.Fatalf("%v", err)
		}
		if docs := b.sim.State().Checkouts[0].Documents; len(docs) != 1 {
			t.Fatalf("the attach should have taken effect behind the reset: %+v", docs)
		}
	})
	t.Run("token expiry is refreshed", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 17, Orders: 1, RateLimit: -1, Faults: faults.Spec{TokenExpire: 2 * time.Second}}, -1)
		var saved multivende.Token
		b.client.SetTokens(b.client.NewTokenSource(b.tok, 5*time.Second, func(t multivende.Token) error { saved = t; return nil }))
		if _, _, err := b.client.Checkout(ctx, b.sim.State().Checkouts[0].ID); err != nil {
			t.Fatal(err)
		}
		if saved.Token == "" || saved.Token == b.tok.Token {
			t.Fatal("the token was not refreshed ahead of its expiry")
		}
	})
	t.Run("expired refresh token needs reconnect", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 18, Orders: 1, RateLimit: -1, Faults: faults.Spec{TokenExpire: time.Second}}, -1)
		b.sim.ExpireRefreshTokens()
		_, _, err := b.client.Checkout(ctx, "x")
		if !isCode(err, multivende.CodeNeedsReconnect) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		b := connect(t, mvsim.Options{Seed: 19, Orders: 1}, -1)
		bad := multivende.New(multivende.Config{BaseURL: b.base, ClientID: b.sim.ClientID(), ClientSecret: "wrong"})
		if _, err := bad.Exchange(ctx, "x", "http://127.0.0.1:1/cb", ""); !isCode(err, multivende.CodeAuth) {
			t.Fatalf("%v", err)
		}
	})
}

func isCode(err error, code string) bool {
	var e *multivende.Error
	return errors.As(err, &e) && e.Code == code
}

func retryable(err error) bool {
	var e *multivende.Error
	return errors.As(err, &e) && e.Retryable()
}
