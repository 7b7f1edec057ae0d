package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/preflight"
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
	em  store.Emission // as committed: updated only after each commit
	// cur is where the order is in its life as last written (queued,
	// retrying, working…; a step of the pipeline is working): the step
	// itself is em's to say.
	cur store.State
	// rejected are the order's documents the SII rejected: spent folios
	// that are never again its document (see reissue).
	rejected []store.Document
	// doc and iss are the document and the issued reply, kept from the
	// step that made them (read from em's JSON only when resuming).
	doc *dte.Document
	iss *invoicer.Issued
	// built is the document built in this run, not yet committed: it is
	// committed with its temporary key as the intent.
	built *store.Intent
	// fresh: the intent was prepared in this run, so no Issue of it can
	// have happened yet and it needs no resolving first.
	fresh bool
	// later are writes that ride on the run's next commit (the checkout
	// read, the rule's event, a resolution's event) instead of costing a
	// durable commit each.
	later []func(*store.Tx) error
	// conn and mkt are the order's connection and client (marketplace).
	conn store.Connection
	mkt  Marketplace
	// reads are attach's reads, started as soon as the folio is known
	// (see readForAttach); nil until then.
	reads *attachReads
	// bg are the run's reads in the background: the run waits for them
	// before it ends, even when it ends without their answers.
	bg sync.WaitGroup
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

// rawError is what the order's timeline keeps as the error's own words:
// the service's or the library's, never folio's reason again (already the
// event's message, in each reader's language); "" when there is nothing
// beyond the reason.
func rawError(err error) string {
	if p, ok := errors.AsType[*permanent](err); ok {
		if _, own := dte.AsValidation(p.err); p.err == nil || own {
			return "" // folio's own words: the reason says them in each language
		}
		return p.err.Error()
	}
	return err.Error()
}

// process runs the pipeline for one order from wherever it stands. An
// issued order costs four commits: the intent (before the folio-consuming
// call) and the folio, awaited on disk, then the document created on the
// order (recorded while its PDF goes up) and the upload seen, recorded
// (Multivende shows them to the next run); a crash between them resumes at
// the next step.
func (e *Engine) process(ctx context.Context, o store.Order) {
	ctx = WithOrder(ctx, o.ID)
	r := &run{e: e, ctx: ctx, o: o, cur: o.State.Life()}
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
	r.bg.Wait()
	e.notify(Change{Kind: ChangeOrders, OrderID: o.ID})
}

func (r *run) steps() error {
	if r.em.Folio != 0 && r.em.SIIStatus == string(invoicer.SIIRejected) {
		// A rejected document has no legal effect: it is never attached
		// or finished as the order's document; a reissue replaces it.
		return &permanent{code: "SII-RCH", reason: i18n.M("reason.sii_rejected_folio", r.em.Folio)}
	}
	if r.em.Folio == 0 {
		if r.em.Pending == "" {
			if r.em.Document == "" {
				if settled, err := r.build(); err != nil || settled {
					return err
				}
			}
			if err := r.intent(); err != nil {
				return err
			}
		}
		if err := r.issue(); err != nil || r.cur == store.StateAttention {
			return err
		}
	}
	if r.em.UploadedAt.IsZero() {
		return r.attach()
	}
	return r.finish(event("done", "event.done"), nil)
}

// finish ends the order as issued. A cancellation the store learned while
// a folio was in play (ingest leaves such an order to the pipeline) sends
// it on, in the same commit, to Errors for a credit note. The order's
// documents in Multivende are what a resume would read back, so the end
// is recorded, not awaited on disk (record).
func (r *run) finish(ev store.Event, writes func(*store.Tx) error) error {
	m := store.Finish(r.cur, store.OutcomeIssued, "", ev)
	moved := m.To
	err := r.record(func(tx *store.Tx) error {
		if writes != nil {
			if err := writes(tx); err != nil {
				return err
			}
		}
		if err := moveOrder(r.ctx, tx, r.o.ID, m); err != nil {
			return err
		}
		paid, status, err := tx.OrderStatus(r.ctx, r.o.ID)
		if err != nil {
			return err
		}
		if co := (multivende.Checkout{PaymentStatus: paid, Status: status}); !co.Cancelled() {
			return nil
		}
		o, err := tx.GetOrder(r.ctx, r.o.ID)
		if err != nil {
			return err
		}
		if err := r.e.needsCreditNote(r.ctx, tx, o); err != nil {
			return err
		}
		if o, err = tx.GetOrder(r.ctx, r.o.ID); err == nil {
			moved = o.State
		}
		return err
	})
	if err != nil {
		return err
	}
	r.cur = moved
	return nil
}

// commit runs fn, after the writes waiting in r.later, as one durable
// commit.
func (r *run) commit(fn func(*store.Tx) error) error { return r.commitBy(r.e.st.Write, fn) }

// record is commit for what a resume reads back from Multivende when the
// store lost it (store.WriteRecoverable: committed, durable a moment
// later, never awaited): the attachment and the order's end. Nothing it
// records guards a call: the documents listed there do.
func (r *run) record(fn func(*store.Tx) error) error {
	return r.commitBy(r.e.st.WriteRecoverable, fn)
}

func (r *run) commitBy(write func(context.Context, func(*store.Tx) error) error, fn func(*store.Tx) error) error {
	later := r.later
	err := write(r.ctx, func(tx *store.Tx) error {
		for _, w := range later {
			if err := w(tx); err != nil {
				return err
			}
		}
		if fn == nil {
			return nil
		}
		return fn(tx)
	})
	if err == nil {
		r.later = nil
	}
	return err
}

// lastChecked is the run's context for a call that cannot be undone: the
// client checks the lease once more after its rate limit and any 429
// pause, right before the request leaves (holdLease before the call
// alone left those seconds open: an engine frozen or held there sent its
// attach after another engine had taken the order over).
func (r *run) lastChecked() context.Context {
	return preflight.With(r.ctx, r.e.holdLease)
}

// step commits m (a move from r.cur) after writes: the emission's writes
// come first, so that a move to working stores the step they show.
func (r *run) step(m store.Move, writes func(*store.Tx) error) error {
	return r.stepBy(r.commit, m, writes)
}

func (r *run) stepBy(commit func(func(*store.Tx) error) error, m store.Move, writes func(*store.Tx) error) error {
	err := commit(func(tx *store.Tx) error {
		if writes != nil {
			if err := writes(tx); err != nil {
				return err
			}
		}
		return moveOrder(r.ctx, tx, r.o.ID, m)
	})
	if err != nil {
		return err
	}
	r.cur = m.To
	return nil
}

// build reads the checkout (again, when it changed since last read),
// checks it is still paid and has no document, and builds the DTE. It
// commits nothing itself: the checkout read and the events ride on the
// next commit (the intent, or the move that settles the order). settled
// says the order went to waiting or done.
func (r *run) build() (settled bool, err error) {
	e := r.e
	conn, m, err := r.marketplace()
	if err != nil {
		return false, err
	}
	mapping := multivende.FacturaMapping{Field: conn.Settings.FacturaField, Value: conn.Settings.FacturaValue}
	if r.o.Raw == "" && e.freshDetail(r.o.ID) {
		if full, err := e.st.GetOrder(r.ctx, r.o.ID); err == nil && full.DetailAt.After(full.RemoteUpdatedAt) {
			r.o.Raw, r.o.DetailAt, r.o.RemoteUpdatedAt = full.Raw, full.DetailAt, full.RemoteUpdatedAt // a hint's read, just now
		}
	}
	// The order's documents do not depend on its detail: both are asked
	// for at once, one round trip instead of two.
	listed := r.listDocuments(m)
	var co *multivende.Checkout
	if r.o.Raw == "" || !r.o.DetailAt.After(r.o.RemoteUpdatedAt) {
		read, raw, err := m.Checkout(r.ctx, r.o.ID)
		if err != nil {
			return false, err
		}
		id := r.o.ID
		r.later = append(r.later, func(tx *store.Tx) error {
			return tx.SetDetail(r.ctx, id, string(raw), read.Client.DisplayName(), buyerRUT(read), read.DocumentKind(mapping), read.UpdatedAt,
				read.PaymentStatus, read.Status)
		})
		r.o.Raw, co = string(raw), read // decoded by the client already
	} else {
		co = new(multivende.Checkout)
		if err := json.Unmarshal([]byte(r.o.Raw), co); err != nil {
			if ae, ok := errors.AsType[*multivende.AmountError](err); ok { // stored before amounts were read strictly
				return false, &permanent{code: multivende.CodeBadAmount, reason: badAmountReason(ae), err: err}
			}
			return false, &permanent{code: "DTE-NOT-JSON", reason: i18n.M("reason.order_not_json"), err: err}
		}
	}
	if !co.Paid() || co.Cancelled() {
		return true, r.step(store.Wait(r.cur, event("unpaid", "event.not_paid", co.PaymentStatus, co.Status)), nil)
	}
	if live := r.live(co.ElectronicBillingDocuments); len(live) > 0 {
		d := live[0]
		reason := i18n.M("reason.existing", i18n.Quote(d.Type), i18n.Quote(d.DocID))
		return true, r.step(store.Finish(r.cur, store.OutcomeExisting, es(reason), event("existing", "event.existing")).Saying(reason.Encode()), nil)
	}
	// The embedded list is not confirmed: ask the call public integrations use.
	if docs, err := listed(); err != nil {
		return false, err
	} else if docs = r.live(docs); len(docs) > 0 {
		d := docs[0]
		b, _ := json.Marshal(d)
		reason := i18n.M("reason.existing", i18n.Quote(d.Type), i18n.Quote(d.DocID))
		return true, r.step(store.Finish(r.cur, store.OutcomeExisting, es(reason),
			withData(event("existing", "event.existing"), string(b))).Saying(reason.Encode()), nil)
	}
	var ov Overrides
	if r.em.Overrides != "" {
		_ = json.Unmarshal([]byte(r.em.Overrides), &ov)
	}
	sale := co.SaleWith(mapping)
	sale.Date = e.cfg.Now().In(e.cfg.Location).Format(time.DateOnly)
	sale.Emisor = e.cfg.Emisor
	ruleEv := ruleEvent(sale.Rule, ov.Type)
	id := r.o.ID
	r.later = append(r.later, func(tx *store.Tx) error { return tx.AppendEvent(r.ctx, id, ruleEv) })
	doc, warns, err := dte.Build(sale, dte.Options{Choice: ov.Type, Buyer: ov.Buyer})
	if err != nil {
		if ve, ok := dte.AsValidation(err); ok {
			return false, &permanent{code: ve.Code, reason: i18n.Both(ve.Line(dte.ES), ve.Line(dte.EN)), err: err}
		}
		return false, err
	}
	body, _ := json.Marshal(doc)
	extRef := r.em.ExtRef
	if extRef == "" { // a reissue set its own
		extRef = "folio:" + r.o.ID
	}
	r.doc = &doc
	r.built = &store.Intent{OrderID: r.o.ID, ExtRef: extRef, DocType: int(doc.Encabezado.IdDoc.TipoDTE), Document: string(body)}
	ev := event("built", "event.built", doc.Encabezado.IdDoc.TipoDTE.Name(), dte.FormatCLP(doc.Encabezado.Totales.MntTotal))
	if len(warns) > 0 {
		wes, wen := make([]string, len(warns)), make([]string, len(warns))
		for i, w := range warns {
			wes[i], wen[i] = w.Message.ES, w.Message.EN
		}
		ev = event("built", "event.built_warn", doc.Encabezado.IdDoc.TipoDTE.Name(), dte.FormatCLP(doc.Encabezado.Totales.MntTotal),
			i18n.Both(strings.Join(wes, "; "), strings.Join(wen, "; ")))
	}
	r.later = append(r.later, func(tx *store.Tx) error { return tx.AppendEvent(r.ctx, id, ev) })
	return false, nil
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

// document is the order's document: the one built in this run, else the
// committed one, read once.
func (r *run) document() (dte.Document, error) {
	if r.doc != nil {
		return *r.doc, nil
	}
	var doc dte.Document
	if err := json.Unmarshal([]byte(r.em.Document), &doc); err != nil {
		return doc, &permanent{code: "DTE-NOT-JSON", reason: i18n.M("reason.doc_not_json"), err: err}
	}
	r.doc = &doc
	return doc, nil
}

// intent prepares the document at the invoicer (no folio yet) and commits
// it with its temporary key as the order's intent (the order is working,
// at issuing): the one commit that must come before the folio-consuming
// call.
// A crash before it leaves only a temporary document behind, no folio.
func (r *run) intent() error {
	in := r.built
	if in == nil { // built earlier (a credit note's 61, a store from before)
		extRef := r.em.ExtRef
		if extRef == "" {
			extRef = "folio:" + r.o.ID
		}
		in = &store.Intent{OrderID: r.o.ID, ExtRef: extRef, DocType: r.em.DocType, Document: r.em.Document}
	}
	doc, err := r.document()
	if err != nil {
		return err
	}
	// A temporary document made after a takeover would be a stray one.
	if err := r.e.holdLease(r.ctx); err != nil {
		return err
	}
	p, err := r.e.cfg.Invoicer.Prepare(invoicer.WithReference(r.lastChecked(), in.ExtRef), doc)
	if err != nil {
		return err
	}
	r.e.failpoint(FailAfterPrepare)
	in.Pending = string(p)
	ev := event("prepared", "event.prepared")
	ev.Data = string(p)
	m := store.Work(r.cur, ev)
	if r.o.Folio == 0 {
		m = m.Naming(in.DocType, 0) // a credit note's order names its original until the 61's folio
	}
	if err := r.step(m, func(tx *store.Tx) error { return tx.RecordIntent(r.ctx, *in) }); err != nil {
		return err
	}
	r.em.OrderID, r.em.ExtRef, r.em.DocType, r.em.Document, r.em.Pending, r.em.Uncertain = in.OrderID, in.ExtRef, in.DocType, in.Document, in.Pending, false
	r.built, r.fresh = nil, true
	return nil
}

// issue asks for the folio of the committed intent. An intent left by an
// earlier run is resolved first: the folio-consuming call is never
// repeated blindly.
func (r *run) issue() error {
	inv := r.e.cfg.Invoicer
	doc, err := r.document()
	if err != nil {
		return err
	}
	if r.cur != store.StateWorking { // an intent committed by an earlier run: taken before asking
		if err := r.step(store.Work(r.cur, event("issuing", "event.issuing")), nil); err != nil {
			return err
		}
	}
	for attempt := 0; attempt < 2; attempt++ {
		if !r.fresh || r.em.Uncertain {
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
		iss, err := inv.Issue(r.lastChecked(), invoicer.Pending(r.em.Pending))
		if err == nil {
			r.e.failpoint(FailAfterIssue)
			if _, m, err := r.marketplace(); err == nil {
				r.reads = r.readForAttach(m, iss) // while the folio commits
			}
			return r.recordIssued(iss, event("issued", "event.folio", iss.Folio))
		}
		ie, ok := invoicer.AsError(err)
		if !ok || !ie.Uncertain {
			return err
		}
		// The folio may be consumed: mark the intent uncertain, then resolve.
		if err := r.step(store.Work(r.cur, event("uncertain", "event.uncertain")), func(tx *store.Tx) error {
			return tx.MarkUncertain(r.ctx, r.o.ID)
		}); err != nil {
			return err
		}
		r.em.Uncertain, r.fresh = true, false
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
	id, ev := r.o.ID, msgEvent("resolve", resolutionText(res))
	r.later = append(r.later, func(tx *store.Tx) error {
		return tx.AppendEvent(r.ctx, id, ev)
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

// recordIssued claims the folio for this order (UNIQUE in the store), in
// one commit (the order is working, at issued). The attempts carry on: once the folio
// is spent, fail gives attaching a larger budget (postFolioBudget).
func (r *run) recordIssued(iss invoicer.Issued, ev store.Event) error {
	docType := r.em.DocType
	if iss.Type != 0 {
		docType = int(iss.Type)
	}
	raw, _ := json.Marshal(iss)
	if len(iss.Raw) > 0 {
		raw = iss.Raw
	}
	kind := "dte"
	if docType == int(dte.NotaCredito) {
		kind = "credit_note"
	}
	err := r.step(store.Work(r.cur, withData(ev, string(raw))).Naming(docType, iss.Folio), func(tx *store.Tx) error {
		if err := tx.RecordIssued(r.ctx, r.o.ID, docType, iss.Folio, iss.TrackID, string(raw)); err != nil {
			return err
		}
		return tx.AddDocument(r.ctx, store.Document{OrderID: r.o.ID, Kind: kind, Emisor: iss.Emisor, DTEType: docType,
			Folio: iss.Folio, Total: iss.Total, Fecha: iss.Fecha, TrackID: iss.TrackID})
	})
	if errors.Is(err, store.ErrFolioTaken) {
		return &permanent{code: "UNCERTAIN", reason: i18n.M("reason.folio_taken", iss.Folio), err: err}
	}
	if err != nil {
		return err
	}
	r.em.DocType, r.em.Folio, r.em.TrackID, r.em.Issued, r.em.Uncertain = docType, iss.Folio, iss.TrackID, string(raw), false
	r.iss = &iss
	r.e.count(&r.e.emitted, 1)
	return nil
}

// issued is the issued document: this run's reply, else the committed one.
func (r *run) issued() invoicer.Issued {
	if r.iss != nil {
		return *r.iss
	}
	var iss invoicer.Issued
	if err := json.Unmarshal([]byte(r.em.Issued), &iss); err != nil || iss.Folio == 0 {
		iss = invoicer.Issued{Type: dte.DocType(r.em.DocType), Folio: r.em.Folio, Emisor: r.e.cfg.Emisor.RUTEmisor}
	}
	r.iss = &iss
	return iss
}

// attach gets the PDF and attaches it to the order in Multivende, reading
// back first so that an attach whose reply was lost is not made twice.
func (r *run) attach() error {
	conn, m, err := r.marketplace()
	if err != nil {
		return err
	}
	iss := r.issued()
	reads := r.reads
	if reads == nil {
		reads = r.readForAttach(m, iss)
	}
	r.reads = nil
	pdf, listed, err := reads.wait()
	if err != nil {
		return err
	}
	if len(pdf) > multivende.MaxPDFSize {
		return &permanent{code: "MV-PDF-TOO-LARGE", reason: i18n.M("reason.pdf_too_large", len(pdf))}
	}
	folio := strconv.FormatInt(iss.Folio, 10)
	docID := r.em.MVDocumentID
	var attached func() error // records the attachment, when this run made or found it
	if docID == "" {
		docs := listed
		other := ""
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
			// The lease is checked by the client right before the request
			// leaves (lastChecked), after any wait: a check here too would
			// only repeat it.
			set := r.e.attachSettings(conn)
			raw := r.o.Raw
			if raw == "" { // a retried order comes from the due list, without its detail
				stored, err := r.e.st.GetOrder(r.ctx, r.o.ID)
				if err != nil {
					return err
				}
				raw = stored.Raw
			}
			d, err := m.CreateBillingDocument(r.lastChecked(), r.o.ID, multivende.NewBillingDocument{ClientID: clientID(raw), ID: folio, Code: folio,
				Name: folio, EmissionDate: iss.Fecha, Type: multivende.AttachType(r.em.DocType, set.DocTypes), Provider: set.Provider,
				ElectronicBillingDocumentEmitterID: set.EmitterID})
			if err != nil {
				return err
			}
			docID = d.ID
			r.e.failpoint(FailAfterAttach)
		}
		attached = func() error { return r.recordAttached(docID, len(pdf), stale) }
	}
	// A file on the document already is this folio's PDF, uploaded by a
	// run that ended before it recorded so: a second upload would add it
	// again (the order's documents are read on every resume).
	if d, ok := withFile(listed, docID); ok {
		if attached != nil {
			if err := attached(); err != nil {
				return err
			}
		}
		return r.uploaded(d)
	}
	// The attachment is recorded while the PDF goes up: it guards no call
	// (the next run reads the order's documents before it writes there,
	// and adopts this one, with or without its file), so the upload need
	// not wait for it. An upload that fails still leaves it recorded.
	var recorded sync.WaitGroup
	var recErr error
	if attached != nil {
		recorded.Go(func() { recErr = attached() })
	}
	name := fmt.Sprintf("%d-%d.pdf", r.em.DocType, iss.Folio)
	upErr := m.UploadDocumentFile(r.lastChecked(), docID, name, pdf)
	recorded.Wait()
	if recErr != nil {
		return recErr // the store's word first: fail moves the order from where the store has it
	}
	if upErr != nil {
		return upErr
	}
	r.e.failpoint(FailAfterUpload)
	docs, err := m.BillingDocuments(r.ctx, r.o.ID)
	if err != nil {
		return err
	}
	d, ok := withFile(docs, docID)
	if !ok {
		return fmt.Errorf("multivende: the PDF of folio %d does not show on the order after upload", iss.Folio)
	}
	return r.uploaded(d)
}

// recordAttached records the document docID, created on the order in
// Multivende, and what a person must still do there (stale: this order's
// rejected documents, still attached), as read there now.
func (r *run) recordAttached(docID string, pdfSize int, stale []multivende.ElectronicBillingDocument) error {
	err := r.stepBy(r.record, store.Work(r.cur, event("attached", "event.attached")), func(tx *store.Tx) error {
		if err := tx.RecordAttached(r.ctx, r.o.ID, docID, pdfSize); err != nil {
			return err
		}
		for _, d := range stale {
			if err := tx.AppendEvent(r.ctx, r.o.ID, event("reissue", "event.reissue_mv_attached", d.DocID, d.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.em.MVDocumentID, r.em.PDFSize = docID, pdfSize
	return nil
}

// withFile finds the document id among docs, if it shows an uploaded file.
func withFile(docs []multivende.ElectronicBillingDocument, id string) (multivende.ElectronicBillingDocument, bool) {
	for _, d := range docs {
		if d.ID == id && len(d.ElectronicBillingDocumentFiles) > 0 {
			return d, true
		}
	}
	return multivende.ElectronicBillingDocument{}, false
}

// uploaded ends the order whose PDF Multivende shows on d.
func (r *run) uploaded(d multivende.ElectronicBillingDocument) error {
	seen, _ := json.Marshal(d) // its synchronizationStatus, for inspect
	at := r.e.cfg.Now()
	ev := withData(event("done", "event.done_folio", dte.DocType(r.em.DocType).Name(), r.em.Folio), string(seen))
	return r.finish(ev, func(tx *store.Tx) error {
		return tx.RecordUploaded(r.ctx, r.o.ID, at)
	})
}

// listDocuments asks Multivende for the order's documents in the
// background; the function it returns waits for the answer.
func (r *run) listDocuments(m Marketplace) func() ([]multivende.ElectronicBillingDocument, error) {
	type reply struct {
		docs []multivende.ElectronicBillingDocument
		err  error
	}
	ch := make(chan reply, 1)
	r.bg.Go(func() {
		docs, err := m.BillingDocuments(r.ctx, r.o.ID)
		ch <- reply{docs, err}
	})
	return func() ([]multivende.ElectronicBillingDocument, error) {
		rep := <-ch
		return rep.docs, rep.err
	}
}

// attachReads are what attach reads before it writes to Multivende: the
// document's PDF from the invoicer and the order's documents from
// Multivende. Neither changes anything, and they do not depend on each
// other: they are asked for at once, and after a fresh issue while the
// folio commits, so the order waits for the slower of three instead of
// their sum.
type attachReads struct {
	done   chan struct{}
	pdf    []byte
	listed []multivende.ElectronicBillingDocument
	err    error
}

// readForAttach starts attach's reads for iss.
func (r *run) readForAttach(m Marketplace, iss invoicer.Issued) *attachReads {
	a := &attachReads{done: make(chan struct{})}
	listed := r.listDocuments(m)
	r.bg.Go(func() {
		defer close(a.done)
		pdf, err := r.e.cfg.Invoicer.PDF(r.ctx, iss)
		docs, lerr := listed()
		a.pdf, a.listed, a.err = pdf, docs, err
		if a.err == nil {
			a.err = lerr
		}
	})
	return a
}

// wait is the reads' outcome: the PDF's error first, as attach read it
// first.
func (a *attachReads) wait() ([]byte, []multivende.ElectronicBillingDocument, error) {
	<-a.done
	return a.pdf, a.listed, a.err
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

// marketplace is the order's connection and its client, read once per run.
func (r *run) marketplace() (store.Connection, Marketplace, error) {
	if r.mkt != nil {
		return r.conn, r.mkt, nil
	}
	c, err := r.e.st.ConnectionByID(r.ctx, r.o.ConnectionID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Connection{}, nil, &permanent{code: "MV-NEEDS-RECONNECT", reason: i18n.M("reason.no_connection")}
	}
	if err != nil {
		return store.Connection{}, nil, err
	}
	m, err := r.e.market(c)
	if err != nil {
		return c, nil, err
	}
	r.conn, r.mkt = c, m
	return c, m, nil
}

// fail decides what an error means for the order: Errors at once (a person
// must act), a retry later, or nothing (the engine is stopping).
func (r *run) fail(err error) {
	e := r.e
	if r.ctx.Err() != nil || errors.Is(err, store.ErrConnectionLost) {
		return // stopped mid-step, or the connection is another engine's now: the store has the rest
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
	// its order: attaching gets three times the budget (attempts before
	// the folio included: they are never reset) before a person is asked,
	// so that a bad hour at Multivende does not need one.
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
	ev := msgEvent("error", msg)
	if raw := rawError(err); raw != "" {
		ev = withData(ev, jsonString(raw))
	}
	m := store.Retry(r.cur, attempts, next, code, es(reason), ev).Saying(reason.Encode())
	if to == store.StateAttention {
		m = store.NeedsAttention(r.cur, code, es(reason), ev).WithAttempts(attempts).Saying(reason.Encode())
	}
	// The writes this run left for its next commit (the checkout read,
	// the rule's event) are recorded with the failure.
	werr := r.commit(func(tx *store.Tx) error {
		if r.em.OrderID != "" {
			if err := tx.SetLastError(r.ctx, r.o.ID, code, err.Error()); err != nil {
				return err
			}
		}
		return moveOrder(r.ctx, tx, r.o.ID, m)
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
		reason := withDetail(explainTitle(ie.Code), detailOf(ie.Msg, ie.Message))
		return ie.Code, reason, ie.RetryAfter, ie.Retryable(), false
	}
	if errors.As(err, &mv) {
		title := explainTitle(mv.Code)
		if title.IsZero() {
			title = i18n.M("reason.mv_refused")
		}
		reason := withDetail(title, detailOf(mv.Msg, mv.Message))
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

// withDetail is a catalog title followed by a detail; either may be
// missing.
func withDetail(title, detail i18n.Message) i18n.Message {
	switch {
	case detail.IsZero():
		return title
	case title.IsZero():
		return detail
	}
	return i18n.M("reason.detail", title, detail)
}

// detailOf is a failed call's detail: folio's own account when the
// client gave one (own, in the reader's language), else the service's
// words kept as written (quoted).
func detailOf(own i18n.Message, theirs string) i18n.Message {
	if !own.IsZero() {
		return own
	}
	return i18n.Quote(theirs)
}
