package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/testutil"
	"github.com/folio-cl/folio/internal/webhook"
)

var hookURLRE = regexp.MustCompile(`^https://folio\.example\.cl/webhooks/multivende/[0-9a-f]{64}\n$`)

// folio webhook url: a base is needed; the secret is made once and the
// base remembered; listen in the config gives a local URL with a note.
func TestWebhookURL(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "f.db")
	if _, _, err := runFolio(t, "", "webhook", "url", "--store", path); err == nil || !strings.Contains(err.Error(), "--public-base") {
		t.Fatalf("no base: %v", err)
	}
	if _, _, err := runFolio(t, "", "webhook", "url", "--store", path, "--public-base", "ftp://x"); err == nil || !strings.Contains(err.Error(), "https://") {
		t.Fatalf("bad base: %v", err)
	}
	first, _, err := runFolio(t, "", "webhook", "url", "--store", path, "--public-base", "https://folio.example.cl/")
	if err != nil || !hookURLRE.MatchString(first) {
		t.Fatalf("url %q: %v", first, err)
	}
	again, _, err := runFolio(t, "", "webhook", "url", "--store", path)
	if err != nil || again != first {
		t.Fatalf("the secret or the base changed: %q then %q (%v)", first, again, err)
	}
	t.Setenv("FOLIO_LISTEN", "127.0.0.1:18123")
	other := filepath.Join(dir, "other.db")
	out, errOut, err := runFolio(t, "", "webhook", "url", "--store", other)
	if err != nil || !strings.HasPrefix(out, "http://127.0.0.1:18123/webhooks/multivende/") || strings.Contains(out, strings.TrimSpace(first)[len("https://folio.example.cl"):]) ||
		!strings.Contains(errOut, "--public-base") {
		t.Fatalf("from listen: %q %q %v (each store its own secret)", out, errOut, err)
	}
	if _, _, err := runFolio(t, "", "run", "--store", path, "--listen", "nowhere"); err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("bad --listen: %v", err)
	}
}

// folio run --sim --listen: the simulator posts to the URL folio webhook
// url printed, and new orders get their documents with polling every hour.
func TestRunListenReceivesWebhooks(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "f.db")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url, _, err := runFolio(t, "", "webhook", "url", "--store", path, "--public-base", "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// No rate limit at either end: the test is about webhooks, not about
	// pacing (5 req/s made it wait 7 s for six orders).
	t.Setenv("FOLIO_RATE_LIMIT", "50")
	s, err := sim.Start(ctx, sim.Options{Seed: 5, Orders: 0, RateLimit: -1, Webhook: strings.TrimSpace(url)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	r := startUntil(runCtx, "run", "--store", path, "--sim", s.Info.Multivende, "--listen", addr, "--poll", "1h")
	errb, done := r.err, r.done

	// One 20 s budget for the three waits; each polls every 50 ms.
	deadline := time.Now().Add(20 * time.Second)
	if !testutil.Until(time.Until(deadline), 50*time.Millisecond, func() bool {
		var resp *http.Response
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		select {
		case err := <-done: // a refused setting, say: no use waiting for it
			t.Fatalf("folio run ended before it listened: %v\n%s", err, errb.String())
		default:
		}
		return false
	}) {
		t.Fatalf("no listener: %v\n%s", err, errb.String())
	}
	// After the first poll, the next is an hour away: only webhooks bring the orders.
	if !testutil.Until(time.Until(deadline), 50*time.Millisecond, func() bool { return strings.Contains(errb.String(), `"msg":"polled"`) }) {
		t.Fatalf("no first poll\n%s", errb.String())
	}
	s.MV.AddOrders(6)
	attached, paid := 0, 0
	if !testutil.Until(time.Until(deadline), 50*time.Millisecond, func() bool {
		attached, paid = 0, 0
		for _, c := range s.MV.State().Checkouts {
			if c.PaymentStatus == "completed" && c.Status != "cancelled" {
				paid++
				if len(c.Documents) == 1 && c.Documents[0].Uploaded {
					attached++
				}
			}
		}
		return paid > 0 && attached == paid
	}) {
		t.Fatalf("%d of %d paid orders attached through webhooks\n%s", attached, paid, errb.String())
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if strings.Contains(errb.String(), strings.TrimPrefix(strings.TrimSpace(url), "http://"+addr+webhook.Path)) {
		t.Fatal("the log shows the webhook secret")
	}
}
