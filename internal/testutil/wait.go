// Package testutil is what the tests of several packages share: the one
// wait (poll a condition until it holds or a limit passes). The engine,
// the console server, the simulators and the command tests all wait on
// something another goroutine or process does; one helper keeps the poll
// and the failure message alike. Imported by tests only.
package testutil

import (
	"testing"
	"time"
)

// Poll is how often Eventually and WaitFor look again.
const Poll = 20 * time.Millisecond

// Until polls ok every `every` until it holds (true) or limit passes
// (false); ok is always asked at least once. Inside a testing/synctest
// bubble the limit and the polls are fake time, and cost nothing.
func Until(limit, every time.Duration, ok func() bool) bool {
	end := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(every) // polling a condition, not timing one
	}
	return true
}

// Eventually is Until polling every 20 ms.
func Eventually(limit time.Duration, ok func() bool) bool { return Until(limit, Poll, ok) }

// WaitFor is Eventually that fails the test, naming what it waited for.
func WaitFor(t testing.TB, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	if !Eventually(limit, ok) {
		t.Fatalf("timed out after %v waiting for %s", limit, what)
	}
}
