package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// ReasonNeedsCredit marks an order in Errors whose issued document must be
// cancelled by a nota de crédito (61): its checkout was cancelled or
// refunded after the folio was spent.
const ReasonNeedsCredit = "NEEDS-CREDIT-NOTE"

// creditWarnDays is how long before the 6-month window for returned goods
// ends that the reason starts warning (Ley 21.398).
const creditWarnDays = 30

// CreditArgs are a credit control's arguments: the returned lines of the
// original ("" cancels the whole document) and RazonRef ("" the default).
type CreditArgs struct {
	Lines  string `json:"lines,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// IsCredit says the emission is a credit note's: the order's document was
// cancelled (or is being cancelled) by a 61.
func IsCredit(em store.Emission) bool { return em.DocType == int(dte.NotaCredito) }

// refuseCreditRetry: a retry would finish the order with a document whose
// sale was cancelled; only a credit note (or a skip) settles it.
func refuseCreditRetry(o store.Order) error {
	return &Refusal{ID: "credit.refuse_retry", Args: []any{o.Folio, "n", o.ID}}
}

// CanCredit says whether a credit note applies to the order now: in Errors
// for NEEDS-CREDIT-NOTE, with no credit note started.
func CanCredit(o store.Order, em store.Emission) error {
	if IsCredit(em) {
		return &Refusal{ID: "credit.refuse_done", Args: []any{o.ID}}
	}
	if o.State != store.StateAttention || o.ReasonCode != ReasonNeedsCredit {
		return &Refusal{ID: "credit.refuse_state", Args: []any{o.ID}}
	}
	return nil
}

// RequestCredit asks for the order's nota de crédito, issued once through
// the connection's invoicer and attached to the order in Multivende.
func RequestCredit(ctx context.Context, st *store.Store, orderID string, a CreditArgs, by string) (int64, error) {
	o, err := st.GetOrder(ctx, orderID)
	if err != nil {
		return 0, err
	}
	em, err := st.GetEmission(ctx, orderID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if err := CanCredit(o, em); err != nil {
		return 0, err
	}
	// The lines are checked against the document now, while a person
	// reads the answer; the engine builds the 61 again when it applies it.
	if _, _, err := ProposedCredit(ctx, st, o, a, time.Now().Format(time.DateOnly)); err != nil {
		return 0, err
	}
	args, _ := json.Marshal(a)
	return st.AddControl(ctx, store.Control{Kind: store.CtlCredit, Target: orderID, Args: string(args), By: by})
}

// ProposedCredit is the 61 a credit control would issue now for the
// order, for a person to read before confirming.
func ProposedCredit(ctx context.Context, st *store.Store, o store.Order, a CreditArgs, date string) (dte.Document, []dte.Warning, error) {
	em, err := st.GetEmission(ctx, o.ID)
	if err != nil {
		return dte.Document{}, nil, err
	}
	docs, err := st.Documents(ctx, o.ID)
	if err != nil {
		return dte.Document{}, nil, err
	}
	orig, err := originalOf(o, em, docs)
	if err != nil {
		return dte.Document{}, nil, err
	}
	lines, err := dte.ParseReturnLines(a.Lines)
	if err != nil {
		return dte.Document{}, nil, err
	}
	return dte.CreditNote(orig, dte.CreditOptions{Date: date, Lines: lines, Reason: a.Reason})
}

// credit applies a credit control.
func (e *Engine) credit(ctx context.Context, c store.Control) (i18n.Message, error) {
	var a CreditArgs
	if c.Args != "" {
		if err := json.Unmarshal([]byte(c.Args), &a); err != nil {
			return i18n.Message{}, refuse("control.bad_credit_args", i18n.Quote(err.Error()))
		}
	}
	var out i18n.Message
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.GetOrder(ctx, c.Target)
		if err != nil {
			return err
		}
		em, err := tx.GetEmission(ctx, c.Target)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := CanCredit(o, em); err != nil {
			return err
		}
		out, err = e.prepareCredit(ctx, tx, o, em, a, c.By)
		return err
	})
	return out, err
}

// original is the issued document a credit note references, with the
// folio and date the invoicer gave it.
func (e *Engine) original(ctx context.Context, tx *store.Tx, o store.Order, em store.Emission) (dte.Document, error) {
	docs, err := tx.Documents(ctx, o.ID)
	if err != nil {
		return dte.Document{}, err
	}
	return originalOf(o, em, docs)
}

func originalOf(o store.Order, em store.Emission, docs []store.Document) (dte.Document, error) {
	var doc dte.Document
	if err := json.Unmarshal([]byte(em.Document), &doc); err != nil || em.Folio == 0 {
		return doc, refuse("control.no_original", o.ID)
	}
	id := &doc.Encabezado.IdDoc
	id.Folio = em.Folio
	if em.DocType != 0 {
		id.TipoDTE = dte.DocType(em.DocType)
	}
	for _, d := range docs {
		if d.Kind == "dte" && d.Folio == em.Folio && d.DTEType == em.DocType && d.Fecha != "" {
			id.FchEmis = d.Fecha // the date as issued, which FchRef must name
		}
	}
	return doc, nil
}

// prepareCredit builds the 61 from the order's issued document and makes
// it the order's emission, with its own ext ref (so its own idempotency
// key), then queues the order: the 61 goes through intent → issue →
// attach like any document. The original stays in documents.
func (e *Engine) prepareCredit(ctx context.Context, tx *store.Tx, o store.Order, em store.Emission, a CreditArgs, by string) (i18n.Message, error) {
	var none i18n.Message
	orig, err := e.original(ctx, tx, o, em)
	if err != nil {
		return none, err
	}
	lines, err := dte.ParseReturnLines(a.Lines)
	if err != nil {
		return none, err
	}
	nc, warns, err := dte.CreditNote(orig, dte.CreditOptions{Date: e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly), Lines: lines, Reason: a.Reason})
	if err != nil {
		if ve, ok := dte.AsValidation(err); ok {
			return none, refuse("control.as_is", i18n.Both(ve.Line(dte.ES), ve.Line(dte.EN)))
		}
		return none, err
	}
	docs, err := tx.Documents(ctx, o.ID)
	if err != nil {
		return none, err
	}
	n := 1
	for _, d := range docs {
		if d.Kind == "credit_note" {
			n++
		}
	}
	body, _ := json.Marshal(nc)
	next := store.Emission{OrderID: o.ID, ExtRef: fmt.Sprintf("folio:%s#nc%d", o.ID, n), DocType: int(dte.NotaCredito), Document: string(body)}
	if err := tx.SaveEmission(ctx, next); err != nil {
		return none, err
	}
	ref := nc.Referencia[0]
	for _, w := range warns {
		if err := tx.AppendEvent(ctx, o.ID, event("credit", "event.credit_warning", i18n.Both(w.Message.ES, w.Message.EN))); err != nil {
			return none, err
		}
	}
	out := i18n.M("event.credit_requested", by, ref.TpoDocRef.Name(), ref.FolioRef, ref.CodRef, dte.FormatCLP(nc.Encabezado.Totales.MntTotal))
	ev := withData(msgEvent("requeued", out), string(body))
	// The order keeps naming the original until the 61's folio is issued.
	return out, moveOrder(ctx, tx, o.ID, store.Requeue(o.State, ev))
}

// reissueCredit replaces a credit note the SII rejected: the same 61 dated
// today, with a new ext ref; the rejected one stays recorded as rejected.
func (e *Engine) reissueCredit(ctx context.Context, tx *store.Tx, o store.Order, old store.Emission, by string) (i18n.Message, error) {
	var none i18n.Message
	docs, err := tx.Documents(ctx, o.ID)
	if err != nil {
		return none, err
	}
	n, recorded := 1, false
	origType, origFolio := 0, int64(0) // the order keeps naming its original until the new 61 is issued
	for _, d := range docs {
		if d.Kind == "dte" && d.SIIStatus != store.DocRejected {
			origType, origFolio = d.DTEType, d.Folio
		}
		if d.Kind == "credit_note" {
			n++
			recorded = recorded || d.Folio == old.Folio && d.SIIStatus == store.DocRejected
		}
	}
	if !recorded {
		return none, refuse("control.credit_not_recorded", old.Folio)
	}
	var nc dte.Document
	if err := json.Unmarshal([]byte(old.Document), &nc); err != nil {
		return none, refuse("control.credit_unreadable", i18n.Quote(err.Error()))
	}
	nc.Encabezado.IdDoc.Folio = 0
	nc.Encabezado.IdDoc.FchEmis = e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly)
	body, _ := json.Marshal(nc)
	next := store.Emission{OrderID: o.ID, ExtRef: fmt.Sprintf("folio:%s#nc%d", o.ID, n), DocType: int(dte.NotaCredito), Document: string(body)}
	if err := tx.SaveEmission(ctx, next); err != nil {
		return none, err
	}
	folio := strconv.FormatInt(old.Folio, 10)
	ev := withData(event("requeued", "event.reissue", by, folio), string(body))
	return i18n.M("event.reissue", by, folio), moveOrder(ctx, tx, o.ID, store.Requeue(o.State, ev).Naming(origType, origFolio))
}

// creditReason is the reason of an order waiting for its credit note, with
// where the 6-month window stands today.
func (e *Engine) creditReason(o store.Order, orig dte.Document) i18n.Message {
	return i18n.M("reason.needs_credit", o.Folio, e.creditWindow(orig.Encabezado.IdDoc.FchEmis))
}

// creditRefreshEvery is how often the credit-note reasons are brought up to
// date: their days left change once a day.
const creditRefreshEvery = time.Hour

// refreshCreditWindows rewrites the reason of every order waiting in Errors
// for its credit note when where its 6-month window stands has changed
// (days left, then passed): the warning grows as the end nears, not only
// when the order arrived.
func (e *Engine) refreshCreditWindows(ctx context.Context) {
	var before int64
	for {
		page, err := e.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateAttention}, Before: before, Limit: 500})
		if err != nil {
			return
		}
		for _, o := range page {
			if o.ReasonCode != ReasonNeedsCredit {
				continue
			}
			ctx, done, ok := e.onConnection(ctx, o.ConnectionID)
			if !ok {
				continue // another engine's connection
			}
			err := e.st.Write(ctx, func(tx *store.Tx) error {
				em, err := tx.GetEmission(ctx, o.ID)
				if err != nil || IsCredit(em) {
					return err
				}
				orig, err := e.original(ctx, tx, o, em)
				if err != nil {
					return nil // an unreadable original keeps its reason
				}
				if reason := e.creditReason(o, orig); es(reason) != o.Reason || reason.Encode() != o.ReasonMsg {
					return tx.SetReasonMsg(ctx, o.ID, ReasonNeedsCredit, es(reason), reason.Encode())
				}
				return nil
			})
			done()
			if err != nil {
				e.log.Warn("refreshing a credit note's window", "order", o.ID, "err", err)
			}
		}
		if len(page) < 500 {
			return
		}
		before = page[len(page)-1].Seq
	}
}

// creditWindow is the reason's note on the 6-month window for returned
// goods, counted from the original's date: a warning once it is near.
func (e *Engine) creditWindow(fchEmis string) i18n.Message {
	end, err := dte.ReturnWindowEnd(fchEmis)
	if err != nil {
		return i18n.Value("")
	}
	today, _ := time.Parse(time.DateOnly, e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly))
	days := int(end.Sub(today).Hours() / 24)
	switch {
	case days < 0:
		return i18n.M("reason.credit_expired", end.Format(time.DateOnly))
	case days <= creditWarnDays:
		return i18n.M("reason.credit_ending", end.Format(time.DateOnly), days)
	}
	// The date, so that a reason read weeks later still tells.
	return i18n.M("reason.credit_until", end.Format(time.DateOnly))
}

// needsCreditNote sends an order whose document was issued, and which was
// then cancelled or refunded, to Errors with the credit note to issue; when
// automatic credit notes are on, it is queued for the 61 at once.
func (e *Engine) needsCreditNote(ctx context.Context, tx *store.Tx, o store.Order) error {
	em, err := tx.GetEmission(ctx, o.ID)
	if err != nil {
		return err
	}
	if IsCredit(em) {
		return nil // its credit note is under way or done
	}
	// An unreadable original still goes to Errors: a person issues the
	// note at the invoicer.
	orig, oerr := e.original(ctx, tx, o, em)
	var data []byte
	if oerr == nil {
		if note, _, err := dte.CreditNote(orig, dte.CreditOptions{Date: e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly)}); err == nil {
			data, _ = json.Marshal(note)
		}
	}
	reason := e.creditReason(o, orig)
	if err := moveOrder(ctx, tx, o.ID, store.NeedsAttention(o.State, ReasonNeedsCredit, es(reason),
		withData(msgEvent("credit_note", i18n.M("event.credit_note", reason)), string(data))).Saying(reason.Encode())); err != nil {
		return err
	}
	if !e.cfg.CreditAuto || oerr != nil {
		return nil
	}
	o.State, o.ReasonCode = store.StateAttention, ReasonNeedsCredit
	_, err = e.prepareCredit(ctx, tx, o, em, CreditArgs{}, "auto")
	return err
}
