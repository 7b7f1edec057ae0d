// Package faults is the fault injection shared by the simulators: a parsed
// specification (`--faults none|mix|SPEC`), a seeded dice roller and an HTTP
// middleware for the faults every endpoint can suffer (5xx, 429, latency,
// connection reset after the handler ran). Faults that only one simulator
// understands (reset-after-generar, token-expire, folios, sii-reject) are read
// from the Spec by that simulator.
package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Spec says how often each fault happens. Probabilities are in [0, 1].
type Spec struct {
	ServerError       float64       // "5xx": answer 503 instead of handling the request
	RateLimit         float64       // "429": answer 429 with Retry-After
	LatencyMin        time.Duration // "latency=MIN..MAX": added before handling
	LatencyMax        time.Duration
	Reset             float64       // "reset": handle the request, then cut the connection before the reply
	ResetAfterGenerar float64       // "reset-after-generar": LibreDTE consumes the folio, then cuts the connection
	TokenExpire       time.Duration // "token-expire": lifetime of access tokens (0: the documented 6 h)
	Folios            int           // "folios": size of each folio range (0: the simulator's default)
	SIIReject         float64       // "sii-reject": fraction of documents the SII ends up rejecting
	WebhookDrop       float64       // "webhook-drop": a webhook notification is never sent
	WebhookDup        float64       // "webhook-dup": a notification is sent twice
	WebhookDelay      float64       // "webhook-delay": a notification is sent late (up to MaxWebhookDelay), out of order
}

// MaxWebhookDelay is the longest a delayed webhook notification waits.
const MaxWebhookDelay = 5 * time.Second

// None injects nothing.
var None = Spec{}

// Mix is the documented realistic blend used by `--faults mix`: a little of
// every transient failure, a few uncertain outcomes on the folio-consuming
// call, and a few SII rejections. Folios are not limited, so the run settles.
var Mix = Spec{
	ServerError:       0.03,
	RateLimit:         0.02,
	LatencyMin:        2 * time.Millisecond,
	LatencyMax:        60 * time.Millisecond,
	Reset:             0.01,
	ResetAfterGenerar: 0.03,
	SIIReject:         0.02,
}

// Parse reads "none", "mix", or a comma list such as
// "5xx=0.05,429=0.05,latency=20ms..800ms,reset-after-generar=0.02,token-expire=60s,folios=200,sii-reject=0.02"
// (and webhook-drop, webhook-dup, webhook-delay for the Multivende
// simulator's notifications).
func Parse(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "none":
		return None, nil
	case "mix":
		return Mix, nil
	}
	var sp Spec
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Spec{}, &SpecError{Part: part, Problem: ProblemSyntax}
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		var err error
		problem := ""
		switch k {
		case "5xx":
			sp.ServerError, err = prob(v)
		case "429":
			sp.RateLimit, err = prob(v)
		case "reset":
			sp.Reset, err = prob(v)
		case "reset-after-generar":
			sp.ResetAfterGenerar, err = prob(v)
		case "sii-reject":
			sp.SIIReject, err = prob(v)
		case "webhook-drop":
			sp.WebhookDrop, err = prob(v)
		case "webhook-dup":
			sp.WebhookDup, err = prob(v)
		case "webhook-delay":
			sp.WebhookDelay, err = prob(v)
		case "latency":
			sp.LatencyMin, sp.LatencyMax, err = latency(v)
		case "token-expire":
			sp.TokenExpire, err = time.ParseDuration(v)
			if err == nil && sp.TokenExpire <= 0 {
				err = errors.New("must be positive")
			}
			problem = ProblemDuration
		case "folios":
			sp.Folios, err = strconv.Atoi(v)
			if err == nil && sp.Folios < 0 {
				err = errors.New("must not be negative")
			}
			problem = ProblemCount
		default:
			return Spec{}, &SpecError{Part: k, Problem: ProblemUnknown}
		}
		if err != nil {
			if problem == "" {
				problem = problemOf(err)
			}
			return Spec{}, &SpecError{Part: k + "=" + v, Problem: problem, err: err}
		}
	}
	return sp, nil
}

func prob(v string) (float64, error) {
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || p < 0 || p > 1 {
		return 0, errProbability
	}
	return p, nil
}

var (
	errProbability = errors.New("want a probability between 0 and 1")
	errLatency     = errors.New("want MIN..MAX durations such as 20ms..800ms, MIN ≤ MAX")
)

// What is wrong with a fault spec, for saying it in a reader's language.
const (
	ProblemSyntax      = "syntax"      // not KEY=VALUE
	ProblemUnknown     = "unknown"     // no such fault
	ProblemProbability = "probability" // not a number from 0 to 1
	ProblemLatency     = "latency"     // not MIN..MAX durations
	ProblemDuration    = "duration"    // not a positive duration
	ProblemCount       = "count"       // not a whole number ≥ 0
)

// SpecError is a fault spec refused: the part at fault and what is wrong.
type SpecError struct {
	Part    string
	Problem string
	err     error
}

func (e *SpecError) Error() string {
	switch e.Problem {
	case ProblemSyntax:
		return fmt.Sprintf("fault %q: want KEY=VALUE (for example 5xx=0.05)", e.Part)
	case ProblemUnknown:
		return fmt.Sprintf("unknown fault %q: known are %s", e.Part, Known)
	}
	return fmt.Sprintf("fault %s: %v", e.Part, e.err)
}

func (e *SpecError) Unwrap() error { return e.err }

// Known lists the faults a spec may name.
const Known = "5xx, 429, latency, reset, reset-after-generar, token-expire, folios, sii-reject, webhook-drop, webhook-dup, webhook-delay"

func problemOf(err error) string {
	switch {
	case errors.Is(err, errProbability):
		return ProblemProbability
	case errors.Is(err, errLatency):
		return ProblemLatency
	}
	return ProblemSyntax
}

func latency(v string) (time.Duration, time.Duration, error) {
	lo, hi, ok := strings.Cut(v, "..")
	if !ok {
		hi = lo
	}
	min, err := time.ParseDuration(lo)
	if err != nil {
		return 0, 0, errLatency
	}
	max, err := time.ParseDuration(hi)
	if err != nil || max < min || min < 0 {
		return 0, 0, errLatency
	}
	return min, max, nil
}

// String writes the spec in the form Parse reads.
func (s Spec) String() string {
	var parts []string
	add := func(k string, p float64) {
		if p > 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(p, 'g', -1, 64))
		}
	}
	add("5xx", s.ServerError)
	add("429", s.RateLimit)
	if s.LatencyMax > 0 {
		parts = append(parts, "latency="+s.LatencyMin.String()+".."+s.LatencyMax.String())
	}
	add("reset", s.Reset)
	add("reset-after-generar", s.ResetAfterGenerar)
	if s.TokenExpire > 0 {
		parts = append(parts, "token-expire="+s.TokenExpire.String())
	}
	if s.Folios > 0 {
		parts = append(parts, "folios="+strconv.Itoa(s.Folios))
	}
	add("sii-reject", s.SIIReject)
	add("webhook-drop", s.WebhookDrop)
	add("webhook-dup", s.WebhookDup)
	add("webhook-delay", s.WebhookDelay)
	if len(parts) == 0 {
		return "none"
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Injector rolls the dice for one simulator. It is safe for concurrent use;
// the spec can be changed at run time (POST /_sim/faults).
type Injector struct {
	mu   sync.Mutex
	spec Spec
	rng  *rand.Rand
}

// New returns an injector for spec whose rolls follow seed.
func New(spec Spec, seed uint64) *Injector {
	return &Injector{spec: spec, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Spec returns the current spec.
func (in *Injector) Spec() Spec {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.spec
}

// Set replaces the spec.
func (in *Injector) Set(s Spec) {
	in.mu.Lock()
	in.spec = s
	in.mu.Unlock()
}

// Roll returns true with the probability pick(spec) gives.
func (in *Injector) Roll(pick func(Spec) float64) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	p := pick(in.spec)
	return p > 0 && in.rng.Float64() < p
}

// Latency returns a delay drawn uniformly from the spec's latency range.
func (in *Injector) Latency() time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	lo, hi := in.spec.LatencyMin, in.spec.LatencyMax
	if hi <= 0 {
		return 0
	}
	if hi == lo {
		return lo
	}
	return lo + time.Duration(in.rng.Int64N(int64(hi-lo)))
}

// Middleware applies latency, 5xx, 429 and reset to every request that skip
// does not exclude (the simulators exclude their /_sim routes and pages meant
// for a person).
func (in *Injector) Middleware(next http.Handler, skip func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if skip != nil && skip(r) {
			next.ServeHTTP(w, r)
			return
		}
		if d := in.Latency(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if in.Roll(func(s Spec) float64 { return s.RateLimit }) {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"message":"Too many requests (simulated fault)"}`)
			return
		}
		if in.Roll(func(s Spec) float64 { return s.ServerError }) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"message":"Service unavailable (simulated fault)"}`)
			return
		}
		if in.Roll(func(s Spec) float64 { return s.Reset }) {
			HandleThenReset(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// HandleThenReset runs h with its reply discarded, then cuts the client's
// connection: the request took effect but the client cannot know it.
func HandleThenReset(w http.ResponseWriter, r *http.Request, h http.Handler) {
	h.ServeHTTP(&discard{h: http.Header{}}, r)
	Reset(w)
}

// Reset cuts the connection behind w without a reply.
func Reset(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	conn, _, err := rc.Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest thing is aborting the handler.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN: a real "connection reset"
	}
	_ = conn.Close()
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// Handler serves GET and POST /_sim/faults: GET returns the current spec,
// POST replaces it with the body, either the spec as plain text or
// {"faults":"SPEC"}.
func (in *Injector) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			text := string(bytes.TrimSpace(body))
			if strings.HasPrefix(text, "{") {
				var req struct {
					Faults string `json:"faults"`
				}
				if err := json.Unmarshal(body, &req); err != nil {
					http.Error(w, "body: want {\"faults\":\"SPEC\"} or the spec as text", http.StatusBadRequest)
					return
				}
				text = req.Faults
			}
			sp, err := Parse(text)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			in.Set(sp)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"faults": in.Spec().String()})
	})
}

// Delay returns a delay drawn uniformly from [0, max).
func (in *Injector) Delay(max time.Duration) time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	if max <= 0 {
		return 0
	}
	return time.Duration(in.rng.Int64N(int64(max)))
}
