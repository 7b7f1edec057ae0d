package mvsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listPath is the page form of the checkouts list with the given query.
func (b *bundle) listPath(page int, q url.Values) string {
	return fmt.Sprintf("/api/m/%s/checkouts/light/p/%d?%s", b.sim.MerchantID(), page, q.Encode())
}

func window(from, to time.Time, extra ...string) url.Values {
	q := url.Values{"_updated_at_from": {from.UTC().Format(simTime)}, "_updated_at_to": {to.UTC().Format(simTime)}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// getRaw is get with the reply body whatever the status.
func (b *bundle) getRaw(t testing.TB, auth, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func TestListRefusesWhatMultivendeRefuses(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 5, Orders: 20, RateLimit: -1})
	tok := b.login(t)
	now := b.clock.Now()
	for name, tc := range map[string]struct {
		q    url.Values
		want int
	}{
		"exactly 2 hours":       {window(now.Add(-2*time.Hour), now), 200},
		"2 hours and 1 second":  {window(now.Add(-2*time.Hour-time.Second), now), 400},
		"a day":                 {window(now.Add(-24*time.Hour), now), 400},
		"no from":               {url.Values{"_updated_at_to": {now.Format(simTime)}}, 400},
		"no to":                 {url.Values{"_updated_at_from": {now.Add(-time.Hour).Format(simTime)}}, 400},
		"no range":              {url.Values{}, 400},
		"to before from":        {window(now, now.Add(-time.Hour)), 400},
		"sold range of 2 hours": {url.Values{"_sold_at_from": {now.Add(-2 * time.Hour).Format(simTime)}, "_sold_at_to": {now.Format(simTime)}}, 200},
		"sold range of 3 hours": {url.Values{"_sold_at_from": {now.Add(-3 * time.Hour).Format(simTime)}, "_sold_at_to": {now.Format(simTime)}}, 400},
		"limit 50":              {window(now.Add(-time.Hour), now, "limit", "50"), 200},
		"limit 1000":            {window(now.Add(-time.Hour), now, "limit", "1000"), 200},
		"limit 49":              {window(now.Add(-time.Hour), now, "limit", "49"), 400},
		"limit 1001":            {window(now.Add(-time.Hour), now, "limit", "1001"), 400},
		"limit not a number":    {window(now.Add(-time.Hour), now, "limit", "all"), 400},
		"bad time":              {window(now.Add(-time.Hour), now, "_updated_at_from", "yesterday"), 400},
	} {
		code, body := b.getRaw(t, "Bearer "+tok.Token, b.listPath(1, tc.q))
		if code != tc.want {
			t.Errorf("%s: %d %s", name, code, body)
			continue
		}
		var msg map[string]any
		if code == 400 && (json.Unmarshal(body, &msg) != nil || msg["message"] == "") {
			t.Errorf("%s: the 400 is not Multivende-style JSON: %s", name, body)
		}
	}
}

// Entries come in no particular order: a fixed page set for a window,
// shuffled anew on every request, deterministically from the seed.
func TestListIsShuffled(t *testing.T) {
	t.Parallel()
	read := func(seed uint64) (pages [][]string, again []string) {
		b := setup(t, Options{Seed: seed, RateLimit: -1})
		b.sim.AddOrders(130) // all updated now, in one window
		tok := b.login(t)
		now := b.clock.Now()
		q := window(now.Add(-time.Hour), now, "limit", "50")
		for p := 1; p > 0; {
			var pg page[lightCheckout]
			if code := b.get(t, tok.Token, b.listPath(p, q), &pg); code != 200 {
				t.Fatalf("page %d: %d", p, code)
			}
			if pg.Pagination.TotalItems != 130 || pg.Pagination.Limit != 50 || pg.Pagination.Offset != (p-1)*50 {
				t.Fatalf("pagination %+v", pg.Pagination)
			}
			var ids []string
			for _, e := range pg.Entries {
				ids = append(ids, e.ID)
			}
			pages = append(pages, ids)
			p = pg.Pagination.NextPage
		}
		var pg page[lightCheckout]
		b.get(t, tok.Token, b.listPath(1, q), &pg)
		for _, e := range pg.Entries {
			again = append(again, e.ID)
		}
		return pages, again
	}
	pages, again := read(9)
	if len(pages) != 3 || len(pages[2]) != 30 {
		t.Fatalf("pages of %d, %d, …", len(pages[0]), len(pages[1]))
	}
	// The page set is fixed: page 1 read again has the same orders…
	if !sameSet(pages[0], again) {
		t.Fatal("page 1 changed between two reads of an unchanged window")
	}
	// …in another order.
	if slices.Equal(pages[0], again) {
		t.Fatal("page 1 came back in the same order twice")
	}
	// Not by creation (= updatedAt here) order, within or across pages.
	var all []string
	for _, p := range pages {
		all = append(all, p...)
	}
	b := setup(t, Options{Seed: 9, RateLimit: -1})
	b.sim.AddOrders(130)
	var created []string
	for _, c := range b.sim.State().Checkouts {
		created = append(created, c.ID)
	}
	if slices.Equal(all, created) || !sameSet(all, created) {
		t.Fatal("the list is in creation order, or lacks orders")
	}
	// The same seed gives the same walk.
	pages2, again2 := read(9)
	if fmt.Sprint(pages2) != fmt.Sprint(pages) || !slices.Equal(again, again2) {
		t.Fatal("the shuffle is not deterministic for a seed")
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestListFiltersByMarketplaceConnection(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 6, RateLimit: -1})
	b.sim.AddOrders(60)
	tok := b.login(t)
	now := b.clock.Now()
	want := map[string]bool{}
	for _, c := range b.sim.checkouts {
		if c.Origin == "falabella" {
			want[c.ID] = true
		}
	}
	var pg page[lightCheckout]
	b.get(t, tok.Token, b.listPath(1, window(now.Add(-time.Hour), now, "limit", "1000",
		"_marketplace_connection_id", b.sim.MarketplaceConnectionID("falabella"))), &pg)
	if len(want) == 0 || len(pg.Entries) != len(want) {
		t.Fatalf("%d entries for %d falabella orders", len(pg.Entries), len(want))
	}
	for _, e := range pg.Entries {
		if !want[e.ID] {
			t.Fatalf("%s (%s) listed under falabella's connection", e.ID, e.Origin)
		}
	}
	b.get(t, tok.Token, b.listPath(1, window(now.Add(-time.Hour), now, "_marketplace_connection_id", "nope")), &pg)
	if len(pg.Entries) != 0 {
		t.Fatal("an unknown connection lists orders")
	}
}

// An order updated during a walk leaves the window being read and shows
// in the next one.
func TestAnOrderUpdatedDuringAWalkShowsInALaterWindow(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 8, RateLimit: -1})
	b.sim.AddOrders(10)
	tok := b.login(t)
	t0 := b.clock.Now()
	var pg page[lightCheckout]
	b.get(t, tok.Token, b.listPath(1, window(t0.Add(-time.Hour), t0)), &pg)
	id := pg.Entries[0].ID
	b.clock.Advance(time.Minute)
	b.sim.mu.Lock()
	b.sim.byID[id].UpdatedAt = b.clock.Now() // e.g. a document attached
	b.sim.mu.Unlock()
	b.get(t, tok.Token, b.listPath(1, window(t0.Add(-time.Hour), t0)), &pg)
	for _, e := range pg.Entries {
		if e.ID == id {
			t.Fatal("the updated order is still in the old window")
		}
	}
	b.get(t, tok.Token, b.listPath(1, window(t0.Add(time.Second), b.clock.Now())), &pg)
	if len(pg.Entries) != 1 || pg.Entries[0].ID != id {
		t.Fatalf("the next window lists %+v", pg.Entries)
	}
}

func TestAppInfo(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 1, RateLimit: -1})
	tok := b.login(t)
	var info map[string]any
	if code := b.get(t, tok.Token, "/api/d/info", &info); code != 200 || info["MerchantId"] != b.sim.MerchantID() || info["_id"] == "" {
		t.Fatalf("info: %d %v", code, info)
	}
	if code, _ := b.getRaw(t, "", "/api/d/info"); code != 401 {
		t.Fatalf("info without a token: %d", code)
	}
}

var (
	acCode = regexp.MustCompile(`^ac-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	msTS   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

// The token endpoint takes what public integrations send: JSON or a form,
// client_id as a number or a string; codes look like ac-<uuid>; replies
// carry Multivende's metadata with millisecond timestamps; the Bearer
// scheme is case-insensitive.
func TestOAuthAsPublicIntegrationsUseIt(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Seed: 12, RateLimit: -1})
	if _, err := strconv.ParseUint(b.sim.ClientID(), 10, 64); err != nil || len(b.sim.ClientID()) != 12 {
		t.Fatalf("default client id %q is not a 12-digit number", b.sim.ClientID())
	}
	code := func() string {
		loc, err := Consent(context.Background(), nil, b.authorizeURL("st"), "Tienda")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(loc)
		c := u.Query().Get("code")
		if !acCode.MatchString(c) {
			t.Fatalf("authorization code %q", c)
		}
		return c
	}
	check := func(how string, resp *http.Response, body []byte) tokenReply {
		t.Helper()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", how, resp.StatusCode, body)
		}
		var raw map[string]any
		json.Unmarshal(body, &raw)
		for _, k := range []string{"_id", "token", "refreshToken", "MerchantId", "OauthClientId", "MerchantAppId", "status",
			"CreatedById", "UpdatedById", "OwnerId"} {
			if s, _ := raw[k].(string); s == "" {
				t.Errorf("%s: the reply lacks %s: %s", how, k, body)
			}
		}
		for _, k := range []string{"expiresAt", "refreshTokenExpiresAt", "createdAt", "updatedAt"} {
			if s, _ := raw[k].(string); !msTS.MatchString(s) {
				t.Errorf("%s: %s = %v, not exactly three fractional digits", how, k, raw[k])
			}
		}
		var tok tokenReply
		json.Unmarshal(body, &tok)
		return tok
	}
	n, _ := strconv.ParseInt(b.sim.ClientID(), 10, 64)
	// JSON with a numeric client_id.
	resp, body := b.post(t, "/oauth/access-token", map[string]any{"client_id": n, "client_secret": b.sim.ClientSecret(),
		"grant_type": "authorization_code", "code": code()})
	tok := check("JSON, numeric client_id", resp, body)
	// A form, refreshing.
	resp, err := http.PostForm(b.srv.URL+"/oauth/access-token", url.Values{"client_id": {b.sim.ClientID()},
		"client_secret": {b.sim.ClientSecret()}, "grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	tok = check("form", resp, body)
	// JSON with client_id as a string.
	resp, body = b.post(t, "/oauth/access-token", map[string]any{"client_id": b.sim.ClientID(), "client_secret": b.sim.ClientSecret(),
		"grant_type": "authorization_code", "code": code()})
	check("JSON, string client_id", resp, body)
	// A wrong numeric id is refused like any other.
	resp, _ = b.post(t, "/oauth/access-token", map[string]any{"client_id": n + 1, "client_secret": b.sim.ClientSecret(),
		"grant_type": "authorization_code", "code": code()})
	if resp.StatusCode != 401 {
		t.Fatalf("wrong client id: %d", resp.StatusCode)
	}
	for _, scheme := range []string{"Bearer ", "bearer ", "BEARER "} {
		if code, body := b.getRaw(t, scheme+tok.Token, "/api/checkouts/nope"); code != 404 {
			t.Errorf("%q: %d %s", scheme, code, body)
		}
	}
	for _, auth := range []string{tok.Token, "Basic " + tok.Token, "Bearer"} {
		if code, _ := b.getRaw(t, auth, "/api/checkouts/nope"); code != 401 {
			t.Errorf("%q accepted: %d", strings.SplitN(auth, " ", 2)[0], code)
		}
	}
}
