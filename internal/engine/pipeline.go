package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Overrides are a person's corrections applied when the document is built.
type Overrides struct {
	Buyer *dte.Buyer `json:"buyer,omitempty"`
	// Type forces the document type ("boleta").
	Type dte.Choice `json:"type,omitempty"`
}

// run is one order going through the pipeline in one worker.
type run struct {
	e   *Engine
	ctx context.Context
	o   store.Order
	em  store.Emission
	cur store.State // the state last written
	// rejected are the order's documents the SII rejected: spent folios
	// that are never again its document (see reissue).
	rejected []store.Document
}

// permanent marks an error a person must fix: the order goes to Errors at
// once, with a catalog code.
type permanent struct {
	code   string
	reason i18n.Message
	err    error
}

func (p *permanent) Error() string { return es(p.reason) }
func (p *permanent) Unwrap() error { return p.err }

// process runs the pipeline for one order from wherever it stands. Each
// step is one commit; a crash between steps resumes at the next step.
func (e *Engine) process(ctx context.Context, o store.Order) {
	ctx = WithOrder(ctx, o.ID)
	r := &run{e: e, ctx: ctx, o: o, cur: o.State}
	em, err := e.st.GetEmission(ctx, o.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		e.log.Error("reading emission", "order", o.ID, "err", err)
		return
	}
	r.em = em
	if docs, err := e.st.Documents(ctx, o.ID); err == nil {
		r.rejected = rejectedOnly(docs)
	} else {
		e.log.Error("reading documents", "order", o.ID, "err", err)
		return
	}
	if err := r.steps(); err != nil {
		r.fail(err)
	}
	e.notify(Change{Kind: ChangeOrders, OrderID: o.ID})
}

func (r *run) steps() error {
	if r.em.Folio != 0 && r.em.SIIStatus == string(invoicer.SIIRejected) {
		// A rejected document has no legal effect: it is never attached
		// or finished as the order's document; a reissue replaces it.
		return &permanent{code: "SII-RCH", reason: i18n.M("reason.sii_rejected_folio", r.em.Folio)}
	}
	if r.em.Document == "" {
		if err := r.build(); err != nil || r.cur == store.StateDone || r.cur == store.StateWaiting {
			return err
		}
	}
	if r.em.Folio == 0 {
		if err := r.issue(); err != nil || r.cur == store.StateAttention {
			return err
		}
	}
	if r.em.UploadedAt.IsZero() {
		return r.attach()
	}
	return r.move(store.StateDone, store.Move{Outcome: store.OutcomeIssued, Event: event("done", "event.done")})
}

// move writes a transition from the current state.
func (r *run) move(to store.State, m store.Move) error {
	m.From, m.To = []store.State{r.cur}, to
	if m.DocType == 0 {
		m.DocType = r.em.DocType
	}
	if m.Folio == 0 {
		m.Folio = r.em.Folio
	}
	if err := r.e.st.Write(r.ctx, func(tx *store.Tx) error { return moveOrder(r.ctx, tx, r.o.ID, m) }); err != nil {
		return err
	}
	r.cur = to
	return nil
}

// saveAndMove writes the emission and a transition in one commit.
func (r *run) saveAndMove(em store.Emission, to store.State, ev store.Event, extra func(*store.Tx) error) error {
	err := r.e.st.Write(r.ctx, func(tx *store.Tx) error {
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		if err := tx.SaveEmission(r.ctx, em); err != nil {
			return err
		}
		if to == r.cur {
			return tx.AppendEvent(r.ctx, r.o.ID, ev)
		}
		return moveOrder(r.ctx, tx, r.o.ID, store.Move{From: []store.State{r.cur}, To: to, DocType: em.DocType,
			Folio: em.Folio, Attempts: r.o.Attempts, Event: ev})
	})
	if err != nil {
		return err
	}
	r.em, r.cur = em, to
	return nil
}

// build reads the checkout (again, when it changed since last read),
// checks it is still paid and has no document, and builds the DTE.
func (r *run) build() error {
	e := r.e
	conn, m, err := r.marketplace()
	if err != nil {
		return err
	}
	mapping := multivende.FacturaMapping{Field: conn.Settings.FacturaField, Value: conn.Settings.FacturaValue}
	if r.o.Raw == "" && e.freshDetail(r.o.ID) {
		if full, err := e.st.GetOrder(r.ctx, r.o.ID); err == nil && full.DetailAt.After(full.RemoteUpdatedAt) {
			r.o.Raw, r.o.DetailAt, r.o.RemoteUpdatedAt = full.Raw, full.DetailAt, full.RemoteUpdatedAt // a hint's read, just now
		}
	}
	if r.o.Raw == "" || !r.o.DetailAt.After(r.o.RemoteUpdatedAt) {
		if r.cur != store.StateBuilding {
			if err := r.move(store.StateBuilding, store.Move{Attempts: r.o.Attempts, Event: event("building", "event.building")}); err != nil {
				return err
			}
		}
		co, raw, err := m.Checkout(r.ctx, r.o.ID)
		if err != nil {
			return err
		}
		err = e.st.Write(r.ctx, func(tx *store.Tx) error {
			return tx.SetDetail(r.ctx, r.o.ID, string(raw), co.Client.DisplayName(), buyerRUT(co), co.DocumentKind(mapping), co.UpdatedAt, co.PaymentStatus, co.Status)
		})
		if err != nil {
			return err
		}
		r.o.Raw = string(raw)
	}
	var co multivende.Checkout
	if err := json.Unmarshal([]byte(r.o.Raw), &co); err != nil {
		if ae, ok := errors.AsType[*multivende.AmountError](err); ok { // stored before amounts were read strictly
			return &permanent{code: multivende.CodeBadAmount, reason: badAmountReason(ae), err: err}
		}
		return &permanent{code: "DTE-NOT-JSON", reason: i18n.M("reason.order_not_json"), err: err}
	}
	if !co.Paid() || co.Cancelled() {
		return r.move(store.StateWaiting, store.Move{Event: event("unpaid", "event.not_paid", co.PaymentStatus, co.Status)})
	}
	if live := r.live(co.ElectronicBillingDocuments); len(live) > 0 {
		d := live[0]
		reason := i18n.M("reason.existing", i18n.Quote(d.Type), i18n.Quote(d.DocID))
		return r.move(store.StateDone, store.Move{Outcome: store.OutcomeExisting, Reason: es(reason), ReasonMsg: reason.Encode(),
			Event: event("existing", "event.existing")})
	}
	// The embedded list is not confirmed: ask the call public integrations use.
	if docs, err := m.BillingDocuments(r.ctx, r.o.ID); err != nil {
		return err
	} else if docs = r.live(docs); len(docs) > 0 {
		d := docs[0]
		b, _ := json.Marshal(d)
		reason := i18n.M("reason.existing", i18n.Quote(d.Type), i18n.Quote(d.DocID))
		return r.move(store.StateDone, store.Move{Outcome: store.OutcomeExisting, Reason: es(reason), ReasonMsg: reason.Encode(),
			Event: withData(event("existing", "event.existing"), string(b))})
	}
	var ov Overrides
	if r.em.Overrides != "" {
		_ = json.Unmarshal([]byte(r.em.Overrides), &ov)
	}
	sale := co.SaleWith(mapping)
	sale.Date = e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly)
	sale.Emisor = e.cfg.Emisor
	ruleEv := ruleEvent(sale.Rule, ov.Type)
	doc, warns, err := dte.Build(sale, dte.Options{Choice: ov.Type, Buyer: ov.Buyer})
	if err != nil {
		if werr := e.st.Write(r.ctx, func(tx *store.Tx) error { return tx.AppendEvent(r.ctx, r.o.ID, ruleEv) }); werr != nil {
			return werr
		}
		if ve, ok := dte.AsValidation(err); ok {
			return &permanent{code: ve.Code, reason: i18n.Both(ve.Line(dte.ES), ve.Line(dte.EN)), err: err}
		}
		return err
	}
	body, _ := json.Marshal(doc)
	em := r.em
	if em.ExtRef == "" { // a reissue set its own
		em.ExtRef = "folio:" + r.o.ID
	}
	em.OrderID, em.DocType, em.Document = r.o.ID, int(doc.Encabezado.IdDoc.TipoDTE), string(body)
	em.Pending, em.Uncertain = "", false
	ev := event("built", "event.built", doc.Encabezado.IdDoc.TipoDTE.Name(), dte.FormatCLP(doc.Encabezado.Totales.MntTotal))
	if len(warns) > 0 {
		wes, wen := make([]string, len(warns)), make([]string, len(warns))
		for i, w := range warns {
			wes[i], wen[i] = w.Message.ES, w.Message.EN
		}
		ev = event("built", "event.built_warn", doc.Encabezado.IdDoc.TipoDTE.Name(), dte.FormatCLP(doc.Encabezado.Totales.MntTotal),
			i18n.Both(strings.Join(wes, "; "), strings.Join(wen, "; ")))
	}
	return r.saveAndMove(em, store.StateIssuing, ev, func(tx *store.Tx) error { return tx.AppendEvent(r.ctx, r.o.ID, ruleEv) })
}

// live drops the documents in Multivende that are this order's rejected
// ones: they stay attached (Multivende has no call to remove them) but no
// longer count as the order's document.
func (r *run) live(docs []multivende.ElectronicBillingDocument) []multivende.ElectronicBillingDocument {
	var out []multivende.ElectronicBillingDocument
	for _, d := range docs {
		if !r.isRejected(d.DocID) {
			out = append(out, d)
		}
	}
	return out
}

func (r *run) isRejected(docID string) bool {
	for _, d := range r.rejected {
		if strconv.FormatInt(d.Folio, 10) == docID {
			return true
		}
	}
	return false
}

func rejectedOnly(docs []store.Document) []store.Document {
	var out []store.Document
	for _, d := range docs {
		if (d.Kind == "dte" || d.Kind == "credit_note") && d.SIIStatus == store.DocRejected {
			out = append(out, d) // a rejected 61 is never adopted again either
		}
	}
	return out
}

func buyerRUT(co *multivende.Checkout) string {
	cl, _ := co.BillingIdentity()
	if r, err := dte.ParseRUT(cl.TaxID.String()); err == nil {
		return r.String()
	}
	return cl.TaxID.String()
}

func (r *run) document() (dte.Document, error) {
	var doc dte.Document
	if err := json.Unmarshal([]byte(r.em.Document), &doc); err != nil {
		return doc, &permanent{code: "DTE-NOT-JSON", reason: i18n.M("reason.doc_not_json"), err: err}
	}
	return doc, nil
}

// issue prepares the document at the invoicer (no folio yet), records the
// intent, and only then asks for the folio. An intent left by an earlier
// attempt is resolved first: the folio-consuming call is never repeated
// blindly.
func (r *run) issue() error {
	inv := r.e.cfg.Invoicer
	doc, err := r.document()
	if err != nil {
		return err
	}
	if r.cur != store.StateIssuing {
		if err := r.move(store.StateIssuing, store.Move{Attempts: r.o.Attempts, Event: event("issuing", "event.issuing")}); err != nil {
			return err
		}
	}
	fresh := false
	if r.em.Pending == "" {
		p, err := inv.Prepare(invoicer.WithReference(r.ctx, r.em.ExtRef), doc)
		if err != nil {
			return err
		}
		r.e.failpoint(FailAfterPrepare)
		em := r.em
		em.Pending = string(p)
		ev := event("prepared", "event.prepared")
		ev.Data = string(p)
		if err := r.saveAndMove(em, store.StateIssuing, ev, nil); err != nil {
			return err
		}
		fresh = true
	}
	for attempt := 0; attempt < 2; attempt++ {
		if !fresh || r.em.Uncertain {
			res, err := r.resolve(doc)
			if err != nil {
				return err
			}
			switch res.Outcome {
			case invoicer.WasIssued:
				return r.recordIssued(res.Issued, event("issued", "event.adopted"))
			case invoicer.Unknown:
				return &permanent{code: "UNCERTAIN", reason: i18n.M("reason.uncertain", resolutionDetail(res))}
			}
		}
		if err := r.e.holdLease(r.ctx); err != nil {
			return err
		}
		iss, err := inv.Issue(r.ctx, invoicer.Pending(r.em.Pending))
		if err == nil {
			r.e.failpoint(FailAfterIssue)
			return r.recordIssued(iss, event("issued", "event.folio", iss.Folio))
		}
		ie, ok := invoicer.AsError(err)
		if !ok || !ie.Uncertain {
			return err
		}
		// The folio may be consumed: mark the intent uncertain, then resolve.
		em := r.em
		em.Uncertain = true
		if err := r.saveAndMove(em, store.StateIssuing, event("uncertain", "event.uncertain"), nil); err != nil {
			return err
		}
		fresh = false
	}
	return &permanent{code: "UNCERTAIN", reason: i18n.M("reason.uncertain_twice")}
}

func (r *run) resolve(doc dte.Document) (invoicer.Resolution, error) {
	claimedBy, err := r.e.st.ClaimedFolios(r.ctx, emisorOf(doc, r.e.cfg.Emisor), int(doc.Encabezado.IdDoc.TipoDTE))
	if err != nil {
		return invoicer.Resolution{}, err
	}
	claimed := make(map[int64]bool, len(claimedBy))
	for f, id := range claimedBy {
		if id != r.o.ID {
			claimed[f] = true
		}
	}
	for _, d := range r.rejected {
		if d.DTEType == int(doc.Encabezado.IdDoc.TipoDTE) {
			claimed[d.Folio] = true // this order's own, but rejected: never adopted again
		}
	}
	res, err := r.e.cfg.Invoicer.Resolve(r.ctx, invoicer.Pending(r.em.Pending), doc, claimed)
	if err != nil {
		return res, err
	}
	_ = r.e.st.Write(r.ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(r.ctx, r.o.ID, msgEvent("resolve", resolutionText(res)))
	})
	return res, nil
}

func resolutionText(res invoicer.Resolution) i18n.Message {
	switch res.Outcome {
	case invoicer.StillPending:
		return i18n.M("event.resolve_pending")
	case invoicer.WasIssued:
		return i18n.M("event.resolve_issued", res.Issued.Folio)
	}
	return i18n.M("event.resolve_unknown", resolutionDetail(res))
}

// resolutionDetail is why an invoicer could not tell: its message, or its
// words as written when it gave none.
func resolutionDetail(res invoicer.Resolution) i18n.Message {
	if !res.DetailMsg.IsZero() {
		return res.DetailMsg
	}
	return i18n.Quote(res.Detail)
}

func emisorOf(doc dte.Document, fallback dte.Emisor) string {
	if doc.Encabezado.Emisor.RUTEmisor != "" {
		return doc.Encabezado.Emisor.RUTEmisor
	}
	return fallback.RUTEmisor
}

// recordIssued claims the folio for this order (UNIQUE in the store) and
// moves it to issued, in one commit.
func (r *run) recordIssued(iss invoicer.Issued, ev store.Event) error {
	em := r.em
	em.Folio, em.TrackID, em.Uncertain = iss.Folio, iss.TrackID, false
	if iss.Type != 0 {
		em.DocType = int(iss.Type)
	}
	raw, _ := json.Marshal(iss)
	if len(iss.Raw) > 0 {
		raw = iss.Raw
	}
	em.Issued = string(raw)
	// The folio is spent: attaching it gets a fresh budget of attempts,
	// since giving up now would leave a legal document unattached.
	r.o.Attempts = 0
	err := r.saveAndMove(em, store.StateIssued, withData(ev, string(raw)), func(tx *store.Tx) error {
		kind := "dte"
		if IsCredit(em) {
			kind = "credit_note"
		}
		return tx.AddDocument(r.ctx, store.Document{OrderID: r.o.ID, Kind: kind, Emisor: iss.Emisor, DTEType: em.DocType,
			Folio: iss.Folio, Total: iss.Total, Fecha: iss.Fecha, TrackID: iss.TrackID})
	})
	if errors.Is(err, store.ErrFolioTaken) {
		return &permanent{code: "UNCERTAIN", reason: i18n.M("reason.folio_taken", iss.Folio), err: err}
	}
	if err == nil {
		r.e.count(&r.e.emitted, 1)
	}
	return err
}

// attach gets the PDF and attaches it to the order in Multivende, reading
// back first so that an attach whose reply was lost is not made twice.
func (r *run) attach() error {
	conn, m, err := r.marketplace()
	if err != nil {
		return err
	}
	var iss invoicer.Issued
	if err := json.Unmarshal([]byte(r.em.Issued), &iss); err != nil || iss.Folio == 0 {
		iss = invoicer.Issued{Type: dte.DocType(r.em.DocType), Folio: r.em.Folio, Emisor: r.e.cfg.Emisor.RUTEmisor}
	}
	pdf, err := r.e.cfg.Invoicer.PDF(r.ctx, iss)
	if err != nil {
		return err
	}
	if len(pdf) > multivende.MaxPDFSize {
		return &permanent{code: "MV-PDF-TOO-LARGE", reason: i18n.M("reason.pdf_too_large", len(pdf))}
	}
	folio := strconv.FormatInt(iss.Folio, 10)
	if r.em.MVDocumentID == "" {
		docs, err := m.BillingDocuments(r.ctx, r.o.ID)
		if err != nil {
			return err
		}
		docID, other := "", ""
		var stale []multivende.ElectronicBillingDocument // this order's rejected ones, still attached
		credit, attachType := IsCredit(r.em), multivende.AttachType(r.em.DocType, r.e.attachSettings(conn).DocTypes)
		for _, d := range docs {
			if credit {
				// The original stays attached beside its credit note; a
				// 61's folio may repeat a boleta's number, so the type tells.
				if d.DocID == folio && d.Type == attachType {
					docID = d.ID
				}
				continue
			}
			if r.isRejected(d.DocID) {
				stale = append(stale, d)
				continue
			}
			if d.DocID == folio {
				docID = d.ID // attached before, reply lost: reuse it
			} else if other == "" {
				other = d.DocID
			}
		}
		if docID == "" && other != "" {
			// Someone else gave the order a document while this folio was
			// being issued: a second one would be a duplicate on the order.
			return &permanent{code: "UNCERTAIN", reason: i18n.M("reason.other_document", i18n.Quote(other), iss.Folio)}
		}
		if docID == "" {
			if err := r.e.holdLease(r.ctx); err != nil {
				return err
			}
			set := r.e.attachSettings(conn)
			raw := r.o.Raw
			if raw == "" { // a retried order comes from the due list, without its detail
				stored, err := r.e.st.GetOrder(r.ctx, r.o.ID)
				if err != nil {
					return err
				}
				raw = stored.Raw
			}
			d, err := m.CreateBillingDocument(r.ctx, r.o.ID, multivende.NewBillingDocument{ClientID: clientID(raw), ID: folio, Code: folio,
				Name: folio, EmissionDate: iss.Fecha, Type: multivende.AttachType(r.em.DocType, set.DocTypes), Provider: set.Provider,
				ElectronicBillingDocumentEmitterID: set.EmitterID})
			if err != nil {
				return err
			}
			docID = d.ID
			r.e.failpoint(FailAfterAttach)
		}
		em := r.em
		em.MVDocumentID, em.PDFSize = docID, len(pdf)
		// What a person must still do in Multivende, as read there now.
		note := func(tx *store.Tx) error {
			for _, d := range stale {
				if err := tx.AppendEvent(r.ctx, r.o.ID, event("reissue", "event.reissue_mv_attached", d.DocID, d.ID)); err != nil {
					return err
				}
			}
			return nil
		}
		if err := r.saveAndMove(em, store.StateAttaching, event("attached", "event.attached"), note); err != nil {
			return err
		}
	} else if r.cur != store.StateAttaching {
		if err := r.move(store.StateAttaching, store.Move{Attempts: r.o.Attempts, Event: event("attaching", "event.attaching")}); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("%d-%d.pdf", r.em.DocType, iss.Folio)
	if err := r.e.holdLease(r.ctx); err != nil {
		return err
	}
	if err := m.UploadDocumentFile(r.ctx, r.em.MVDocumentID, name, pdf); err != nil {
		return err
	}
	r.e.failpoint(FailAfterUpload)
	docs, err := m.BillingDocuments(r.ctx, r.o.ID)
	if err != nil {
		return err
	}
	ok, seen := false, ""
	for _, d := range docs {
		if d.ID == r.em.MVDocumentID && len(d.ElectronicBillingDocumentFiles) > 0 {
			ok = true
			b, _ := json.Marshal(d) // its synchronizationStatus, for inspect
			seen = string(b)
		}
	}
	if !ok {
		return fmt.Errorf("multivende: the PDF of folio %d does not show on the order after upload", iss.Folio)
	}
	em := r.em
	em.UploadedAt = r.e.cfg.Now()
	return r.e.st.Write(r.ctx, func(tx *store.Tx) error {
		if err := tx.SaveEmission(r.ctx, em); err != nil {
			return err
		}
		return moveOrder(r.ctx, tx, r.o.ID, store.Move{From: []store.State{r.cur}, To: store.StateDone, Outcome: store.OutcomeIssued,
			DocType: em.DocType, Folio: em.Folio, Attempts: r.o.Attempts,
			Event: withData(event("done", "event.done_folio", dte.DocType(em.DocType).Name(), em.Folio), seen)})
	})
}

// attachSettings are the values a document is attached with: the
// connection's own, else the engine's defaults (the config), else
// internal/multivende's.
func (e *Engine) attachSettings(c store.Connection) store.ConnSettings {
	s := c.Settings
	s.EmitterID = firstSet(s.EmitterID, e.cfg.Attach.EmitterID, multivende.DefaultEmitterID)
	s.Provider = firstSet(s.Provider, e.cfg.Attach.Provider, multivende.DefaultProvider)
	if len(e.cfg.Attach.DocTypes) > 0 {
		merged := maps.Clone(e.cfg.Attach.DocTypes)
		maps.Copy(merged, s.DocTypes)
		s.DocTypes = merged
	}
	return s
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func (r *run) marketplace() (store.Connection, Marketplace, error) {
	conns, err := r.e.st.Connections(r.ctx)
	if err != nil {
		return store.Connection{}, nil, err
	}
	for _, c := range conns {
		if c.ID == r.o.ConnectionID {
			m, err := r.e.market(c)
			return c, m, err
		}
	}
	return store.Connection{}, nil, &permanent{code: "MV-NEEDS-RECONNECT", reason: i18n.M("reason.no_connection")}
}

// fail decides what an error means for the order: Errors at once (a person
// must act), a retry later, or nothing (the engine is stopping).
func (r *run) fail(err error) {
	e := r.e
	if r.ctx.Err() != nil {
		return // stopped mid-step: the next run resumes from the store
	}
	if e.storeFull(err) {
		return // nothing can be recorded; the order runs again once space returns
	}
	code, reason, retryAfter, retry, connDown := classify(err)
	attempts := r.o.Attempts
	// Being told to slow down is pacing, not a failure of the order: it
	// must not use up the attempts a real failure needs.
	// Nor is a token refresh whose reply kept getting lost (the token
	// source already tried it again): the connection failed, not the order.
	if !connDown && !throttled(err) && !refreshLost(err) {
		attempts++
	}
	to := store.StateRetrying
	next := e.cfg.Retry.NextRetry(e.cfg.Now(), attempts, retryAfter)
	if connDown {
		// The connection, not the order, failed: the order waits for the
		// reconnect (the connection is paused until then) using no attempt.
		next = e.cfg.Now().Add(e.cfg.PollInterval)
		code, reason = ReasonWaitingReconnect, i18n.M("reason.waiting_reconnect", reason)
	}
	// Once the folio is spent, giving up leaves a legal document without
	// its order: attaching gets three times the budget before a person is
	// asked, so that a bad hour at Multivende does not need one.
	budget := attempts
	if r.em.Folio != 0 {
		budget = attempts / postFolioBudget
	}
	if !retry {
		to = store.StateAttention
	} else if e.cfg.Retry.Exhausted(budget) {
		inner := reason
		to, reason = store.StateAttention, i18n.M("reason.max_attempts", attempts, inner)
		code = "MAX-ATTEMPTS"
		if r.em.Folio != 0 {
			reason = i18n.M("reason.not_attached", r.em.Folio, attempts, inner)
		}
	}
	if errors.Is(err, store.ErrStateChanged) {
		e.log.Info("order moved by someone else; leaving it", "order", r.o.ID)
		return
	}
	msg := reason
	if to == store.StateRetrying && !connDown {
		msg = i18n.M("event.retry_at", reason, attempts, e.cfg.Retry.MaxAttempts, next.In(e.cfg.Location).Format("15:04:05"))
	}
	werr := e.st.Write(r.ctx, func(tx *store.Tx) error {
		if r.em.OrderID != "" {
			em := r.em
			em.LastErrorCode, em.LastErrorText = code, err.Error()
			if err := tx.SaveEmission(r.ctx, em); err != nil {
				return err
			}
		}
		return moveOrder(r.ctx, tx, r.o.ID, store.Move{From: []store.State{r.cur}, To: to, Reason: es(reason), ReasonCode: code,
			ReasonMsg: reason.Encode(), Attempts: attempts, NextAttemptAt: next, DocType: r.em.DocType, Folio: r.em.Folio,
			Event: withData(msgEvent("error", msg), jsonString(err.Error()))})
	})
	if e.storeFull(werr) {
		return
	}
	if werr != nil {
		e.log.Error("recording a failure", "order", r.o.ID, "err", werr, "failure", err)
	}
	if connDown {
		c, _, _ := r.marketplace()
		e.connectionError(r.ctx, c, err)
	}
	e.log.Warn("order failed", "order", r.o.ID, "code", code, "to", to, "err", err)
}

// ReasonWaitingReconnect marks a retrying order whose Multivende
// connection needs a reconnect: it uses no attempts and resumes by itself
// once the connection is reconnected.
const ReasonWaitingReconnect = "WAITING-RECONNECT"

// postFolioBudget multiplies the attempts an order may use once its folio
// is spent.
const postFolioBudget = 3

// throttled says the service asked folio to slow down (HTTP 429).
func throttled(err error) bool {
	var mv *multivende.Error
	if errors.As(err, &mv) {
		return mv.Code == multivende.CodeRate
	}
	ie, ok := invoicer.AsError(err)
	return ok && ie.Status == 429
}

// refreshLost says a token refresh failed without a refusal (a reset, a
// timeout, a 5xx).
func refreshLost(err error) bool {
	mv, ok := multivende.AsError(err)
	return ok && mv.Op == "refresh token" && mv.Retryable()
}

func jsonString(s string) string {
	b, _ := json.Marshal(map[string]string{"error": s})
	return string(b)
}

// clientID reads the checkout's Client._id alone: a checkout stored (and
// issued) before amounts were read strictly may no longer decode whole,
// and its document must still reach its order.
func clientID(raw string) string {
	var c struct {
		Client struct {
			ID string `json:"_id"`
		} `json:"Client"`
	}
	_ = json.Unmarshal([]byte(raw), &c)
	return c.Client.ID
}

// badAmountReason names the unreadable amount: the catalog's title, then
// the field and the value as Multivende wrote them (data, in no language).
func badAmountReason(ae *multivende.AmountError) i18n.Message {
	title := explainTitle(multivende.CodeBadAmount)
	if ae.Field == "" {
		return i18n.M("reason.detail", title, i18n.Quote(ae.Value))
	}
	return i18n.M("reason.field_value", title, ae.Field, i18n.Quote(ae.Value))
}

// classify maps an error to a catalog code, plain words, and what to do.
func classify(err error) (code string, reason i18n.Message, retryAfter time.Duration, retry, connDown bool) {
	var p *permanent
	var mv *multivende.Error
	if errors.As(err, &p) {
		return p.code, p.reason, 0, false, false
	}
	if ie, ok := invoicer.AsError(err); ok {
		reason := withDetail(explainTitle(ie.Code), ie.Message)
		return ie.Code, reason, ie.RetryAfter, ie.Retryable(), false
	}
	if errors.As(err, &mv) {
		title := explainTitle(mv.Code)
		if title.IsZero() {
			title = i18n.M("reason.mv_refused")
		}
		reason := withDetail(title, mv.Message)
		switch mv.Code {
		case multivende.CodeNeedsReconnect, multivende.CodeAuth:
			return mv.Code, reason, 0, true, true
		case multivende.CodePDFTooLarge, multivende.CodeNotFound, multivende.CodeBadRequest:
			return mv.Code, reason, 0, false, false
		case multivende.CodeBadAmount:
			if ae, ok := errors.AsType[*multivende.AmountError](err); ok {
				reason = badAmountReason(ae)
			}
			return mv.Code, reason, 0, false, false
		}
		return mv.Code, reason, mv.RetryAfter, true, false
	}
	return "ERROR", i18n.Quote(err.Error()), 0, true, false
}

// withDetail is a catalog title followed by the service's own words, kept
// as written (quoted); either may be missing.
func withDetail(title i18n.Message, detail string) i18n.Message {
	switch {
	case detail == "":
		return title
	case title.IsZero():
		return i18n.Quote(detail)
	}
	return i18n.M("reason.detail", title, i18n.Quote(detail))
}
