package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// orderJSON is one order in `folio orders --json` and `folio order show
// --json`: a public contract.
//
// Language: reason stays the words the store keeps (es-CL, as it always
// was, for scripts); reason_text is the same reason in the command's
// language (--lang, the config's language, LANG), for people.
type orderJSON struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Marketplace string `json:"marketplace"`
	Buyer       string `json:"buyer"`
	State       string `json:"state"`
	Reason      string `json:"reason"`
	ReasonText  string `json:"reason_text,omitempty"`
	ReasonCode  string `json:"reason_code,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	Type        int    `json:"type"`
	Folio       int64  `json:"folio"`
	Total       int64  `json:"total"`
	Payment     string `json:"payment"`
	Attempts    int    `json:"attempts"`
	NextAttempt string `json:"next_attempt,omitempty"`
	UpdatedAt   string `json:"updated_at"`
}

func toJSON(l i18n.Lang, o store.Order) orderJSON {
	j := orderJSON{ID: o.ID, Code: o.Code, Marketplace: o.Marketplace, Buyer: o.BuyerName, State: string(o.State), Reason: o.Reason,
		ReasonText: reasonIn(l, o),
		ReasonCode: o.ReasonCode, Outcome: o.Outcome, Type: o.DocType, Folio: o.Folio, Total: o.Total, Payment: o.PaymentStatus,
		Attempts: o.Attempts, UpdatedAt: o.UpdatedAt.UTC().Format(time.RFC3339)}
	if o.State == store.StateRetrying && !o.NextAttemptAt.IsZero() {
		j.NextAttempt = o.NextAttemptAt.UTC().Format(time.RFC3339)
	}
	return j
}

func (cl *cli) newOrdersCmd() *cobra.Command {
	var storeFlag, state string
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:  "orders [--store PATH] [--state S] [--json]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return errors.New(cl.lang(cmd).T("cli.bad_limit", limit))
			}
			q := store.OrderQuery{Limit: 500}
			if state != "" {
				st, err := store.ParseState(state)
				if err != nil {
					names := make([]string, 0, 9)
					for _, s := range store.States() {
						names = append(names, string(s))
					}
					return errors.New(cl.lang(cmd).T("cli.bad_state", state, strings.Join(names, ", ")))
				}
				q.States = []store.State{st}
			}
			l := cl.lang(cmd)
			st, err := cl.env.OpenStoreFlag(cmd.Context(), storeFlag, app.ReadOnly)
			if err != nil {
				return err
			}
			defer st.Close()
			// Rows are read a keyset page at a time and written as they
			// come: memory stays flat however many orders the store holds.
			var emit func(orderJSON) error
			var finish func(n int) error
			if asJSON {
				emit, finish = jsonArrayWriter(cmd.OutOrStdout())
			} else {
				emit, finish = tableWriter(cmd.OutOrStdout(), l)
			}
			n := 0
			for limit <= 0 || n < limit {
				if limit > 0 {
					q.Limit = min(500, limit-n)
				}
				rows, err := st.ListOrders(cmd.Context(), q)
				if err != nil {
					return err
				}
				if len(rows) == 0 {
					break
				}
				for _, o := range rows {
					if err := emit(toJSON(l, o)); err != nil {
						return err
					}
					n++
				}
				q.Before = rows[len(rows)-1].Seq
			}
			return finish(n)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringVar(&state, "state", "", "")
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	cmd.Flags().IntVar(&limit, "limit", 0, "")
	return cmd
}

// jsonArrayWriter writes orders as the JSON array writeJSON would, one
// element at a time.
func jsonArrayWriter(w io.Writer) (emit func(orderJSON) error, finish func(n int) error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	first := true
	emit = func(o orderJSON) error {
		buf.Reset()
		if err := enc.Encode(o); err != nil {
			return err
		}
		sep := ",\n  "
		if first {
			sep, first = "[\n  ", false
		}
		bw.WriteString(sep)
		_, err := bw.Write(safetext.JSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
		return err
	}
	finish = func(n int) error {
		if n == 0 {
			bw.WriteString("[]\n")
		} else {
			bw.WriteString("\n]\n")
		}
		return bw.Flush()
	}
	return emit, finish
}

// tableWriter writes orders as the table, a page of rows at a time: the
// first page sets the column widths (a wider cell later pushes its row
// over rather than holding every row in memory to measure it).
func tableWriter(w io.Writer, l i18n.Lang) (emit func(orderJSON) error, finish func(n int) error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	var header []string
	for _, c := range []i18n.ID{"cli.col.state", "cli.col.code", "cli.col.market", "cli.col.buyer", "cli.col.total", "cli.col.doc", "cli.col.folio", "cli.col.reason"} {
		header = append(header, l.T(c))
	}
	var widths []int
	var page [][]string
	flush := func() {
		if widths == nil {
			widths = make([]int, len(header))
			for _, r := range append([][]string{header}, page...) {
				for i, c := range r {
					widths[i] = max(widths[i], utf8.RuneCountInString(c))
				}
			}
			page = append([][]string{header}, page...)
		}
		for _, r := range page {
			for i, c := range r {
				if i == len(r)-1 {
					bw.WriteString(c)
					break
				}
				bw.WriteString(c)
				bw.WriteString(strings.Repeat(" ", max(widths[i]-utf8.RuneCountInString(c), 0)+2))
			}
			bw.WriteByte('\n')
		}
		page = page[:0]
	}
	emit = func(o orderJSON) error {
		folio, doc := "–", "–"
		if o.Folio > 0 {
			folio = fmt.Sprint(o.Folio)
		}
		if o.Type > 0 {
			doc = fmt.Sprint(o.Type)
		}
		page = append(page, []string{i18n.StateName(l, o.State), safetext.Text(o.Code), safetext.Text(o.Marketplace), cut(safetext.Text(o.Buyer), 22),
			dte.FormatCLP(o.Total), doc, folio, cut(safetext.Text(o.ReasonText), 60)})
		if len(page) >= 500 {
			flush()
		}
		return nil
	}
	finish = func(int) error {
		flush()
		return bw.Flush()
	}
	return emit, finish
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (cl *cli) newOrderCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "order"}
	var storeFlag string
	var asJSON bool
	show := &cobra.Command{
		Use:  "show ID",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			l := cl.env.Lang()
			st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.ReadOnly)
			if err != nil {
				return err
			}
			defer st.Close()
			o, err := findOrder(ctx, st, args[0], l)
			if err != nil {
				return err
			}
			evs, err := st.Events(ctx, o.ID)
			if err != nil {
				return err
			}
			em, _ := st.GetEmission(ctx, o.ID)
			if asJSON {
				// message is the words the store keeps (es-CL); text is
				// the same line in the command's language.
				type eventJSON struct {
					At      string `json:"at"`
					Kind    string `json:"kind"`
					Message string `json:"message"`
					Text    string `json:"text,omitempty"`
				}
				out := struct {
					orderJSON
					Fix      string          `json:"fix,omitempty"`
					Document json.RawMessage `json:"document,omitempty"`
					Events   []eventJSON     `json:"events"`
				}{orderJSON: toJSON(l, o), Events: []eventJSON{}}
				if _, _, fix := dte.Explain(o.ReasonCode, dte.Lang(l)); fix != "" && o.State == store.StateAttention {
					out.Fix = fix
				}
				if em.Document != "" {
					out.Document = json.RawMessage(em.Document)
				}
				for _, e := range evs {
					out.Events = append(out.Events, eventJSON{At: e.At.UTC().Format(time.RFC3339), Kind: e.Kind, Message: e.Message,
						Text: eventIn(l, e)})
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			w := cmd.OutOrStdout()
			// Everything below from Multivende, LibreDTE or the SII is
			// shown through safetext: a name must not drive the terminal.
			fmt.Fprintf(w, "%s  %s  %s  %s\n", safetext.Text(o.Code), safetext.Text(o.Marketplace), safetext.Text(o.BuyerName), dte.FormatCLP(o.Total))
			fmt.Fprint(w, l.T("show.line", o.ID, i18n.StateName(l, string(o.State)), o.Attempts))
			if o.Folio > 0 {
				fmt.Fprintf(w, " · %s %d", dte.DocType(o.DocType).Name(), o.Folio)
			}
			fmt.Fprintln(w)
			if o.Reason != "" {
				fmt.Fprintf(w, "\n%s\n", reasonIn(l, o))
				if title, explain, fix := dte.Explain(o.ReasonCode, dte.Lang(l)); title != "" && o.State == store.StateAttention {
					fmt.Fprintf(w, "%s\n→ %s\n", explain, fix)
				}
			}
			if em.Document != "" {
				var doc dte.Document
				if json.Unmarshal([]byte(em.Document), &doc) == nil {
					doc.Encabezado.IdDoc.Folio = o.Folio
					doc.EachText(func(_ string, s *string) { *s = safetext.Text(*s) })
					fmt.Fprintf(w, "\n%s", safetext.Lines(dte.Preview(doc, nil, o.Total, dte.Lang(l), 60)))
				}
			}
			loc := config.Default().Location()
			if cfg, err := cl.env.Config(); err == nil {
				loc = cfg.Location()
			}
			fmt.Fprintf(w, "\n%s\n", l.T("show.timeline", i18n.ZoneName(loc, time.Now())))
			for _, e := range evs {
				fmt.Fprintf(w, "  %s  %s\n", e.At.In(loc).Format(map[i18n.Lang]string{i18n.ES: "02-01-2006 15:04:05", i18n.EN: "2006-01-02 15:04:05"}[l]), eventIn(l, e))
			}
			return nil
		},
	}
	addStoreFlag(show, &storeFlag)
	show.Flags().BoolVar(&asJSON, "json", false, "")

	var retryStore, skipStore, reason string
	retry := &cobra.Command{
		Use:  "retry ID",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, retryStore, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestRetry(ctx, st, id, by())
			})
		},
	}
	addStoreFlag(retry, &retryStore)
	skip := &cobra.Command{
		Use:  "skip ID --reason TEXT",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, skipStore, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestSkip(ctx, st, id, reason, by())
			})
		},
	}
	addStoreFlag(skip, &skipStore)
	skip.Flags().StringVar(&reason, "reason", "", "")
	cmd.AddCommand(show, retry, skip, cl.newReissueCmd(), cl.newOrderBuyerCmd(), cl.newOrderBoletaCmd())
	return cmd
}

// newReissueCmd replaces a document the SII rejected: it issues a new legal
// document, so it asks for --yes.
func (cl *cli) newReissueCmd() *cobra.Command {
	var storeFlag, lang string
	var yes bool
	cmd := &cobra.Command{
		Use:  "reissue ID --yes",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := cl.langFor(lang)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, o, em, err := cl.orderForControl(ctx, storeFlag, args[0], l)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := engine.CanReissue(o, em); err != nil {
				return exitCode(1, inLang(l, err))
			}
			if !yes {
				fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "reissue.confirm_cli", o.ID, em.Folio))
				return exitCode(2, errors.New(i18n.T(l, "reissue.needs_yes", o.ID)))
			}
			id, err := engine.RequestReissue(ctx, st, o.ID, by())
			if err != nil {
				return exitCode(1, inLang(l, err))
			}
			fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "reissue.requested", o.ID))
			return cl.reportControl(cmd, st, id)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&yes, "yes", false, "")
	cmd.Flags().StringVar(&lang, "lang", "", "")
	return cmd
}

// orderForControl opens the store for a control and reads the order (by
// its Multivende id or its code) and its emission, if it has one yet.
func (cl *cli) orderForControl(ctx context.Context, storeFlag, key string, l i18n.Lang) (*store.Store, store.Order, store.Emission, error) {
	st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.Existing)
	if err != nil {
		return nil, store.Order{}, store.Emission{}, err
	}
	o, err := findOrder(ctx, st, key, l)
	if err != nil {
		st.Close()
		return nil, o, store.Emission{}, err
	}
	em, err := st.GetEmission(ctx, o.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		st.Close()
		return nil, o, em, err
	}
	return st, o, em, nil
}

// inLang is a control's refusal in the person's language.
func inLang(l i18n.Lang, err error) error {
	var ref *engine.Refusal
	if errors.As(err, &ref) {
		return errors.New(ref.In(l))
	}
	return err
}

// reasonIn is an order's reason in l (as stored for rows older than
// schema 12), safe for a terminal.
func reasonIn(l i18n.Lang, o store.Order) string { return i18n.Stored(l, o.ReasonMsg, o.Reason) }

// eventIn is a timeline line in l (as stored when the engine kept no
// message), safe for a terminal.
func eventIn(l i18n.Lang, e store.Event) string { return i18n.Stored(l, e.MsgJSON, e.Message) }

// findOrder finds an order by its Multivende id or its marketplace code.
func findOrder(ctx context.Context, st *store.Store, key string, l i18n.Lang) (store.Order, error) {
	o, err := st.GetOrder(ctx, key)
	if err == nil {
		return o, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return o, err
	}
	rows, err := st.ListOrders(ctx, store.OrderQuery{Text: key, Limit: 50})
	if err != nil {
		return o, err
	}
	var same []store.Order
	for _, r := range rows {
		if r.Code == key {
			same = append(same, r)
		}
	}
	switch len(same) {
	case 0:
		return o, errors.New(l.T("cli.no_order", key))
	case 1:
		return st.GetOrder(ctx, same[0].ID)
	}
	// Two merchants' marketplaces may give the same code: acting on the
	// newest would act on an order the person did not mean.
	names := map[int64]string{}
	if conns, err := st.Connections(ctx); err == nil {
		for _, c := range conns {
			names[c.ID] = c.Name
		}
	}
	var each []string
	for _, r := range same {
		each = append(each, l.T("cli.order_ambiguous_one", r.ID, names[r.ConnectionID]))
	}
	return o, errors.New(l.T("cli.order_ambiguous", key, len(same), strings.Join(each, "; ")))
}

func by() string {
	if u := os.Getenv("USER"); u != "" {
		return u + " (cli)"
	}
	return "cli" // not "cli (cli)"
}

// control writes a control for an order and says what will happen.
func (cl *cli) control(cmd *cobra.Command, storeFlag, key string, request func(context.Context, *store.Store, string) (int64, error)) error {
	ctx := cmd.Context()
	l := cl.env.Lang()
	st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.Existing)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := findOrder(ctx, st, key, l)
	if err != nil {
		return err
	}
	id, err := request(ctx, st, o.ID)
	if err != nil {
		return inLang(l, err)
	}
	return cl.reportControl(cmd, st, id)
}

// reportControl waits briefly for a running engine to apply the control.
func (cl *cli) reportControl(cmd *cobra.Command, st *store.Store, id int64) error {
	ctx := cmd.Context()
	l := cl.lang(cmd)
	n, _ := engine.Running(ctx, st) // several engines may share a PostgreSQL store
	w := cmd.OutOrStdout()
	if n == 0 {
		fmt.Fprintln(w, l.T("cli.recorded", id))
		return nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c, err := st.Control(ctx, id)
		if err != nil {
			return err
		}
		switch c.Status {
		case store.CtlApplied:
			fmt.Fprintln(w, l.T("cli.done", i18n.Stored(l, c.OutcomeMsg, c.Outcome)))
			return nil
		case store.CtlRejected:
			return exitCode(1, errors.New(l.T("cli.refused", i18n.Stored(l, c.OutcomeMsg, c.Outcome))))
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(w, l.T("cli.not_applied", id))
	return nil
}

func (cl *cli) newPauseCmd(pause bool) *cobra.Command {
	var storeFlag string
	use := "pause [CONNECTION]"
	if !pause {
		use = "resume [CONNECTION]"
	}
	cmd := &cobra.Command{
		Use:  use,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.Existing)
			if err != nil {
				return err
			}
			defer st.Close()
			name := ""
			if len(args) == 1 {
				name = strings.TrimSpace(args[0])
			}
			request := engine.RequestResume
			if pause {
				request = engine.RequestPause
			}
			id, err := request(ctx, st, name, by())
			if errors.Is(err, store.ErrNotFound) {
				return errors.New(cl.lang(cmd).T("cli.no_connection", name))
			}
			if err != nil {
				return err
			}
			return cl.reportControl(cmd, st, id)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}
