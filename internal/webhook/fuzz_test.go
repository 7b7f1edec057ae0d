package webhook

import (
	"net/http"
	"testing"

	"github.com/folio-cl/folio/internal/multivende"
)

// FuzzNotificationBody posts any body to the handler: it never panics, it
// answers 202 exactly when the body is a notification of a known client
// id, and then hands on the body's checkout id and nothing else; any other
// body hands on nothing. Soak: go test ./internal/webhook -run X -fuzz FuzzNotificationBody -fuzztime 1m
func FuzzNotificationBody(f *testing.F) {
	for _, seed := range []string{
		`{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001}}`,
		`{"CheckoutId":"co-1","OauthClient":{"client_id":"170000000001"}}`,
		`{"CheckoutId":"co-1","OauthClient":{"client_id":170000000002}}`,
		`{"CheckoutId":"","OauthClient":{"client_id":170000000001}}`,
		`{"CheckoutId":"\u001b]52;c;aGk=\u0007","OauthClient":{"client_id":1.7e11}}`,
		`{"CheckoutId":["co-1"],"OauthClient":null}`,
		`[]`, `null`, `{`, "\xff\xfe", `{"CheckoutId":"co-1","CheckoutId":"co-2","OauthClient":{"client_id":170000000001}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := &recorder{}
		s := newServer(t, rec)
		w := post(s.Handler(), Path+secret, string(body))
		n, perr := multivende.ParseNotification(body)
		accepted := perr == nil && n.ClientID == "170000000001"
		switch {
		case accepted && (w.Code != http.StatusAccepted || len(rec.hints) != 1 || rec.hints[0] != n.CheckoutID):
			t.Fatalf("a good notification: status %d, hints %q, want %q", w.Code, rec.hints, n.CheckoutID)
		case !accepted && (w.Code == http.StatusAccepted || len(rec.hints) != 0):
			t.Fatalf("a bad body (%v, client %q) was taken: status %d, hints %q", perr, n.ClientID, w.Code, rec.hints)
		case !accepted && w.Code != http.StatusBadRequest && w.Code != http.StatusForbidden && w.Code != http.StatusRequestEntityTooLarge:
			t.Fatalf("a bad body answered %d", w.Code)
		}
	})
}
