package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
)

func (cl *cli) newRunCmd() *cobra.Command {
	var storeFlag, simURL, simInvoicer, listen string
	var poll, leaseTTL, lookback, siiEvery time.Duration
	cmd := &cobra.Command{
		Use:  "run [--store PATH] [--sim URL] [--listen ADDR]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := func() error {
				ctx := cmd.Context()
				// Flags are checked before the store is created or opened.
				if simURL != "" && simInvoicer != store.KindLibreDTE && simInvoicer != store.KindOpenFactura {
					return errors.New(cl.lang(cmd).T("cli.bad_invoicer", "--sim-invoicer", simInvoicer))
				}
				if simURL != "" {
					if err := sim.CheckURL(simURL); err != nil {
						return err
					}
				}
				if listen != "" {
					if err := config.CheckListen(listen); err != nil {
						return errors.New("--listen: " + err.Msg.In(cl.lang(cmd)))
					}
				}
				cfg, err := cl.env.Config()
				if err != nil {
					return err
				}
				// The log before the store: a log that cannot be written
				// leaves no store behind.
				logw, closeLog, err := runLog(cfg, cl.lang(cmd), cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				defer closeLog()
				_, st, err := cl.env.ConfigAndStore(ctx, storeFlag, app.Create)
				if err != nil {
					return err
				}
				log := slog.New(slog.NewJSONHandler(jsonLines{logw}, nil))
				defer st.Close()
				// On PostgreSQL several engines share the store (leases of
				// connections); a SQLite store has one.
				if holder, live, err := engine.LeaseHolder(ctx, st); err == nil && live && holder.PID != os.Getpid() && !st.Shared() {
					return &store.LeaseError{Holder: holder}
				}
				emisor := app.Emisor(cfg)
				if simURL != "" {
					info, err := cl.env.ConnectSim(ctx, st, simURL, simInvoicer)
					if err != nil {
						return err
					}
					log.Info("connected to the simulator", "multivende", info.Multivende, "libredte", info.LibreDTE, "openfactura", info.OpenFactura, "invoicer", simInvoicer)
					lookback = app.SimLookback
					emisor = app.SimEmisor(emisor, info.Emisor)
				}
				// Healthy webhooks let the default poll interval rise to what
				// Multivende recommends; an interval someone chose stays.
				var healthyPoll time.Duration
				if kind := cfg.Sources["poll_interval"].Kind; poll == 0 && simURL == "" && (kind == config.FromDefault || kind == "") {
					healthyPoll = engine.DefaultHealthyPollInterval
				}
				poll = runPoll(cfg, poll, simURL != "")
				if listen == "" {
					listen = cfg.Listen
				}
				var eng *engine.Engine
				var engRef atomic.Pointer[engine.Engine] // the webhook handler hints the engine once built
				var hookHealth func() engine.WebhookHealth
				if listen != "" {
					ws, bound, err := app.StartWebhooks(ctx, st, listen, &engRef)
					if err != nil {
						return err
					}
					hookHealth = ws.Health
					log.Info("webhook listener started", "addr", bound, "url", "folio webhook url")
				}
				o := app.EngineFromConfig(cfg, cl.env.LangFor(""), log)
				o.PollInterval, o.LeaseTTL, o.Lookback, o.Emisor = poll, leaseTTL, lookback, emisor
				if siiEvery > 0 {
					o.SIIInterval = siiEvery
				}
				o.Failpoint = failpointFromEnv(os.Getenv("FOLIO_FAILPOINT"))
				o.Webhook, o.HealthyPollInterval = hookHealth, healthyPoll
				eng, err = cl.env.NewEngine(ctx, st, o)
				if err != nil {
					return err
				}
				engRef.Store(eng)
				err = eng.Run(ctx)
				var le *store.LeaseError
				if errors.As(err, &le) {
					return err
				}
				if err != nil && !errors.Is(err, context.Canceled) {
					return fmt.Errorf("engine: %w", err)
				}
				return nil
			}()
			// A stop that comes while the engine is still starting (opening
			// the store, connecting) is a stop like any other: nothing was
			// begun, so exit 0 instead of reporting the interrupted step.
			if err != nil && cmd.Context().Err() != nil {
				return nil
			}
			return err
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringVar(&simURL, "sim", "", "")
	cmd.Flags().StringVar(&simInvoicer, "sim-invoicer", store.KindLibreDTE, "")
	cmd.Flags().StringVar(&listen, "listen", "", "")
	cmd.Flags().DurationVar(&poll, "poll", 0, "")
	_ = cmd.Flags().MarkHidden("poll")
	// Fault tests freeze engines past their lease; a short lease keeps them short.
	cmd.Flags().DurationVar(&leaseTTL, "lease-ttl", 0, "")
	_ = cmd.Flags().MarkHidden("lease-ttl")
	// The transcripts wait for an SII rejection; 30 s apart is too slow there.
	cmd.Flags().DurationVar(&siiEvery, "sii-interval", 0, "")
	_ = cmd.Flags().MarkHidden("sii-interval")
	return cmd
}

// failpointFromEnv reads FOLIO_FAILPOINT=POINT:N, used by the crash tests:
// the process dies (exit 3, nothing flushed or released) the Nth time the
// engine reaches POINT, one of engine's Fail* moments. Unset: nil.
func failpointFromEnv(spec string) func(string) {
	point, nth, ok := strings.Cut(spec, ":")
	n, err := strconv.Atoi(nth)
	if spec == "" || !ok || err != nil || n < 1 {
		return nil
	}
	var hits atomic.Int64
	return func(p string) {
		if p == point && hits.Add(1) == int64(n) {
			fmt.Fprintf(os.Stderr, "folio: failpoint %s reached: exiting as a crash would\n", p)
			os.Exit(3)
		}
	}
}

// runPoll is the engine's poll interval: the --poll flag, else a
// poll_interval set in the config or FOLIO_POLL_INTERVAL, else 2 s against
// a simulator, else the config's default.
func runPoll(cfg config.Loaded, flag time.Duration, sim bool) time.Duration {
	switch {
	case flag > 0:
		return flag
	case cfg.Sources["poll_interval"].Kind != config.FromDefault && cfg.Sources["poll_interval"].Kind != "":
		return time.Duration(cfg.PollInterval)
	case sim:
		return 2 * time.Second
	}
	return time.Duration(cfg.PollInterval)
}

// runLog is where `folio run` writes its JSON log: log_file (or
// FOLIO_LOG_FILE), opened for appending and readable by its owner only,
// else stderr.
func runLog(cfg config.Loaded, l i18n.Lang, stderr io.Writer) (io.Writer, func(), error) {
	if cfg.LogFile == "" {
		return stderr, func() {}, nil
	}
	f, err := openLog(cfg, l)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = f.Chmod(0o600) // the log names orders and buyers
	}
	return &logSink{w: f, now: time.Now}, func() { _ = f.Close() }, nil
}

// logSink writes the engine's log to its file; while that file's disk is
// full (ENOSPC) lines are dropped and the write is tried again at most
// once a minute, then a line says how many were lost.
// jsonLines passes each JSON log line through safetext.JSON: encoding/json
// leaves C1 and bidi controls raw, and the log may be read on a terminal.
type jsonLines struct{ w io.Writer }

func (j jsonLines) Write(p []byte) (int, error) {
	if _, err := j.w.Write(safetext.JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

type logSink struct {
	w   io.Writer
	now func() time.Time

	mu        sync.Mutex
	fullUntil time.Time
	dropped   int
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Before(s.fullUntil) {
		s.dropped++
		return len(p), nil
	}
	if s.dropped > 0 {
		note := fmt.Sprintf(`{"time":%q,"level":"WARN","msg":"disk full: log lines dropped","dropped":%d}`+"\n", now.UTC().Format(time.RFC3339Nano), s.dropped)
		if _, err := io.WriteString(s.w, note); err != nil {
			return s.failed(now, len(p), err)
		}
		s.dropped = 0
	}
	if _, err := s.w.Write(p); err != nil {
		return s.failed(now, len(p), err)
	}
	return len(p), nil
}

func (s *logSink) failed(now time.Time, n int, err error) (int, error) {
	if !errors.Is(err, syscall.ENOSPC) {
		return 0, err
	}
	s.fullUntil = now.Add(time.Minute)
	s.dropped++
	return n, nil
}
