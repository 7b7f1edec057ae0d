package multivende

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Token replies as Multivende and public integrations show them: ids as
// numbers or strings, metadata folio does not use, millisecond timestamps.
func TestTokenReplyDecodesTolerantly(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 11, 24, 18, 0, 0, 123_000_000, time.UTC)
	for name, tc := range map[string]struct {
		reply string
		want  Token
	}{
		"fixture": {string(readFixture(t, "multivende-token.json")), Token{ID: "5e8f0a7b-2c1d-4e3f-9a8b-7c6d5e4f3a21",
			Token: "mv-access-EXAMPLE-NOT-A-SECRET", ExpiresAt: time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC),
			RefreshToken: "mv-refresh-EXAMPLE-NOT-A-SECRET", RefreshTokenExpiresAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
			Scopes:     []string{"read:checkouts", "write:checkouts", "read:products", "read:stocks", "read:prices"},
			MerchantID: "0d3c2b1a-9f8e-4d7c-6b5a-493827160514", OauthClientID: "11111111-2222-4333-8444-555566667777",
			MerchantAppID: "aaaabbbb-cccc-4ddd-8eee-ffff00001111"}},
		"numbers and metadata": {`{"_id":"t-1","token":"a","expiresAt":"2026-11-24T18:00:00.123Z","refreshToken":"r",
			"refreshTokenExpiresAt":"2026-11-26T12:00:00.000Z","scopes":["read:checkouts"],"MerchantId":"m-1",
			"OauthClientId":166355247921,"MerchantAppId":"app-1","status":"active","createdAt":"2026-11-24T12:00:00.000Z",
			"updatedAt":"2026-11-24T12:00:00.000Z","CreatedById":"u-1","UpdatedById":null,"OwnerId":{"_id":"u-1"},"extra":[1,2]}`,
			Token{ID: "t-1", Token: "a", ExpiresAt: exp, RefreshToken: "r", RefreshTokenExpiresAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
				Scopes: []string{"read:checkouts"}, MerchantID: "m-1", OauthClientID: "166355247921", MerchantAppID: "app-1"}},
		"epoch milliseconds, no zone, scopes as text": {`{"token":"a","expiresAt":` + fmt.Sprint(exp.UnixMilli()) +
			`,"refreshToken":"r","refreshTokenExpiresAt":"2026-11-26T12:00:00.000","scopes":"read:checkouts write:checkouts","_id":42}`,
			Token{ID: "42", Token: "a", ExpiresAt: exp, RefreshToken: "r", RefreshTokenExpiresAt: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
				Scopes: []string{"read:checkouts", "write:checkouts"}}},
	} {
		t.Run(name, func(t *testing.T) {
			var got Token
			if err := json.Unmarshal([]byte(tc.reply), &got); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || !got.ExpiresAt.Equal(tc.want.ExpiresAt) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`{"token":{"a":1}}`, `{"token":"a","expiresAt":"tomorrow"}`} {
		var got Token
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s decoded: %+v", bad, got)
		}
	}
}

// folio posts the token request as JSON, with a numeric client id as a
// JSON number (as most public integrations do) and any other as a string.
func TestTokenRequestSendsClientIDAsNumber(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{"166355247921": "166355247921", "cid-7": `"cid-7"`, "0123": `"0123"`} {
		var body map[string]json.RawMessage
		var ctype string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctype = r.Header.Get("Content-Type")
			b, _ := io.ReadAll(r.Body)
			json.Unmarshal(b, &body)
			fmt.Fprint(w, `{"token":"a","refreshToken":"r","expiresAt":"2026-11-24T18:00:00.000Z"}`)
		}))
		c := New(Config{BaseURL: srv.URL, ClientID: id, ClientSecret: secretClient, RateLimit: -1})
		tok, err := c.Exchange(context.Background(), "ac-0d3c2b1a-9f8e-4d7c-6b5a-493827160514", "http://127.0.0.1/cb", "")
		srv.Close()
		if err != nil || tok.Token != "a" {
			t.Fatalf("%s: %v", id, err)
		}
		if ctype != "application/json" || string(body["client_id"]) != want || string(body["grant_type"]) != `"authorization_code"` {
			t.Fatalf("client id %s sent as %s (%s)", id, body["client_id"], ctype)
		}
	}
}
