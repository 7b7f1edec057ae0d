package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

const settingPaused = "paused"

// pollLoop polls every Multivende connection now and then every PollInterval.
func (e *Engine) pollLoop(ctx context.Context) {
	var lastRefresh time.Time
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		e.pollAll(ctx)
		if now := e.cfg.Now(); now.Sub(lastRefresh) >= creditRefreshEvery {
			e.refreshCreditWindows(ctx)
			lastRefresh = now
		}
		t.Reset(e.cfg.PollInterval)
	}
}

func (e *Engine) pollAll(ctx context.Context) {
	if p, _ := e.st.Setting(ctx, settingPaused); p == "1" || e.diskFull.Load() {
		return
	}
	if e.webhooksCover() {
		return // healthy webhooks: the poll waits for HealthyPollInterval
	}
	conns, err := e.st.Connections(ctx)
	if err != nil {
		e.log.Error("reading connections", "err", err)
		return
	}
	for _, c := range conns {
		if c.Status == store.ConnNeedsReconnect {
			// A reconnect saves new tokens: the next poll after it must
			// build a client from them, not reuse the dead one.
			e.dropMarket(c.ID)
		}
		if c.Kind != store.KindMultivende || c.Paused || c.Status == store.ConnNeedsReconnect {
			continue
		}
		cctx, done, ok := e.onConnection(ctx, c.ID)
		if !ok {
			continue // another engine's connection
		}
		n, err := e.Ingest(cctx, c)
		if ctx.Err() != nil {
			done()
			return
		}
		if cctx.Err() != nil || errors.Is(err, store.ErrConnectionLost) {
			done()
			continue // taken over or given back meanwhile: its new holder polls it
		}
		if e.storeFull(err) {
			done()
			return
		}
		if err != nil {
			e.log.Warn("poll failed", "connection", c.Name, "err", err)
			e.connectionError(cctx, c, err)
			done()
			continue
		}
		done()
		e.log.Info("polled", "connection", c.Name, "changed", n)
	}
	e.statMu.Lock()
	e.lastPoll = e.cfg.Now()
	e.statMu.Unlock()
	e.notify(Change{Kind: ChangeConnections})
}

func (e *Engine) dropMarket(id int64) {
	e.marketsMu.Lock()
	delete(e.markets, id)
	delete(e.builtWith, id)
	e.marketsMu.Unlock()
}

func (e *Engine) market(c store.Connection) (Marketplace, error) {
	e.marketsMu.Lock()
	defer e.marketsMu.Unlock()
	if m, ok := e.markets[c.ID]; ok {
		return m, nil
	}
	m, err := e.cfg.Markets(c)
	if err != nil {
		return nil, err
	}
	e.markets[c.ID] = m
	e.builtWith[c.ID] = c.RefreshToken
	return m, nil
}

// Ingest reads a connection's checkouts updated since its high-water mark
// (minus Overlap; Lookback on the first poll), upserts them and plans the
// new and changed ones. It returns how many were new or changed.
//
// The span is read as Multivende asks: windows of at most 2 h, oldest
// first, each read whole (every page, each order once) before it is
// committed; only then does the high-water mark move, to the window's end.
// A window that fails is read again whole on the next poll. Nothing here
// assumes the list is sorted.
func (e *Engine) Ingest(ctx context.Context, c store.Connection) (int, error) {
	m, err := e.market(c)
	if err != nil {
		return 0, err
	}
	to := e.cfg.Now().UTC()
	from := to.Add(-e.cfg.Lookback)
	if !c.HighWater.IsZero() {
		from = c.HighWater.Add(-e.cfg.Overlap)
	}
	changed, windows := 0, 0
	var empty time.Time // the end of the empty windows read since the mark last moved
	passEmpty := func() error {
		return e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetPolled(ctx, c.ID, empty, "") })
	}
	for w, err := range multivende.CheckoutWindows(ctx, m, c.MerchantID, from, to) {
		if err != nil {
			if !empty.IsZero() {
				// Past what was read whole, or a poll failing now and then
				// would walk the same empty windows forever.
				_ = passEmpty()
			}
			return changed, err
		}
		windows++
		if len(w.Entries) == 0 {
			// Nothing to write: the mark passes it with the next commit
			// (a later window's, or the poll's last), not in one of its
			// own; a first poll walks days of empty windows.
			empty = w.To
			continue
		}
		// Commits of about ingestBatch orders: one commit per small page
		// held ingest to the store's commit rate.
		for i := 0; i < len(w.Entries); i += ingestBatch {
			n, err := e.ingestEntries(ctx, c, w.Entries[i:min(i+ingestBatch, len(w.Entries))])
			changed += n
			if err != nil {
				return changed, err
			}
		}
		if err := e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetPolled(ctx, c.ID, w.To, "") }); err != nil {
			return changed, err
		}
		empty = time.Time{}
	}
	// Nothing to read (the mark is ahead of this clock) is still a
	// successful poll; empty windows at the end move the mark past them.
	if windows == 0 || !empty.IsZero() {
		err = passEmpty()
	}
	return changed, err
}

// ingestBatch is how many listed orders one ingest commit holds.
const ingestBatch = 1000

// ingestEntries upserts listed orders and plans what changed, in one
// commit. An order listed twice (it changed during the walk) keeps its
// latest entry.
func (e *Engine) ingestEntries(ctx context.Context, c store.Connection, entries []multivende.LightCheckout) (int, error) {
	return e.ingestWith(ctx, c, entries, nil)
}

// ingestWith is ingestEntries with extra run in the same commit, after
// the upsert and planning (a hinted read saves the detail it read).
func (e *Engine) ingestWith(ctx context.Context, c store.Connection, entries []multivende.LightCheckout, extra func(*store.Tx) error) (int, error) {
	latest := make(map[string]int, len(entries))
	for i, lc := range entries {
		if j, ok := latest[lc.ID]; !ok || !lc.UpdatedAt.Before(entries[j].UpdatedAt) {
			latest[lc.ID] = i
		}
	}
	batch := make([]store.OrderUpsert, 0, len(latest))
	var seenPaid string // a new order's first line: the same words for every paid one
	for i, lc := range entries {
		if latest[lc.ID] != i {
			continue
		}
		initial := store.StateWaiting
		if eligible(lc.PaymentStatus, lc.Status) {
			initial = store.StateQueued
		}
		seen := seenPaid
		if initial != store.StateQueued || seen == "" {
			seen = seenMessage(lc.PaymentStatus, lc.Status).Encode()
			if initial == store.StateQueued {
				seenPaid = seen
			}
		}
		batch = append(batch, store.OrderUpsert{ID: lc.ID, ConnectionID: c.ID, Code: lc.Code, Marketplace: lc.Origin,
			PaymentStatus: lc.PaymentStatus, Status: lc.Status, Total: int64(lc.Total), SoldAt: lc.SoldAt,
			RemoteUpdatedAt: lc.UpdatedAt, InitialState: initial, SeenMsg: seen})
	}
	var ups []store.Upserted
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		if ups, err = tx.UpsertOrders(ctx, batch); err != nil {
			return err
		}
		// New orders carry their first line in their row (SeenMsg);
		// changed ones are planned.
		next := 0 // ups come in batch order, each id once
		for _, u := range ups {
			for next < len(batch) && batch[next].ID != u.ID {
				next++
			}
			if next == len(batch) {
				return fmt.Errorf("ingest: the store reported order %s out of its batch's order", u.ID)
			}
			if !u.New {
				if err := e.plan(ctx, tx, u, batch[next]); err != nil {
					return err
				}
			}
		}
		if extra != nil {
			return extra(tx)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ingest %s: %w", c.Name, err)
	}
	if len(ups) > 0 {
		e.count(&e.ingested, len(ups))
		e.notify(Change{Kind: ChangeOrders})
		e.Kick()
	}
	return len(ups), nil
}

func eligible(payment, status string) bool {
	co := multivende.Checkout{PaymentStatus: payment, Status: status}
	return co.Paid() && !co.Cancelled()
}

// seenMessage is a new order's first line on its timeline (kind "seen").
func seenMessage(payment, status string) i18n.Message {
	if eligible(payment, status) {
		return i18n.M("event.seen_paid")
	}
	return i18n.M("event.seen_unpaid", payment)
}

// plan moves a changed order to where its payment says it belongs.
func (e *Engine) plan(ctx context.Context, tx *store.Tx, u store.Upserted, o store.OrderUpsert) error {
	pay := eligible(o.PaymentStatus, o.Status)
	cur, err := tx.GetOrder(ctx, u.ID)
	if err != nil {
		return err
	}
	co := multivende.Checkout{PaymentStatus: o.PaymentStatus, Status: o.Status}
	if co.Cancelled() && cur.State != store.StateDone && cur.State != store.StateWaiting &&
		!(cur.State == store.StateAttention && cur.ReasonCode == ReasonNeedsCredit) {
		// Whether a folio exists is the emission's to say, not the state's
		// name: one in Errors or queued again after a refused attach has
		// one too, and would otherwise be attached as if still sold.
		em, err := tx.GetEmission(ctx, u.ID)
		if err == nil && (IsCredit(em) || em.Folio != 0 && em.SIIStatus != string(invoicer.SIIRejected)) {
			return e.needsCreditNote(ctx, tx, cur)
		}
	}
	switch {
	case cur.State == store.StateWaiting && pay:
		return moveOrder(ctx, tx, u.ID, store.Advance(store.StateWaiting, store.StateQueued, event("paid", "event.paid")))
	case (cur.State == store.StateQueued || cur.State == store.StateRetrying) && !pay:
		em, err := tx.GetEmission(ctx, u.ID)
		if err == nil && (em.Pending != "" || IsCredit(em)) {
			return nil // a folio may be in play, or the credit note of a cancelled order is queued: let the pipeline settle it
		}
		return moveOrder(ctx, tx, u.ID, store.Wait(cur.State, event("unpaid", "event.unpaid", o.PaymentStatus, o.Status)))
	case co.Cancelled() && cur.State == store.StateDone && cur.Outcome == store.OutcomeIssued:
		return e.needsCreditNote(ctx, tx, cur)
	}
	return nil
}

// rotatedElsewhere says whether the store holds a refresh token other
// than the one the connection's client was built with.
func (e *Engine) rotatedElsewhere(ctx context.Context, id int64) bool {
	e.marketsMu.Lock()
	built, ok := e.builtWith[id]
	e.marketsMu.Unlock()
	if !ok {
		return false
	}
	cur, err := e.st.ConnectionByID(ctx, id)
	return err == nil && cur.RefreshToken != "" && cur.RefreshToken != built
}

// connectionError marks a connection that needs a person.
func (e *Engine) connectionError(ctx context.Context, c store.Connection, err error) {
	var mv *multivende.Error
	status, msg := store.ConnOK, err.Error()
	if errors.As(err, &mv) && (mv.Code == multivende.CodeNeedsReconnect || mv.Code == multivende.CodeAuth) {
		// The client's words stay the last error: every reader says
		// "needs reconnecting" and the command from the status, in its
		// reader's language.
		status = store.ConnNeedsReconnect
		if e.rotatedElsewhere(ctx, c.ID) {
			// Another engine (or this one's earlier client) saved a newer
			// pair: the next poll builds the client from it, and only if
			// that one is refused too does the connection need a person.
			e.dropMarket(c.ID)
			e.log.Info("the connection's tokens were renewed elsewhere; the next poll uses them", "connection_id", c.ID)
			return
		}
	}
	_ = e.st.Write(ctx, func(tx *store.Tx) error {
		if status == store.ConnNeedsReconnect {
			return tx.SetConnectionStatus(ctx, c.ID, status, msg)
		}
		return tx.SetPolled(ctx, c.ID, time.Time{}, msg)
	})
	if status == store.ConnNeedsReconnect {
		e.pauseGen.Add(1) // it pauses the connection
	}
	e.notify(Change{Kind: ChangeConnections})
}
