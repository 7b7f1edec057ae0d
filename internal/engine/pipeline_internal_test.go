package engine

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
)

// hookedMarket is a Multivende client with hooks before some calls: a hook
// that returns an error fails the call without making it.
type hookedMarket struct {
	Marketplace
	beforeCheckout, beforeCreate, beforeUpload, beforeList func() error
	afterUpload                                            func() error // fails the call after it was made
}

func callHook(h func() error) error {
	if h == nil {
		return nil
	}
	return h()
}

func (m *hookedMarket) Checkout(ctx context.Context, id string) (*multivende.Checkout, []byte, error) {
	if err := callHook(m.beforeCheckout); err != nil {
		return nil, nil, err
	}
	return m.Marketplace.Checkout(ctx, id)
}

func (m *hookedMarket) BillingDocuments(ctx context.Context, id string) ([]multivende.ElectronicBillingDocument, error) {
	if err := callHook(m.beforeList); err != nil {
		return nil, err
	}
	return m.Marketplace.BillingDocuments(ctx, id)
}

func (m *hookedMarket) CreateBillingDocument(ctx context.Context, id string, d multivende.NewBillingDocument) (*multivende.ElectronicBillingDocument, error) {
	if err := callHook(m.beforeCreate); err != nil {
		return nil, err
	}
	return m.Marketplace.CreateBillingDocument(ctx, id, d)
}

func (m *hookedMarket) UploadDocumentFile(ctx context.Context, docID, name string, pdf []byte) error {
	if err := callHook(m.beforeUpload); err != nil {
		return err
	}
	if err := m.Marketplace.UploadDocumentFile(ctx, docID, name, pdf); err != nil {
		return err
	}
	return callHook(m.afterUpload)
}

// stepRig drives the pipeline one order and one run at a time (no Run,
// no loops) against both simulators, counting the store's writes.
type stepRig struct {
	t      *testing.T
	ctx    context.Context
	sims   *sim.Sims
	st     *store.Store
	e      *Engine
	mk     *hookedMarket
	writes atomic.Int64 // every Store.Write begun
	// fault, when set, runs in every write after the count: an error
	// fails that write.
	fault atomic.Pointer[func() error]
}

func newStepRig(t *testing.T, orders int) *stepRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sims, err := sim.Start(ctx, sim.Options{Orders: orders, Seed: 5, RateLimit: -1, SIIDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := &stepRig{t: t, ctx: ctx, sims: sims, mk: &hookedMarket{}}
	r.st, err = store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{WriteFault: func() error {
		r.writes.Add(1)
		if f := r.fault.Load(); f != nil {
			return (*f)()
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	info := sims.Info
	mv := multivende.New(multivende.Config{BaseURL: info.Multivende, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1})
	loc, err := mvsim.Consent(ctx, nil, mv.AuthorizeURL("http://127.0.0.1:1/cb", "s", nil), "Tienda")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := mv.Exchange(ctx, u.Query().Get("code"), "http://127.0.0.1:1/cb", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: info.Multivende, MerchantID: tok.MerchantID,
			ClientID: info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken, AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := libredte.New(libredte.Config{BaseURL: info.LibreDTE, Hash: info.LibreDTEHash, Emisor: info.Emisor})
	if err != nil {
		t.Fatal(err)
	}
	r.e, err = New(Config{Store: r.st, Invoicer: inv, Emisor: sims.LD.Emisor(),
		Retry: RetryPolicy{MaxAttempts: 8, Base: time.Millisecond, Max: time.Millisecond},
		Markets: func(c store.Connection) (Marketplace, error) {
			cl := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1})
			cl.SetTokens(cl.NewTokenSource(multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
				RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}, 0, nil))
			r.mk.Marketplace = cl
			return r.mk, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	r.ingest()
	return r
}

// ingest reads the simulator's orders into the store, as a poll does.
func (r *stepRig) ingest() {
	r.t.Helper()
	c, err := r.st.Connection(r.ctx, "tienda")
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.e.Ingest(r.ctx, c); err != nil {
		r.t.Fatal(err)
	}
}

// cancel cancels the orders in Multivende and ingests the change.
func (r *stepRig) cancel(ids ...string) {
	r.t.Helper()
	for _, id := range ids {
		if err := r.sims.MV.Cancel(id, false); err != nil {
			r.t.Fatal(err)
		}
	}
	r.ingest()
}

// paid returns n orders due to be issued.
func (r *stepRig) paid(n int) []string {
	r.t.Helper()
	due, err := r.st.DueOrders(r.ctx, time.Now(), n)
	if err != nil || len(due) < n {
		r.t.Fatalf("due orders: %d, %v", len(due), err)
	}
	ids := make([]string, n)
	for i, o := range due[:n] {
		ids[i] = o.ID
	}
	return ids
}

// run is one worker's run of the pipeline on the order, as the dispatcher
// hands it over (the due list carries no checkout body).
func (r *stepRig) run(id string) store.Order {
	r.t.Helper()
	o, err := r.st.GetOrder(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	o.Raw, o.Light = "", ""
	r.e.process(r.ctx, o)
	if o, err = r.st.GetOrder(r.ctx, id); err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *stepRig) emission(id string) store.Emission {
	r.t.Helper()
	em, err := r.st.GetEmission(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return em
}

// failN makes a hook fail its next n calls with a retryable error.
func failN(n int) func() error {
	left := n
	return func() error {
		if left > 0 {
			left--
			return errors.New("connection reset by peer")
		}
		return nil
	}
}

// The rule: an order's attempts count its failed runs since a person last
// put it back in the queue, and every path the engine takes to done keeps
// them (it used to depend on the path: one reset them to 0, another
// carried them).
func TestAttemptsCarriedToDone(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 12)
	ids := r.paid(5)
	failTwice := func(id string) {
		r.mk.beforeCheckout = failN(2)
		for i := 1; i <= 2; i++ {
			if o := r.run(id); o.State != store.StateRetrying || o.Attempts != i {
				t.Fatalf("%s after failure %d: %s with %d attempts (%s)", id, i, o.State, o.Attempts, o.Reason)
			}
		}
		r.mk.beforeCheckout = nil
	}
	check := func(path string, o store.Order, outcome string, attempts int) {
		t.Helper()
		if o.State != store.StateDone || o.Outcome != outcome || o.Attempts != attempts {
			t.Errorf("%s: %s/%s with %d attempts, want done/%s with %d (%s)", path, o.State, o.Outcome, o.Attempts, outcome, attempts, o.Reason)
		}
	}

	// Two failures before the folio, then issued and attached in one run.
	failTwice(ids[0])
	check("issued after failures before the folio", r.run(ids[0]), store.OutcomeIssued, 2)

	// One failure before the folio, one after it (attaching), then done.
	r.mk.beforeCheckout = failN(1)
	r.run(ids[1])
	r.mk.beforeCheckout, r.mk.beforeCreate = nil, failN(1)
	if o := r.run(ids[1]); o.State != store.StateRetrying || o.Folio == 0 || o.Attempts != 2 {
		t.Fatalf("attach failure: %s folio %d with %d attempts", o.State, o.Folio, o.Attempts)
	}
	r.mk.beforeCreate = nil
	check("attached after a failure past the folio", r.run(ids[1]), store.OutcomeIssued, 2)

	// The order already carries a document in Multivende.
	failTwice(ids[2])
	if err := r.sims.MV.AttachElsewhere(ids[2], "991", "BOLETA"); err != nil {
		t.Fatal(err)
	}
	check("existing document", r.run(ids[2]), store.OutcomeExisting, 2)

	// Finished from an upload already recorded (the run that recorded it
	// stopped before its move).
	failTwice(ids[3])
	if err := r.st.Write(r.ctx, func(tx *store.Tx) error {
		if err := tx.SaveEmission(r.ctx, store.Emission{OrderID: ids[3], ExtRef: "folio:" + ids[3], DocType: 39, Document: "{}",
			Folio: 4242, MVDocumentID: "mv-1", UploadedAt: time.Now()}); err != nil {
			return err
		}
		return tx.AddDocument(r.ctx, store.Document{OrderID: ids[3], Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: 4242, Total: 1})
	}); err != nil {
		t.Fatal(err)
	}
	check("upload already recorded", r.run(ids[3]), store.OutcomeIssued, 2)

	// A person skips it.
	failTwice(ids[4])
	if _, err := RequestSkip(r.ctx, r.st, ids[4], "prueba", "test"); err != nil {
		t.Fatal(err)
	}
	r.e.ApplyControls(r.ctx)
	o, _ := r.st.GetOrder(r.ctx, ids[4])
	check("skipped", o, store.OutcomeSkipped, 2)
}

// A person's retry starts the count over.
func TestRetryControlResetsAttempts(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	id := r.paid(1)[0]
	r.mk.beforeCheckout = failN(1)
	if o := r.run(id); o.Attempts != 1 {
		t.Fatalf("after a failure: %d attempts", o.Attempts)
	}
	if _, err := RequestRetry(r.ctx, r.st, id, "test"); err != nil {
		t.Fatal(err)
	}
	r.e.ApplyControls(r.ctx)
	if o, _ := r.st.GetOrder(r.ctx, id); o.State != store.StateQueued || o.Attempts != 0 {
		t.Fatalf("after the retry control: %s with %d attempts", o.State, o.Attempts)
	}
}

// The SII check may record its verdict while a worker attaches the same
// order's document; the worker's later writes must keep it (they used to
// write back the whole emission the worker had read, so the verdict went
// back to "not asked" and the SII was asked again).
func TestAttachKeepsSIIVerdictWrittenMeanwhile(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	ids := r.paid(2)
	for i, hook := range []*func() error{&r.mk.beforeCreate, &r.mk.beforeUpload} {
		id := ids[i]
		*hook = func() error { // the SII loop, between the worker's commits
			return r.st.Write(r.ctx, func(tx *store.Tx) error {
				return tx.SetSII(r.ctx, id, string(invoicer.SIIAccepted), "EPR", time.Now())
			})
		}
		o := r.run(id)
		*hook = nil
		if o.State != store.StateDone {
			t.Fatalf("%s: %s (%s)", id, o.State, o.Reason)
		}
		if em := r.emission(id); em.SIIStatus != string(invoicer.SIIAccepted) || em.SIICheckedAt.IsZero() || em.MVDocumentID == "" || em.UploadedAt.IsZero() {
			t.Errorf("run %d: the worker's writes lost the SII verdict or the attachment: %+v", i, em)
		}
	}
}

// An issued order costs four commits: the intent before the
// folio-consuming call (with the checkout read and the document built),
// the issued folio, the document created on the order, the upload seen.
// The last two are recorded, not awaited on disk: Multivende shows them
// to a resume (TestResumeAfterUploadDoesNotUploadAgain).
func TestIssuedOrderCommits(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	for _, id := range r.paid(3) {
		before, awaited := r.writes.Load(), r.st.DurableWrites()
		o := r.run(id)
		if o.State != store.StateDone || o.Outcome != store.OutcomeIssued {
			t.Fatalf("%s: %s/%s (%s)", id, o.State, o.Outcome, o.Reason)
		}
		if n := r.writes.Load() - before; n > 4 {
			t.Errorf("%s: %d commits for one issued order, want at most 4", id, n)
		}
		if n := r.st.DurableWrites() - awaited; n != 2 {
			t.Errorf("%s: %d commits awaited on disk, want 2 (the intent, the folio)", id, n)
		}
	}
}

// A run that ended after the upload, before recording it (the reply
// lost; or the record lost with the power, as it is not awaited on
// disk), is resumed from what Multivende shows: the PDF is already on the
// document, so it is not uploaded a second time.
func TestResumeAfterUploadDoesNotUploadAgain(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	uploads := 0
	r.mk.beforeUpload = func() error { uploads++; return nil }
	r.mk.afterUpload = failN(1)
	id := r.paid(1)[0]
	if o := r.run(id); o.State != store.StateRetrying || uploads != 1 {
		t.Fatalf("first run: %s after %d uploads (%s), want retrying after 1", o.State, uploads, o.Reason)
	}
	if em := r.emission(id); em.MVDocumentID == "" || !em.UploadedAt.IsZero() {
		t.Fatalf("after the lost reply: %+v, want the document recorded and the upload not", em)
	}
	o := r.run(id)
	if o.State != store.StateDone || uploads != 1 {
		t.Fatalf("resumed: %s after %d uploads (%s), want done after 1", o.State, uploads, o.Reason)
	}
	if em := r.emission(id); em.UploadedAt.IsZero() {
		t.Fatalf("resumed: the upload was not recorded: %+v", em)
	}
}

// The attachment's record does not hold the PDF back: the upload is made
// while the record is still waiting to commit.
func TestUploadDoesNotWaitForTheAttachmentsRecord(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	id := r.paid(1)[0]
	uploaded := make(chan struct{})
	r.mk.afterUpload = func() error { close(uploaded); return nil }
	hold := func() error {
		r.fault.Store(nil) // the attachment's record, the first write after the create
		select {
		case <-uploaded:
			return nil
		case <-time.After(30 * time.Second): // a guard: a sequential attach waits here for ever
			return errors.New("the upload waited for the attachment's record")
		}
	}
	r.mk.beforeCreate = func() error { r.fault.Store(&hold); return nil }
	if o := r.run(id); o.State != store.StateDone {
		t.Fatalf("%s (%s), want done", o.State, o.Reason)
	}
}

// A record of the attachment that fails while the PDF goes up leaves the
// order to retry; the next run adopts the document and its file from
// Multivende: one document, one upload.
func TestFailedAttachmentRecordDoesNotUploadAgain(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	id := r.paid(1)[0]
	uploads := 0
	r.mk.beforeUpload = func() error { uploads++; return nil }
	refuse := func() error {
		r.fault.Store(nil)
		return errors.New("disk I/O error")
	}
	r.mk.beforeCreate = func() error { r.fault.Store(&refuse); return nil }
	if o := r.run(id); o.State != store.StateRetrying || uploads != 1 {
		t.Fatalf("first run: %s after %d uploads (%s), want retrying after 1", o.State, uploads, o.Reason)
	}
	if em := r.emission(id); em.MVDocumentID != "" {
		t.Fatalf("the failed record was kept: %+v", em)
	}
	r.mk.beforeCreate = func() error { return errors.New("a second document was created") }
	o := r.run(id)
	if o.State != store.StateDone || uploads != 1 {
		t.Fatalf("resumed: %s after %d uploads (%s), want done after 1", o.State, uploads, o.Reason)
	}
	if em := r.emission(id); em.MVDocumentID == "" || em.UploadedAt.IsZero() {
		t.Fatalf("resumed: the document or its upload was not recorded: %+v", em)
	}
}

// A round of SII checks records every verdict it asked in one commit.
func TestSIIRoundIsOneCommit(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 8)
	ids := r.paid(3)
	for _, id := range ids {
		if o := r.run(id); o.State != store.StateDone {
			t.Fatalf("%s: %s (%s)", id, o.State, o.Reason)
		}
	}
	r.e.cfg.SIIInterval = time.Nanosecond // every document is due
	before := r.writes.Load()
	r.e.siiRound(r.ctx)
	if n := r.writes.Load() - before; n != 1 {
		t.Errorf("a round over %d documents made %d commits, want 1", len(ids), n)
	}
	for _, id := range ids {
		if em := r.emission(id); em.SIICheckedAt.IsZero() || em.SIIStatus == "" {
			t.Errorf("%s: no verdict recorded: %q at %v", id, em.SIIStatus, em.SIICheckedAt)
		}
	}
}
