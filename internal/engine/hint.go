package engine

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// HintResult says what became of a hint.
type HintResult int

// Hint results.
const (
	HintQueued    HintResult = iota // a read of the checkout is queued
	HintDuplicate                   // a read of it is queued already, or one more is due after the one in flight
	HintShed                        // the queue is full: dropped (polling will see the order)
	HintRefused                     // no id, or the engine is gone
)

// hintQueueSize bounds the hints waiting for a read: a flood of distinct
// ids beyond it is shed, and polling catches what was shed.
const hintQueueSize = 1024

type hintKey struct {
	conn int64
	id   string
}

// hints is the queue of checkouts to re-read. A checkout is in it at most
// once; a hint that comes while its read is in flight asks for one more
// read after it (the read under way may have left before the change the
// hint announces), never more than one.
type hints struct {
	mu       sync.Mutex
	queued   map[hintKey]bool
	inFlight map[hintKey]bool
	again    map[hintKey]bool
	q        chan hintKey
}

func newHints() *hints {
	return &hints{queued: map[hintKey]bool{}, inFlight: map[hintKey]bool{}, again: map[hintKey]bool{}, q: make(chan hintKey, hintQueueSize)}
}

func (h *hints) add(k hintKey) HintResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.queued[k]:
		return HintDuplicate
	case h.inFlight[k]:
		h.again[k] = true
		return HintDuplicate
	}
	select {
	case h.q <- k:
		h.queued[k] = true
		return HintQueued
	default:
		return HintShed
	}
}

// take marks k as being read.
func (h *hints) take(k hintKey) {
	h.mu.Lock()
	delete(h.queued, k)
	h.inFlight[k] = true
	h.mu.Unlock()
}

// done ends k's read and says whether another read was asked for meanwhile.
func (h *hints) done(k hintKey) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.inFlight, k)
	again := h.again[k]
	delete(h.again, k)
	return again
}

// Hint asks the engine to re-read one checkout of a Multivende connection
// soon (a webhook said it is new or changed). Nothing else from the
// notification is trusted: the checkout is read from Multivende through
// the connection's own client (its rate limiter paces the read) and goes
// through the same upsert and planning as a poll. It never blocks.
func (e *Engine) Hint(connectionID int64, checkoutID string) HintResult {
	if checkoutID == "" || len(checkoutID) > 128 {
		return HintRefused
	}
	r := e.hints.add(hintKey{connectionID, checkoutID})
	e.hintStat(r)
	return r
}

// HintStats are counts of hints since the engine started.
type HintStats struct {
	Queued, Duplicate, Shed, Read, Failed int64
	// LastRead is when a hinted checkout was last read well.
	LastRead time.Time
}

func (e *Engine) hintStat(r HintResult) {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	switch r {
	case HintQueued:
		e.hintStats.Queued++
	case HintDuplicate:
		e.hintStats.Duplicate++
	case HintShed:
		e.hintStats.Shed++
	}
}

// HintStats returns the hint counts.
func (e *Engine) HintStats() HintStats {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	return e.hintStats
}

// hintLoop reads hinted checkouts until ctx (the engine's fenced loop
// context) ends.
func (e *Engine) hintLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case k := <-e.hints.q:
			for {
				e.hints.take(k)
				err := e.readHinted(ctx, k)
				e.statMu.Lock()
				if err != nil {
					e.hintStats.Failed++
				} else {
					e.hintStats.Read++
					e.hintStats.LastRead = e.cfg.Now()
				}
				e.statMu.Unlock()
				if err != nil && ctx.Err() == nil {
					e.log.Warn("reading a hinted checkout", "checkout", k.id, "err", err)
				}
				if !e.hints.done(k) || ctx.Err() != nil {
					break
				}
			}
		}
	}
}

// readHinted reads one checkout and ingests it as a poll would, with its
// detail saved so that building the document need not read it again.
func (e *Engine) readHinted(ctx context.Context, k hintKey) error {
	if p, _ := e.st.Setting(ctx, settingPaused); p == "1" {
		return nil // paused: the poll after the resume sees it
	}
	ctx, done, ok := e.onConnection(ctx, k.conn)
	if !ok {
		return nil // another engine's connection: its poll sees the change
	}
	defer done()
	c, err := e.st.ConnectionByID(ctx, k.conn)
	if err != nil {
		return err
	}
	if c.Kind != store.KindMultivende || c.Paused || c.Status == store.ConnNeedsReconnect {
		return nil
	}
	m, err := e.market(c)
	if err != nil {
		return err
	}
	co, raw, err := m.Checkout(WithOrder(ctx, k.id), k.id)
	if err != nil {
		var mv *multivende.Error
		if errors.As(err, &mv) && mv.Code == multivende.CodeNotFound {
			return nil // not this merchant's, or gone: nothing to do
		}
		return err
	}
	if co.ID != k.id {
		return errors.New("engine: the checkout read is not the one hinted")
	}
	lc := multivende.LightCheckout{ID: co.ID, Code: co.Code, Origin: co.Origin.String(), PaymentStatus: co.PaymentStatus,
		Status: co.Status, SoldAt: co.SoldAt, UpdatedAt: co.UpdatedAt, Total: co.Total}
	mapping := multivende.FacturaMapping{Field: c.Settings.FacturaField, Value: c.Settings.FacturaValue}
	// The detail just read is kept for the build step (one request fewer
	// under the rate limit), in the same commit, unless a newer one is there.
	saveDetail := func(tx *store.Tx) error {
		o, err := tx.GetOrder(ctx, co.ID)
		if err != nil || o.State != store.StateQueued || o.RemoteUpdatedAt.After(co.UpdatedAt) || o.DetailAt.After(o.RemoteUpdatedAt) {
			return nil
		}
		e.fresh.Store(co.ID, struct{}{}) // before the commit: the dispatcher may take the order at once
		return tx.SetDetail(ctx, co.ID, string(raw), co.Client.DisplayName(), buyerRUT(co), co.DocumentKind(mapping), co.UpdatedAt, co.PaymentStatus, co.Status)
	}
	if _, err = e.ingestWith(ctx, c, []multivende.LightCheckout{lc}, saveDetail); err != nil {
		e.fresh.Delete(co.ID)
	}
	return err
}

// freshDetail says the order's stored detail was just read for a hint
// (once): its build step may use it instead of reading it again.
func (e *Engine) freshDetail(id string) bool {
	_, ok := e.fresh.LoadAndDelete(id)
	return ok
}

// hintReaders is how many hinted checkouts are read at once; the
// connection's rate limiter paces them with everything else.
const hintReaders = 2

// WebhookHealth is what the webhook listener reports, for the console and
// for the poll interval.
type WebhookHealth struct {
	Listening    bool      `json:"listening"`
	Addr         string    `json:"addr,omitempty"`
	LastReceived time.Time `json:"last_received,omitzero"` // last notification accepted
	LastHour     int       `json:"last_hour"`              // notifications accepted in the last hour
	Rejected     int64     `json:"rejected"`               // refused: bad secret, malformed, unknown client id, too large
	Shed         int64     `json:"shed"`                   // accepted but dropped: the queue was full
	// PollEvery is the poll interval in force (written by the engine).
	PollEvery time.Duration `json:"poll_every"`
	PollBase  time.Duration `json:"poll_base"` // the interval when webhooks are not healthy
	// At is when this was written (the console shows an old one as stale).
	At time.Time `json:"at,omitzero"`
}

// DefaultHealthyPollInterval is the poll interval while webhooks are
// healthy, when none was chosen: Multivende recommends polling every 1–2 h
// as the complement of webhooks.
const DefaultHealthyPollInterval = time.Hour

// webhookFresh is how recent the last notification must be for webhooks
// to count as healthy.
const webhookFresh = time.Hour

// Healthy says webhooks can be relied on to bring changes quickly: the
// listener is up and a notification was accepted within the last hour.
func (h WebhookHealth) Healthy(now time.Time) bool {
	return h.Listening && !h.LastReceived.IsZero() && now.Sub(h.LastReceived) < webhookFresh
}

// SettingWebhookHealth is the store setting the engine keeps the webhook
// health in (JSON), for a console in another process.
const SettingWebhookHealth = "webhook.health"

// WebhookHealth returns the listener's health as the engine sees it, with
// the poll interval in force.
func (e *Engine) WebhookHealth() WebhookHealth {
	var h WebhookHealth
	if e.cfg.Webhook != nil {
		h = e.cfg.Webhook()
	}
	h.PollEvery, h.PollBase = e.PollEvery(), e.cfg.PollInterval
	return h
}

// PollEvery is the poll interval in force: HealthyPollInterval while
// webhooks are healthy, PollInterval otherwise.
func (e *Engine) PollEvery() time.Duration {
	if e.cfg.HealthyPollInterval > e.cfg.PollInterval && e.cfg.Webhook != nil && e.cfg.Webhook().Healthy(e.cfg.Now()) {
		return e.cfg.HealthyPollInterval
	}
	return e.cfg.PollInterval
}

// webhooksCover says a poll can wait: webhooks are healthy and the last
// poll is more recent than the longer interval. Polling resumes at
// PollInterval as soon as webhooks are not healthy.
//
// On a shared store never: a webhook may reach an engine that does not
// hold its connection, which leaves it to the holder's poll.
func (e *Engine) webhooksCover() bool {
	every := e.PollEvery()
	if every <= e.cfg.PollInterval || e.leases.shared {
		return false
	}
	e.statMu.Lock()
	last := e.lastPoll
	e.statMu.Unlock()
	return !last.IsZero() && e.cfg.Now().Sub(last) < every
}

// webhookHealthLoop keeps SettingWebhookHealth current while the engine
// runs (a write only when something changed, at most every 2 s).
func (e *Engine) webhookHealthLoop(ctx context.Context) {
	if e.cfg.Webhook == nil {
		// A listener of an earlier run must not show as this one's; on a
		// shared store it may be another live engine's.
		if _, ok := ReadWebhookHealth(ctx, e.st); ok && !e.otherEngineLive(ctx) {
			b, _ := json.Marshal(WebhookHealth{PollEvery: e.cfg.PollInterval, PollBase: e.cfg.PollInterval, At: e.cfg.Now().UTC()})
			_ = e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, SettingWebhookHealth, string(b)) })
		}
		return
	}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	var last WebhookHealth
	for first := true; ; first = false {
		h := e.WebhookHealth()
		if first || h != last {
			written := h
			written.At = e.cfg.Now().UTC()
			b, _ := json.Marshal(written)
			if err := e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, SettingWebhookHealth, string(b)) }); err != nil {
				if ctx.Err() == nil {
					e.log.Warn("saving the webhook health", "err", err)
				}
			} else if h.Healthy(e.cfg.Now()) != last.Healthy(e.cfg.Now()) || first {
				e.notify(Change{Kind: ChangeConnections})
			}
			last = h
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ReadWebhookHealth reads what the running engine last wrote (ok false:
// nothing, no engine with a listener has run on this store).
func ReadWebhookHealth(ctx context.Context, st *store.Store) (WebhookHealth, bool) {
	var h WebhookHealth
	v, err := st.Setting(ctx, SettingWebhookHealth)
	if err != nil || v == "" || json.Unmarshal([]byte(v), &h) != nil {
		return h, false
	}
	return h, true
}
