package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

func (cl *cli) newCatalogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use: "catalog",
	}
	cmd.AddCommand(cl.newCatalogSyncCmd())
	return cmd
}

// catalogSyncOptions are folio catalog sync's flags.
type catalogSyncOptions struct {
	connection, only, warehouse, priceList, csvPath, group string
	dryRun, asJSON                                         bool
}

func (cl *cli) newCatalogSyncCmd() *cobra.Command {
	var o catalogSyncOptions
	var storeFlag, lang string
	cmd := &cobra.Command{
		Use:  "sync [--connection NAME] [--only products|stock|prices] [--warehouse ID] [--price-list ID] [--dry-run] [--json]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang != "" {
				if _, err := i18n.ParseLang(lang); err != nil {
					return fmt.Errorf("--lang: %w", err)
				}
			}
			cfg, err := cl.env.Config()
			if err != nil {
				return err
			}
			l := cl.env.Lang()
			scope, err := catalog.ParseScope(o.only)
			if err != nil {
				return errors.New(l.T("catalog.bad_only", o.only))
			}
			ctx := cmd.Context()
			// A new store would have no connection to sync from.
			st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.Existing)
			if err != nil {
				return err
			}
			defer st.Close()
			sides, err := cl.env.CatalogSides(ctx, st, l, o.connection, cfg.RateLimit)
			if err != nil {
				return err
			}
			err = runCatalogSync(ctx, cmd.OutOrStdout(), l, st, sides, scope, o)
			if reason, ok := engine.ServiceReason(err); ok {
				// A service's failure, as the console says it for an order.
				return errors.New(l.T("catalog.service", reason.In(l)))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.connection, "connection", "", "")
	f.StringVar(&o.only, "only", "", "")
	f.StringVar(&o.warehouse, "warehouse", "", "")
	f.StringVar(&o.priceList, "price-list", "", "")
	f.BoolVar(&o.dryRun, "dry-run", false, "")
	f.BoolVar(&o.asJSON, "json", false, "")
	f.StringVar(&o.csvPath, "csv", "", "")
	f.StringVar(&o.group, "clasificacion", "", "")
	addStoreFlag(cmd, &storeFlag)
	addLangFlag(cmd, &lang)
	return cmd
}

// catalogJSON is --json's output.
type catalogJSON struct {
	Connection   string               `json:"connection"`
	Invoicer     string               `json:"invoicer"`
	Scope        string               `json:"scope"`
	PriceList    string               `json:"price_list,omitempty"`
	Warehouse    string               `json:"warehouse,omitempty"`
	DryRun       bool                 `json:"dry_run"`
	Capabilities invoicer.CatalogCaps `json:"capabilities"`
	Counts       catalog.Counts       `json:"counts"`
	Applied      int                  `json:"applied"`
	Failed       int                  `json:"failed"`
	Notes        []string             `json:"notes"`
	CSV          string               `json:"csv,omitempty"`
	ImportURL    string               `json:"import_url,omitempty"`
	Interrupted  *catalog.Progress    `json:"interrupted,omitempty"`
	// Items: one per change; status is planned (dry run or not written),
	// in_csv, done, failed or skipped.
	Items []catalog.Outcome `json:"items"`
}

func runCatalogSync(ctx context.Context, out io.Writer, l i18n.Lang, st *store.Store, sides catalog.Sides,
	scope catalog.Scope, o catalogSyncOptions) error {
	caps := sides.Invoicer.CatalogCaps()
	if scope == catalog.Stock && !caps.HasStock {
		return errors.New(l.T("catalog.no_stock_only", sides.InvoicerName))
	}
	say := func(id i18n.ID, args ...any) {
		if !o.asJSON {
			fmt.Fprintln(out, l.T(id, safeArgs(args)...))
		}
	}
	res := catalogJSON{Connection: sides.Connection, Invoicer: sides.InvoicerName, Scope: string(scope), DryRun: o.dryRun,
		Capabilities: caps, Notes: []string{}, Items: []catalog.Outcome{}}
	if res.Scope == "" {
		res.Scope = "all"
	}
	say("catalog.reading", sides.Connection, sides.InvoicerName)
	if !caps.HasStock {
		res.Notes = append(res.Notes, i18n.T(i18n.EN, "catalog.no_stock", sides.InvoicerName))
		say("catalog.no_stock", sides.InvoicerName)
	}
	sel := catalog.Selection{PriceList: o.priceList, Warehouse: o.warehouse, Scope: scope}
	p, err := catalog.Prepare(ctx, sides, sel, func(d catalog.Default) {
		if d.Kind == "warehouse" {
			say("catalog.warehouse", d.Name, d.ID)
		} else {
			say("catalog.price_list", d.Name, d.ID)
		}
	})
	if err != nil {
		return err
	}
	sel, have, plan := p.Selection, p.Have, p.Plan
	res.PriceList, res.Warehouse = sel.PriceList, sel.Warehouse
	res.Counts = plan.Counts
	c := plan.Counts
	say("catalog.counts", c.Create, c.Update, c.Unchanged, c.Deactivate, c.Skip, c.OnlyInInvoicer, sides.InvoicerName)
	shown := 0
	for _, ch := range plan.Changes {
		if ch.Action != catalog.Skip {
			continue
		}
		if shown++; shown <= 20 {
			say("catalog.skipped", ch.Code, skipReason(l, ch.Reason))
		}
	}
	if shown > 20 {
		say("catalog.more", shown-20)
	}
	planned := func(status string) {
		for _, ch := range plan.Changes {
			s := status
			if ch.Action == catalog.Skip {
				s = "skipped"
			}
			res.Items = append(res.Items, catalog.Outcome{Code: ch.Code, Action: ch.Action, Fields: ch.Fields, Status: s, Reason: ch.Reason})
		}
	}
	finish := func(err error) error {
		if o.asJSON {
			if jerr := writeJSON(out, res); jerr != nil {
				return jerr
			}
		}
		return err
	}
	switch {
	case c.Writes() == 0:
		planned("planned")
		say("catalog.nothing")
		return finish(nil)
	case o.dryRun:
		planned("planned")
		say("catalog.dry_run")
		return finish(nil)
	case !caps.WriteItems:
		return finish(catalogExport(out, l, sides, plan, have, o, &res))
	}

	term := !o.asJSON && isTerminal(asFile(out))
	bar := &progressBar{out: out, term: term, l: l}
	rep, err := catalog.Apply(ctx, sides.Invoicer, plan, catalog.Options{Store: st, Key: catalog.ProgressKey(sides.Connection),
		OnItem: func(done, total int, oc catalog.Outcome) {
			if oc.Status == "failed" && !o.asJSON {
				bar.clear()
				fmt.Fprintln(out, l.T("catalog.item_failed", safetext.Text(oc.Code), safetext.Text(oc.Reason)))
			}
			if !o.asJSON {
				bar.show(done, total, oc.Status == "failed")
			}
		}})
	bar.end()
	res.Applied, res.Failed, res.Interrupted, res.Items = rep.Applied, rep.Failed, rep.Interrupted, append(res.Items, rep.Outcomes...)
	if rep.Interrupted != nil {
		say("catalog.resumed", rep.Interrupted.Done, rep.Interrupted.Total)
	}
	if err != nil {
		return finish(err)
	}
	say("catalog.done", rep.Applied, rep.Failed, rep.Skipped)
	if rep.Failed > 0 {
		return finish(exitCode(1, errors.New(l.T("catalog.failed", rep.Failed))))
	}
	return finish(nil)
}

// catalogExport handles an invoicer whose API cannot write items
// (LibreDTE): it says so and, with --csv, writes the import file.
func catalogExport(out io.Writer, l i18n.Lang, sides catalog.Sides, plan catalog.Plan, have []invoicer.CatalogItem,
	o catalogSyncOptions, res *catalogJSON) error {
	res.ImportURL = sides.ImportURL
	if o.csvPath == "" {
		for _, ch := range plan.Changes {
			s := "planned"
			if ch.Action == catalog.Skip {
				s = "skipped"
			}
			res.Items = append(res.Items, catalog.Outcome{Code: ch.Code, Action: ch.Action, Fields: ch.Fields, Status: s, Reason: ch.Reason})
		}
		msg := l.T("catalog.no_write_api", sides.InvoicerName, sides.ImportURL)
		res.Notes = append(res.Notes, i18n.T(i18n.EN, "catalog.no_write_api", sides.InvoicerName, sides.ImportURL))
		return exitCode(1, errors.New(msg))
	}
	group := o.group
	if group == "" {
		group = commonGroup(have)
	}
	var items []invoicer.CatalogItem
	for _, ch := range plan.Changes {
		switch {
		case ch.Action == catalog.Skip:
			res.Items = append(res.Items, catalog.Outcome{Code: ch.Code, Action: ch.Action, Status: "skipped", Reason: ch.Reason})
			continue
		case ch.Action == catalog.Create && group == "":
			return fmt.Errorf("%s", l.T("catalog.csv_group", sides.InvoicerName))
		}
		items = append(items, ch.Item)
		res.Items = append(res.Items, catalog.Outcome{Code: ch.Code, Action: ch.Action, Fields: ch.Fields, Status: "in_csv"})
	}
	f, err := os.OpenFile(o.csvPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--csv: %w", err)
	}
	if err := libredte.WriteImportCSV(f, items, group); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--csv: %w", err)
	}
	res.CSV = o.csvPath
	if !o.asJSON {
		fmt.Fprintln(out, l.T("catalog.csv_written", len(items), o.csvPath, sides.InvoicerName, sides.ImportURL))
	}
	return nil
}

// commonGroup is the classification most items have ("" when none).
func commonGroup(items []invoicer.CatalogItem) string {
	n := map[string]int{}
	for _, it := range items {
		if it.Group != "" {
			n[it.Group]++
		}
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] || (n[keys[i]] == n[keys[j]] && keys[i] < keys[j]) })
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

func skipReason(l i18n.Lang, r string) string {
	switch r {
	case catalog.ReasonNoPrice:
		return l.T("catalog.reason.no_price")
	case catalog.ReasonNotInInvoicer:
		return l.T("catalog.reason.not_in_inv")
	}
	return r
}

func asFile(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}

// progressBar draws "[█████░░░░░] 120/500 applied, 1 failed" on one
// terminal line, or, elsewhere, a plain line at every tenth of the way.
type progressBar struct {
	out    io.Writer
	term   bool
	l      i18n.Lang
	failed int
	last   int // tenth last printed (plain) or width drawn (terminal)
	drawn  bool
	at     time.Time
}

const barWidth = 30

// safeArgs makes the text arguments of a message safe for a terminal:
// item codes, names and the invoicer's errors come from outside.
func safeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			a = safetext.Text(s)
		}
		out[i] = a
	}
	return out
}

func (b *progressBar) show(done, total int, failed bool) {
	if failed {
		b.failed++
	}
	if total == 0 {
		return
	}
	text := b.l.T("catalog.progress", done, total, b.failed)
	if !b.term {
		if tenth := done * 10 / total; tenth > b.last || done == total {
			b.last = tenth
			fmt.Fprintln(b.out, text)
		}
		return
	}
	if done != total && time.Since(b.at) < 50*time.Millisecond {
		return
	}
	b.at = time.Now()
	fill := done * barWidth / total
	fmt.Fprintf(b.out, "\r[%s%s] %s\x1b[K", strings.Repeat("█", fill), strings.Repeat("░", barWidth-fill), text)
	b.drawn = true
}

func (b *progressBar) clear() {
	if b.term && b.drawn {
		fmt.Fprint(b.out, "\r\x1b[K")
	}
}

func (b *progressBar) end() {
	if b.term && b.drawn {
		fmt.Fprintln(b.out)
	}
}
