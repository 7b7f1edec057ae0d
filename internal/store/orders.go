package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	Reason          string
	ReasonCode      string
	Outcome         string
	DocType         int
	Folio           int64
	Attempts        int
	NextAttemptAt   time.Time
	StateSince      time.Time
	UpdatedAt       time.Time
}

const orderCols = `seq, id, connection_id, code, marketplace, buyer_name, buyer_rut, payment_status, status,
	requested_type, total, sold_at, remote_updated_at, light, raw, detail_at, state, reason, reason_code,
	outcome, doc_type, folio, attempts, next_attempt_at, state_since, updated_at`

// listCols skips the JSON bodies, which panes never need.
const listCols = `seq, id, connection_id, code, marketplace, buyer_name, buyer_rut, payment_status, status,
	requested_type, total, sold_at, remote_updated_at, '', '', detail_at, state, reason, reason_code,
	outcome, doc_type, folio, attempts, next_attempt_at, state_since, updated_at`

type scanner interface{ Scan(...any) error }

func scanOrder(sc scanner) (Order, error) {
	var o Order
	var sold, upd, det, next, since, updated int64
	err := sc.Scan(&o.Seq, &o.ID, &o.ConnectionID, &o.Code, &o.Marketplace, &o.BuyerName, &o.BuyerRUT,
		&o.PaymentStatus, &o.Status, &o.RequestedType, &o.Total, &sold, &upd, &o.Light, &o.Raw, &det,
		&o.State, &o.Reason, &o.ReasonCode, &o.Outcome, &o.DocType, &o.Folio, &o.Attempts, &next, &since, &updated)
	o.SoldAt, o.RemoteUpdatedAt, o.DetailAt = fromMS(sold), fromMS(upd), fromMS(det)
	o.NextAttemptAt, o.StateSince, o.UpdatedAt = fromMS(next), fromMS(since), fromMS(updated)
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
}

// Upserted reports an order that ingest saw for the first time or saw
// change (its remote updatedAt moved).
type Upserted struct {
	ID    string
	New   bool
	State State // the state before this upsert (new orders: InitialState)
}

// UpsertOrders records a page of orders. Unchanged orders (same remote
// updatedAt) are left alone; new and changed ones are returned.
func (t *Tx) UpsertOrders(ctx context.Context, batch []OrderUpsert) ([]Upserted, error) {
	sel, err := t.tx.PrepareContext(ctx, `SELECT remote_updated_at, state FROM orders WHERE id = ?`)
	if err != nil {
		return nil, classify(err)
	}
	defer sel.Close()
	ins, err := t.tx.PrepareContext(ctx, `INSERT INTO orders (id, connection_id, code, marketplace, payment_status, status,
		total, sold_at, remote_updated_at, light, state, state_since, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, classify(err)
	}
	defer ins.Close()
	upd, err := t.tx.PrepareContext(ctx, `UPDATE orders SET code=?, marketplace=?, payment_status=?, status=?, total=?,
		sold_at=?, remote_updated_at=?, light=?, updated_at=? WHERE id=?`)
	if err != nil {
		return nil, classify(err)
	}
	defer upd.Close()
	var out []Upserted
	for _, o := range batch {
		var prev int64
		var st State
		err := sel.QueryRowContext(ctx, o.ID).Scan(&prev, &st)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			s := o.InitialState
			if s == "" {
				s = StateWaiting
			}
			if _, err := ins.ExecContext(ctx, o.ID, o.ConnectionID, o.Code, o.Marketplace, o.PaymentStatus, o.Status,
				o.Total, ms(o.SoldAt), ms(o.RemoteUpdatedAt), o.Light, s, t.now, t.now); err != nil {
				return nil, fmt.Errorf("store: insert order %s: %w", o.ID, classify(err))
			}
			out = append(out, Upserted{ID: o.ID, New: true, State: s})
		case err != nil:
			return nil, fmt.Errorf("store: read order %s: %w", o.ID, classify(err))
		case ms(o.RemoteUpdatedAt) > prev:
			if _, err := upd.ExecContext(ctx, o.Code, o.Marketplace, o.PaymentStatus, o.Status, o.Total, ms(o.SoldAt),
				ms(o.RemoteUpdatedAt), o.Light, t.now, o.ID); err != nil {
				return nil, fmt.Errorf("store: update order %s: %w", o.ID, classify(err))
			}
			out = append(out, Upserted{ID: o.ID, State: st})
		}
	}
	return out, nil
}

// SetDetail stores a checkout's detail JSON and the buyer fields the panes
// show and filter on.
func (t *Tx) SetDetail(ctx context.Context, id, raw, buyerName, buyerRUT, requestedType string, remoteUpdatedAt time.Time, paymentStatus, status string) error {
	r, err := t.exec(ctx, `UPDATE orders SET raw=?, buyer_name=?, buyer_rut=?, requested_type=?, detail_at=?,
		remote_updated_at=max(remote_updated_at, ?), payment_status=?, status=?, updated_at=? WHERE id=?`,
		raw, buyerName, buyerRUT, requestedType, t.now, ms(remoteUpdatedAt), paymentStatus, status, t.now, id)
	if err != nil {
		return fmt.Errorf("store: order %s detail: %w", id, err)
	}
	return mustOne(r, id)
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
// with it, written only if the order is still in one of From.
type Move struct {
	From          []State
	To            State
	Reason        string
	ReasonCode    string
	Outcome       string
	Attempts      int
	NextAttemptAt time.Time
	DocType       int
	Folio         int64
	// Event, when Kind is set, is appended to the order's timeline.
	Event Event
}

// MoveOrder applies m to order id (River-style: UPDATE … WHERE state IN
// From). It fails with ErrStateChanged if the order was not in From.
func (t *Tx) MoveOrder(ctx context.Context, id string, m Move) error {
	if len(m.From) == 0 {
		return fmt.Errorf("store: move order %s: no from-state given", id)
	}
	args := []any{m.To, m.Reason, m.ReasonCode, m.Outcome, m.Attempts, ms(m.NextAttemptAt), m.DocType, m.Folio,
		m.To, t.now, t.now, id}
	ph := make([]string, len(m.From))
	for i, f := range m.From {
		ph[i] = "?"
		args = append(args, f)
	}
	r, err := t.exec(ctx, `UPDATE orders SET state=?, reason=?, reason_code=?, outcome=?, attempts=?, next_attempt_at=?,
		doc_type=?, folio=?, state_since=CASE WHEN state=? THEN state_since ELSE ? END, updated_at=?
		WHERE id=? AND state IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: move order %s to %s: %w", id, m.To, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		var cur State
		if err := t.tx.QueryRowContext(ctx, `SELECT state FROM orders WHERE id=?`, id).Scan(&cur); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("order %s: %w", id, ErrNotFound)
		}
		return fmt.Errorf("order %s is %s, not %v: %w", id, cur, m.From, ErrStateChanged)
	}
	if m.Event.Kind != "" {
		return t.AppendEvent(ctx, id, m.Event)
	}
	return nil
}

// GetOrder reads one order inside the transaction.
func (t *Tx) GetOrder(ctx context.Context, id string) (Order, error) {
	o, err := scanOrder(t.tx.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id=?`, id))
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

// DueOrders returns orders ready for the pipeline: queued ones, and
// retrying ones whose next attempt is due, oldest first.
func (s *Store) DueOrders(ctx context.Context, now time.Time, limit int) ([]Order, error) {
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders WHERE state='queued'
		UNION ALL SELECT `+listCols+` FROM orders WHERE state='retrying' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, seq LIMIT ?`, ms(now), limit)
}

// InFlightOrders returns orders left mid-pipeline (building, issuing,
// issued, attaching): after a crash the engine resumes them first.
func (s *Store) InFlightOrders(ctx context.Context, limit int) ([]Order, error) {
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders WHERE state IN ('building','issuing','issued','attaching')
		ORDER BY seq LIMIT ?`, limit)
}

// NextDue returns when the earliest retrying order is due (zero if none).
func (s *Store) NextDue(ctx context.Context) (time.Time, error) {
	var v sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM orders WHERE state='retrying'`).Scan(&v)
	return fromMS(v.Int64), classify(err)
}

// OrdersNeedingDetail returns orders of a connection whose detail is older
// than their last remote change, newest first.
func (s *Store) OrdersNeedingDetail(ctx context.Context, connectionID int64, limit int) ([]Order, error) {
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders WHERE connection_id=? AND detail_at < remote_updated_at
		ORDER BY seq DESC LIMIT ?`, connectionID, limit)
}

func (s *Store) queryOrders(ctx context.Context, q string, args ...any) ([]Order, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
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

// OrderQuery selects a page of orders, newest first.
type OrderQuery struct {
	States []State
	// Text filters on code, buyer, RUT and folio (substring, any case) or,
	// when it names a state, on the state.
	Text string
	// Before is the keyset cursor: only orders with Seq < Before (0: from
	// the newest).
	Before int64
	Limit  int
	// ConnectionID restricts to one connection (0: all).
	ConnectionID int64
}

// ListOrders returns one page of orders, newest first, without their JSON
// bodies. Pass the last row's Seq as Before to get the next page.
//
// A text filter of three characters or more is answered from the trigram
// index, walked newest first so a page stops after Limit matches; a text
// of six or more characters also matches codes from their start among
// orders whose detail is not read yet.
func (s *Store) ListOrders(ctx context.Context, q OrderQuery) ([]Order, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	base, text := q.base()
	where, args := base.where()
	if text == "" {
		return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders`+where+` ORDER BY seq DESC LIMIT ?`, append(args, q.Limit)...)
	}
	if len([]rune(text)) < 3 {
		// Too short for trigrams: a scan that stops at the page's end.
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text) + "%"
		cond := `(code LIKE ? ESCAPE '\' OR buyer_name LIKE ? ESCAPE '\' OR buyer_rut LIKE ? ESCAPE '\' OR CAST(folio AS TEXT) = ?)`
		return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders`+and(where, cond)+` ORDER BY seq DESC LIMIT ?`,
			append(args, like, like, like, text, q.Limit)...)
	}
	match := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
	ftsWhere := strings.ReplaceAll(and(where, "orders_search MATCH ?"), "seq <", "s.rowid <")
	query := `SELECT ` + prefixed(listCols, "o.") + ` FROM orders_search s JOIN orders o ON o.seq = s.rowid` + ftsWhere + ` ORDER BY s.rowid DESC LIMIT ?`
	qargs := append(append(append([]any{}, args...), match), q.Limit)
	if len([]rune(text)) >= 6 {
		query = `SELECT * FROM (` + query + `) UNION SELECT * FROM (SELECT ` + listCols + ` FROM orders` +
			and(where, "code >= ? AND code < ? AND buyer_name = '' AND buyer_rut = ''") + ` ORDER BY seq DESC LIMIT ?) ORDER BY 1 DESC LIMIT ?`
		qargs = append(qargs, args...)
		qargs = append(qargs, text, text+"\U0010FFFF", q.Limit, q.Limit)
	}
	return s.queryOrders(ctx, query, qargs...)
}

func and(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
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

// CountOrders counts the orders q selects (ignoring Before, Limit and any
// text filter: the console shows how many a pane holds).
func (s *Store) CountOrders(ctx context.Context, q OrderQuery) (int, error) {
	q.Before = 0
	base, _ := q.base()
	where, args := base.where()
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM orders`+where, args...).Scan(&n)
	return n, classify(err)
}

// base turns a text that names a state into a state filter, returning the
// query without text and the text left to match.
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
	return q, text
}

func (q OrderQuery) where() (string, []any) {
	var conds []string
	var args []any
	if len(q.States) > 0 {
		ph := make([]string, len(q.States))
		for i, st := range q.States {
			ph[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, "state IN ("+strings.Join(ph, ",")+")")
	}
	if q.ConnectionID != 0 {
		conds = append(conds, "connection_id = ?")
		args = append(args, q.ConnectionID)
	}
	if q.Before > 0 {
		conds = append(conds, "seq < ?")
		args = append(args, q.Before)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func containsState(ss []State, s State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// CountByState counts orders in each state.
func (s *Store) CountByState(ctx context.Context) (map[State]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM orders GROUP BY state`)
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
