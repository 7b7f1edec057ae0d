package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/folio-cl/folio/internal/dte"
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
		reason := fmt.Sprintf("rechazado por el SII (%s): %s — el folio %d no tiene validez: corrija la causa y reemita", st.Code, st.Reason, em.Folio)
		return moveOrder(ctx, tx, o.ID, store.NeedsAttention(o.State, code, reason, store.Event{Kind: "sii", Message: reason}))
	})
	e.notify(Change{Kind: ChangeOrders, OrderID: em.OrderID})
}

func siiWords(s invoicer.SIIState) string {
	switch s {
	case invoicer.SIIAccepted:
		return "aceptado"
	case invoicer.SIIObjection:
		return "aceptado con reparos"
	case invoicer.SIIRejected:
		return "rechazado"
	}
	return "en proceso"
}
