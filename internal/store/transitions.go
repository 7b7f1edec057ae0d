package store

import (
	"strings"
	"time"
)

// Busy reports whether an order in s still has engine work ahead of it:
// queued, mid-pipeline or waiting to retry. The Queue pane, the reconnect
// count and the tests' "settled" all mean this set.
func (s State) Busy() bool {
	switch s {
	case StateQueued, StateBuilding, StateIssuing, StateIssued, StateAttaching, StateRetrying:
		return true
	}
	return false
}

// BusyStates lists the states for which Busy is true, in pipeline order.
func BusyStates() []State {
	var out []State
	for _, s := range States() {
		if s.Busy() {
			out = append(out, s)
		}
	}
	return out
}

// busyList is BusyStates as an SQL list ('queued','building',…).
var busyList = func() string {
	var q []string
	for _, s := range BusyStates() {
		q = append(q, "'"+string(s)+"'")
	}
	return strings.Join(q, ",")
}()

// The named transitions below build a Move, River-style: each says which
// order fields it sets, and leaves the others as they are in the row
// (attempts, the document's type and folio), so that a caller cannot
// clear what it forgot to carry. Reason, ReasonCode and Outcome always
// describe the new state. Every one is guarded by its from-state.

// Advance is a step of the pipeline forward (queued → issuing, issuing →
// issued, issued → attaching): no reason, attempts and document kept.
func Advance(from, to State, ev Event) Move {
	return Move{From: []State{from}, To: to, Event: ev, keepAttempts: true, keepDocument: true}
}

// Wait sends an order that is no longer paid (or cancelled before its
// document) back to waiting, attempts and document kept.
func Wait(from State, ev Event) Move {
	return Move{From: []State{from}, To: StateWaiting, Event: ev, keepAttempts: true, keepDocument: true}
}

// Retry schedules a failed order to run again at next, with its new count
// of attempts and the failure's reason.
func Retry(from State, attempts int, next time.Time, code, reason string, ev Event) Move {
	return Move{From: []State{from}, To: StateRetrying, Attempts: attempts, NextAttemptAt: next, ReasonCode: code, Reason: reason,
		Event: ev, keepDocument: true}
}

// NeedsAttention sends an order to Errors (a person must act) for a
// reason, attempts and document kept (WithAttempts sets a new count).
func NeedsAttention(from State, code, reason string, ev Event) Move {
	return Move{From: []State{from}, To: StateAttention, ReasonCode: code, Reason: reason, Event: ev,
		keepAttempts: true, keepDocument: true}
}

// Finish ends an order (done) with an outcome, and a reason for outcomes
// that need one (skipped, existing); attempts and document kept: a done
// order's attempts are what it took, whichever path finished it.
func Finish(from State, outcome, reason string, ev Event) Move {
	return Move{From: []State{from}, To: StateDone, Outcome: outcome, Reason: reason, Event: ev,
		keepAttempts: true, keepDocument: true}
}

// Requeue puts an order back in the queue at a person's request (retry,
// correction, reissue, credit note): attempts start over, document kept
// (Naming changes it).
func Requeue(from State, ev Event) Move {
	return Move{From: []State{from}, To: StateQueued, Event: ev, keepDocument: true}
}

// Naming makes the move set the order's document type and folio.
func (m Move) Naming(docType int, folio int64) Move {
	m.DocType, m.Folio, m.keepDocument = docType, folio, false
	return m
}

// Saying gives the move's reason as a catalog message too (i18n.Message's
// JSON), for showing it in each reader's language.
func (m Move) Saying(msg string) Move {
	m.ReasonMsg = msg
	return m
}

// WithAttempts makes the move set the order's count of attempts.
func (m Move) WithAttempts(n int) Move {
	m.Attempts, m.keepAttempts = n, false
	return m
}
