package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// siiLoop asks the SII's verdict on issued documents until it is final. A
// rejection sends the order to Errors with the SII's reason.
func (e *Engine) siiLoop(ctx context.Context) {
	if !e.cfg.Invoicer.Capabilities().HasSIIStatus {
		return
	}
	t := time.NewTicker(e.cfg.SIIInterval / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !e.diskFull.Load() {
			e.siiRound(ctx)
		}
	}
}

// siiRound asks the verdicts due of the engine's connections; on a shared
// store one connection at a time, each fenced by its lease.
func (e *Engine) siiRound(ctx context.Context) {
	conns := e.leased()
	if conns == nil {
		e.siiRoundOf(ctx, nil)
		return
	}
	for _, id := range conns {
		if cctx, done, ok := e.onConnection(ctx, id); ok {
			e.siiRoundOf(cctx, []int64{id})
			done()
		}
	}
}

// siiRoundOf asks the verdicts due (up to 20 documents) of conns (nil:
// all) and records them in one commit, not one per document.
func (e *Engine) siiRoundOf(ctx context.Context, conns []int64) {
	ems, err := e.st.PendingSIIOf(ctx, e.cfg.Now().Add(-e.cfg.SIIInterval), 20, conns)
	if err != nil {
		return
	}
	writes := make([]func(*store.Tx) error, 0, len(ems))
	for _, em := range ems {
		writes = append(writes, e.askSII(ctx, em))
	}
	e.recordSII(ctx, ems, writes)
}

// checkSII asks the SII's verdict on one document and records it.
func (e *Engine) checkSII(ctx context.Context, em store.Emission) {
	e.recordSII(ctx, []store.Emission{em}, []func(*store.Tx) error{e.askSII(ctx, em)})
}

// recordSII commits the verdicts asked for ems in one commit; should that
// fail, each is tried in its own, so that one order's trouble does not
// hold up the others' verdicts.
func (e *Engine) recordSII(ctx context.Context, ems []store.Emission, writes []func(*store.Tx) error) {
	if len(writes) == 0 {
		return
	}
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		for _, w := range writes {
			if err := w(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(writes) > 1 && ctx.Err() == nil && !e.storeFull(err) && !errors.Is(err, store.ErrLeaseLost) &&
		!errors.Is(err, store.ErrConnectionLost) {
		for _, w := range writes {
			_ = e.st.Write(ctx, w)
		}
	}
	for _, em := range ems {
		e.notify(Change{Kind: ChangeOrders, OrderID: em.OrderID})
	}
}

// askSII asks the SII's verdict on em's document and returns its record:
// the SII's own columns (em was read before the call, and a worker may
// have attached the document meanwhile), the document's verdict, and for
// a rejection the move to Errors.
func (e *Engine) askSII(ctx context.Context, em store.Emission) func(*store.Tx) error {
	var iss invoicer.Issued
	if err := json.Unmarshal([]byte(em.Issued), &iss); err != nil || iss.Folio == 0 {
		iss = invoicer.Issued{Type: dte.DocType(em.DocType), Folio: em.Folio, Emisor: e.cfg.Emisor.RUTEmisor, TrackID: em.TrackID}
	}
	st, err := e.cfg.Invoicer.Status(WithOrder(ctx, em.OrderID), iss)
	checked := e.cfg.Now()
	if err != nil {
		return func(tx *store.Tx) error { return tx.SetSII(ctx, em.OrderID, em.SIIStatus, em.SIIDetail, checked) }
	}
	return func(tx *store.Tx) error {
		if err := tx.SetSII(ctx, em.OrderID, string(st.State), st.Code+" "+st.Reason, checked); err != nil {
			return err
		}
		if st.State == invoicer.SIIPending {
			return nil
		}
		kind := "dte"
		if IsCredit(em) {
			kind = "credit_note"
		}
		if err := tx.SetKindSII(ctx, em.OrderID, kind, string(st.State)); err != nil {
			return err
		}
		if st.State != invoicer.SIIRejected {
			return tx.AppendEvent(ctx, em.OrderID, event("sii", "event.sii", siiWords(st.State), st.Code))
		}
		o, err := tx.GetOrder(ctx, em.OrderID)
		if err != nil {
			return err
		}
		code := "SII-" + st.Code
		if _, ok := dte.Lookup(code); !ok {
			code = "SII-RCH"
		}
		reason := i18n.M("reason.sii_rejected", st.Code, i18n.Quote(st.Reason), em.Folio)
		return moveOrder(ctx, tx, o.ID, store.NeedsAttention(o.State, code, es(reason), msgEvent("sii", reason)).Saying(reason.Encode()))
	}
}

// siiWords names the SII's verdict in the reader's language.
func siiWords(s invoicer.SIIState) i18n.Message {
	switch s {
	case invoicer.SIIAccepted, invoicer.SIIObjection, invoicer.SIIRejected:
		return i18n.M(i18n.ID("sii." + string(s)))
	}
	return i18n.M("sii.pending")
}
