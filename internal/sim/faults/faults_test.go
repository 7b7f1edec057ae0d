package faults

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	sp, err := Parse("5xx=0.05,429=0.05,latency=20ms..800ms,reset-after-generar=0.02,token-expire=60s,folios=200,sii-reject=0.02")
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{ServerError: 0.05, RateLimit: 0.05, LatencyMin: 20 * time.Millisecond, LatencyMax: 800 * time.Millisecond,
		ResetAfterGenerar: 0.02, TokenExpire: time.Minute, Folios: 200, SIIReject: 0.02}
	if sp != want {
		t.Fatalf("Parse = %+v", sp)
	}
	again, err := Parse(sp.String())
	if err != nil || again != sp {
		t.Fatalf("String does not round-trip: %q → %+v, %v", sp.String(), again, err)
	}
	for _, s := range []string{"", "none"} {
		if sp, err := Parse(s); err != nil || sp != None {
			t.Errorf("Parse(%q) = %+v, %v", s, sp, err)
		}
	}
	if sp, _ := Parse("mix"); sp != Mix || sp.Folios != 0 {
		t.Errorf("mix = %+v", sp)
	}
	for _, bad := range []string{"5xx", "5xx=2", "latency=800ms..20ms", "boom=1", "folios=-1", "token-expire=0s", "latency=fast"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestRollFollowsProbability(t *testing.T) {
	t.Parallel()
	in := New(Spec{ServerError: 0.25}, 1)
	hits := 0
	for i := 0; i < 10000; i++ {
		if in.Roll(func(s Spec) float64 { return s.ServerError }) {
			hits++
		}
	}
	if hits < 2200 || hits > 2800 {
		t.Fatalf("%d hits of 10000 at p=0.25", hits)
	}
	in.Set(None)
	if in.Roll(func(s Spec) float64 { return s.ServerError }) {
		t.Fatal("rolled a fault at p=0")
	}
	in.Set(Spec{LatencyMin: time.Millisecond, LatencyMax: 3 * time.Millisecond})
	for i := 0; i < 100; i++ {
		if d := in.Latency(); d < time.Millisecond || d >= 3*time.Millisecond {
			t.Fatalf("latency %v out of range", d)
		}
	}
}

func TestHandlerChangesSpecAtRunTime(t *testing.T) {
	t.Parallel()
	in := New(None, 1)
	srv := httptest.NewServer(in.Handler())
	defer srv.Close()
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"faults":"5xx=1"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if in.Spec().ServerError != 1 {
		t.Fatal("spec not applied")
	}
	resp, _ = http.Post(srv.URL, "text/plain", strings.NewReader("nonsense=1"))
	if resp.StatusCode != 400 || in.Spec().ServerError != 1 {
		t.Fatal("a bad spec must be refused and leave the old one")
	}
	api := httptest.NewServer(in.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }),
		func(r *http.Request) bool { return r.URL.Path == "/skip" }))
	defer api.Close()
	if resp, _ := http.Get(api.URL + "/x"); resp.StatusCode != 503 {
		t.Fatalf("5xx=1 gave %d", resp.StatusCode)
	}
	if resp, _ := http.Get(api.URL + "/skip"); resp.StatusCode != 200 {
		t.Fatal("skipped route got a fault")
	}
}

func TestParseWebhookFaults(t *testing.T) {
	t.Parallel()
	sp, err := Parse("webhook-drop=0.1,webhook-dup=0.2,webhook-delay=0.3")
	if err != nil || sp != (Spec{WebhookDrop: 0.1, WebhookDup: 0.2, WebhookDelay: 0.3}) {
		t.Fatalf("Parse = %+v, %v", sp, err)
	}
	if again, err := Parse(sp.String()); err != nil || again != sp {
		t.Fatalf("String does not round-trip: %q", sp.String())
	}
	if _, err := Parse("webhook-drop=1.5"); err == nil {
		t.Fatal("a probability above 1 accepted")
	}
}
