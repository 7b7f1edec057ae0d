package engine

import (
	"context"
	"encoding/json"
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
		if e.diskFull.Load() {
			continue
		}
		ems, err := e.st.PendingSII(ctx, e.cfg.Now().Add(-e.cfg.SIIInterval), 20)
		if err != nil {
			continue
		}
		for _, em := range ems {
			e.checkSII(ctx, em)
		}
	}
}

func (e *Engine) checkSII(ctx context.Context, em store.Emission) {
	var iss invoicer.Issued
	if err := json.Unmarshal([]byte(em.Issued), &iss); err != nil || iss.Folio == 0 {
		iss = invoicer.Issued{Type: dte.DocType(em.DocType), Folio: em.Folio, Emisor: e.cfg.Emisor.RUTEmisor, TrackID: em.TrackID}
	}
	// em was read before the call: only the SII's columns are written
	// back, so that a worker's attachment written meanwhile stays.
	st, err := e.cfg.Invoicer.Status(WithOrder(ctx, em.OrderID), iss)
	checked := e.cfg.Now()
	if err != nil {
		_ = e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSII(ctx, em.OrderID, em.SIIStatus, em.SIIDetail, checked) })
		return
	}
	_ = e.st.Write(ctx, func(tx *store.Tx) error {
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
		return moveOrder(ctx, tx, o.ID, store.Move{From: []store.State{o.State}, To: store.StateAttention, Reason: es(reason), ReasonCode: code,
			ReasonMsg: reason.Encode(), Attempts: o.Attempts, DocType: o.DocType, Folio: o.Folio, Event: msgEvent("sii", reason)})
	})
	e.notify(Change{Kind: ChangeOrders, OrderID: em.OrderID})
}

// siiWords names the SII's verdict in the reader's language.
func siiWords(s invoicer.SIIState) i18n.Message {
	switch s {
	case invoicer.SIIAccepted, invoicer.SIIObjection, invoicer.SIIRejected:
		return i18n.M(i18n.ID("sii." + string(s)))
	}
	return i18n.M("sii.pending")
}
