package testutil

import (
	"sync"
	"time"
)

// Clock is a settable clock, safe for concurrent use: the "now" a test
// injects where the code under test must not read the wall clock (the
// simulators, the engine's backlog windows, the token source).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock that reads t until set or advanced.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
