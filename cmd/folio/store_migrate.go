package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"charm.land/bubbles/v2/progress"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

func (cl *cli) newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use: "store",
	}
	cmd.AddCommand(cl.newStoreMigrateCmd())
	return cmd
}

// newStoreMigrateCmd copies a shop's store (a SQLite file) into a new
// PostgreSQL one, or back, verified table by table.
func (cl *cli) newStoreMigrateCmd() *cobra.Command {
	var from, to string
	var asJSON bool
	cmd := &cobra.Command{
		Use:  "migrate --from sqlite:PATH --to postgres://…",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, ctx, out := cl.lang(cmd), cmd.Context(), cmd.OutOrStdout()
			if from == "" || to == "" {
				return errors.New(l.T("migrate.need_both"))
			}
			src, dst := storeAddress(from), storeAddress(to)
			if src == dst {
				return errors.New(l.T("migrate.same", store.RedactAddress(src)))
			}
			if !store.IsPostgres(src) {
				if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
					return errors.New(l.T("migrate.no_source", src))
				}
			}
			s, err := cl.env.OpenStore(ctx, src, app.ReadOnly)
			if err != nil {
				return err
			}
			defer s.Close()
			if h, live, err := s.LeaseHolder(ctx); err != nil {
				return err
			} else if live {
				// Orders it moved after the copy read them would be lost.
				return errors.New(l.T("migrate.engine_running", h.PID, h.Host))
			}
			d, err := cl.env.OpenStore(ctx, dst, app.Create)
			if err != nil {
				return err
			}
			defer d.Close()
			bar := newCopyBar(cmd.ErrOrStderr(), l)
			report, err := store.Copy(ctx, s, d, bar.show)
			bar.done()
			if errors.Is(err, store.ErrNotEmpty) {
				return errors.New(l.T("migrate.not_empty", store.RedactAddress(dst)))
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(out, struct {
					From   string            `json:"from"`
					To     string            `json:"to"`
					Tables []store.TableCopy `json:"tables"`
				}{store.RedactAddress(src), store.RedactAddress(dst), report})
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, l.T("migrate.header"))
			for _, r := range report {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", r.Table, r.Rows, r.Checksum[:16])
			}
			tw.Flush()
			fmt.Fprintln(out, l.T("migrate.done", store.RedactAddress(src), store.RedactAddress(dst)))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "")
	f.StringVar(&to, "to", "", "")
	f.BoolVar(&asJSON, "json", false, "")
	return cmd
}

// storeAddress is a --from or --to value as folio opens it: sqlite:PATH
// is PATH.
func storeAddress(v string) string {
	if p, ok := strings.CutPrefix(v, "sqlite:"); ok && !strings.HasPrefix(p, "//") {
		return p
	}
	return v
}

// copyBar draws the copy's progress on a terminal (nothing elsewhere: a
// log or a pipe gets the table at the end).
type copyBar struct {
	w     io.Writer
	l     i18n.Lang
	bar   progress.Model
	on    bool
	width int
}

func newCopyBar(w io.Writer, l i18n.Lang) *copyBar {
	f, ok := w.(*os.File)
	on := ok && isTerminal(f)
	// Plain characters without colour: readable with NO_COLOR and on any
	// terminal.
	bar := progress.New(progress.WithWidth(36), progress.WithFillCharacters('#', '.'))
	bar.FullColor, bar.EmptyColor = lipgloss.NoColor{}, lipgloss.NoColor{}
	bar.PercentageStyle = lipgloss.NewStyle()
	return &copyBar{w: w, l: l, on: on, bar: bar}
}

func (b *copyBar) show(p store.CopyProgress) {
	if !b.on {
		return
	}
	pct := 1.0
	if p.Total > 0 {
		pct = float64(p.Done) / float64(p.Total)
	}
	line := fmt.Sprintf("%-12s %s %d/%d", p.Table, b.bar.ViewAs(pct), p.Done, p.Total)
	fmt.Fprintf(b.w, "\r%-*s", b.width, line)
	b.width = max(b.width, len(line))
}

func (b *copyBar) done() {
	if b.on && b.width > 0 {
		fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", b.width))
	}
}
