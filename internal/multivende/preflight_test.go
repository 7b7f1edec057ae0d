package multivende

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/preflight"
)

// A change (POST, PUT) runs the caller's last check after the client's
// pace, right before it is sent; a refused check sends nothing. A read
// does not run it.
func TestLastCheckRunsAfterThePaceAndStopsTheRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var posts, gets atomic.Int32
		c := pacedClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				gets.Add(1)
				w.Write([]byte(`{"entries":[],"pagination":{"total_pages":1,"current_page":1}}`))
				return
			}
			posts.Add(1)
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"_id":"doc-1","id":"1"}`))
		}), 1) // one request a second
		start := time.Now()
		lost := errors.New("lease lost")
		var checkedAt time.Duration
		ctx := preflight.With(context.Background(), func(context.Context) error {
			checkedAt = time.Since(start)
			return lost
		})
		if _, err := c.BillingDocuments(ctx, "co-1"); err != nil { // spends the second's token
			t.Fatal(err)
		}
		if checkedAt != 0 || gets.Load() != 1 {
			t.Fatalf("a read ran the last check (at %v) or was not sent (%d)", checkedAt, gets.Load())
		}
		_, err := c.CreateBillingDocument(ctx, "co-1", NewBillingDocument{ID: "1"})
		if !errors.Is(err, lost) {
			t.Fatalf("CreateBillingDocument = %v, want the check's error", err)
		}
		if posts.Load() != 0 {
			t.Fatalf("%d documents created after the last check refused", posts.Load())
		}
		if checkedAt < time.Second {
			t.Fatalf("the last check ran %v in, before the pace let the request go (1 s)", checkedAt)
		}
	})
}
