package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// demoSummary is what `folio demo --headless` prints: one JSON object.
type demoSummary struct {
	Settled        bool           `json:"settled"`
	Orders         int            `json:"orders"`
	ByState        map[string]int `json:"by_state"`
	ByOutcome      map[string]int `json:"by_outcome"`
	FoliosConsumed int            `json:"folios_consumed"`
	Attached       int            `json:"attached"`
	Seconds        float64        `json:"seconds"`
	Faults         string         `json:"faults"`
	Store          string         `json:"store"`
}

func newDemoCmd() *cobra.Command {
	var headless bool
	var orders int
	var faultSpec, lang string
	var seed uint64
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "demo [--headless] [--orders N] [--faults none|mix|SPEC] [--seed S] [--lang es|en]",
		Short: "The whole product on the embedded simulator: fake Multivende and LibreDTE, a scratch store, the engine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sp, err := faults.Parse(faultSpec)
			if err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			if orders < 0 {
				return fmt.Errorf("--orders must not be negative")
			}
			_ = dteLang(lang)
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			dir, err := os.MkdirTemp("", "folio-demo-")
			if err != nil {
				return err
			}
			path := filepath.Join(dir, "folio.db")
			sims, err := sim.Start(ctx, sim.Options{Orders: orders, Faults: sp, Seed: seed, SIIDelay: 2 * time.Second})
			if err != nil {
				return err
			}
			st, err := store.Open(ctx, path, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := connectSim(ctx, st, sims.Info.Multivende); err != nil {
				return err
			}
			level := slog.LevelError
			logw := io.Discard
			if !headless {
				logw = cmd.ErrOrStderr()
			}
			log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: level}))
			eng, err := newEngine(ctx, st, engineOptions{PollInterval: 2 * time.Second, Workers: 4, RateLimit: 5,
				Retry:  engine.RetryPolicy{MaxAttempts: 8, Base: time.Second, Max: 10 * time.Second},
				Emisor: sims.LD.Emisor(), SIIInterval: 2 * time.Second, Log: log})
			if err != nil {
				return err
			}
			done := make(chan error, 1)
			go func() { done <- eng.Run(ctx) }()
			start := time.Now()
			settled := false
			deadline := time.After(timeout)
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
		wait:
			for {
				select {
				case <-ctx.Done():
					break wait
				case <-deadline:
					break wait
				case err := <-done:
					if err != nil {
						return err
					}
					break wait
				case <-tick.C:
				}
				counts, _ := st.CountByState(ctx)
				if !headless {
					fmt.Fprintf(cmd.ErrOrStderr(), "\r%s  waiting %d  queued %d  in progress %d  retrying %d  done %d  attention %d   ",
						time.Since(start).Round(time.Second), counts[store.StateWaiting], counts[store.StateQueued],
						counts[store.StateBuilding]+counts[store.StateIssuing]+counts[store.StateIssued]+counts[store.StateAttaching],
						counts[store.StateRetrying], counts[store.StateDone], counts[store.StateAttention])
				}
				if settled = isSettled(ctx, st, counts, len(sims.MV.State().Checkouts)); settled {
					break wait
				}
			}
			cancel()
			<-done
			if !headless {
				fmt.Fprintln(cmd.ErrOrStderr())
			}
			sum := demoSummary{Settled: settled, ByState: map[string]int{}, ByOutcome: map[string]int{}, Seconds: time.Since(start).Seconds(),
				Faults: sp.String(), Store: path}
			counts, _ := st.CountByState(context.WithoutCancel(ctx))
			for _, s := range store.States() {
				sum.ByState[string(s)] = counts[s]
				sum.Orders += counts[s]
			}
			for before := int64(0); ; {
				rows, _ := st.ListOrders(context.WithoutCancel(ctx), store.OrderQuery{States: []store.State{store.StateDone}, Before: before, Limit: 500})
				if len(rows) == 0 {
					break
				}
				for _, o := range rows {
					sum.ByOutcome[o.Outcome]++
				}
				before = rows[len(rows)-1].Seq
			}
			sum.FoliosConsumed = len(sims.LD.State().Emitted)
			for _, c := range sims.MV.State().Checkouts {
				for _, d := range c.Documents {
					if d.Uploaded {
						sum.Attached++
					}
				}
			}
			return writeJSON(cmd.OutOrStdout(), sum)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&headless, "headless", false, "run without the console until the orders settle, then print a JSON summary")
	f.IntVar(&orders, "orders", 40, "orders in the simulated shop")
	f.StringVar(&faultSpec, "faults", "mix", "none, mix, or a fault list (see folio sim --help)")
	f.Uint64Var(&seed, "seed", 1, "seed for the orders and faults")
	f.StringVar(&lang, "lang", "", "language: es or en (default from LANG)")
	f.DurationVar(&timeout, "timeout", 10*time.Minute, "give up waiting for the orders to settle after this long")
	return cmd
}

// isSettled: every simulated order was seen, none is mid-pipeline or due
// for a retry, and every issued document has the SII's final word.
func isSettled(ctx context.Context, st *store.Store, counts map[store.State]int, simOrders int) bool {
	total := 0
	for _, n := range counts {
		total += n
	}
	if total < simOrders {
		return false
	}
	for _, s := range []store.State{store.StateQueued, store.StateBuilding, store.StateIssuing, store.StateIssued, store.StateAttaching, store.StateRetrying} {
		if counts[s] > 0 {
			return false
		}
	}
	pending, err := st.PendingSII(ctx, time.Now().Add(time.Hour), 1)
	return err == nil && len(pending) == 0
}
