package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// Defaults of Options.
const (
	DefaultRate      = 5.0 // writes per second to the invoicer
	DefaultRetries   = 3
	DefaultRetryBase = 500 * time.Millisecond
	maxRetryWait     = 30 * time.Second
	saveEvery        = 100 // items between progress saves
	saveInterval     = time.Second
)

// ProgressKey is the store setting holding a connection's sync progress.
func ProgressKey(connection string) string { return "catalog.sync.progress." + connection }

// Progress is the record Apply keeps in the store's settings while it
// runs, so an interrupted run is known and reported when the next one
// starts. Resuming itself needs no record: the next run compares again, and
// what the interrupted one wrote is unchanged by then; writes are upserts by
// code, so redoing the last unsaved stretch never duplicates an item.
type Progress struct {
	// Plan fingerprints the changes the run set out to make.
	Plan      string            `json:"plan"`
	Total     int               `json:"total"`
	Done      int               `json:"done"`
	Failed    map[string]string `json:"failed,omitempty"` // code → reason
	LastCode  string            `json:"last_code,omitempty"`
	StartedAt time.Time         `json:"started_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Finished  bool              `json:"finished"`
}

// Options configure Apply.
type Options struct {
	// Store keeps the progress record under Key; nil keeps none.
	Store *store.Store
	Key   string
	// Rate is writes per second to the invoicer (0: DefaultRate;
	// negative: unpaced).
	Rate float64
	// Retries per item on a retryable failure (0: DefaultRetries;
	// negative: none). A 429's Retry-After is honoured.
	Retries   int
	RetryBase time.Duration
	// OnItem is called after each item, from Apply's goroutine.
	OnItem func(done, total int, o Outcome)
	Now    func() time.Time
}

// Outcome is what became of one change.
type Outcome struct {
	Code   string   `json:"code"`
	Action Action   `json:"action"`
	Fields []string `json:"fields,omitempty"`
	// Status is "done", "failed" or "skipped".
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Report is a run's result.
type Report struct {
	Applied  int       `json:"applied"`
	Failed   int       `json:"failed"`
	Skipped  int       `json:"skipped"`
	Outcomes []Outcome `json:"outcomes"`
	// Interrupted is the earlier run's record when it had not finished.
	Interrupted *Progress `json:"interrupted,omitempty"`
}

// Apply writes plan's changes to cat, one item at a time, paced, in code
// order. A failing item is reported with its reason and the run goes on;
// when ctx ends, Apply saves its progress and returns ctx's error with the
// report so far. An invoicer whose API cannot write items stops the run at
// once (invoicer.ErrNotOffered).
func Apply(ctx context.Context, cat invoicer.Catalog, plan Plan, o Options) (Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	var rep Report
	total := len(plan.Changes)
	if plan.Counts.Writes() > 0 && !cat.CatalogCaps().WriteItems {
		return rep, fmt.Errorf("catalog: %w", invoicer.ErrNotOffered)
	}
	if o.Store != nil && o.Key != "" {
		prev, err := LoadProgress(ctx, o.Store, o.Key)
		if err != nil {
			return rep, err
		}
		if prev != nil && !prev.Finished {
			rep.Interrupted = prev
		}
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if o.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	now := o.Now()
	pr := Progress{Plan: fingerprint(plan), Total: total, StartedAt: now, UpdatedAt: now}
	lastSave, sinceSave := now, 0
	save := func() error {
		if o.Store == nil || o.Key == "" {
			return nil
		}
		pr.UpdatedAt = o.Now()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := SaveProgress(sctx, o.Store, o.Key, pr); err != nil {
			return err
		}
		lastSave, sinceSave = pr.UpdatedAt, 0
		return nil
	}
	if err := save(); err != nil {
		return rep, err
	}
	rep.Outcomes = make([]Outcome, 0, total)
	for i, c := range plan.Changes {
		out := Outcome{Code: c.Code, Action: c.Action, Fields: c.Fields}
		if c.Action == Skip {
			out.Status, out.Reason = "skipped", c.Reason
			rep.Skipped++
		} else {
			err := write(ctx, cat, lim, c, o)
			switch {
			case err == nil:
				out.Status = "done"
				rep.Applied++
			case ctx.Err() != nil:
				if serr := save(); serr != nil {
					return rep, errors.Join(ctx.Err(), serr)
				}
				return rep, fmt.Errorf("catalog: stopped after %d of %d items: %w", i, total, ctx.Err())
			case errors.Is(err, invoicer.ErrNotOffered):
				_ = save()
				return rep, fmt.Errorf("catalog: item %s: %w", c.Code, err)
			default:
				out.Status, out.Reason = "failed", err.Error()
				rep.Failed++
				if pr.Failed == nil {
					pr.Failed = map[string]string{}
				}
				pr.Failed[c.Code] = out.Reason
			}
		}
		rep.Outcomes = append(rep.Outcomes, out)
		pr.Done, pr.LastCode = i+1, c.Code
		sinceSave++
		if sinceSave >= saveEvery || o.Now().Sub(lastSave) >= saveInterval {
			if err := save(); err != nil {
				return rep, err
			}
		}
		if o.OnItem != nil {
			o.OnItem(i+1, total, out)
		}
	}
	pr.Finished = true
	return rep, save()
}

// write makes one change, retrying what may succeed later.
func write(ctx context.Context, cat invoicer.Catalog, lim *rate.Limiter, c Change, o Options) error {
	for attempt := 0; ; attempt++ {
		if err := lim.Wait(ctx); err != nil {
			return err
		}
		var err error
		if c.Action == Deactivate {
			err = cat.DeactivateItem(ctx, c.Code)
		} else {
			err = cat.UpsertItem(ctx, c.Item)
		}
		if err == nil || ctx.Err() != nil || attempt >= o.Retries || o.Retries < 0 {
			if err != nil && ctx.Err() == nil && attempt > 0 {
				return fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return err
		}
		ie, ok := invoicer.AsError(err)
		if !ok || !(ie.Retryable() || ie.Status == 429) {
			return err
		}
		wait := ie.RetryAfter
		if wait <= 0 {
			wait = time.Duration(float64(o.RetryBase) * math.Pow(2, float64(attempt)))
		}
		t := time.NewTimer(min(wait, maxRetryWait))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// LoadProgress reads the progress record under key (nil when there is none).
func LoadProgress(ctx context.Context, st *store.Store, key string) (*Progress, error) {
	v, err := st.Setting(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("catalog: read progress %s: %w", key, err)
	}
	if v == "" {
		return nil, nil
	}
	var p Progress
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return nil, fmt.Errorf("catalog: progress %s is not readable: %w", key, err)
	}
	return &p, nil
}

// SaveProgress writes the progress record under key.
func SaveProgress(ctx context.Context, st *store.Store, key string, p Progress) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("catalog: progress: %w", err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, key, string(b)) }); err != nil {
		return fmt.Errorf("catalog: save progress %s: %w", key, err)
	}
	return nil
}

// fingerprint names a plan by its changes.
func fingerprint(p Plan) string {
	h := sha256.New()
	for _, c := range p.Changes {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%t\x00%d\n", c.Action, c.Code, c.Item.Name, c.Item.Price, c.Item.Active, c.Item.Stock)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
