package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// The functions below are the public control API used by the console and
// the CLI. They only write a row into the controls table, so they work the
// same whether an engine runs in this process, in another one, or not at
// all (the engine applies pending controls when it starts).

// RequestPause asks to pause all work (connection "") or one connection.
func RequestPause(ctx context.Context, st *store.Store, connection, by string) (int64, error) {
	if err := checkConnection(ctx, st, connection); err != nil {
		return 0, err
	}
	return st.AddControl(ctx, store.Control{Kind: store.CtlPause, Target: connection, By: by})
}

// RequestResume asks to resume all work (connection "") or one connection.
func RequestResume(ctx context.Context, st *store.Store, connection, by string) (int64, error) {
	if err := checkConnection(ctx, st, connection); err != nil {
		return 0, err
	}
	return st.AddControl(ctx, store.Control{Kind: store.CtlResume, Target: connection, By: by})
}

// RequestRetry asks to try an order again now. An order whose document the
// SII rejected is refused at once: only a reissue fixes it.
func RequestRetry(ctx context.Context, st *store.Store, orderID, by string) (int64, error) {
	o, err := st.GetOrder(ctx, orderID)
	if err != nil {
		return 0, err
	}
	if o.ReasonCode == ReasonNeedsCredit {
		return 0, refuseCreditRetry(o)
	}
	if em, err := st.GetEmission(ctx, orderID); err == nil && RejectedBySII(em) {
		return 0, refuseRetry(em)
	}
	return st.AddControl(ctx, store.Control{Kind: store.CtlRetry, Target: orderID, By: by})
}

// Refusal is a control refused for a reason a person reads: Error is the
// Spanish text (what the store keeps), In the viewer's language.
type Refusal struct {
	ID   i18n.ID
	Args []any
}

func (r *Refusal) Error() string            { return es(r.Message()) }
func (r *Refusal) In(lang i18n.Lang) string { return r.Message().In(lang) }

// Message is the refusal as a catalog message (an argument may be an
// i18n.Message of its own).
func (r *Refusal) Message() i18n.Message { return i18n.M(r.ID, r.Args...) }

// RejectedBySII says the order's current document is one the SII
// rejected: it needs a reissue, never a retry.
func RejectedBySII(em store.Emission) bool {
	return em.Folio != 0 && em.SIIStatus == store.DocRejected
}

func refuseRetry(em store.Emission) error {
	return &Refusal{ID: "reissue.refuse_retry", Args: []any{em.Folio, "e", em.OrderID}}
}

// CanReissue says whether a reissue applies to the order now: in Errors,
// its current document rejected by the SII.
func CanReissue(o store.Order, em store.Emission) error {
	if !RejectedBySII(em) {
		return &Refusal{ID: "reissue.refuse_none", Args: []any{o.ID}}
	}
	if o.State != store.StateAttention {
		return &Refusal{ID: "reissue.refuse_state", Args: []any{o.ID, string(o.State)}}
	}
	return nil
}

// RequestReissue asks for a replacement of a document the SII rejected: the
// rejected folio stays recorded as rejected, and the order is issued again
// with a new intent (a new folio), then attached.
func RequestReissue(ctx context.Context, st *store.Store, orderID, by string) (int64, error) {
	o, err := st.GetOrder(ctx, orderID)
	if err != nil {
		return 0, err
	}
	em, err := st.GetEmission(ctx, orderID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if err := CanReissue(o, em); err != nil {
		return 0, err
	}
	return st.AddControl(ctx, store.Control{Kind: store.CtlReissue, Target: orderID, By: by})
}

// RequestSkip asks to finish an order without a document, for a reason.
func RequestSkip(ctx context.Context, st *store.Store, orderID, reason, by string) (int64, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, refuse("control.skip_needs_reason")
	}
	if _, err := st.GetOrder(ctx, orderID); err != nil {
		return 0, err
	}
	args, _ := json.Marshal(map[string]string{"reason": reason})
	return st.AddControl(ctx, store.Control{Kind: store.CtlSkip, Target: orderID, Args: string(args), By: by})
}

// RUTReason is why a typed RUT is not valid, as a catalog message (the
// check digit it needs, when only that was wrong).
func RUTReason(re *dte.RUTError) i18n.Message {
	if re.Code == dte.RUTCheckDigit {
		return i18n.M("rut.check_digit", string(re.WantDV))
	}
	if id := i18n.ID("rut." + re.Code); re.Code != "" && i18n.Has(id) {
		return i18n.M(id)
	}
	return i18n.Quote(re.Reason)
}

// RequestBuyerOverride completes or corrects a factura's buyer data. The
// RUT must be valid and every field a factura needs must be there.
func RequestBuyerOverride(ctx context.Context, st *store.Store, orderID string, b dte.Buyer, by string) (int64, error) {
	rut, err := dte.ParseRUT(b.RUT)
	if re, ok := errors.AsType[*dte.RUTError](err); ok && re.WantDV != 0 {
		return 0, refuse("control.buyer_rut_dv", i18n.Quote(b.RUT), string(re.WantDV))
	}
	if err != nil {
		return 0, refuse("control.buyer_bad_rut", i18n.Quote(b.RUT))
	}
	b.RUT = rut.String()
	var mes, men []string // the console form's labels, in both languages
	for _, f := range []struct {
		label i18n.ID
		v     string
		limit int
	}{{"form.name", b.BusinessName, dte.MaxRznSocRecep}, {"form.giro", b.Giro, dte.MaxGiroRecep},
		{"form.address", b.Address, dte.MaxDirRecep}, {"form.comuna", b.Comuna, dte.MaxCmnaRecep}} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			mes, men = append(mes, i18n.T(i18n.ES, f.label)), append(men, i18n.T(i18n.EN, f.label))
		}
		// Cut later, the document would say less than the person typed.
		if n := utf8.RuneCountInString(v); n > f.limit {
			return 0, refuse("control.buyer_too_long", i18n.Both(i18n.T(i18n.ES, f.label), i18n.T(i18n.EN, f.label)), n, f.limit)
		}
	}
	if len(mes) > 0 {
		return 0, refuse("control.buyer_missing", i18n.Both(strings.Join(mes, ", "), strings.Join(men, ", ")))
	}
	if e := strings.TrimSpace(b.Email); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || utf8.RuneCountInString(e) > dte.MaxCorreoRecep {
			return 0, refuse("control.buyer_bad_email", i18n.Quote(e), dte.MaxCorreoRecep)
		}
	}
	if _, err := st.GetOrder(ctx, orderID); err != nil {
		return 0, err
	}
	args, _ := json.Marshal(b)
	return st.AddControl(ctx, store.Control{Kind: store.CtlBuyerOverride, Target: orderID, Args: string(args), By: by})
}

// RequestIssueAsBoleta asks to issue a boleta where a factura could not be.
func RequestIssueAsBoleta(ctx context.Context, st *store.Store, orderID, by string) (int64, error) {
	if _, err := st.GetOrder(ctx, orderID); err != nil {
		return 0, err
	}
	return st.AddControl(ctx, store.Control{Kind: store.CtlIssueAsBoleta, Target: orderID, By: by})
}

// RequestRetryFilter asks to retry every order in Errors matching text.
func RequestRetryFilter(ctx context.Context, st *store.Store, text, by string) (int64, error) {
	args, _ := json.Marshal(map[string]string{"filter": text})
	return st.AddControl(ctx, store.Control{Kind: store.CtlRetryFilter, Args: string(args), By: by})
}

func checkConnection(ctx context.Context, st *store.Store, name string) error {
	if name == "" {
		return nil
	}
	_, err := st.Connection(ctx, name)
	return err
}

// controlLoop applies pending controls a few times a second.
func (e *Engine) controlLoop(ctx context.Context) {
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		e.ApplyControls(ctx)
		e.watchPauses(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ApplyControls applies every pending control and records each outcome.
func (e *Engine) ApplyControls(ctx context.Context) {
	if e.diskFull.Load() {
		return // they are applied once their outcome can be recorded
	}
	cs, err := e.st.PendingControls(ctx, 100)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("reading controls", "err", err)
		}
		return
	}
	for _, c := range cs {
		if e.isBusy(c.Target) {
			continue // the order is mid-step; apply after it settles
		}
		e.applyControl(ctx, c)
	}
}

// applyControl applies one control and records its outcome. A control
// about an order is applied by the engine that holds the order's
// connection, fenced by its lease; another engine leaves it pending.
func (e *Engine) applyControl(ctx context.Context, c store.Control) {
	if orderControl(c.Kind) {
		if o, err := e.st.GetOrder(ctx, c.Target); err == nil {
			cctx, done, ok := e.onConnection(ctx, o.ConnectionID)
			if !ok {
				return // the holder of its connection applies it
			}
			defer done()
			ctx = cctx
		}
	}
	out, err := e.apply(ctx, c)
	if errors.Is(err, errControlSettled) {
		return // another engine applied it and recorded its outcome
	}
	status, line := store.CtlApplied, i18n.ID("event.control_applied")
	if err != nil {
		status, line, out = store.CtlRejected, "event.control_rejected", messageOf(err)
	}
	outcome := es(out)
	werr := e.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CompleteControlMsg(ctx, c.ID, status, outcome, out.Encode()); err != nil {
			return err
		}
		if _, err := tx.GetOrder(ctx, c.Target); err == nil {
			return tx.AppendEvent(ctx, c.Target, event("control", line, controlKind(c.Kind), c.By, out))
		}
		return nil
	})
	if werr != nil && !e.storeFull(werr) {
		e.log.Error("recording a control", "id", c.ID, "err", werr)
	}
	e.log.Info("control", "kind", c.Kind, "target", c.Target, "status", status, "outcome", outcome)
	e.notify(Change{Kind: ChangeControls, OrderID: c.Target})
	e.Kick()
}

// errControlSettled: the control was applied by another engine meanwhile.
var errControlSettled = errors.New("engine: the control was applied by another engine")

// orderControl says whether a control kind acts on one order (its target).
func orderControl(kind string) bool {
	switch kind {
	case store.CtlRetry, store.CtlSkip, store.CtlBuyerOverride, store.CtlIssueAsBoleta, store.CtlReissue, store.CtlCredit:
		return true
	}
	return false
}

func (e *Engine) isBusy(id string) bool {
	_, ok := e.busy.Load(id)
	return ok
}

// notBusy reports an order no worker holds; apply runs only between steps.
func (e *Engine) apply(ctx context.Context, c store.Control) (i18n.Message, error) {
	switch c.Kind {
	case store.CtlPause, store.CtlResume:
		paused := c.Kind == store.CtlPause
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			// Applied once: a late second application (another engine
			// read it before) would undo a resume that followed it.
			if ok, err := tx.ControlPending(ctx, c.ID); err != nil || !ok {
				return cmp.Or(err, errControlSettled)
			}
			if c.Target == "" && paused {
				return tx.SetSetting(ctx, settingPaused, "1")
			}
			if c.Target == "" { // "everything" includes connections paused one by one
				if err := tx.SetSetting(ctx, settingPaused, "0"); err != nil {
					return err
				}
				return tx.ResumeConnections(ctx)
			}
			return tx.SetConnectionPaused(ctx, c.Target, paused)
		})
		if err != nil {
			return i18n.Message{}, err
		}
		e.pauseGen.Add(1)
		e.notify(Change{Kind: ChangeConnections})
		what := i18n.M("control.everything")
		if c.Target != "" {
			what = i18n.Value(c.Target)
		}
		if paused {
			return i18n.M("control.paused", what), nil
		}
		return i18n.M("control.resumed", what), nil
	case store.CtlRetry:
		return e.requeue(ctx, c.Target, func(o store.Order, em *store.Emission) error {
			switch o.State {
			case store.StateAttention, store.StateRetrying, store.StateWaiting:
			default:
				return refuse("control.nothing_to_retry", stateWord(o.State))
			}
			if RejectedBySII(*em) {
				return refuseRetry(*em)
			}
			if o.ReasonCode == ReasonNeedsCredit {
				return refuseCreditRetry(o)
			}
			if o.ReasonCode == "UNCERTAIN" && em.Folio == 0 {
				// A person verified the document was not issued: start over.
				em.Pending, em.Uncertain = "", false
			}
			return nil
		}, "event.requeued_retry")
	case store.CtlSkip:
		var a struct{ Reason string }
		_ = json.Unmarshal([]byte(c.Args), &a)
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			o, err := tx.GetOrder(ctx, c.Target)
			if err != nil {
				return err
			}
			switch o.State {
			case store.StateWaiting, store.StateQueued, store.StateRetrying, store.StateAttention:
			default:
				return refuse("control.cannot_skip", stateWord(o.State))
			}
			reason := i18n.M("reason.skipped", i18n.Quote(a.Reason))
			return moveOrder(ctx, tx, o.ID, store.Finish(o.State, store.OutcomeSkipped, es(reason),
				event("skipped", "event.skipped", c.By, i18n.Quote(a.Reason))).Saying(reason.Encode()))
		})
		return i18n.M("control.skipped"), err
	case store.CtlBuyerOverride, store.CtlIssueAsBoleta:
		return e.requeue(ctx, c.Target, func(o store.Order, em *store.Emission) error {
			if o.State != store.StateAttention && o.State != store.StateRetrying && o.State != store.StateQueued && o.State != store.StateWaiting {
				return refuse("control.cannot_change", stateWord(o.State))
			}
			if RejectedBySII(*em) {
				return &Refusal{ID: "reissue.refuse_change", Args: []any{em.Folio}}
			}
			if em.Folio != 0 {
				return refuse("control.has_folio", em.Folio)
			}
			var ov Overrides
			_ = json.Unmarshal([]byte(em.Overrides), &ov)
			if c.Kind == store.CtlIssueAsBoleta {
				ov.Type = dte.ChoiceBoleta
			} else {
				var b dte.Buyer
				if err := json.Unmarshal([]byte(c.Args), &b); err != nil {
					return refuse("control.bad_buyer", i18n.Quote(err.Error()))
				}
				// A factura's data completed by a person asks for a factura,
				// whatever the order's rule said: a person switches either way.
				ov.Buyer, ov.Type = &b, dte.ChoiceFactura
			}
			ob, _ := json.Marshal(ov)
			// Rebuild with the correction; no folio was taken, so the old
			// temporary document is simply left behind.
			em.Overrides, em.Document, em.Pending, em.Uncertain = string(ob), "", "", false
			return nil
		}, map[string]i18n.ID{store.CtlBuyerOverride: "event.requeued_buyer", store.CtlIssueAsBoleta: "event.requeued_boleta"}[c.Kind])
	case store.CtlRetryFilter:
		var a struct{ Filter string }
		_ = json.Unmarshal([]byte(c.Args), &a)
		n := 0
		for before := int64(0); ; {
			rows, err := e.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateAttention}, Text: a.Filter, Before: before, Limit: 200})
			if err != nil {
				return i18n.Message{}, err
			}
			if len(rows) == 0 {
				break
			}
			for _, o := range rows {
				if o.ReasonCode == "UNCERTAIN" || o.ReasonCode == ReasonNeedsCredit || strings.HasPrefix(o.ReasonCode, "SII-") {
					continue // each needs a person's look, one by one
				}
				// Another engine read it too: once that one recorded it,
				// an order that failed again since is not retried twice.
				if cur, err := e.st.Control(ctx, c.ID); err == nil && cur.Status != store.CtlPending {
					return i18n.Message{}, errControlSettled
				}
				if _, err := e.requeue(ctx, o.ID, nil, "event.requeued_batch"); err == nil {
					n++
				}
			}
			before = rows[len(rows)-1].Seq
		}
		return i18n.M("control.requeued_n", n), nil
	case store.CtlReissue:
		return e.reissue(ctx, c)
	case store.CtlCredit:
		return e.credit(ctx, c)
	}
	return i18n.Message{}, refuse("control.unknown", i18n.Quote(c.Kind))
}

// requeue puts an order back in the queue with its attempts reset, after
// check (which may also amend the emission) agrees. check always gets an
// emission: an order that failed before its document was built (the usual
// case for bad buyer data) gets a new one to carry the correction.
func (e *Engine) requeue(ctx context.Context, id string, check func(store.Order, *store.Emission) error, why i18n.ID) (i18n.Message, error) {
	ev := event("requeued", why)
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.GetOrder(ctx, id)
		if err != nil {
			return err
		}
		em, err := tx.GetEmission(ctx, id)
		found := err == nil
		if errors.Is(err, store.ErrNotFound) {
			em, err = store.Emission{OrderID: id, ExtRef: "folio:" + id}, nil
		}
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(o, &em); err != nil {
				return err
			}
			switch {
			case found: // only the intent's columns: check amends nothing else
				if err := tx.ReviseIntent(ctx, id, em.Overrides, em.Document, em.Pending, em.Uncertain); err != nil {
					return err
				}
			case em.Overrides != "": // a new emission, to carry the correction
				if err := tx.SaveEmission(ctx, em); err != nil {
					return err
				}
			}
		} else if o.State != store.StateAttention {
			return refuse("control.not_in_errors", stateWord(o.State))
		}
		return moveOrder(ctx, tx, id, store.Requeue(o.State, ev))
	})
	return i18n.M(why), err
}

// reissue replaces the order's rejected document: the rejected folio stays
// in documents (rejected, so never again the order's document, nor adopted
// by a resolution), and the emission starts over with a new ext ref, so the
// replacement goes through intent → issue → attach like any order.
func (e *Engine) reissue(ctx context.Context, c store.Control) (i18n.Message, error) {
	var out i18n.Message
	err := e.st.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.GetOrder(ctx, c.Target)
		if err != nil {
			return err
		}
		old, err := tx.GetEmission(ctx, c.Target)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := CanReissue(o, old); err != nil {
			return err
		}
		if IsCredit(old) {
			out, err = e.reissueCredit(ctx, tx, o, old, c.By)
			return err
		}
		rej, err := tx.RejectedDocuments(ctx, o.ID)
		if err != nil {
			return err
		}
		recorded := false
		for _, d := range rej {
			recorded = recorded || d.Folio == old.Folio
		}
		if !recorded {
			// The SII check records the verdict on the document in the
			// commit that moves the order; without it the replacement's
			// document could not be recorded, so refuse rather than lose it.
			return refuse("control.not_recorded", old.Folio)
		}
		folio := strconv.FormatInt(old.Folio, 10)
		em := store.Emission{OrderID: o.ID, ExtRef: fmt.Sprintf("folio:%s#%d", o.ID, len(rej)+1), Overrides: old.Overrides}
		if err := tx.SaveEmission(ctx, em); err != nil {
			return err
		}
		mv := event("reissue", "event.reissue_mv_none", folio)
		if old.MVDocumentID != "" {
			mv = event("reissue", "event.reissue_mv_attached", folio, old.MVDocumentID)
		}
		if err := tx.AppendEvent(ctx, o.ID, mv); err != nil {
			return err
		}
		ev := event("requeued", "event.reissue", c.By, folio)
		out = i18n.M("event.reissue", c.By, folio)
		// Folio 0: the order has no document until the replacement's.
		return moveOrder(ctx, tx, o.ID, store.Requeue(o.State, ev).Naming(0, 0))
	})
	return out, err
}

// GlobalPaused says whether everything is paused, as recorded in the store
// (a pause requested while no engine runs counts once it is applied).
func GlobalPaused(ctx context.Context, st *store.Store) (bool, error) {
	v, err := st.Setting(ctx, settingPaused)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return v == "1", err
}

// BuyerOf is the buyer data an order's stored checkout carries, as folio
// reads it for a document: where the console's buyer form starts. An
// unreadable checkout gives an empty buyer.
func BuyerOf(raw string) dte.Buyer {
	var co multivende.Checkout
	if raw == "" || json.Unmarshal([]byte(raw), &co) != nil {
		return dte.Buyer{}
	}
	return co.Sale().Buyer
}

// BuyerShown is the buyer an order's document names: a person's override
// (b in the console, folio order buyer) when there is one, else what the
// order carries.
func BuyerShown(o store.Order, em *store.Emission) (name, rut string) {
	if em != nil && em.Overrides != "" {
		var ov Overrides
		if json.Unmarshal([]byte(em.Overrides), &ov) == nil && ov.Buyer != nil && ov.Buyer.BusinessName != "" {
			return ov.Buyer.BusinessName, ov.Buyer.RUT
		}
	}
	return o.BuyerName, o.BuyerRUT
}

// stateWord names an order state in the reader's language.
func stateWord(s store.State) i18n.Message { return i18n.M(i18n.ID("state." + string(s))) }

// controlKind names a control's kind in the reader's language (as written
// when the catalog has no word for it).
func controlKind(kind string) i18n.Message {
	if id := i18n.ID("ctl." + kind); i18n.Has(id) {
		return i18n.M(id)
	}
	return i18n.Value(kind)
}
