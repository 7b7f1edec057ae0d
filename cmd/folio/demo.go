package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
	"github.com/folio-cl/folio/internal/webhook"
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
	// Webhooks is how many notifications the listener accepted.
	Webhooks int `json:"webhooks"`
}

func (cl *cli) newDemoCmd() *cobra.Command {
	var headless, serveToo bool
	var orders int
	var faultSpec, lang, theme, invKind string
	var seed uint64
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:  "demo [--headless] [--serve] [--orders N] [--faults none|mix|SPEC] [--seed S] [--lang es|en] [--invoicer libredte|openfactura]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sp, err := faults.Parse(faultSpec)
			if err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			if orders < 0 {
				return errors.New(cl.lang(cmd).T("cli.orders_negative", orders))
			}
			if invKind != store.KindLibreDTE && invKind != store.KindOpenFactura {
				return errors.New(cl.lang(cmd).T("cli.bad_invoicer", "--invoicer", invKind))
			}
			var cfg config.Loaded
			if !headless {
				if cfg, err = cl.env.Config(); err != nil {
					return err
				}
				if lang != "" {
					if _, err := i18n.ParseLang(lang); err != nil {
						return fmt.Errorf("--lang: %w", err)
					}
				}
				if _, err := tui.LoadTheme(cmp.Or(theme, cfg.Theme)); err != nil {
					return themeRefused(cl.lang(cmd), cmp.Or(theme, cfg.Theme))
				}
			}
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			dir, err := os.MkdirTemp("", "folio-demo-")
			if err != nil {
				return err
			}
			if !headless {
				// The headless summary names the store for a look
				// afterwards; the console's scratch store goes with it.
				defer os.RemoveAll(dir)
			}
			path := filepath.Join(dir, "folio.db")
			sims, err := sim.Start(ctx, sim.Options{Orders: orders, Faults: sp, Seed: seed, SIIDelay: 2 * time.Second})
			if err != nil {
				return err
			}
			st, err := cl.env.OpenStore(ctx, path, app.Create)
			if err != nil {
				return err
			}
			defer st.Close()
			if _, err := cl.env.ConnectSim(ctx, st, sims.Info.Multivende, invKind); err != nil {
				return err
			}
			// The console owns the screen: the engine logs to a file beside
			// the demo's store.
			logw := io.Discard
			if !headless {
				f, err := os.OpenFile(filepath.Join(dir, "folio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
				if err != nil {
					return err
				}
				defer f.Close()
				logw = f
			}
			log := slog.New(slog.NewJSONHandler(jsonLines{logw}, nil))
			// The console shows the periodic catalog sync; a headless run
			// keeps Multivende's rate for the orders it measures.
			catalogEvery := 30 * time.Second
			if headless {
				catalogEvery = 0
			}
			// Webhooks on, as a shop would run: the simulator notifies the
			// listener of each new or changed order; polling stays on.
			var eng *engine.Engine
			var engRef atomic.Pointer[engine.Engine] // the webhook handler hints the engine once built
			ws, bound, err := app.StartWebhooks(ctx, st, "127.0.0.1:0", &engRef)
			if err != nil {
				return err
			}
			secret, err := app.WebhookSecret(ctx, st)
			if err != nil {
				return err
			}
			sims.MV.SetWebhook(webhook.URL(app.LocalBase(bound), secret))
			// The demo runs at the simulator's pace (2 s polls and SII checks), not
			// the config's: it has none, and a person watches it.
			spec := app.DemoEngine(i18n.Detect(lang, "", os.Getenv), log, sims.LD.Emisor())
			spec.Webhook, spec.CatalogInterval = ws.Health, catalogEvery
			eng, err = cl.env.NewEngine(ctx, st, spec)
			if err != nil {
				return err
			}
			engRef.Store(eng)
			done := make(chan error, 1)
			go func() { done <- eng.Run(ctx) }()
			if !headless {
				// The console's connect (c on Connections) goes to the
				// simulator's consent page.
				cfg.Multivende = config.Multivende{BaseURL: sims.Info.Multivende, ClientID: sims.Info.ClientID, ClientSecret: sims.Info.ClientSecret}
				opt, err := consoleOptions(cfg, consoleFlags{lang: lang, theme: theme}, st, eng)
				if err != nil {
					return err
				}
				if serveToo {
					// The same demo over SSH on a loopback port, for a second
					// terminal; it ends with the demo.
					stopSSH, err := serveDemo(ctx, cmd.InOrStdin(), cmd.OutOrStdout(), dir, cfg, opt, log)
					if err != nil {
						return err
					}
					defer stopSSH()
				}
				err = runConsole(ctx, opt)
				cancel()
				<-done
				return err
			}
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
				if settled = isSettled(ctx, st, counts, len(sims.MV.State().Checkouts)); settled {
					break wait
				}
			}
			cancel()
			<-done
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
			if invKind == store.KindOpenFactura {
				sum.FoliosConsumed = len(sims.OF.State().Emitted)
			}
			sum.Webhooks = ws.Health().LastHour
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
	f.BoolVar(&serveToo, "serve", false, "")
	f.BoolVar(&headless, "headless", false, "")
	f.IntVar(&orders, "orders", 40, "")
	f.StringVar(&faultSpec, "faults", "mix", "")
	f.Uint64Var(&seed, "seed", 1, "seed for the orders and faults")
	f.StringVar(&lang, "lang", "", "")
	f.StringVar(&theme, "theme", "", "")
	f.StringVar(&invKind, "invoicer", store.KindLibreDTE, "")
	f.DurationVar(&timeout, "timeout", 10*time.Minute, "")
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
	for s, n := range counts {
		if s.Busy() && n > 0 {
			return false
		}
	}
	pending, err := st.PendingSII(ctx, time.Now().Add(time.Hour), 1)
	return err == nil && len(pending) == 0
}
