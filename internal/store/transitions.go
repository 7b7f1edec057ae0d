package store

import (
	"strings"
	"time"
)

// Where an order stands is recorded once. orders.state says where the
// order is in its life (LifeStates: waiting, queued, working, retrying,
// attention, done); where a working order is inside the pipeline is what
// its emission's facts say (intent, folio, Multivende document), and
// nothing else records it. The column of a working order holds that step
// by name (building, issuing, issued, attaching: the public names, which
// `folio orders --json`, the panes, the indexes and the counters read),
// but no caller writes it: a move to StateWorking stores stepSQL, the
// name derived from the emission in the same commit as the emission's
// write. So a retried or requeued order goes back to queued or retrying,
// and a worker resumes it wherever its emission shows, with no "resume"
// edge to pick.

// StateWorking is where an order is while the pipeline has it. It is never
// stored or shown: a move to it stores the step its emission shows
// (stepSQL), and a move from it accepts any of the steps.
const StateWorking State = "working"

// stepSQL names the pipeline step of the order being updated from its
// emission, the most advanced fact first: a Multivende document
// (attaching: next the upload), a folio (issued: next the attachment), an
// intent (issuing: next the folio, resolved first if an earlier run may
// have asked), else nothing committed yet (building). It is the one place
// the name of a step is decided.
const stepSQL = `coalesce((SELECT CASE WHEN e.mv_document_id <> '' THEN 'attaching' WHEN e.folio <> 0 THEN 'issued'
	WHEN e.pending <> '' THEN 'issuing' ELSE 'building' END FROM emissions e WHERE e.order_id = orders.id), 'building')`

// Steps lists the names a working order's state may have, in pipeline
// order.
func Steps() []State { return []State{StateBuilding, StateIssuing, StateIssued, StateAttaching} }

// Life is where an order in s is in its life: each step of the pipeline is
// StateWorking, every other state is itself.
func (s State) Life() State {
	switch s {
	case StateBuilding, StateIssuing, StateIssued, StateAttaching:
		return StateWorking
	}
	return s
}

// LifeStates lists the states of an order's life, the ones the engine's
// transition table is written in.
func LifeStates() []State {
	return []State{StateWaiting, StateQueued, StateWorking, StateRetrying, StateAttention, StateDone}
}

// Busy reports whether an order in s still has engine work ahead of it:
// queued, mid-pipeline or waiting to retry. The Queue pane, the reconnect
// count and the tests' "settled" all mean this set.
func (s State) Busy() bool {
	switch s.Life() {
	case StateQueued, StateWorking, StateRetrying:
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

// busyList and stepList are BusyStates and Steps as SQL lists
// ('queued','building',…).
var busyList, stepList = sqlList(BusyStates()), sqlList(Steps())

func sqlList(states []State) string {
	var q []string
	for _, s := range states {
		q = append(q, "'"+string(s)+"'")
	}
	return strings.Join(q, ",")
}

// The named transitions below build a Move, River-style: each says which
// order fields it sets, and leaves the others as they are in the row
// (attempts, the document's type and folio), so that a caller cannot
// clear what it forgot to carry. Reason, ReasonCode and Outcome always
// describe the new state. Every one is guarded by its from-state.

// Advance moves an order forward in its life (waiting → queued): no
// reason, attempts and document kept.
func Advance(from, to State, ev Event) Move {
	return Move{From: []State{from}, To: to, Event: ev, keepAttempts: true, keepDocument: true}
}

// Work records a commit of the pipeline on an order (from queued or
// retrying when a worker takes it, or working): its state becomes the step
// its emission now shows, written in the same commit (stepSQL). No reason,
// attempts and document kept.
func Work(from State, ev Event) Move {
	return Move{From: []State{from}, To: StateWorking, Event: ev, keepAttempts: true, keepDocument: true}
}

// Wait sends an order that is no longer paid (or cancelled before its
// document) back to waiting, attempts and document kept. A working order
// may wait only while building: one with an intent may have a folio.
func Wait(from State, ev Event) Move {
	if from == StateWorking {
		from = StateBuilding
	}
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
