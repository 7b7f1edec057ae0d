package loopback_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/loopback"
)

// The in-memory transport carries a request and its reply like a socket
// would, cuts the connection where a handler resets it, and gives up with
// the client's context; it runs inside a synctest bubble.
func TestTransportInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var tr loopback.Transport
		did := make(chan string, 1)
		tr.Handle("sim.invalid", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/echo":
				b, _ := io.ReadAll(r.Body)
				w.Header().Set("X-Method", r.Method)
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write(b)
			case "/reset":
				faults.HandleThenReset(w, r, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { did <- "generar" }))
			case "/slow":
				select {
				case <-time.After(time.Minute):
					did <- "slow finished"
				case <-r.Context().Done():
					did <- "slow cancelled"
				}
			}
		}))
		hc := tr.Client()
		resp, err := hc.Post("http://sim.invalid/echo", "text/plain", strings.NewReader("hola"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || string(body) != "hola" || resp.Header.Get("X-Method") != "POST" {
			t.Fatalf("reply %d %q %v", resp.StatusCode, body, resp.Header)
		}

		// The clients tell "not sent" from "reply lost" by WroteRequest.
		var wrote bool
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true }}), http.MethodPost, "http://sim.invalid/reset", strings.NewReader("{}"))
		if _, err := hc.Do(req); !errors.Is(err, syscall.ECONNRESET) || !wrote {
			t.Fatalf("a reset after the request reached the client as %v (request written: %v), want a connection reset after writing", err, wrote)
		}
		if got := <-did; got != "generar" {
			t.Fatalf("the handler behind the reset: %s", got)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://sim.invalid/slow", nil)
		start := time.Now()
		if _, err := hc.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a slow reply past the client's deadline: %v", err)
		}
		if waited := time.Since(start); waited != 5*time.Second {
			t.Fatalf("the client waited %v, want its 5s deadline", waited)
		}
		if got := <-did; got != "slow cancelled" {
			t.Fatalf("the server's request context: %s", got)
		}

		if _, err := hc.Get("http://elsewhere.invalid/"); !errors.Is(err, loopback.ErrNoHost) {
			t.Fatalf("an unknown host: %v", err)
		}
	})
}
