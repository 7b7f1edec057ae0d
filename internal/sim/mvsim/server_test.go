package mvsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/testutil"
)

type bundle struct {
	sim   *Server
	srv   *httptest.Server
	clock *testutil.Clock
}

func setup(t testing.TB, o Options) *bundle {
	t.Helper()
	clk := testutil.NewClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	o.Now = clk.Now
	s := New(o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &bundle{sim: s, srv: srv, clock: clk}
}

func (b *bundle) authorizeURL(state string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {b.sim.ClientID()}, "redirect_uri": {"http://127.0.0.1:9/cb"},
		"scope": {strings.Join(Scopes, " ")}, "state": {state}}
	return b.srv.URL + "/apps/authorize?" + q.Encode()
}

func (b *bundle) post(t testing.TB, path string, body any) (*http.Response, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	resp, err := http.Post(b.srv.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// login goes through consent and the token exchange, returning the reply.
func (b *bundle) login(t testing.TB) tokenReply {
	t.Helper()
	loc, err := Consent(context.Background(), nil, b.authorizeURL("st"), "Tienda de prueba")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	resp, body := b.post(t, "/oauth/access-token", map[string]string{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(),
		"grant_type": "authorization_code", "code": u.Query().Get("code")})
	if resp.StatusCode != 200 {
		t.Fatalf("exchange: %d %s", resp.StatusCode, body)
	}
	var tok tokenReply
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (b *bundle) get(t testing.TB, tok, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestFixturesRoundTripThroughSimTypes(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]any{"multivende-checkout.json": &checkout{}, "multivende-checkout-factura.json": &checkout{},
		"multivende-token.json": &tokenReply{}, "multivende-checkouts-page.json": &page[lightCheckout]{}} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, _ := json.Marshal(v)
		var want, got any
		json.Unmarshal(raw, &want)
		json.Unmarshal(again, &got)
		// Every field of the fixture survives; the simulator may serve more.
		if path, ok := covers(normalize(want), normalize(got), name); !ok {
			t.Errorf("%s does not round-trip at %s:\nwant %v\ngot  %v", name, path, want, got)
		}
	}
}

// covers reports whether got holds every field of want with the same
// value (objects may have more fields in got), and where it does not.
func covers(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				return path + "." + k, false
			}
			if p, ok := covers(v, gv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := covers(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	return path, reflect.DeepEqual(want, got)
}

// normalize makes times comparable (2026-…:42.000Z vs 2026-…:42Z).
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case string:
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v
}

func TestConsentFlow(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 1})
	resp, err := http.Get(b.authorizeURL("abc"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, sc := range Scopes {
		if !strings.Contains(string(page), `value="`+sc+`" checked`) {
			t.Errorf("permission %s not listed checked", sc)
		}
	}
	if !strings.Contains(string(page), ">Sí</button>") || !strings.Contains(string(page), `name="name"`) {
		t.Fatal("no Sí button or name field")
	}
	loc, err := Consent(context.Background(), nil, b.authorizeURL("abc"), "Tienda")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	if u.Host != "127.0.0.1:9" || u.Query().Get("state") != "abc" || u.Query().Get("code") == "" {
		t.Fatalf("redirect = %s", loc)
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"client_id": {b.sim.ClientID()}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"abc"},
		"scope": {strings.Join(Scopes, " ")}, "name": {"T"}, "decision": {"yes"}, "permission": Scopes[1:]}
	resp, _ = noFollow.PostForm(b.srv.URL+"/apps/authorize", form)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "todos los permisos") {
		t.Fatalf("unchecked permission: %d %s", resp.StatusCode, body)
	}
	form.Set("decision", "no")
	resp, _ = noFollow.PostForm(b.srv.URL+"/apps/authorize", form)
	resp.Body.Close()
	if l := resp.Header.Get("Location"); resp.StatusCode != 302 || !strings.Contains(l, "error=access_denied") || !strings.Contains(l, "state=abc") {
		t.Fatalf("deny: %d %s", resp.StatusCode, l)
	}
	bad := strings.Replace(b.authorizeURL("x"), b.sim.ClientID(), "intruder", 1)
	if resp, _ := http.Get(bad); resp.StatusCode != 400 {
		t.Fatalf("unknown client: %d", resp.StatusCode)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 2, AccessTTL: time.Minute, RefreshTTL: time.Hour})
	tok := b.login(t)
	if tok.MerchantID != b.sim.MerchantID() || !time.Time(tok.ExpiresAt).Equal(b.clock.Now().Add(time.Minute)) || len(tok.Scopes) != len(Scopes) {
		t.Fatalf("token = %+v", tok)
	}
	if code := b.get(t, tok.Token, "/api/checkouts/nope", nil); code != 404 {
		t.Fatalf("valid token: %d", code)
	}
	b.clock.Advance(2 * time.Minute)
	if code := b.get(t, tok.Token, "/api/checkouts/nope", nil); code != 401 {
		t.Fatalf("expired token: %d", code)
	}
	creds := map[string]string{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(), "grant_type": "refresh_token", "refresh_token": tok.RefreshToken}
	resp, body := b.post(t, "/oauth/access-token", creds)
	var tok2 tokenReply
	json.Unmarshal(body, &tok2)
	if resp.StatusCode != 200 || tok2.Token == tok.Token || tok2.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.post(t, "/oauth/access-token", creds); resp.StatusCode != 401 {
		t.Fatal("a rotated refresh token was accepted again")
	}
	creds["client_secret"] = "wrong"
	creds["refresh_token"] = tok2.RefreshToken
	if resp, _ := b.post(t, "/oauth/access-token", creds); resp.StatusCode != 401 {
		t.Fatal("wrong secret accepted")
	}
	b.clock.Advance(2 * time.Hour)
	creds["client_secret"] = b.sim.ClientSecret()
	if resp, _ := b.post(t, "/oauth/access-token", creds); resp.StatusCode != 401 {
		t.Fatal("expired refresh token accepted")
	}
	if resp, _ := b.post(t, "/oauth/access-token", map[string]string{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(), "grant_type": "authorization_code", "code": "made-up"}); resp.StatusCode != 400 {
		t.Fatal("made-up code accepted")
	}
	st := b.sim.State()
	for _, want := range []string{tok.Token, tok.RefreshToken, tok2.Token, tok2.RefreshToken} {
		found := false
		for _, got := range st.Tokens {
			found = found || got == want
		}
		if !found {
			t.Errorf("token %s missing from /_sim/state", want)
		}
	}
}

func TestListingPagesWithoutLossWhileOrdersArrive(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 3, Orders: 180, RateLimit: -1})
	tok := b.login(t)
	seen := map[string]int{}
	to := b.clock.Now().UTC()
	for from := to.Add(-26 * time.Hour); from.Before(to); from = from.Add(2 * time.Hour) {
		inWindow := map[string]bool{}
		for p := 1; p > 0; {
			var pg page[lightCheckout]
			path := fmt.Sprintf("/api/m/%s/checkouts/light/p/%d?_updated_at_from=%s&_updated_at_to=%s&limit=50", b.sim.MerchantID(), p,
				from.Format(simTime), from.Add(2*time.Hour).Format(simTime))
			if code := b.get(t, tok.Token, path, &pg); code != 200 {
				t.Fatalf("page %d: %d", p, code)
			}
			if pg.Pagination.CurrentPage != p || len(pg.Entries) > 50 || pg.Pagination.Limit != 50 || pg.Pagination.Offset != (p-1)*50 {
				t.Fatalf("pagination %+v with %d entries", pg.Pagination, len(pg.Entries))
			}
			for _, e := range pg.Entries {
				if inWindow[e.ID] {
					t.Fatalf("%s twice in one window", e.ID)
				}
				inWindow[e.ID] = true
				seen[e.ID]++
			}
			b.clock.Advance(time.Second)
			b.sim.AddOrders(3) // new orders are updated now, after every window's end
			p = pg.Pagination.NextPage
		}
	}
	for _, c := range b.sim.State().Checkouts[:180] {
		if seen[c.ID] == 0 {
			t.Fatalf("order %s never seen", c.ID)
		}
	}
	for _, c := range b.sim.State().Checkouts[180:] {
		if seen[c.ID] != 0 {
			t.Fatalf("order %s, updated after the windows, was listed", c.ID)
		}
	}
	var pg page[lightCheckout]
	b.get(t, tok.Token, fmt.Sprintf("/api/m/%s/checkouts/light/p/1?_updated_at_from=%s&_updated_at_to=%s", b.sim.MerchantID(),
		b.clock.Now().Add(time.Hour).UTC().Format(simTime), b.clock.Now().Add(2*time.Hour).UTC().Format(simTime)), &pg)
	if len(pg.Entries) != 0 || pg.Pagination.NextPage != 0 {
		t.Fatalf("future window: %+v", pg.Pagination)
	}
	if code := b.get(t, tok.Token, "/api/m/"+b.sim.MerchantID()+"/checkouts/light/p/1?_updated_at_from=yesterday", nil); code != 400 {
		t.Fatalf("bad time: %d", code)
	}
	if code := b.get(t, tok.Token, "/api/m/other/checkouts/light/p/1", nil); code != 403 {
		t.Fatalf("other merchant: %d", code)
	}
}

func TestPaidLaterMovesUpdatedAt(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 4, Orders: 300})
	var later *checkout
	for _, c := range b.sim.checkouts {
		if !c.payAt.IsZero() {
			later = c
			break
		}
	}
	if later == nil {
		t.Fatal("no order is paid later")
	}
	before := later.UpdatedAt
	b.clock.Advance(time.Hour)
	b.sim.State() // ticks
	if later.PaymentStatus != "completed" || !later.UpdatedAt.After(before) {
		t.Fatalf("paid-later order: %s %v", later.PaymentStatus, later.UpdatedAt)
	}
}

func TestDocumentsAttachUploadReadBack(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 5, Orders: 3, RateLimit: -1})
	tok := b.login(t)
	co := b.sim.State().Checkouts[0].ID
	req := func(method, path, ctype string, body []byte) (int, []byte) {
		r, _ := http.NewRequest(method, b.srv.URL+path, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok.Token)
		r.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	if code, body := req("POST", "/api/checkouts/"+co+"/electronic-billing-documents", "application/json",
		[]byte(`{"ClientId":"someone-else","id":"10482","type":"electronic_billing_electronic_bill"}`)); code != 400 || !strings.Contains(string(body), "ClientId") {
		t.Fatalf("attach for another client: %d %s", code, body)
	}
	code, body := req("POST", "/api/checkouts/"+co+"/electronic-billing-documents", "application/json",
		[]byte(`{"ClientId":"`+clientOf(b.sim, co)+`","id":"10482","code":"10482","name":"10482","emissionDate":"2026-11-24","type":"electronic_billing_electronic_bill","provider":"libredte"}`))
	var d document
	json.Unmarshal(body, &d)
	if code != 201 || d.ID == "" || d.DocID != "10482" {
		t.Fatalf("attach: %d %s", code, body)
	}
	if code, _ := req("POST", "/api/checkouts/"+co+"/electronic-billing-documents", "application/json", []byte(`{"name":"x"}`)); code != 400 {
		t.Fatalf("attach without id/type: %d", code)
	}
	upload := func(content []byte) int {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", "39-10482.pdf")
		w.Write(content)
		mw.Close()
		code, _ := req("POST", "/api/electronic-billing-documents/"+d.ID+"/upload", mw.FormDataContentType(), buf.Bytes())
		return code
	}
	if code := upload([]byte("not a pdf")); code != 400 {
		t.Fatalf("non-PDF upload: %d", code)
	}
	if code := upload(append([]byte("%PDF-1.4\n"), make([]byte, 1<<20)...)); code != 413 {
		t.Fatalf("large upload: %d", code)
	}
	if code := upload([]byte("%PDF-1.4\n%%EOF")); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	var pg page[document]
	b.get(t, tok.Token, "/api/checkouts/"+co+"/electronic-billing-documents/p/1", &pg)
	if len(pg.Entries) != 1 || len(pg.Entries[0].Files) != 1 || pg.Entries[0].Files[0].SynchronizationStatus == "" {
		t.Fatalf("read back: %+v", pg)
	}
	var detail checkout
	b.get(t, tok.Token, "/api/checkouts/"+co, &detail)
	if len(detail.Documents) != 1 {
		t.Fatal("detail does not show the document")
	}
	st := b.sim.State().Checkouts[0]
	if len(st.Documents) != 1 || !st.Documents[0].Uploaded || st.Documents[0].DocID != "10482" {
		t.Fatalf("state = %+v", st)
	}
}

func TestRateLimitPerToken(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 6, Orders: 1, RateLimit: 5})
	tok := b.login(t)
	var limited int
	for i := 0; i < 12; i++ {
		req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/api/checkouts/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, _ := http.DefaultClient.Do(req)
		resp.Body.Close()
		if resp.StatusCode == 429 {
			limited++
			if resp.Header.Get("Retry-After") != "1" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited < 5 {
		t.Fatalf("only %d of 12 rapid requests were limited", limited)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	for name, spec := range map[string]string{"5xx": "5xx=1", "429": "429=1", "reset": "reset=1"} {
		t.Run(name, func(t *testing.T) {
			b := setup(t, Options{Seed: 7, Orders: 1, RateLimit: -1})
			tok := b.login(t)
			resp, _ := http.Post(b.srv.URL+"/_sim/faults", "text/plain", strings.NewReader(spec))
			resp.Body.Close()
			req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/api/checkouts/x", nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			resp, err := http.DefaultClient.Do(req)
			switch name {
			case "5xx":
				if err != nil || resp.StatusCode != 503 {
					t.Fatalf("%v %v", resp, err)
				}
			case "429":
				if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
					t.Fatalf("%v %v", resp, err)
				}
			case "reset":
				if err == nil {
					t.Fatal("want a cut connection")
				}
			}
		})
	}
	b := setup(t, Options{Seed: 8, Faults: faults.Spec{TokenExpire: 30 * time.Second}})
	tok := b.login(t)
	if !time.Time(tok.ExpiresAt).Equal(b.clock.Now().Add(30 * time.Second)) {
		t.Fatalf("token-expire fault ignored: %v", tok.ExpiresAt)
	}
}

func TestGeneratorIsRealistic(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 9, Orders: 2000})
	var facturas, badRUT, noGiro, pending, cancelled int
	for _, c := range s.checkouts {
		var sum int64
		for _, it := range c.Items {
			if it.TotalWithDiscount != int64(it.Count)*it.Gross-it.Discount || it.Gross <= 0 {
				t.Fatalf("item does not add up: %+v", it)
			}
			sum += it.TotalWithDiscount
		}
		for _, d := range c.Delivery {
			sum += d.DeliveryOrder.Cost
		}
		var paid int64
		for _, p := range c.Payments {
			paid += p.Amount
		}
		// A coupon shows only as a total below the lines.
		if c.Total > sum || c.Total < sum-5000 || paid != c.Total || c.Total <= 0 {
			t.Fatalf("totals do not add up: %+v", c)
		}
		taxID := ""
		if c.Client.TaxID != nil {
			taxID = *c.Client.TaxID
			if c.Client.Activity == nil {
				noGiro++
			}
		}
		if len(c.BillingClients) > 0 && c.BillingClients[0].TaxID != "" {
			taxID = c.BillingClients[0].TaxID
			if c.BillingClients[0].Activity == "" {
				noGiro++
			}
		}
		if taxID != "" {
			facturas++
			if _, err := dte.ParseRUT(taxID); err != nil {
				badRUT++
			}
		}
		switch {
		case c.Status == "cancelled":
			cancelled++
		case c.PaymentStatus == "pending":
			pending++
		}
	}
	if f := float64(facturas) / 2000; f < 0.15 || f > 0.25 {
		t.Errorf("facturas: %.2f of orders, want about one in five", f)
	}
	if badRUT == 0 || badRUT > facturas/5 || noGiro == 0 || noGiro > facturas/5 {
		t.Errorf("bad RUTs %d, missing giro %d of %d facturas", badRUT, noGiro, facturas)
	}
	if pending == 0 || cancelled == 0 {
		t.Errorf("pending %d, cancelled %d", pending, cancelled)
	}
	if a, b := New(Options{Seed: 9, Orders: 5}), New(Options{Seed: 9, Orders: 5}); a.checkouts[4].ID != b.checkouts[4].ID || a.MerchantID() != b.MerchantID() {
		t.Error("the same seed gave different orders")
	}
}

// BenchmarkSimulator measures detail reads per second (no faults, no limit).
func BenchmarkSimulator(b *testing.B) {
	bu := setup(b, Options{Seed: 10, Orders: 1000, RateLimit: -1})
	tok := bu.login(b)
	ids := bu.sim.State().Checkouts
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, bu.srv.URL+"/api/checkouts/"+ids[i%len(ids)].ID, nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// The catalog shows in /_sim/state: every version with its price in each
// list and its stock in each warehouse.
func TestStateHoldsTheCatalog(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 4})
	c := b.sim.State().Catalog
	if len(c.Versions) < 10 || len(c.Prices) != 2 || len(c.Stock) != 2 {
		t.Fatalf("catalog in the state: %d versions, %d price lists, %d warehouses", len(c.Versions), len(c.Prices), len(c.Stock))
	}
	inactive := 0
	for _, v := range c.Versions {
		if _, ok := c.Prices["pl-general"][v.Code]; !ok {
			t.Errorf("%s has no general price", v.Code)
		}
		if _, ok := c.Stock["wh-central"][v.Code]; !ok {
			t.Errorf("%s has no stock entry in wh-central", v.Code)
		}
		if !v.Active {
			inactive++
		}
	}
	if inactive == 0 {
		t.Error("no inactive version: deactivation cannot be tested against the simulator")
	}
}

// The catalog is served at the paths public integrations call and nowhere
// else; the reads by SKU take a _code list, bounded by the URL's length.
func TestCatalogPaths(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 4, RateLimit: -1})
	tok := b.login(t).Token
	m := b.sim.MerchantID()
	for _, old := range []string{"/api/m/" + m + "/products/p/1", "/api/m/" + m + "/stores-and-warehouses",
		"/api/m/" + m + "/stocks/stores-and-warehouses/wh-central/p/1", "/api/m/" + m + "/price-lists",
		"/api/m/" + m + "/price-lists/pl-general/prices/p/1"} {
		if st := b.get(t, tok, old, nil); st != http.StatusNotFound {
			t.Errorf("old path %s: %d, want 404", old, st)
		}
	}
	var lists struct {
		Entries    []priceList       `json:"entries"`
		Pagination catalogPagination `json:"pagination"`
	}
	if st := b.get(t, tok, "/api/m/"+m+"/product-price-lists/p/1", &lists); st != 200 || len(lists.Entries) != 2 ||
		lists.Pagination.Limit != PageSize || lists.Pagination.TotalPages != 1 {
		t.Fatalf("price lists: %d %+v", st, lists)
	}
	var prices struct {
		Entries []versionPrice `json:"entries"`
	}
	sku := b.sim.State().Catalog.Versions[0].Code
	if st := b.get(t, tok, "/api/product-price/product-price-lists/pl-general/limit/1000?_code="+url.QueryEscape(sku+",NOPE"), &prices); st != 200 ||
		len(prices.Entries) != 1 || prices.Entries[0].Code != sku || prices.Entries[0].ProductPrices.Gross <= 0 {
		t.Fatalf("prices by code: %d %+v", st, prices)
	}
	var stock struct {
		Entries []versionStock `json:"entries"`
	}
	if st := b.get(t, tok, "/api/product-stocks/stores-and-warehouses/wh-central/limit/1000?_code="+url.QueryEscape(sku), &stock); st != 200 ||
		len(stock.Entries) != 1 || stock.Entries[0].ProductStocks.Amount != b.sim.State().Catalog.Stock["wh-central"][sku] {
		t.Fatalf("stock by code: %d %+v", st, stock)
	}
	if st := b.get(t, tok, "/api/product-stocks/stores-and-warehouses/nope/limit/1000?_code=A", nil); st != http.StatusNotFound {
		t.Errorf("unknown warehouse: %d", st)
	}
	if st := b.get(t, tok, "/api/product-stocks/stores-and-warehouses/wh-central/limit/5000?_code=A", nil); st != http.StatusBadRequest {
		t.Errorf("limit 5000: %d", st)
	}
	long := "/api/product-price/product-price-lists/pl-general/limit/1000?_code=" + strings.Repeat("SKU-000001,", 1000)
	if st := b.get(t, tok, long, nil); st != http.StatusRequestURITooLong {
		t.Errorf("a 10 KB _code list: %d, want 414", st)
	}
}

// Generated checkouts are served in the shape public integrations decode:
// names only in ProductVersion.Product.name, PaymentMethod an object,
// billing addresses with address_1, the fields other clients read, and
// every timestamp with exactly three fractional digits.
func TestCheckoutWireShape(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 11, Orders: 300})
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	var inClient, inBilling, shipped int
	for _, c := range s.checkouts {
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"soldAt", "createdAt", "updatedAt"} {
			if v, _ := m[k].(string); !stamp.MatchString(v) {
				t.Fatalf("%s = %v, want three fractional digits", k, m[k])
			}
		}
		if !c.CreatedAt.Before(c.UpdatedAt) && !c.CreatedAt.Equal(c.UpdatedAt) {
			t.Fatalf("created %v after updated %v", c.CreatedAt, c.UpdatedAt)
		}
		for _, k := range []string{"isMultiwarehouse", "CreatedById", "ClientId", "MerchantId", "CheckoutBillingClients", "CheckoutLink"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("no %s in %s", k, raw)
			}
		}
		cl := m["Client"].(map[string]any)
		if cl["MerchantId"] != s.MerchantID() || m["CheckoutLink"].(map[string]any)["CheckoutId"] != c.ID {
			t.Fatalf("merchant or link: %s", raw)
		}
		for _, it := range m["CheckoutItems"].([]any) {
			it := it.(map[string]any)
			pv := it["ProductVersion"].(map[string]any)
			pr := pv["Product"].(map[string]any)
			if _, named := it["name"]; named || pr["name"] == "" || pr["_id"] == "" || pv["ProductId"] != pr["_id"] ||
				it["CheckoutId"] != c.ID || it["MerchantId"] != s.MerchantID() || pv["code"] != it["code"] {
				t.Fatalf("item shape: %v", it)
			}
		}
		for _, p := range m["CheckoutPayments"].([]any) {
			p := p.(map[string]any)
			pm, ok := p["PaymentMethod"].(map[string]any)
			if !ok || pm["code"] == "" || pm["name"] == "" || !stamp.MatchString(p["updatedAt"].(string)) {
				t.Fatalf("payment shape: %v", p)
			}
			if _, old := p["couponAmount"]; old {
				t.Fatalf("a coupon field no public integration reads: %v", p)
			}
			if d, _ := p["datePaid"].(string); (p["paymentStatus"] == "completed") != stamp.MatchString(d) {
				t.Fatalf("datePaid %v for %v", p["datePaid"], p["paymentStatus"])
			}
		}
		for _, d := range m["DeliveryOrderInCheckouts"].([]any) {
			d := d.(map[string]any)
			sa := d["DeliveryOrder"].(map[string]any)["ShippingAddress"].(map[string]any)
			if sa["address_1"] == "" || sa["city"] == "" || len(d["DeliveryOrderInCheckoutItems"].([]any)) == 0 {
				t.Fatalf("delivery shape: %v", d)
			}
			shipped++
		}
		if _, old := m["billingDocumentType"]; old {
			t.Fatal("billingDocumentType is not a confirmed field")
		}
		if c.Client.TaxID != nil {
			inClient++
			a := c.Client.BillingAddresses[0]
			if c.Client.Type != "company" || a.Address1 == "" || a.Street == "" || a.Number == "" || c.Client.Comune == nil {
				t.Fatalf("factura identity in Client: %s", raw)
			}
		}
		if len(c.BillingClients) > 0 && c.BillingClients[0].TaxID != "" {
			inBilling++
			if a := c.BillingClients[0].BillingAddresses; len(a) == 0 || a[0].Address1 == "" || a[0].City == nil {
				t.Fatalf("factura identity in CheckoutBillingClients: %s", raw)
			}
		}
	}
	if inClient == 0 || inBilling == 0 || shipped == 0 {
		t.Errorf("identities in Client %d, in CheckoutBillingClients %d; shipped %d", inClient, inBilling, shipped)
	}
}

// clientOf is the Client._id of a checkout, read under the server's lock.
func clientOf(s *Server, checkoutID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[checkoutID].ClientID
}
