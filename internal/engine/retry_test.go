package engine

import (
	"testing"
	"time"
)

func TestRetryPolicyNextRetry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	mid := func() float64 { return 0.5 } // no jitter: factor 1.0
	p := RetryPolicy{MaxAttempts: 5, Base: time.Second, Max: 10 * time.Second, Jitter: mid}
	tests := map[string]struct {
		attempts   int
		retryAfter time.Duration
		want       time.Duration
	}{
		"first failure waits the base":           {1, 0, time.Second},
		"second doubles":                         {2, 0, 2 * time.Second},
		"fourth is eight times":                  {4, 0, 8 * time.Second},
		"capped at max":                          {9, 0, 10 * time.Second},
		"zero attempts treated as first":         {0, 0, time.Second},
		"retry-after longer than backoff wins":   {1, 30 * time.Second, 30 * time.Second},
		"retry-after shorter than backoff loses": {4, time.Second, 8 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := p.NextRetry(now, tt.attempts, tt.retryAfter).Sub(now)
			if got != tt.want {
				t.Fatalf("NextRetry(%d, %v) = %v, want %v", tt.attempts, tt.retryAfter, got, tt.want)
			}
		})
	}
}

func TestRetryPolicyJitterBounds(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := RetryPolicy{Base: 10 * time.Second, Max: time.Minute}
	for i := 0; i < 1000; i++ {
		d := p.NextRetry(now, 1, 0).Sub(now)
		if d < 8*time.Second || d >= 12*time.Second {
			t.Fatalf("jittered delay %v outside [8s, 12s)", d)
		}
	}
}

func TestRetryPolicyExhausted(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 3}
	for attempts, want := range map[int]bool{0: false, 2: false, 3: true, 4: true} {
		if got := p.Exhausted(attempts); got != want {
			t.Errorf("Exhausted(%d) = %v, want %v", attempts, got, want)
		}
	}
	if !(RetryPolicy{}).Exhausted(DefaultRetryPolicy.MaxAttempts) {
		t.Error("zero policy must fall back to the default cap")
	}
}
