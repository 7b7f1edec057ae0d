package multivende

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Notification is what folio reads from a webhook notification: which
// checkout changed, and for which app. Nothing else in it is trusted: the
// checkout is read again from the API.
type Notification struct {
	CheckoutID string
	ClientID   string // the app's OAuth client id, as text
}

// ParseNotification reads a "Checkouts" notification. The client id may
// be a JSON number or a string; the checkout id must be a non-empty string.
func ParseNotification(body []byte) (Notification, error) {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || top == nil {
		return Notification{}, errors.New("notification: the body is not a JSON object")
	}
	var n Notification
	if err := json.Unmarshal(top[notifyCheckoutField], &n.CheckoutID); err != nil || strings.TrimSpace(n.CheckoutID) == "" {
		return Notification{}, fmt.Errorf("notification: no %s string", notifyCheckoutField)
	}
	n.CheckoutID = strings.TrimSpace(n.CheckoutID)
	var client map[string]json.RawMessage
	if err := json.Unmarshal(top[notifyClientObject], &client); err != nil || client == nil {
		return Notification{}, fmt.Errorf("notification: no %s object", notifyClientObject)
	}
	id, ok := ClientIDText(client[notifyClientField])
	if !ok {
		return Notification{}, fmt.Errorf("notification: no %s.%s", notifyClientObject, notifyClientField)
	}
	n.ClientID = id
	return n, nil
}

// ClientIDText reads a client id written as a JSON string or a JSON
// number (integral), as text.
func ClientIDText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.TrimSpace(s)
		return s, s != ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	if _, err := n.Int64(); err != nil {
		// Beyond int64 or with a fraction: keep the digits if it is an integer.
		if strings.ContainsAny(n.String(), ".eE-") {
			return "", false
		}
	}
	return n.String(), true
}
