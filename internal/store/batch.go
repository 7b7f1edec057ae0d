package store

import (
	"context"
	"fmt"
	"strings"
)

// Multi-row INSERTs: ingest writes a thousand orders and their first
// events per commit, and one statement per row spent most of its time on
// per-statement work (binding, opening and closing cursors, the
// AUTOINCREMENT counter read and written again). A row set is written in
// statements of batchRows rows, then batchRowsSmall, then one; all three
// shapes are prepared at Open, so no batch parses SQL. The same text runs
// on PostgreSQL (placeholders renumbered by the driver).
const (
	batchRows      = 100
	batchRowsSmall = 10
)

// insertOrdersHead is the column list of a new order, as UpsertOrders
// writes it (no buyer: see UpsertOrders).
const insertOrdersHead = `INSERT INTO orders (id, connection_id, code, marketplace, payment_status, status,
		total, sold_at, remote_updated_at, light, state, seen_msg, state_since, created_at, updated_at) VALUES `

// insertOrdersCols are a new order's values. (Its three times, the same
// for all, are bound per row all the same: with numbered placeholders
// (?1) the driver looks each argument up by name, and a statement of a
// hundred rows bound several times slower.)
const insertOrdersCols = 15

const appendEventsHead = `INSERT INTO events (order_id, at, kind, message, data, msg) VALUES `

const appendEventsCols = 6

// multiInsert is head followed by rows groups of cols placeholders.
func multiInsert(head string, cols, rows int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return head + strings.TrimSuffix(strings.Repeat(group+",", rows), ",")
}

var (
	qInsertOrders      = multiInsert(insertOrdersHead, insertOrdersCols, batchRows)
	qInsertOrdersSmall = multiInsert(insertOrdersHead, insertOrdersCols, batchRowsSmall)
	qInsertOrdersOne   = multiInsert(insertOrdersHead, insertOrdersCols, 1)
	qAppendEvents      = multiInsert(appendEventsHead, appendEventsCols, batchRows)
	qAppendEventsSmall = multiInsert(appendEventsHead, appendEventsCols, batchRowsSmall)
)

// insertRows writes the rows in args (cols values each) with the three
// statement shapes of a multi-row INSERT: big, small, one row.
func (t *Tx) insertRows(ctx context.Context, shapes [3]string, cols int, args []any) error {
	sizes := [3]int{batchRows, batchRowsSmall, 1}
	for i, q := range shapes {
		step := sizes[i] * cols
		for len(args) >= step {
			if _, err := t.exec(ctx, q, args[:step]...); err != nil {
				return err
			}
			args = args[step:]
		}
	}
	return nil
}

// newOrder is an order UpsertOrders inserts (an entry of its batch), in
// its initial state, with its first timeline line.
type newOrder struct {
	*OrderUpsert
	state State
	seen  string
}

// insertOrders inserts new orders (none may exist yet) in batch order.
func (t *Tx) insertOrders(ctx context.Context, orders []newOrder) error {
	if len(orders) == 0 {
		return nil
	}
	args := make([]any, 0, insertOrdersCols*len(orders))
	var bx boxes
	now := any(t.now)
	for _, o := range orders {
		args = append(args, o.ID, bx.int(o.ConnectionID), o.Code, bx.str(o.Marketplace), bx.str(o.PaymentStatus), bx.str(o.Status),
			o.Total, ms(o.SoldAt), ms(o.RemoteUpdatedAt), bx.str(o.Light), bx.str(string(o.state)), bx.str(o.seen), now, now, now)
	}
	shapes := [3]string{qInsertOrders, qInsertOrdersSmall, qInsertOrdersOne}
	if err := t.insertRows(ctx, shapes, insertOrdersCols, args); err != nil {
		return fmt.Errorf("store: insert %d orders (%s … %s): %w", len(orders), orders[0].ID, orders[len(orders)-1].ID, err)
	}
	return nil
}

// AppendEvents adds events to their orders' timelines (each names its
// order in OrderID), in the order given: what AppendEvent does for one,
// in a few statements for many.
func (t *Tx) AppendEvents(ctx context.Context, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	args := make([]any, 0, appendEventsCols*len(evs))
	var bx boxes
	for _, e := range evs {
		if e.OrderID == "" {
			return fmt.Errorf("store: an event (%s) without its order", e.Kind)
		}
		at, msg := t.eventValues(e)
		args = append(args, e.OrderID, bx.int(at), bx.str(e.Kind), bx.str(e.Message), bx.str(e.Data), bx.str(msg))
	}
	shapes := [3]string{qAppendEvents, qAppendEventsSmall, qAppendEvent}
	if err := t.insertRows(ctx, shapes, appendEventsCols, args); err != nil {
		return fmt.Errorf("store: %d events (%s … %s): %w", len(evs), evs[0].OrderID, evs[len(evs)-1].OrderID, err)
	}
	return nil
}

// boxes hands out one interface value per distinct string or number of a
// batch's repeated columns (the connection, the statuses, the time, an
// event's words): each conversion to any allocates, and at a thousand rows
// a page the garbage cost ingest about a fifth of its CPU. Columns that
// differ on every row are converted as they come.
type boxes struct {
	s map[string]any
	i map[int64]any
}

// maxBoxes bounds each map: a column that turns out not to repeat stops
// being kept.
const maxBoxes = 64

func (b *boxes) str(v string) any {
	if v == "" {
		return v // no allocation
	}
	return box(&b.s, v)
}

func (b *boxes) int(v int64) any { return box(&b.i, v) }

// box is v's one interface value in *m, made on first sight.
func box[K comparable](m *map[K]any, v K) any {
	if x, ok := (*m)[v]; ok {
		return x
	}
	x := any(v)
	if *m == nil {
		*m = make(map[K]any, 8)
	}
	if len(*m) < maxBoxes {
		(*m)[v] = x
	}
	return x
}
