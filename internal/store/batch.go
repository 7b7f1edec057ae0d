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
		total, sold_at, remote_updated_at, light, state, state_since, created_at, updated_at) VALUES `

// insertOrdersCols are a new order's own values; its three times are the
// transaction's, given once (?1).
const insertOrdersCols = 11

const insertOrdersTail = ",?1,?1,?1"

const appendEventsHead = `INSERT INTO events (order_id, at, kind, message, data, msg) VALUES `

const appendEventsCols = 6

// multiInsert is head followed by rows groups of cols placeholders.
func multiInsert(head string, cols, rows int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return head + strings.TrimSuffix(strings.Repeat(group+",", rows), ",")
}

// multiInsertShared is multiInsert whose groups end with tail, which names
// values given once for all rows (?1 …): numbered placeholders, the rows'
// own after those.
func multiInsertShared(head string, shared, cols, rows int, tail string) string {
	var b strings.Builder
	b.WriteString(head)
	n := shared
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			n++
			fmt.Fprintf(&b, "?%d", n)
		}
		b.WriteString(tail)
		b.WriteByte(')')
	}
	return b.String()
}

var (
	qInsertOrders      = multiInsertShared(insertOrdersHead, 1, insertOrdersCols, batchRows, insertOrdersTail)
	qInsertOrdersSmall = multiInsertShared(insertOrdersHead, 1, insertOrdersCols, batchRowsSmall, insertOrdersTail)
	qInsertOrdersOne   = multiInsertShared(insertOrdersHead, 1, insertOrdersCols, 1, insertOrdersTail)
	qAppendEvents      = multiInsert(appendEventsHead, appendEventsCols, batchRows)
	qAppendEventsSmall = multiInsert(appendEventsHead, appendEventsCols, batchRowsSmall)
)

// insertRows writes the rows in args (cols values each) with the three
// statement shapes of a multi-row INSERT: big, small, one row. Each
// statement takes the shared values first (none, or those its shape
// numbers ?1 …), then its rows'. args keeps room for the shared values
// before the first row (they are written there, and over the tail of the
// rows already written for the next statements).
func (t *Tx) insertRows(ctx context.Context, shapes [3]string, shared []any, cols int, args []any) error {
	sizes := [3]int{batchRows, batchRowsSmall, 1}
	k := len(shared)
	rows := args[k:]
	for i, q := range shapes {
		step := sizes[i] * cols
		for len(rows) >= step {
			// The shared values go just before this statement's rows.
			start := len(args) - len(rows) - k
			copy(args[start:], shared)
			if _, err := t.exec(ctx, q, args[start:start+k+step]...); err != nil {
				return err
			}
			rows = rows[step:]
		}
	}
	return nil
}

// newOrder is an order UpsertOrders inserts, in its initial state.
type newOrder struct {
	OrderUpsert
	state State
}

// insertOrders inserts new orders (none may exist yet) in batch order.
func (t *Tx) insertOrders(ctx context.Context, orders []newOrder) error {
	if len(orders) == 0 {
		return nil
	}
	args := make([]any, 1, 1+insertOrdersCols*len(orders))
	for _, o := range orders {
		args = append(args, o.ID, o.ConnectionID, o.Code, o.Marketplace, o.PaymentStatus, o.Status,
			o.Total, ms(o.SoldAt), ms(o.RemoteUpdatedAt), o.Light, string(o.state))
	}
	shapes := [3]string{qInsertOrders, qInsertOrdersSmall, qInsertOrdersOne}
	if err := t.insertRows(ctx, shapes, []any{t.now}, insertOrdersCols, args); err != nil {
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
	for _, e := range evs {
		if e.OrderID == "" {
			return fmt.Errorf("store: an event (%s) without its order", e.Kind)
		}
		at, msg := t.eventValues(e)
		args = append(args, e.OrderID, at, e.Kind, e.Message, e.Data, msg)
	}
	shapes := [3]string{qAppendEvents, qAppendEventsSmall, qAppendEvent}
	if err := t.insertRows(ctx, shapes, nil, appendEventsCols, args); err != nil {
		return fmt.Errorf("store: %d events (%s … %s): %w", len(evs), evs[0].OrderID, evs[len(evs)-1].OrderID, err)
	}
	return nil
}
