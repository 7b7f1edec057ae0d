package mvsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// loginAs goes through consent as one merchant and the token exchange.
func (b *bundle) loginAs(t testing.TB, merchant string) tokenReply {
	t.Helper()
	loc, err := ConsentAs(context.Background(), nil, b.authorizeURL("st"), "Tienda", merchant)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	resp, body := b.post(t, "/oauth/access-token", map[string]string{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(),
		"grant_type": "authorization_code", "code": u.Query().Get("code")})
	if resp.StatusCode != 200 {
		t.Fatalf("exchange as %s: %d %s", merchant, resp.StatusCode, body)
	}
	var tok tokenReply
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// ids lists a merchant's checkouts over the last day through the API.
func (b *bundle) ids(t testing.TB, tok tokenReply, merchant string) (int, []string) {
	t.Helper()
	var out []string
	now := b.clock.Now()
	for from := now.Add(-26 * time.Hour); from.Before(now); from = from.Add(2 * time.Hour) {
		var p page[lightCheckout]
		path := "/api/m/" + merchant + "/checkouts/light/p/1?" + window(from, from.Add(2*time.Hour), "limit", "1000").Encode()
		if code := b.get(t, tok.Token, path, &p); code != 200 {
			return code, nil
		}
		for _, e := range p.Entries {
			out = append(out, e.ID)
		}
	}
	return 200, out
}

func TestMerchantsAreApart(t *testing.T) {
	t.Parallel()
	const n = 3
	b := setup(t, Options{Seed: 7, Orders: 12, RateLimit: -1, Merchants: n})
	refs := b.sim.MerchantRefs()
	if len(refs) != n || len(b.sim.Merchants()) != n {
		t.Fatalf("%d merchants listed, want %d", len(refs), n)
	}
	// The first merchant is the one a server of one merchant serves.
	if one := New(Options{Seed: 7, Orders: 12, Now: b.clock.Now}); one.MerchantID() != refs[0].ID ||
		one.state().Checkouts[0].ID != b.sim.Merchant(refs[0].ID).state().Checkouts[0].ID {
		t.Error("the first merchant differs from a one-merchant server's with the same seed")
	}

	// The consent page offers every merchant, the first chosen.
	resp, err := http.Get(b.authorizeURL("st"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for i, r := range refs {
		want := `name="merchant" value="` + r.ID + `"`
		if i == 0 {
			want += " checked"
		}
		if !strings.Contains(string(page), want) || !strings.Contains(string(page), r.Name) {
			t.Errorf("consent page does not offer %s (%s) as it should: want %s", r.ID, r.Name, want)
		}
	}

	toks := make([]tokenReply, n)
	sets := make([][]string, n)
	for i, r := range refs {
		toks[i] = b.loginAs(t, r.ID)
		if toks[i].MerchantID != r.ID || toks[i].OauthClientID != b.sim.ClientID() {
			t.Fatalf("token of merchant %d is for merchant %s, client %s", i, toks[i].MerchantID, toks[i].OauthClientID)
		}
		var code int
		if code, sets[i] = b.ids(t, toks[i], r.ID); code != 200 || len(sets[i]) != 12 {
			t.Fatalf("merchant %d lists %d orders (%d), want 12", i, len(sets[i]), code)
		}
		var info map[string]string
		if b.get(t, toks[i].Token, "/api/d/info", &info); info["MerchantId"] != r.ID {
			t.Errorf("app info of merchant %d names %s", i, info["MerchantId"])
		}
	}
	for i := range sets {
		for j := range i {
			for _, id := range sets[i] {
				if slices.Contains(sets[j], id) {
					t.Fatalf("order %s is both merchant %d's and %d's", id, i, j)
				}
			}
		}
	}

	// A's token reads nothing of B's: B's list and catalog (403, another
	// merchant's path), B's order and documents (404, as if absent); nor
	// attaches to B's order.
	a, bID, bOrder := toks[0], refs[1].ID, sets[1][0]
	if code, _ := b.ids(t, a, bID); code != http.StatusForbidden {
		t.Errorf("A's token listing B's orders: %d, want 403", code)
	}
	for path, want := range map[string]int{"/api/checkouts/" + bOrder: 404, "/api/checkouts/" + bOrder + "/electronic-billing-documents/p/1": 404,
		"/api/m/" + bID + "/products/light/p/1": 403} {
		if code, body := b.getRaw(t, "Bearer "+a.Token, path); code != want {
			t.Errorf("A's token on B's %s: %d %s, want %d", path, code, body, want)
		}
	}
	attach := func(tok, order string) int {
		raw, _ := json.Marshal(map[string]string{"id": "1", "type": "boleta", "ClientId": clientOf(b.sim.Merchant(bID), order)})
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/api/checkouts/"+order+"/electronic-billing-documents", bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := attach(a.Token, bOrder); code != http.StatusNotFound {
		t.Errorf("A's token attaching to B's order: %d, want 404", code)
	}
	if code := attach(toks[1].Token, bOrder); code != http.StatusCreated {
		t.Errorf("B's token attaching to B's order: %d, want 201", code)
	}
	// B's order as B's token reads it; a token no merchant issued is 401,
	// and so is an expired one (below), whoever's order it asks for.
	if code, _ := b.getRaw(t, "Bearer "+toks[1].Token, "/api/checkouts/"+bOrder); code != 200 {
		t.Errorf("B's token on B's order: %d, want 200", code)
	}
	if code, _ := b.getRaw(t, "Bearer mva-forged", "/api/checkouts/"+bOrder); code != 401 {
		t.Errorf("unknown token: %d, want 401", code)
	}

	// A refresh token of B yields B's token.
	resp2, body := b.post(t, "/oauth/access-token", map[string]string{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(),
		"grant_type": "refresh_token", "refresh_token": toks[1].RefreshToken})
	var re tokenReply
	if json.Unmarshal(body, &re); resp2.StatusCode != 200 || re.MerchantID != bID {
		t.Errorf("refresh of B's token: %d %s", resp2.StatusCode, body)
	}
	if code, _ := b.ids(t, re, bID); code != 200 {
		t.Errorf("refreshed B token listing B's orders: %d", code)
	}

	// The state lists every merchant's orders, each with its merchant; the
	// document attached shows on B's order only.
	st := b.sim.State()
	if len(st.Checkouts) != n*12 {
		t.Fatalf("state lists %d orders, want %d", len(st.Checkouts), n*12)
	}
	for _, c := range st.Checkouts {
		want := ""
		for i := range sets {
			if slices.Contains(sets[i], c.ID) {
				want = refs[i].ID
			}
		}
		if c.MerchantID != want {
			t.Errorf("state: order %s is merchant %q's, want %q", c.ID, c.MerchantID, want)
		}
		if (len(c.Documents) > 0) != (c.ID == bOrder) {
			t.Errorf("state: order %s has %d documents", c.ID, len(c.Documents))
		}
	}

	b.clock.Advance(7 * time.Hour) // every access token expires
	if code, body := b.getRaw(t, "Bearer "+a.Token, "/api/checkouts/"+bOrder); code != 401 {
		t.Errorf("expired token on B's order: %d %s, want 401", code, body)
	}
}

func TestMerchantsConsentRefusesAnUnknownMerchant(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 3, Merchants: 2})
	if _, err := ConsentAs(context.Background(), nil, b.authorizeURL("st"), "T", "nobody"); err == nil {
		t.Fatal("ConsentAs accepted a merchant the page does not offer")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"client_id": {b.sim.ClientID()}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "state": {"abc"},
		"scope": {strings.Join(Scopes, " ")}, "name": {"T"}, "decision": {"yes"}, "permission": Scopes, "merchant": {"nobody"}}
	resp, err := noFollow.PostForm(b.srv.URL+"/apps/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("consent for an unknown merchant: %d, want 400", resp.StatusCode)
	}
}

func TestMerchantsFaultsApart(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 5, Merchants: 3, RateLimit: -1})
	refs := b.sim.MerchantRefs()
	spec := func(i int) string { return b.sim.Merchant(refs[i].ID).Faults().Spec().String() }
	post := func(path, body string) int {
		resp, err := http.Post(b.srv.URL+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/_sim/m/"+refs[1].ID+"/faults", "5xx=1"); code != 200 {
		t.Fatalf("one merchant's faults: %d", code)
	}
	if spec(0) != "none" || spec(1) == "none" || spec(2) != "none" {
		t.Fatalf("faults after setting merchant 2's: %q %q %q", spec(0), spec(1), spec(2))
	}
	// Merchant 2 fails every call; the others do not.
	a, f, c := b.loginAs(t, refs[0].ID), b.loginAs(t, refs[1].ID), b.loginAs(t, refs[2].ID)
	if code, _ := b.ids(t, f, refs[1].ID); code < 500 {
		t.Errorf("merchant 2 with 5xx=1: %d", code)
	}
	if code, _ := b.ids(t, a, refs[0].ID); code != 200 {
		t.Errorf("merchant 1 with no faults: %d", code)
	}
	if code, _ := b.ids(t, c, refs[2].ID); code != 200 {
		t.Errorf("merchant 3 with no faults: %d", code)
	}
	if code := post("/_sim/faults", "429=1"); code != 200 {
		t.Fatalf("every merchant's faults: %d", code)
	}
	for i := range refs {
		if !strings.Contains(spec(i), "429=1") {
			t.Errorf("merchant %d's faults after /_sim/faults: %q", i+1, spec(i))
		}
	}
	if code := post("/_sim/faults", "5xx=2"); code != http.StatusBadRequest {
		t.Errorf("a bad spec: %d, want 400", code)
	}
	if code := post("/_sim/m/nobody/faults", "none"); code != http.StatusNotFound {
		t.Errorf("an unknown merchant's faults: %d, want 404", code)
	}
}
