package mvsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/testutil"
)

type inbox struct {
	mu   sync.Mutex
	got  map[string]int
	body []string
}

func (in *inbox) handler(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var n struct {
		CheckoutID  string `json:"CheckoutId"`
		OauthClient struct {
			ClientID json.RawMessage `json:"client_id"`
		} `json:"OauthClient"`
	}
	_ = json.Unmarshal(b, &n)
	in.mu.Lock()
	in.got[n.CheckoutID]++
	in.body = append(in.body, string(b))
	in.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (in *inbox) count() (orders, total int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, n := range in.got {
		orders++
		total += n
	}
	return
}

// waitFor waits, within 10 s, until ok holds (the tests' one wait).
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	testutil.WaitFor(t, 10*time.Second, what, ok)
}

// New orders are notified once each (orders present before the URL was
// set are not); a duplicate fault sends each twice; the body carries the
// checkout id and the client id as a number.
func TestWebhookNotifications(t *testing.T) {
	in := &inbox{got: map[string]int{}}
	hs := httptest.NewServer(http.HandlerFunc(in.handler))
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := New(Options{Seed: 3, Orders: 5, Webhook: hs.URL})
	if _, err := s.Start(ctx, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	s.AddOrders(4)
	waitFor(t, "4 notifications", func() bool { o, _ := in.count(); return o == 4 })
	in.mu.Lock()
	if !regexp.MustCompile(`^\{"CheckoutId":"[^"]+","OauthClient":\{"client_id":\d{12}\}\}$`).MatchString(in.body[0]) {
		t.Errorf("body %s", in.body[0])
	}
	in.mu.Unlock()

	s.Faults().Set(faults.Spec{WebhookDup: 1})
	s.AddOrders(3)
	waitFor(t, "3 more orders, twice each", func() bool { o, n := in.count(); return o == 7 && n == 10 })

	s.Faults().Set(faults.Spec{WebhookDrop: 1})
	s.AddOrders(3)
	waitFor(t, "the dropped ones looked at", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.hook.seen) == 15
	})
	s.Faults().Set(faults.None)
	s.AddOrders(1)
	waitFor(t, "the order after the drops", func() bool { o, _ := in.count(); return o >= 8 })
	if o, n := in.count(); o != 8 || n != 11 {
		t.Fatalf("dropped notifications were sent: %d orders notified, %d notifications", o, n)
	}
}

// /_sim/state gives paidAt and a document's attachedAt and uploadedAt with
// milliseconds.
func TestStateTimes(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 123e6, time.UTC)
	s := New(Options{Seed: 3, Orders: 20, Now: func() time.Time { return now }})
	var c *checkout
	for _, co := range s.checkouts {
		if co.PaymentStatus == "completed" {
			c = co
			break
		}
	}
	s.AttachElsewhere(c.ID, "1", "electronic_billing_electronic_bill")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/_sim/state", nil))
	var st struct {
		Checkouts []map[string]any `json:"checkouts"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	ms := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for _, sc := range st.Checkouts {
		if sc["paymentStatus"] == "completed" && !ms.MatchString(sc["paidAt"].(string)) {
			t.Fatalf("paidAt %v", sc["paidAt"])
		}
		if sc["paymentStatus"] != "completed" && sc["paidAt"] != nil {
			t.Fatalf("unpaid with paidAt %v", sc["paidAt"])
		}
		if sc["_id"] == c.ID {
			d := sc["documents"].([]any)[0].(map[string]any)
			if d["attachedAt"] != "2026-12-01T12:00:00.123Z" || d["uploadedAt"] != "2026-12-01T12:00:00.123Z" {
				t.Fatalf("document times %v", d)
			}
		}
	}
}
