package multivende

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func mustCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Code != code {
		t.Fatalf("want %s, got %#v (%v)", code, err, err)
	}
	return e
}

func TestAuthorizeURLAsksForEveryScope(t *testing.T) {
	t.Parallel()
	c := New(Config{BaseURL: "https://mv.example/", ClientID: "cid"})
	p := NewPKCE()
	u, err := url.Parse(c.AuthorizeURL("http://127.0.0.1:8765/callback", "st4te", &p))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://mv.example/apps/authorize" {
		t.Fatalf("authorize at %s", u)
	}
	q := u.Query()
	want := url.Values{
		"response_type":         {"code"},
		"client_id":             {"cid"},
		"redirect_uri":          {"http://127.0.0.1:8765/callback"},
		"scope":                 {strings.Join(Scopes, " ")},
		"state":                 {"st4te"},
		"code_challenge":        {p.Challenge},
		"code_challenge_method": {"S256"},
	}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("query\n got %v\nwant %v", q, want)
	}
	if len(strings.Fields(q.Get("scope"))) != 8 {
		t.Fatalf("scopes %q", q.Get("scope"))
	}
	sum := sha256.Sum256([]byte(p.Verifier))
	if p.Challenge != base64.RawURLEncoding.EncodeToString(sum[:]) || len(p.Verifier) < 43 {
		t.Fatalf("PKCE %+v is not S256 of a 43+ character verifier", p)
	}
	plain, _ := url.Parse(c.AuthorizeURL("http://x/cb", "s", nil))
	if plain.Query().Has("code_challenge") || plain.Query().Has("code_challenge_method") {
		t.Fatal("challenge sent without PKCE")
	}
	seen := map[string]bool{}
	for range 100 {
		s := NewState()
		if len(s) < 22 || seen[s] {
			t.Fatalf("state %q short or repeated", s)
		}
		seen[s] = true
	}
}

func TestTokenCallsSpeakMultivendeJSON(t *testing.T) {
	t.Parallel()
	fixture := readFixture(t, "multivende-token.json")
	tests := []struct {
		name string
		call func(*Client) (Token, error)
		want map[string]string
	}{
		{"exchange with PKCE", func(c *Client) (Token, error) {
			return c.Exchange(context.Background(), "the-code", "http://127.0.0.1/cb", "verif-SECRET")
		}, map[string]string{"client_id": "cid", "client_secret": secretClient, "grant_type": "authorization_code",
			"code": "the-code", "redirect_uri": "http://127.0.0.1/cb", "code_verifier": "verif-SECRET"}},
		{"exchange without PKCE", func(c *Client) (Token, error) {
			return c.Exchange(context.Background(), "the-code", "", "")
		}, map[string]string{"client_id": "cid", "client_secret": secretClient, "grant_type": "authorization_code", "code": "the-code"}},
		{"refresh", func(c *Client) (Token, error) {
			return c.Refresh(context.Background(), secretRefresh)
		}, map[string]string{"client_id": "cid", "client_secret": secretClient, "grant_type": "refresh_token", "refresh_token": secretRefresh}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got map[string]string
			var problem string
			c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method != http.MethodPost || r.URL.Path != "/oauth/access-token":
					problem = r.Method + " " + r.URL.Path
				case r.Header.Get("Content-Type") != "application/json":
					problem = "content type " + r.Header.Get("Content-Type")
				case r.Header.Get("Authorization") != "":
					problem = "an Authorization header on the token call"
				}
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					problem = "body is not a JSON object of strings: " + err.Error()
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write(fixture)
			}))
			tok, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if problem != "" {
				t.Fatal(problem)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("body\n got %v\nwant %v", got, tt.want)
			}
			want := Token{ID: "5e8f0a7b-2c1d-4e3f-9a8b-7c6d5e4f3a21", Token: "mv-access-EXAMPLE-NOT-A-SECRET",
				ExpiresAt: time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC), RefreshToken: "mv-refresh-EXAMPLE-NOT-A-SECRET",
				RefreshTokenExpiresAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
				Scopes:                []string{"read:checkouts", "write:checkouts", "read:products", "read:stocks", "read:prices"},
				MerchantID:            "0d3c2b1a-9f8e-4d7c-6b5a-493827160514", OauthClientID: "11111111-2222-4333-8444-555566667777",
				MerchantAppID: "aaaabbbb-cccc-4ddd-8eee-ffff00001111"}
			if !tok.ExpiresAt.Equal(want.ExpiresAt) || !tok.RefreshTokenExpiresAt.Equal(want.RefreshTokenExpiresAt) {
				t.Fatalf("expiries %v %v", tok.ExpiresAt, tok.RefreshTokenExpiresAt)
			}
			tok.ExpiresAt, tok.RefreshTokenExpiresAt = want.ExpiresAt, want.RefreshTokenExpiresAt
			if !reflect.DeepEqual(tok, want) {
				t.Fatalf("token\n got %+v\nwant %+v", tok, want)
			}
			logged := log.text()
			for _, s := range []string{"mv-access-EXAMPLE", "mv-refresh-EXAMPLE", secretClient, "the-code", "verif-SECRET", secretRefresh} {
				if strings.Contains(logged, s) {
					t.Errorf("hook saw secret %q: %s", s, logged)
				}
			}
			if ex := log.list(); len(ex) != 1 || ex[0].Status != 200 || ex[0].Op == "" || !strings.Contains(ex[0].RespBody, "MerchantId") {
				t.Fatalf("hook got %+v", ex)
			}
		})
	}
}

func TestTokenCallFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		call   string
		code   string
	}{
		{"exchange with wrong secret", 401, `{"message":"Invalid client credentials"}`, "exchange", CodeAuth},
		{"exchange with used code", 400, `{"message":"Invalid or expired authorization code"}`, "exchange", CodeBadRequest},
		{"refresh refused", 401, `{"message":"Invalid or expired refresh token"}`, "refresh", CodeNeedsReconnect},
		{"refresh bad request", 400, `{"error":"invalid_grant"}`, "refresh", CodeNeedsReconnect},
		{"refresh rate limited", 429, `{"message":"slow"}`, "refresh", CodeRate},
		{"refresh server down", 503, `{"message":"down"}`, "refresh", CodeServer},
		{"reply without token", 200, `{"_id":"x"}`, "refresh", CodeDecode},
		{"reply not JSON", 200, `<html>`, "exchange", CodeDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			var err error
			if tt.call == "exchange" {
				_, err = c.Exchange(context.Background(), "c", "http://x/cb", "")
			} else {
				_, err = c.Refresh(context.Background(), secretRefresh)
			}
			mustCode(t, err, tt.code)
			if strings.Contains(err.Error(), secretRefresh) || strings.Contains(err.Error(), secretClient) {
				t.Fatalf("secret in %v", err)
			}
		})
	}
	c := New(Config{BaseURL: "http://127.0.0.1:1"})
	if _, err := c.Refresh(context.Background(), ""); ErrorCode(err) != CodeNeedsReconnect {
		t.Fatalf("empty refresh token: %v", err)
	}
	if _, err := c.Exchange(context.Background(), "", "", ""); ErrorCode(err) != CodeBadRequest {
		t.Fatalf("empty code: %v", err)
	}
}

// pageServer answers the light checkouts list in three pages.
func TestCheckoutsPagesByUpdatedAt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var requests []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+secretAccess || r.Header.Get("Accept") != "application/json" {
			w.WriteHeader(401)
			return
		}
		mu.Lock()
		requests = append(requests, r.URL.RequestURI())
		mu.Unlock()
		page, ok := strings.CutPrefix(r.URL.Path, "/api/m/m-1/checkouts/light/p/")
		next, known := map[string]int{"1": 2, "2": 3, "3": 0}[page]
		if !ok || !known {
			w.WriteHeader(404)
			return
		}
		fmt.Fprintf(w, `{"entries":[{"_id":"id-%s","code":"C%s","total":990.0,"updatedAt":"2026-11-20T14:05:42.000Z"}],`+
			`"pagination":{"total_items":3,"total_pages":3,"current_page":%s,"next_page":%d}}`, page, page, page, next)
	}))
	from := time.Date(2026, 11, 24, 14, 3, 0, 500, time.FixedZone("CLT", -3*3600))
	to := from.Add(time.Hour)
	var ids []string
	for p, err := range c.Checkouts(context.Background(), "m-1", from, to) {
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range p.Entries {
			ids = append(ids, e.ID)
			if !strings.Contains(string(p.Raw[i]), `"_id":"`+e.ID+`"`) || e.Total != 990 {
				t.Fatalf("entry %+v raw %s", e, p.Raw[i])
			}
		}
	}
	if strings.Join(ids, ",") != "id-1,id-2,id-3" {
		t.Fatalf("ids = %v", ids)
	}
	want := []string{
		"/api/m/m-1/checkouts/light/p/1?_updated_at_from=2026-11-24T17%3A03%3A00&_updated_at_to=2026-11-24T18%3A03%3A00&limit=1000",
		"/api/m/m-1/checkouts/light/p/2?_updated_at_from=2026-11-24T17%3A03%3A00&_updated_at_to=2026-11-24T18%3A03%3A00&limit=1000",
		"/api/m/m-1/checkouts/light/p/3?_updated_at_from=2026-11-24T17%3A03%3A00&_updated_at_to=2026-11-24T18%3A03%3A00&limit=1000",
	}
	if !slices.Equal(requests, want) {
		t.Fatalf("requests\n got %q\nwant %q", requests, want)
	}

	// Stopping the range stops the requests.
	requests = nil
	for range c.Checkouts(context.Background(), "m-1", from, to) {
		break
	}
	if len(requests) != 1 || requests[0] != want[0] {
		t.Fatalf("after break: %q", requests)
	}
}

func TestCheckoutsListEdges(t *testing.T) {
	t.Parallel()
	fixture := readFixture(t, "multivende-checkouts-page.json")
	tests := []struct {
		name    string
		reply   func(page string) (int, string)
		pages   int
		entries int
		code    string
	}{
		{"shared fixture, one page", func(string) (int, string) { return 200, string(fixture) }, 1, 2, ""},
		{"server repeats its page", func(p string) (int, string) {
			return 200, `{"entries":[{"_id":"a"}],"pagination":{"current_page":1,"next_page":1}}`
		}, 1, 1, ""},
		{"error on page 2", func(p string) (int, string) {
			if p == "1" {
				return 200, `{"entries":[{"_id":"a"}],"pagination":{"current_page":1,"next_page":2}}`
			}
			return 503, `{"message":"down"}`
		}, 1, 1, CodeServer},
		{"entry without id", func(string) (int, string) { return 200, `{"entries":[{"code":"x"}],"pagination":{}}` }, 0, 0, CodeDecode},
		// A bad total keeps the entry (issue 20): one order must not block the poll.
		{"fractional amount", func(string) (int, string) { return 200, `{"entries":[{"_id":"a","total":10.5}],"pagination":{}}` }, 1, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s, b := tt.reply(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
				w.WriteHeader(s)
				io.WriteString(w, b)
			}))
			pages, entries, errs := 0, 0, 0
			var last error
			to := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
			for p, err := range c.Checkouts(context.Background(), "m", to.Add(-MaxWindow), to) {
				if err != nil {
					errs++
					last = err
					continue
				}
				pages++
				entries += len(p.Entries)
			}
			if pages != tt.pages || entries != tt.entries {
				t.Fatalf("%d pages %d entries", pages, entries)
			}
			if tt.code == "" && errs != 0 || tt.code != "" && (errs != 1 || ErrorCode(last) != tt.code) {
				t.Fatalf("%d errors, last %v", errs, last)
			}
		})
	}
}

func TestCheckoutDetailKeepsRaw(t *testing.T) {
	t.Parallel()
	fixture := readFixture(t, "multivende-checkout.json")
	var paths []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		w.Write(fixture)
	}))
	co, raw, err := c.Checkout(context.Background(), "4f1c2a9e-7d3b-4c55-9a10-2b8e6f0d1a01")
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(fixture) {
		t.Fatal("raw JSON differs from the reply")
	}
	if co.ID != "4f1c2a9e-7d3b-4c55-9a10-2b8e6f0d1a01" || co.Client.ID != "c0ffee00-1111-4222-8333-444455556666" || !co.Paid() ||
		co.Total != 29970 || len(co.CheckoutItems) != 1 || co.CheckoutItems[0].Gross != 12990 ||
		co.DeliveryOrderInCheckouts[0].DeliveryOrder.Cost != 3990 || co.DocumentKind(FacturaMapping{}) != BillingBill {
		t.Fatalf("decoded %+v", co)
	}
	if _, _, err := c.Checkout(context.Background(), "a/b?c"); err != nil {
		t.Fatal(err)
	}
	if paths[1] != "/api/checkouts/a%2Fb%3Fc" {
		t.Fatalf("id not escaped: %s", paths[1])
	}
	if _, _, err := c.Checkout(context.Background(), " "); ErrorCode(err) != CodeBadRequest || len(paths) != 2 {
		t.Fatalf("empty id: %v after %d requests", err, len(paths))
	}
}

func TestCreateBillingDocumentWire(t *testing.T) {
	t.Parallel()
	var got map[string]any
	var path, ctype string
	status := http.StatusCreated
	reply := `{"_id":"doc-1","id":"10482","type":"electronic_billing_electronic_bill"}`
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ctype = r.Method+" "+r.URL.Path, r.Header.Get("Content-Type")
		got = nil
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	d := NewBillingDocument{ClientID: "cl-1", ID: "10482", Code: "10482", Name: "10482", EmissionDate: "2026-11-24",
		Type: DocTypeBoleta, Provider: "libredte", ElectronicBillingDocumentEmitterID: "em-1"}
	doc, err := c.CreateBillingDocument(context.Background(), "co-1", d)
	if err != nil {
		t.Fatal(err)
	}
	if path != "POST /api/checkouts/co-1/electronic-billing-documents" || ctype != "application/json" || doc.ID != "doc-1" || doc.DocID != "10482" {
		t.Fatalf("%s %s → %+v", path, ctype, doc)
	}
	want := map[string]any{"ClientId": "cl-1", "id": "10482", "code": "10482", "name": "10482", "emissionDate": "2026-11-24",
		"type": "electronic_billing_electronic_bill", "provider": "libredte", "ElectronicBillingDocumentEmitterId": "em-1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("body\n got %v\nwant %v", got, want)
	}
	status = http.StatusOK // 200 is fine too
	d.ElectronicBillingDocumentEmitterID = ""
	if _, err := c.CreateBillingDocument(context.Background(), "co-1", d); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["ElectronicBillingDocumentEmitterId"]; ok {
		t.Fatal("an empty emitter id was sent")
	}
	reply = `{"ok":true}`
	mustCode(t, func() error { _, err := c.CreateBillingDocument(context.Background(), "co-1", d); return err }(), CodeDecode)
}

func TestUploadDocumentFile(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var gotPath, gotName, gotType string
	var gotBody []byte
	c, log := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		gotPath = r.Method + " " + r.URL.Path
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data; boundary=") {
			http.Error(w, "not multipart", 400)
			return
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		gotBody, _ = io.ReadAll(f)
		gotName, gotType = h.Filename, h.Header.Get("Content-Type")
		io.WriteString(w, `{"_id":"doc1"}`)
	}))
	pdf := []byte("%PDF-1.4 tiny\n%%EOF\n")
	if err := c.UploadDocumentFile(context.Background(), "doc1", "39-10482.pdf", pdf); err != nil {
		t.Fatal(err)
	}
	if gotPath != "POST /api/electronic-billing-documents/doc1/upload" || gotName != "39-10482.pdf" ||
		gotType != "application/pdf" || string(gotBody) != string(pdf) {
		t.Fatalf("upload got %s %q %q %q", gotPath, gotName, gotType, gotBody)
	}
	if l := log.text(); !strings.Contains(l, "bytes multipart/form-data") || strings.Contains(l, "%PDF") {
		t.Fatalf("the hook should describe the upload, not copy it: %s", l)
	}
	big := make([]byte, MaxPDFSize)
	copy(big, "%PDF-")
	if err := c.UploadDocumentFile(context.Background(), "doc1", "big.pdf", big); err != nil {
		t.Fatalf("exactly MaxPDFSize: %v", err)
	}
	before := calls.Load()
	err := c.UploadDocumentFile(context.Background(), "doc1", "39-10482.pdf", make([]byte, MaxPDFSize+1))
	e := mustCode(t, err, CodePDFTooLarge)
	if calls.Load() != before || e.Retryable() || !strings.Contains(err.Error(), "doc1") {
		t.Fatalf("large upload: %v after %d calls", err, calls.Load()-before)
	}
	if err := c.UploadDocumentFile(context.Background(), "doc1", "x.pdf", nil); ErrorCode(err) != CodeBadRequest || calls.Load() != before {
		t.Fatalf("empty PDF: %v", err)
	}
}

func TestBillingDocumentsReadBack(t *testing.T) {
	t.Parallel()
	var paths []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/p/1") {
			io.WriteString(w, `{"entries":[{"_id":"d1","id":"10482","ElectronicBillingDocumentFiles":[{"synchronizationStatus":"synchronized","url":"https://x/1.pdf"}]}],"pagination":{"total_items":2,"total_pages":2,"current_page":1,"next_page":2}}`)
			return
		}
		io.WriteString(w, `{"entries":[{"_id":"d2","id":"10483"}],"pagination":{"total_items":2,"total_pages":2,"current_page":2,"next_page":0}}`)
	}))
	docs, err := c.BillingDocuments(context.Background(), "co-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].DocID != "10482" || docs[0].ElectronicBillingDocumentFiles[0].SynchronizationStatus != "synchronized" || docs[1].ID != "d2" {
		t.Fatalf("docs %+v", docs)
	}
	if !slices.Equal(paths, []string{"/api/checkouts/co-1/electronic-billing-documents/p/1", "/api/checkouts/co-1/electronic-billing-documents/p/2"}) {
		t.Fatalf("paths %q", paths)
	}
}

func TestCatalogWire(t *testing.T) {
	t.Parallel()
	pageOf := func(entry string, cur, next int) string {
		return fmt.Sprintf(`{"entries":[%s],"pagination":{"current_page":%d,"next_page":%d}}`, entry, cur, next)
	}
	// offsetPage pages like the other form: offset/limit/total_items only.
	offsetPage := func(entry string, offset, total int) string {
		return fmt.Sprintf(`{"entries":[%s],"pagination":{"offset":%d,"limit":1,"total_items":%d}}`, entry, offset, total)
	}
	var mu sync.Mutex
	var paths []string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		switch p := r.URL.Path; {
		case p == "/api/m/m1/products/light/p/1":
			io.WriteString(w, pageOf(`{"_id":"p1","name":"Taza","code":"TAZA"}`, 1, 2))
		case p == "/api/m/m1/products/light/p/2":
			io.WriteString(w, pageOf(`{"_id":"p2","name":"Plato","code":"PLATO"}`, 2, 0))
		case p == "/api/m/m1/product-versions/p/1":
			io.WriteString(w, offsetPage(`{"_id":"v1","code":"TAZA-01","status":"active","Product":{"_id":"p1","name":"Taza azul"},"ProductStocks":{"amount":4}}`, 0, 2))
		case p == "/api/m/m1/product-versions/p/2":
			io.WriteString(w, offsetPage(`{"_id":"v2","code":"PLATO-01","status":"inactive","Product":{"_id":"p2","name":"Plato"}}`, 1, 2))
		case p == "/api/m/m1/stores-and-warehouses/p/1":
			io.WriteString(w, `{"entries":[{"_id":"wh-1","name":"Bodega Central","type":"warehouse"}],"pagination":{"total_pages":1}}`)
		case p == "/api/product-stocks/stores-and-warehouses/wh-1/limit/1000":
			io.WriteString(w, `{"entries":[{"_id":"v1","code":"TAZA-01","ProductStocks":{"amount":7}},{"_id":"v9","code":"OTHER","ProductStocks":{"amount":1}}],"pagination":{"offset":0,"limit":1000}}`)
		case p == "/api/m/m1/product-price-lists/p/1":
			io.WriteString(w, pageOf(`{"_id":"pl-1","name":"General","currency":"CLP"}`, 1, 0))
		case p == "/api/product-price/product-price-lists/pl-1/limit/1000":
			io.WriteString(w, `{"entries":[{"_id":"v1","code":"TAZA-01","ProductPrices":[{"gross":12990,"priceWithDiscount":11990}]}]}`)
		default:
			w.WriteHeader(404)
		}
	}))
	ctx := context.Background()
	products, err := c.Products(ctx, "m1")
	if err != nil || len(products) != 2 || products[1] != (Product{ID: "p2", Name: "Plato", Code: "PLATO"}) {
		t.Fatalf("products %+v %v", products, err)
	}
	vers, err := c.ProductVersions(ctx, "m1", "wh-1")
	if err != nil || len(vers) != 2 || vers[0].Code != "TAZA-01" || vers[0].Product.Name != "Taza azul" || !vers[0].Active() ||
		!vers[0].HasStock || vers[0].Stock != 4 || vers[1].Active() || vers[1].HasStock {
		t.Fatalf("versions %+v %v", vers, err)
	}
	whs, err := c.Warehouses(ctx, "m1")
	if err != nil || len(whs) != 1 || whs[0] != (Warehouse{ID: "wh-1", Name: "Bodega Central", Type: "warehouse"}) {
		t.Fatalf("warehouses %+v %v", whs, err)
	}
	stock, err := c.Stock(ctx, "wh-1", []string{"TAZA-01", " TAZA-01", "PLATO-01"})
	if err != nil || len(stock) != 1 || stock[0] != (StockEntry{Code: "TAZA-01", Amount: 7}) {
		t.Fatalf("stock %+v %v (a SKU not asked for is dropped)", stock, err)
	}
	lists, err := c.PriceLists(ctx, "m1")
	if err != nil || len(lists) != 1 || lists[0] != (PriceList{ID: "pl-1", Name: "General", Currency: "CLP"}) {
		t.Fatalf("price lists %+v %v", lists, err)
	}
	prices, err := c.Prices(ctx, "pl-1", []string{"TAZA-01"})
	if err != nil || len(prices) != 1 || prices[0] != (Price{Code: "TAZA-01", Gross: 12990}) {
		t.Fatalf("prices %+v %v", prices, err)
	}
	want := []string{"/api/m/m1/products/light/p/1", "/api/m/m1/products/light/p/2",
		"/api/m/m1/product-versions/p/1?_include_stock=true&_warehouse_id=wh-1",
		"/api/m/m1/product-versions/p/2?_include_stock=true&_warehouse_id=wh-1",
		"/api/m/m1/stores-and-warehouses/p/1",
		"/api/product-stocks/stores-and-warehouses/wh-1/limit/1000?_code=TAZA-01%2CPLATO-01",
		"/api/m/m1/product-price-lists/p/1",
		"/api/product-price/product-price-lists/pl-1/limit/1000?_code=TAZA-01"}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths\n got %q\nwant %q", paths, want)
	}
	if _, err := c.Stock(ctx, "", []string{"A"}); ErrorCode(err) != CodeBadRequest {
		t.Fatalf("empty warehouse: %v", err)
	}
	if _, err := c.Products(ctx, "nope%d"); ErrorCode(err) != CodeNotFound || !strings.Contains(err.Error(), "merchant nope%d") {
		t.Fatalf("unknown merchant: %v", err)
	}
}

// A long SKU list is asked for in chunks of at most 100 codes, each URL
// short, and every SKU is asked for exactly once.
func TestCatalogCodesAreChunked(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	asked := map[string]int{}
	var longest, calls int
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes := strings.Split(r.URL.Query().Get("_code"), ",")
		mu.Lock()
		calls++
		longest = max(longest, len(r.URL.RequestURI()))
		var entries []string
		for _, code := range codes {
			asked[code]++
			entries = append(entries, fmt.Sprintf(`{"code":%q,"ProductPrices":{"gross":1000}}`, code))
		}
		mu.Unlock()
		if len(codes) > 100 {
			w.WriteHeader(http.StatusRequestURITooLong)
			return
		}
		fmt.Fprintf(w, `{"entries":[%s]}`, strings.Join(entries, ","))
	}))
	var codes []string
	for i := range 250 {
		codes = append(codes, fmt.Sprintf("SKU-%05d", i))
	}
	prices, err := c.Prices(context.Background(), "pl-1", codes)
	if err != nil {
		t.Fatal(err)
	}
	if len(prices) != 250 || calls != 3 || len(asked) != 250 {
		t.Fatalf("%d prices in %d calls, %d codes asked", len(prices), calls, len(asked))
	}
	for code, n := range asked {
		if n != 1 {
			t.Errorf("%s asked %d times", code, n)
		}
	}
	if longest > 2000 {
		t.Errorf("a URL of %d characters", longest)
	}
}

func TestErrorWrapsAndReads(t *testing.T) {
	t.Parallel()
	e := &Error{Code: CodeNotFound, Op: "checkout", Object: "4f1c", Status: 404, Message: "Checkout not found"}
	if got := e.Error(); got != "multivende: checkout 4f1c: 404 not found: Checkout not found" {
		t.Fatalf("Error() = %q", got)
	}
	wrapped := fmt.Errorf("ingest: %w", e)
	if ErrorCode(wrapped) != CodeNotFound || IsUncertain(wrapped) {
		t.Fatal("errors.As through a wrap")
	}
	var target *Error
	if !errors.As(wrapped, &target) || target != e {
		t.Fatal("errors.As")
	}
	u := &Error{Code: CodeTimeout, Op: "attach document to checkout", Object: "co", Message: "no reply in time",
		Uncertain: true, Err: context.DeadlineExceeded}
	if !IsUncertain(fmt.Errorf("x: %w", u)) || !errors.Is(u, context.DeadlineExceeded) || !u.Retryable() ||
		!strings.Contains(u.Error(), "outcome uncertain") {
		t.Fatalf("uncertain: %v", u)
	}
	if ErrorCode(errors.New("plain")) != "" {
		t.Fatal("plain error has a code")
	}
}

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status     int
		header     string
		body       string
		code       string
		retryable  bool
		retryAfter time.Duration
		text       string
	}{
		"unauthorized":        {401, "", `{"message":"token expired"}`, CodeAuth, false, 0, "checkout 4f1c: 401 unauthorized: token expired"},
		"forbidden":           {403, "", `{"message":"Merchant not allowed"}`, CodeAuth, false, 0, "403 forbidden: Merchant not allowed"},
		"not found, error":    {404, "", `{"error":"Checkout not found"}`, CodeNotFound, false, 0, "checkout 4f1c: 404 not found: Checkout not found"},
		"nested error":        {404, "", `{"error":{"message":"gone"}}`, CodeNotFound, false, 0, "404 not found: gone"},
		"rate limited":        {429, "3", `{"message":"slow down"}`, CodeRate, true, 3 * time.Second, "429 too many requests: slow down (retry after 3s)"},
		"rate limited, no RA": {429, "", ``, CodeRate, true, DefaultRetryAfter, "429 too many requests"},
		"server":              {500, "", `oops`, CodeServer, true, 0, "500 internal server error: oops"},
		"unavailable":         {503, "", `{"message":"down"}`, CodeServer, true, 0, "503 service unavailable: down"},
		"bad request":         {400, "", `{"message":"bad"}`, CodeBadRequest, false, 0, "400 bad request: bad"},
		"not json":            {200, "", `<html>`, CodeDecode, true, 0, "checkout 4f1c: unexpected reply"},
		"empty 200":           {200, "", ``, CodeDecode, true, 0, "empty reply"},
		"no id":               {200, "", `{"code":"x"}`, CodeDecode, true, 0, "no _id"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			_, _, err := c.Checkout(context.Background(), "4f1c")
			e := mustCode(t, err, tt.code)
			if e.Retryable() != tt.retryable || e.RetryAfter != tt.retryAfter || e.Uncertain {
				t.Fatalf("err = %#v", e)
			}
			if !strings.Contains(err.Error(), tt.text) || !strings.HasPrefix(err.Error(), "multivende: checkout 4f1c:") {
				t.Fatalf("%q does not say %q", err, tt.text)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"2": 2 * time.Second, " 10 ": 10 * time.Second, "0": 0, "": DefaultRetryAfter, "x": DefaultRetryAfter,
		"-5": DefaultRetryAfter, "1.5": DefaultRetryAfter, "999999999999": maxHold,
		"Tue, 24 Nov 2026 12:00:05 GMT": 5 * time.Second, "Tue, 24 Nov 2026 11:00:00 GMT": 0,
		"Tuesday, 24-Nov-26 12:01:00 GMT": time.Minute, "Tue, 01 Dec 2026 12:00:00 GMT": maxHold,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
