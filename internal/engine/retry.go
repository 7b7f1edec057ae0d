package engine

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy decides when a failed order is tried again. The delay grows
// exponentially from Base, is capped at Max, carries ±20 % jitter so that a
// burst of failures does not come back as a burst, and never comes earlier
// than a server's Retry-After. After MaxAttempts failures the order needs a
// person.
type RetryPolicy struct {
	MaxAttempts int
	Base        time.Duration
	Max         time.Duration
	// Jitter returns a number in [0, 1); nil means math/rand. Tests pass a
	// constant to make delays predictable.
	Jitter func() float64
}

// DefaultRetryPolicy is used when the config says nothing.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, Base: 2 * time.Second, Max: 5 * time.Minute}

// withDefaults fills zero fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultRetryPolicy.MaxAttempts
	}
	if p.Base <= 0 {
		p.Base = DefaultRetryPolicy.Base
	}
	if p.Max <= 0 {
		p.Max = DefaultRetryPolicy.Max
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	return p
}

// Exhausted reports whether an order that has failed attempts times may not
// be retried automatically any more.
func (p RetryPolicy) Exhausted(attempts int) bool {
	return attempts >= p.withDefaults().MaxAttempts
}

// NextRetry returns when an order that has now failed attempts times (≥ 1)
// should run again. retryAfter is the server's Retry-After, or 0.
func (p RetryPolicy) NextRetry(now time.Time, attempts int, retryAfter time.Duration) time.Time {
	p = p.withDefaults()
	if attempts < 1 {
		attempts = 1
	}
	d := p.Base
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	if d > p.Max {
		d = p.Max
	}
	j := p.Jitter
	if j == nil {
		j = rand.Float64
	}
	// Spread over [0.8d, 1.2d).
	d = time.Duration(float64(d) * (0.8 + 0.4*j()))
	if retryAfter > d {
		d = retryAfter
	}
	return now.Add(d)
}
