package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// State is where an order stands. The values are a public contract
// (`folio orders --json`); the engine owns the rules for moving between them.
type State string

// Order states.
const (
	// Waiting: not paid, or cancelled; re-checked on every update.
	StateWaiting State = "waiting"
	// Queued: paid and due to be issued.
	StateQueued State = "queued"
	// Building: the engine is reading the checkout and building the DTE.
	StateBuilding State = "building"
	// Issuing: the DTE is at the invoicer; a folio may be consumed.
	StateIssuing State = "issuing"
	// Issued: the invoicer assigned a folio.
	StateIssued State = "issued"
	// Attaching: the PDF is going to Multivende.
	StateAttaching State = "attaching"
	// Done: finished (see Outcome: issued, skipped or existing).
	StateDone State = "done"
	// Retrying: failed with a transient error; runs again at NextAttemptAt.
	StateRetrying State = "retrying"
	// Attention: a person must act (the Errors pane).
	StateAttention State = "attention"
)

// States lists every state, in pipeline order.
func States() []State {
	return []State{StateWaiting, StateQueued, StateBuilding, StateIssuing, StateIssued,
		StateAttaching, StateDone, StateRetrying, StateAttention}
}

// ParseState reads a state name.
func ParseState(s string) (State, error) {
	for _, st := range States() {
		if string(st) == s {
			return st, nil
		}
	}
	names := make([]string, 0, 9)
	for _, st := range States() {
		names = append(names, string(st))
	}
	return "", fmt.Errorf("unknown state %q: use one of %s", s, strings.Join(names, ", "))
}

// Outcomes of a done order.
const (
	OutcomeIssued   = "issued"
	OutcomeSkipped  = "skipped"
	OutcomeExisting = "existing"
)

// ErrStateChanged means a guarded transition found the order in a state it
// did not expect: someone else moved it first.
var ErrStateChanged = errors.New("order state changed")

// ErrNotFound means no such row.
var ErrNotFound = errors.New("not found")

// Order is one Multivende checkout and where it stands.
type Order struct {
	Seq             int64
	ID              string
	ConnectionID    int64
	Code            string
	Marketplace     string
	BuyerName       string
	BuyerRUT        string
	PaymentStatus   string
	Status          string
	RequestedType   string
	Total           int64
	SoldAt          time.Time
	RemoteUpdatedAt time.Time
	Light           string // the list entry's JSON
	Raw             string // the checkout detail's JSON
	DetailAt        time.Time
	State           State
	Reason          string // plain words (Spanish)
	ReasonCode      string
	ReasonMsg       string // Reason as a catalog message (i18n.Message's JSON), or "" (schema 12)
	Outcome         string
	DocType         int
	Folio           int64
	Attempts        int
	NextAttemptAt   time.Time
	StateSince      time.Time
	CreatedAt       time.Time // when folio first saw the order
	UpdatedAt       time.Time
}

const orderCols = `seq, id, connection_id, code, marketplace, buyer_name, buyer_rut, payment_status, status,
	requested_type, total, sold_at, remote_updated_at, light,
	coalesce((SELECT r.raw FROM order_raw r WHERE r.seq = orders.seq), ''), detail_at, state, reason, reason_code,
	outcome, doc_type, folio, attempts, next_attempt_at, state_since, created_at, updated_at, reason_msg`

// listCols skips the JSON bodies, which panes never need.
const listCols = `seq, id, connection_id, code, marketplace, buyer_name, buyer_rut, payment_status, status,
	requested_type, total, sold_at, remote_updated_at, '', '', detail_at, state, reason, reason_code,
	outcome, doc_type, folio, attempts, next_attempt_at, state_since, created_at, updated_at, reason_msg`

type scanner interface{ Scan(...any) error }

func scanOrder(sc scanner) (Order, error) {
	var o Order
	var sold, upd, det, next, since, created, updated int64
	err := sc.Scan(&o.Seq, &o.ID, &o.ConnectionID, &o.Code, &o.Marketplace, &o.BuyerName, &o.BuyerRUT,
		&o.PaymentStatus, &o.Status, &o.RequestedType, &o.Total, &sold, &upd, &o.Light, &o.Raw, &det,
		&o.State, &o.Reason, &o.ReasonCode, &o.Outcome, &o.DocType, &o.Folio, &o.Attempts, &next, &since,
		&created, &updated, &o.ReasonMsg)
	o.SoldAt, o.RemoteUpdatedAt, o.DetailAt = fromMS(sold), fromMS(upd), fromMS(det)
	o.NextAttemptAt, o.StateSince, o.CreatedAt, o.UpdatedAt = fromMS(next), fromMS(since), fromMS(created), fromMS(updated)
	return o, err
}

// OrderUpsert is what ingest knows of an order from the checkouts list.
type OrderUpsert struct {
	ID              string
	ConnectionID    int64
	Code            string
	Marketplace     string
	PaymentStatus   string
	Status          string
	Total           int64
	SoldAt          time.Time
	RemoteUpdatedAt time.Time
	Light           string
	// InitialState is the state of a new order (queued or waiting).
	InitialState State
	// SeenMsg is a new order's first timeline line ("seen"), as catalog
	// JSON (i18n.Message.Encode). It is kept in the order's row, not as an
	// event row, and Events reads it back first.
	SeenMsg string
}

// Upserted reports an order that ingest saw for the first time or saw
// change (its remote updatedAt moved).
type Upserted struct {
	ID    string
	New   bool
	State State // the state before this upsert (new orders: InitialState)
}

const (
	// The batch's ids arrive as one JSON array: one statement finds which
	// exist, instead of one per order.
	qUpsertExisting = `SELECT id, remote_updated_at, state FROM orders WHERE id IN (SELECT value FROM json_each(?))`
	qUpsertUpdate   = `UPDATE orders SET code=?, marketplace=?, payment_status=?, status=?, total=?,
		sold_at=?, remote_updated_at=?, light=?, updated_at=? WHERE id=?`
	qCountAdd = `UPDATE order_counts SET n = n + ? WHERE state = ?`
)

// UpsertOrders records a page of orders. Unchanged orders (same remote
// updatedAt) are left alone; new and changed ones are returned.
//
// This is the only place orders are inserted, always without a buyer: the
// schema relies on it (see migration 0005) for the per-state counters,
// which it bumps once per state here, and for the search index, which an
// order enters when SetDetail gives it a buyer.
func (t *Tx) UpsertOrders(ctx context.Context, batch []OrderUpsert) ([]Upserted, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	type known struct {
		updated int64
		state   State
		seen    bool // reported by this call already
		ins     int  // new in this call: its index in inserts, plus one
	}
	existing := make(map[string]known, len(batch))
	ids := make([]string, len(batch))
	for i, o := range batch {
		ids[i] = o.ID
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, qUpsertExisting)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, string(idsJSON))
	if err != nil {
		return nil, fmt.Errorf("store: read orders: %w", classify(err))
	}
	for rows.Next() {
		var id string
		var k known
		if err := rows.Scan(&id, &k.updated, &k.state); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read orders: %w", classify(err))
		}
		existing[id] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read orders: %w", classify(err))
	}

	out := make([]Upserted, 0, len(batch))
	added := map[State]int{}
	inserts := make([]newOrder, 0, len(batch))
	for i, o := range batch {
		k, ok := existing[o.ID]
		switch {
		case !ok:
			s := o.InitialState
			if s == "" {
				s = StateWaiting
			}
			// Inserted below, all new orders in a few statements.
			added[s]++
			inserts = append(inserts, newOrder{&batch[i], s, o.SeenMsg})
			existing[o.ID] = known{ms(o.RemoteUpdatedAt), s, true, len(inserts)} // in case the batch names it again
			out = append(out, Upserted{ID: o.ID, New: true, State: s})
		case ms(o.RemoteUpdatedAt) > k.updated:
			if k.ins > 0 {
				// New in this batch and named again, newer: insert the
				// newer entry, in the state (and first line) the first one
				// gave.
				inserts[k.ins-1].OrderUpsert = &batch[i]
				existing[o.ID] = known{ms(o.RemoteUpdatedAt), k.state, true, k.ins}
				continue
			}
			if _, err := t.exec(ctx, qUpsertUpdate, o.Code, o.Marketplace, o.PaymentStatus, o.Status, o.Total, ms(o.SoldAt),
				ms(o.RemoteUpdatedAt), o.Light, t.now, o.ID); err != nil {
				return nil, fmt.Errorf("store: update order %s: %w", o.ID, err)
			}
			if k.seen {
				existing[o.ID] = known{ms(o.RemoteUpdatedAt), k.state, true, 0}
				continue // reported already: the batch names it twice
			}
			existing[o.ID] = known{ms(o.RemoteUpdatedAt), k.state, true, 0}
			out = append(out, Upserted{ID: o.ID, State: k.state})
		}
	}
	if err := t.insertOrders(ctx, inserts); err != nil {
		return nil, err
	}
	for st, n := range added {
		if _, err := t.exec(ctx, qCountAdd, n, st); err != nil {
			return nil, fmt.Errorf("store: count orders: %w", err)
		}
	}
	return out, nil
}

// UpsertOrders records a batch of orders in one transaction (see
// Tx.UpsertOrders; use that inside Write to plan the changes in the same
// commit).
func (s *Store) UpsertOrders(ctx context.Context, batch []OrderUpsert) ([]Upserted, error) {
	var out []Upserted
	err := s.Write(ctx, func(tx *Tx) (err error) {
		out, err = tx.UpsertOrders(ctx, batch)
		return err
	})
	return out, err
}

const (
	qSetDetail = `UPDATE orders SET buyer_name=?, buyer_rut=?, requested_type=?, detail_at=?,
	remote_updated_at=max(remote_updated_at, ?), payment_status=?, status=?, updated_at=? WHERE id=?`
	// The JSON lives apart from the row (schema 18) so that the order's
	// later changes do not rewrite it; the same JSON read again is not
	// written again.
	qSetRaw = `INSERT INTO order_raw (seq, raw) SELECT seq, ? FROM orders WHERE id=?
	ON CONFLICT (seq) DO UPDATE SET raw=excluded.raw WHERE order_raw.raw <> excluded.raw`
)

// SetDetail stores a checkout's detail JSON and the buyer fields the panes
// show and filter on.
func (t *Tx) SetDetail(ctx context.Context, id, raw, buyerName, buyerRUT, requestedType string, remoteUpdatedAt time.Time, paymentStatus, status string) error {
	r, err := t.exec(ctx, qSetDetail, buyerName, buyerRUT, requestedType, t.now, ms(remoteUpdatedAt), paymentStatus, status, t.now, id)
	if err != nil {
		return fmt.Errorf("store: order %s detail: %w", id, err)
	}
	if err := mustOne(r, id); err != nil {
		return err
	}
	if _, err := t.exec(ctx, qSetRaw, raw, id); err != nil {
		return fmt.Errorf("store: order %s detail JSON: %w", id, err)
	}
	return nil
}

func mustOne(r sql.Result, id string) error {
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return nil
}

// Move is a guarded transition: the order's state and the fields that go
// with it, written only if the order is still in one of From. The engine
// builds every Move with the named transitions (transitions.go), which
// leave alone what they do not name; a Move literal (tests setting rows
// up) behaves as below. A literal may name a step of the pipeline as its
// To (a fixture without an emission); the engine never does: its moves to
// a step are store.Work, which stores the step the emission shows.
//
// A Move sets every field it names, zero values included: Reason,
// ReasonCode and Outcome describe the new state, so leaving them empty
// clears the old state's; Attempts, NextAttemptAt, DocType and Folio must be
// carried over by the caller when they should stay. StateSince moves only
// when the state does. To record emission fields in the same commit, call
// SaveEmission in the same Write.
type Move struct {
	From          []State
	To            State
	Reason        string
	ReasonCode    string
	ReasonMsg     string // Reason as a catalog message (JSON), or ""
	Outcome       string
	Attempts      int
	NextAttemptAt time.Time
	DocType       int
	Folio         int64
	// Event, when Kind is set, is appended to the order's timeline.
	Event Event
	// Set by the named transitions (transitions.go): leave the row's
	// attempts, or its doc type and folio, as they are.
	keepAttempts, keepDocument bool
}

const (
	// The from-states arrive as one ",a,b," argument so that the query
	// text is the same for any number of them (and prepared once).
	// A move to working stores the step the emission shows (stepSQL).
	qMoveOrder = qMoveHead + `doc_type=?, folio=?, ` + qMoveTail
	// A move that keeps the document does not name folio: an assigned
	// column is rewritten in its index (orders_folio) even when its value
	// stays, a page more per step.
	qMoveOrderKeepDoc = qMoveHead + qMoveTail
	qMoveHead         = `UPDATE orders SET state=CASE WHEN ?1 = 'working' THEN ` + stepSQL + ` ELSE ?1 END, reason=?, reason_code=?, reason_msg=?,
		outcome=?, attempts=iif(?, attempts, ?), next_attempt_at=?, `
	qMoveTail = `state_since=CASE WHEN state = (CASE WHEN ?1 = 'working' THEN ` + stepSQL + ` ELSE ?1 END) THEN state_since ELSE ? END, updated_at=?
		WHERE id=? AND instr(?, ',' || state || ',') > 0`
	qOrderState  = `SELECT state FROM orders WHERE id=?`
	qOrderStatus = `SELECT payment_status, status FROM orders WHERE id=?`
	qGetOrder    = `SELECT ` + orderCols + ` FROM orders WHERE id=?`
)

// SetReason rewrites the reason of an order that still waits for the same
// cause (code), without moving it: what the reason says can age.
func (t *Tx) SetReason(ctx context.Context, id, code, reason string) error {
	return t.SetReasonMsg(ctx, id, code, reason, "")
}

// SetReasonMsg is SetReason with the reason also as a catalog message
// (JSON; "" for none).
func (t *Tx) SetReasonMsg(ctx context.Context, id, code, reason, msg string) error {
	_, err := t.exec(ctx, `UPDATE orders SET reason=?, reason_msg=?, updated_at=? WHERE id=? AND reason_code=?`, reason, msg, t.now, id, code)
	if err != nil {
		return fmt.Errorf("store: reason of order %s: %w", id, err)
	}
	return nil
}

// MoveOrder applies m to order id (River-style: UPDATE … WHERE state IN
// From). It fails with ErrStateChanged if the order was not in From.
func (t *Tx) MoveOrder(ctx context.Context, id string, m Move) error {
	if len(m.From) == 0 {
		return fmt.Errorf("store: move order %s: no from-state given", id)
	}
	var from []string
	for _, f := range m.From {
		if f == StateWorking {
			for _, s := range Steps() {
				from = append(from, string(s))
			}
			continue
		}
		from = append(from, string(f))
	}
	q, args := qMoveOrderKeepDoc, []any{m.To, m.Reason, m.ReasonCode, m.ReasonMsg, m.Outcome, m.keepAttempts, m.Attempts, ms(m.NextAttemptAt)}
	if !m.keepDocument {
		q, args = qMoveOrder, append(args, m.DocType, m.Folio)
	}
	r, err := t.exec(ctx, q, append(args, t.now, t.now, id, ","+strings.Join(from, ",")+",")...)
	if err != nil {
		return fmt.Errorf("store: move order %s to %s: %w", id, m.To, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		var cur State
		if err := t.queryRow(ctx, qOrderState, id).Scan(&cur); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("order %s: %w", id, ErrNotFound)
		}
		return fmt.Errorf("order %s is %s, not %v: %w", id, cur, m.From, ErrStateChanged)
	}
	if m.Event.Kind != "" {
		return t.AppendEvent(ctx, id, m.Event)
	}
	return nil
}

// OrderStatus reads the order's payment status and status in Multivende
// inside the transaction: what says it was cancelled, without its JSON.
func (t *Tx) OrderStatus(ctx context.Context, id string) (paymentStatus, status string, err error) {
	err = t.queryRow(ctx, qOrderStatus, id).Scan(&paymentStatus, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return paymentStatus, status, classify(err)
}

// GetOrder reads one order inside the transaction.
func (t *Tx) GetOrder(ctx context.Context, id string) (Order, error) {
	o, err := scanOrder(t.queryRow(ctx, qGetOrder, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return o, classify(err)
}

// GetOrder reads one order, with its JSON bodies.
func (s *Store) GetOrder(ctx context.Context, id string) (Order, error) {
	o, err := scanOrder(s.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	return o, classify(err)
}

// DueOrders returns orders ready for the pipeline, oldest first: queued
// ones in arrival order, then retrying ones whose next attempt is due, in
// the order they fell due. Each half walks an index and stops at limit, so
// a backlog of queued orders costs no sort.
func (s *Store) DueOrders(ctx context.Context, now time.Time, limit int) ([]Order, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.queryOrders(ctx, `SELECT * FROM (SELECT `+listCols+` FROM orders INDEXED BY orders_state_seq
			WHERE state = 'queued' ORDER BY seq LIMIT ?)
		UNION ALL SELECT * FROM (SELECT `+listCols+` FROM orders INDEXED BY orders_retry_due
			WHERE state = 'retrying' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?)
		LIMIT ?`, limit, ms(now), limit, limit)
}

// WaitingReconnect counts the orders of a connection that still have
// work to do (queued, mid-pipeline or retrying): while the connection
// needs a reconnect, they wait for it.
func (s *Store) WaitingReconnect(ctx context.Context, connID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM orders INDEXED BY orders_state_seq
		WHERE state IN (`+busyList+`) AND connection_id = ?`, connID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: orders waiting for a reconnect: %w", classify(err))
	}
	return n, nil
}

// InFlightOrders returns orders left mid-pipeline (working: building,
// issuing, issued, attaching): after a crash the engine resumes them first,
// each from where its emission shows.
func (s *Store) InFlightOrders(ctx context.Context, limit int) ([]Order, error) {
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders WHERE state IN (`+stepList+`)
		ORDER BY seq LIMIT ?`, limit)
}

// NextDue returns when the earliest retrying order is due (zero if none).
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var v sql.NullInt64
	const q = `SELECT min(next_attempt_at) FROM orders INDEXED BY orders_retry_due WHERE state = 'retrying'`
	if s.trace != nil {
		s.trace(q, nil)
	}
	err := s.reads.QueryRowContext(ctx, q).Scan(&v)
	return fromMS(v.Int64), classify(err)
}

func (s *Store) queryOrders(ctx context.Context, q string, args ...any) ([]Order, error) {
	if s.trace != nil {
		s.trace(q, args)
	}
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list orders: %w", classify(err))
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list orders: %w", classify(err))
		}
		out = append(out, o)
	}
	return out, classify(rows.Err())
}

// QueueStates are the states of the console's Queue pane: waiting to run,
// running, or waiting to run again.
func QueueStates() []State { return BusyStates() }

// OrderQuery selects a page of orders, newest first.
type OrderQuery struct {
	// States restricts to these states (none: all).
	States []State
	// Text filters on code, buyer name, buyer RUT and folio, or, when it
	// names a state, on the state. From three characters it matches any
	// substring of the code, buyer name or RUT, in any case (RUTs may be
	// typed with dots); a number also matches a folio, exactly.
	Text string
	// Before is the keyset cursor: only orders with Seq < Before (0: from
	// the newest). Pass the last row's Seq to get the next page.
	Before int64
	// Limit is the page size (default 50, at most 1000).
	Limit int
	// ConnectionID restricts to one connection (0: all).
	ConnectionID int64
	// ConnectionIDs, when not nil, restricts to these connections (a
	// console scoped to some merchants; an empty list matches nothing).
	ConnectionIDs []int64
}

// smallStates is the largest number of orders in a query's states for
// which a text filter is checked row by row along the state index rather
// than through the trigram index (a rare state, such as the Errors pane's,
// paired with a common word would make the trigram walk long).
const smallStates = 20000

// ListOrders returns one page of orders, newest first, without their JSON
// bodies. Every path is index-driven and stops once the page is full, so a
// page costs about the same at a thousand orders as at a million:
//
//   - no text: the (state, seq) index, one walk per state, merged;
//   - text of 3+ characters: the trigram index walked newest first (plus,
//     from 6 characters, code prefixes of orders whose detail is not read
//     yet, which the trigram index does not hold, and for a number, its
//     folio through the folio index); when the states asked for hold few
//     orders, those orders are walked instead and matched with LIKE;
//   - shorter text: a folio, exactly.
func (s *Store) ListOrders(ctx context.Context, q OrderQuery) ([]Order, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 1000)
	base, text := q.base()
	switch n := len([]rune(text)); {
	case text == "":
		return s.listByState(ctx, base, "", nil)
	case n < 3:
		folio, err := strconv.ParseInt(text, 10, 64)
		if err != nil || folio <= 0 {
			return nil, nil // no code, buyer or RUT is one or two characters long
		}
		// folio > 0 repeats the folio index's condition so it can serve.
		return s.listOr(ctx, base, "folio > 0 AND folio = ?", folio)
	}
	if len(base.States) > 0 {
		few, err := s.fewOrders(ctx, base.States)
		if err != nil {
			return nil, err
		}
		if few {
			like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
			folio, _ := folioText(text) // 0 (no folio) when not a number
			return s.listByState(ctx, base, `(code LIKE ? ESCAPE '\' OR buyer_name LIKE ? ESCAPE '\' OR buyer_rut LIKE ? ESCAPE '\'
				OR (folio > 0 AND folio = ?))`, []any{like, like, like, folio})
		}
	}
	return s.listText(ctx, base, text)
}

// fewOrders reports whether states together hold at most smallStates orders.
func (s *Store) fewOrders(ctx context.Context, states []State) (bool, error) {
	counts, err := s.CountByState(ctx)
	if err != nil {
		return false, err
	}
	n := 0
	for _, st := range states {
		n += counts[st]
	}
	return n <= smallStates, nil
}

// listByState walks the (state, seq) index newest first, once per state,
// and merges the walks; cond (with args) filters rows on the way.
func (s *Store) listByState(ctx context.Context, q OrderQuery, cond string, condArgs []any) ([]Order, error) {
	common, args := q.commonWhere()
	if cond != "" {
		common = append(common, cond)
		args = append(args, condArgs...)
	}
	if len(q.States) == 0 && len(q.ConnectionIDs) > 0 {
		q.States = States() // scoped: walked per connection and state (below)
	}
	if len(q.States) == 0 {
		return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders`+where(common)+` ORDER BY seq DESC LIMIT ?`,
			append(args, q.Limit)...)
	}
	var arms []string
	var all []any
	if n := len(q.ConnectionIDs) * len(q.States); n > 0 && n <= 400 {
		// Scoped to some merchants: one walk of the (connection, state,
		// seq) index per pair, so a small merchant's page does not walk a
		// big one's state (400 stays under SQLite's 500 compound terms).
		sub := q
		sub.ConnectionIDs = nil
		common, args := sub.commonWhere()
		if cond != "" {
			common = append(common, cond)
			args = append(args, condArgs...)
		}
		for _, c := range q.ConnectionIDs {
			for _, st := range q.States {
				arms = append(arms, `SELECT * FROM (SELECT `+listCols+` FROM orders INDEXED BY orders_connection_state`+
					where(append([]string{"connection_id = ?", "state = ?"}, common...))+` ORDER BY seq DESC LIMIT ?)`)
				all = append(append(append(all, c, string(st)), args...), q.Limit)
			}
		}
	} else {
		for _, st := range q.States {
			arms = append(arms, `SELECT * FROM (SELECT `+listCols+` FROM orders INDEXED BY orders_state_seq`+
				where(append([]string{"state = ?"}, common...))+` ORDER BY seq DESC LIMIT ?)`)
			all = append(append(append(all, string(st)), args...), q.Limit)
		}
	}
	if len(arms) == 1 {
		return s.queryOrders(ctx, arms[0], all...)
	}
	return s.queryOrders(ctx, strings.Join(arms, " UNION ALL ")+` ORDER BY 1 DESC LIMIT ?`, append(all, q.Limit)...)
}

// listOr finds the few orders an exact cond selects through its own
// indexes, the state test kept off the index (unary +) so that the planner
// never walks a whole state instead.
func (s *Store) listOr(ctx context.Context, q OrderQuery, cond string, condArgs ...any) ([]Order, error) {
	common, args := q.commonWhere()
	common = append([]string{cond}, common...)
	args = append(append([]any{}, condArgs...), args...)
	if st, stArgs := q.stateIn("+state"); st != "" {
		common = append(common, st)
		args = append(args, stArgs...)
	}
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders`+where(common)+` ORDER BY seq DESC LIMIT ?`,
		append(args, q.Limit)...)
}

// listText answers a text of three characters or more from the trigram
// index, walked newest first so that a page stops after Limit matches.
func (s *Store) listText(ctx context.Context, q OrderQuery, text string) ([]Order, error) {
	if s.pg {
		return s.listTextPG(ctx, q, text)
	}
	common, args := q.commonWhere()
	if st, stArgs := q.stateIn("+state"); st != "" {
		common = append(common, st)
		args = append(args, stArgs...)
	}
	match := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
	fts := append([]string{"orders_search MATCH ?"}, common...)
	for i, c := range fts[1:] {
		fts[i+1] = strings.ReplaceAll(c, "seq <", "s.rowid <")
	}
	query := `SELECT ` + prefixed(listCols, "o.") + ` FROM orders_search s JOIN orders o ON o.seq = s.rowid` +
		where(fts) + ` ORDER BY s.rowid DESC LIMIT ?`
	qargs := append(append([]any{match}, args...), q.Limit)
	union := func(arm string, armArgs ...any) {
		query = `SELECT * FROM (` + query + `) UNION SELECT * FROM (` + arm + `) ORDER BY 1 DESC LIMIT ?`
		qargs = append(append(append(qargs, armArgs...), args...), q.Limit, q.Limit)
	}
	if len([]rune(text)) >= 6 {
		// Orders listed but not yet read in detail are not in the trigram
		// index; find them by the start of their code.
		// The conditions repeat orders_code_nodetail's, word for word.
		prefix := append([]string{"code >= ? AND code < ?", "buyer_name = ''", "buyer_rut = ''"}, common...)
		union(`SELECT `+listCols+` FROM orders INDEXED BY orders_code_nodetail`+where(prefix)+` ORDER BY seq DESC LIMIT ?`,
			text, text+"\U0010FFFF")
	}
	if folio, ok := folioText(text); ok {
		// The trigram index leaves the folio out (schema 18).
		union(`SELECT `+listCols+` FROM orders`+where(append([]string{"folio > 0 AND folio = ?"}, common...))+` ORDER BY seq DESC LIMIT ?`,
			folio)
	}
	return s.queryOrders(ctx, query, qargs...)
}

// folioText is the folio a filter's text names, when it is a number.
func folioText(text string) (int64, bool) {
	for _, r := range text {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	folio, err := strconv.ParseInt(text, 10, 64)
	return folio, err == nil && folio > 0
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// prefixed qualifies each column of a list with p ("o.").
func prefixed(cols, p string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		c = strings.TrimSpace(c)
		if !strings.HasPrefix(c, "'") {
			c = p + c
		}
		parts[i] = c
	}
	return strings.Join(parts, ", ")
}

// CountOrders counts the orders q selects, ignoring Before, Limit and any
// text that is not a state name (the console shows how many a pane holds).
// Without a connection it reads the per-state counters and costs nothing.
func (s *Store) CountOrders(ctx context.Context, q OrderQuery) (int, error) {
	base, _ := q.base()
	if base.ConnectionID == 0 && base.ConnectionIDs == nil {
		counts, err := s.CountByState(ctx)
		if err != nil {
			return 0, err
		}
		states := base.States
		if len(states) == 0 {
			states = States()
		}
		n := 0
		for _, st := range states {
			n += counts[st]
		}
		return n, nil
	}
	base.Before = 0
	common, args := base.commonWhere()
	if st, stArgs := base.stateIn("state"); st != "" {
		common = append(common, st)
		args = append(args, stArgs...)
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM orders`+where(common), args...).Scan(&n)
	return n, classify(err)
}

// base turns a text that names a state into a state filter, and a RUT
// typed with dots into the stored form, returning the query without text
// and the text left to match.
func (q OrderQuery) base() (OrderQuery, string) {
	text := strings.TrimSpace(q.Text)
	q.Text = ""
	if st, err := ParseState(strings.ToLower(text)); err == nil && text != "" {
		if len(q.States) > 0 && !containsState(q.States, st) {
			q.States = []State{"-"} // a state outside the pane's: nothing
		} else {
			q.States = []State{st}
		}
		return q, ""
	}
	if dottedRUT(text) {
		text = strings.ReplaceAll(text, ".", "")
	}
	return q, text
}

// dottedRUT reports whether s looks like a RUT written with dots
// (12.345.678-5), which the store keeps as 12345678-5.
func dottedRUT(s string) bool {
	if !strings.Contains(s, ".") {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == 'k' || r == 'K') {
			return false
		}
	}
	return true
}

// commonWhere is the query's connection and cursor conditions.
func (q OrderQuery) commonWhere() ([]string, []any) {
	var conds []string
	var args []any
	if q.ConnectionID != 0 {
		conds = append(conds, "connection_id = ?")
		args = append(args, q.ConnectionID)
	}
	if q.ConnectionIDs != nil {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(q.ConnectionIDs)), ",")
		if ph == "" {
			ph = "NULL" // nothing is IN (NULL)
		}
		conds = append(conds, "connection_id IN ("+ph+")")
		for _, id := range q.ConnectionIDs {
			args = append(args, id)
		}
	}
	if q.Before > 0 {
		conds = append(conds, "seq < ?")
		args = append(args, q.Before)
	}
	return conds, args
}

// stateIn is the query's state condition on col ("" when none).
func (q OrderQuery) stateIn(col string) (string, []any) {
	if len(q.States) == 0 {
		return "", nil
	}
	ph := make([]string, len(q.States))
	args := make([]any, len(q.States))
	for i, st := range q.States {
		ph[i], args[i] = "?", string(st)
	}
	return col + " IN (" + strings.Join(ph, ",") + ")", args
}

func containsState(ss []State, s State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// CountByState counts orders in each state. It reads counters that
// triggers keep in step with every write, so it is cheap to poll.
func (s *Store) CountByState(ctx context.Context) (map[State]int, error) {
	return s.stateCounts(ctx, `SELECT state, n FROM order_counts`)
}

// stateCounts reads (state, count) rows into a map.
func (s *Store) stateCounts(ctx context.Context, q string, args ...any) (map[State]int, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := make(map[State]int, 9)
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, classify(err)
		}
		out[st] = n
	}
	return out, classify(rows.Err())
}

// Activity is what happened in a recent window, for the status bar's
// rates when the console is attached to a daemon.
type Activity struct {
	Orders    int // orders first seen in the window
	Documents int // documents issued in the window
}

// RecentActivity counts orders first seen and documents issued since
// since. Both tables grow in time order, so each count walks back from the
// newest row only as far as the window reaches.
func (s *Store) RecentActivity(ctx context.Context, since time.Time) (Activity, error) {
	var a Activity
	at := ms(since)
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM orders WHERE seq > coalesce((SELECT seq FROM orders WHERE created_at < ?1 ORDER BY seq DESC LIMIT 1), 0)),
		(SELECT count(*) FROM documents WHERE id > coalesce((SELECT id FROM documents WHERE created_at < ?1 ORDER BY id DESC LIMIT 1), 0))`,
		at).Scan(&a.Orders, &a.Documents)
	return a, classify(err)
}

// OrderView is everything the console's inspect view shows of one order,
// read from one snapshot.
type OrderView struct {
	Order     Order
	Emission  *Emission // nil before the intent is recorded
	Documents []Document
	Events    []Event    // oldest first
	HTTP      []Exchange // newest first
}

// InspectOrder reads an order with its JSON bodies, its emission, its
// documents, its timeline and its newest httpLimit HTTP exchanges, all
// from one read transaction so the parts agree with each other.
func (s *Store) InspectOrder(ctx context.Context, id string, httpLimit int) (OrderView, error) {
	var v OrderView
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return v, classify(err)
	}
	defer tx.Rollback()
	v.Order, err = scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("order %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return v, classify(err)
	}
	em, err := scanEmission(tx.QueryRowContext(ctx, `SELECT `+emissionCols+` FROM emissions WHERE order_id=?`, id))
	switch {
	case err == nil:
		v.Emission = &em
	case !errors.Is(err, ErrNotFound):
		return v, err
	}
	if v.Documents, err = documents(ctx, tx, id); err != nil {
		return v, err
	}
	if v.Events, err = events(ctx, tx, id); err != nil {
		return v, err
	}
	if httpLimit > 0 {
		if v.HTTP, err = httpLog(ctx, tx, id, httpLimit); err != nil {
			return v, err
		}
	}
	return v, nil
}
