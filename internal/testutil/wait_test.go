package testutil

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		n := 0
		if !Until(time.Second, 100*time.Millisecond, func() bool { n++; return n == 3 }) {
			t.Fatal("a condition that came true was reported as never holding")
		}
		if got := time.Since(start); got != 200*time.Millisecond {
			t.Errorf("held at the third look after %v, want 200ms", got)
		}
		start = time.Now()
		if Eventually(time.Second, func() bool { return false }) {
			t.Fatal("a condition that never held was reported as holding")
		}
		if got := time.Since(start); got < time.Second || got > time.Second+Poll {
			t.Errorf("gave up after %v, want the 1 s limit", got)
		}
		n = 0
		if !Until(0, time.Hour, func() bool { n++; return true }) || n != 1 {
			t.Errorf("a condition already true was asked %d times", n)
		}
	})
}

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(t0.Add(90 * time.Second)) {
		t.Fatalf("advanced to %v", got)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("set to %v", got)
	}
}
