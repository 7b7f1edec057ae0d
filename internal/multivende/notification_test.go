package multivende

import "testing"

func TestParseNotification(t *testing.T) {
	good := map[string]Notification{
		`{"CheckoutId":"co-1","OauthClient":{"client_id":170000000001}}`:                   {"co-1", "170000000001"},
		`{"CheckoutId":" co-1 ","OauthClient":{"client_id":"170000000001"},"x":[1]}`:       {"co-1", "170000000001"},
		`{"CheckoutId":"co-1","OauthClient":{"client_id":123456789012345678901234567890}}`: {"co-1", "123456789012345678901234567890"},
	}
	for body, want := range good {
		if n, err := ParseNotification([]byte(body)); err != nil || n != want {
			t.Errorf("%s: %+v, %v", body, n, err)
		}
	}
	for _, body := range []string{``, `null`, `[]`, `"x"`, `{"CheckoutId":""}`, `{"CheckoutId":"a","OauthClient":null}`,
		`{"CheckoutId":"a","OauthClient":{"client_id":1.5}}`, `{"CheckoutId":"a","OauthClient":{"client_id":1e12}}`,
		`{"CheckoutId":"a","OauthClient":{"client_id":""}}`, `{"CheckoutId":"a","OauthClient":{"client_id":true}}`} {
		if n, err := ParseNotification([]byte(body)); err == nil {
			t.Errorf("%s accepted: %+v", body, n)
		}
	}
}
