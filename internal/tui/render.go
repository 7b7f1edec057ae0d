package tui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// column is one table column. A flex column takes the width left over;
// minPane hides a column when the pane is narrower than that.
type column struct {
	title   string
	width   int
	right   bool
	flex    bool
	minPane int
}

// cell is a rendered cell's text and its style.
type cell struct {
	text  string
	style *paint
}

// fit pads or cuts s to exactly w columns.
func fit(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	n := textWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = textWidth(s)
	}
	pad := max(w-n, 0)
	if right {
		return strings.Repeat(" ", pad) + s
	}
	return s + strings.Repeat(" ", pad)
}

// layout returns the visible columns and their widths for a pane width
// (two columns go to the row marker, one between columns).
func layout(cols []column, width int) ([]column, []int) {
	var vis []column
	for _, c := range cols {
		if width >= c.minPane {
			vis = append(vis, c)
		}
	}
	used := 2 + len(vis) - 1
	flex := -1
	ws := make([]int, len(vis))
	for i, c := range vis {
		if c.flex {
			flex = i
			continue
		}
		ws[i] = c.width
		used += c.width
	}
	if flex >= 0 {
		ws[flex] = max(width-used, 4)
	}
	return vis, ws
}

// table renders a header and rows at exactly width columns; the selected
// row (-1: none) is highlighted.
func table(s Styles, cols []column, rows [][]cell, selected, width int) []string {
	vis, ws := layout(cols, width)
	idx := make([]int, 0, len(vis))
	for _, v := range vis {
		for i, c := range cols {
			if c.title == v.title {
				idx = append(idx, i)
				break
			}
		}
	}
	var hdr strings.Builder
	hdr.WriteString("  ")
	for i, c := range vis {
		if i > 0 {
			hdr.WriteByte(' ')
		}
		hdr.WriteString(fit(c.title, ws[i], c.right))
	}
	out := []string{s.Header.Render(fit(hdr.String(), width, false))}
	for r, row := range rows {
		var b strings.Builder
		marker := "  "
		if r == selected {
			marker = "▸ "
		}
		b.WriteString(marker)
		for i, c := range vis {
			if i > 0 {
				b.WriteByte(' ')
			}
			var cl cell
			if idx[i] < len(row) {
				cl = row[idx[i]]
			}
			// Every cell passes here: the one place a table's text from
			// outside (names, codes, reasons) is made safe.
			txt := fit(safetext.Text(cl.text), ws[i], c.right)
			if cl.style != nil && r != selected {
				txt = cl.style.Render(txt)
			}
			b.WriteString(txt)
		}
		line := b.String()
		if pad := width - textWidth(line); pad > 0 {
			line += strings.Repeat(" ", pad)
		}
		if r == selected {
			line = s.Selected.Render(ansi.Strip(line))
		}
		out = append(out, line)
	}
	return out
}

// stateStyle is the colour of an order state.
func stateStyle(s *Styles, st store.State) *paint {
	switch st {
	case store.StateDone:
		return &s.OK
	case store.StateAttention:
		return &s.Error
	case store.StateRetrying:
		return &s.Warn
	case store.StateWaiting:
		return &s.Muted
	}
	return &s.Info
}

// stateText is the state column: "reintento 2" for a retry.
func stateText(lang i18n.Lang, o store.Order) string {
	t := i18n.StateName(lang, string(o.State))
	if o.State == store.StateRetrying && o.Attempts > 0 {
		t += " " + strconv.Itoa(o.Attempts)
	}
	return t
}

func paymentText(lang i18n.Lang, p string) string {
	if i18n.Has(i18n.ID("pay." + p)) {
		return lang.T(i18n.ID("pay." + p))
	}
	return p
}

func marketShort(m string) string {
	m = strings.ToUpper(strings.TrimSpace(m))
	switch {
	case strings.HasPrefix(m, "MERCADO"):
		return "MELI"
	case strings.HasPrefix(m, "FALA"):
		return "FALA"
	case strings.HasPrefix(m, "RIP"):
		return "RIPL"
	case strings.HasPrefix(m, "SHOP"):
		return "SHOP"
	case strings.HasPrefix(m, "PARIS"):
		return "PARS"
	}
	return m
}

func dash(n int64) string {
	if n == 0 {
		return "–"
	}
	return strconv.FormatInt(n, 10)
}

func orderColumns(lang i18n.Lang) []column {
	return []column{
		{title: lang.T("col.state"), width: 11},
		{title: lang.T("col.code"), width: 15},
		{title: lang.T("col.market"), width: 6},
		{title: lang.T("col.buyer"), flex: true},
		{title: lang.T("col.total"), width: 10, right: true},
		{title: lang.T("col.payment"), width: 9, minPane: 96},
		{title: lang.T("col.doc"), width: 3, right: true, minPane: 72},
		{title: lang.T("col.folio"), width: 7, right: true},
	}
}

// The row renderers: pure, one per order pane.

func orderRow(c *common, o store.Order, _ time.Time) []cell {
	s, lang := &c.styles, c.lang
	doc := "–"
	if o.DocType != 0 {
		doc = strconv.Itoa(o.DocType)
	}
	return []cell{{stateText(lang, o), stateStyle(s, o.State)}, {text: o.Code}, {text: marketShort(o.Marketplace)},
		{text: o.BuyerName}, {text: i18n.FormatCLP(o.Total)}, {text: paymentText(lang, o.PaymentStatus)}, {text: doc}, {text: dash(o.Folio)}}
}

func queueColumns(lang i18n.Lang) []column {
	return []column{
		{title: lang.T("col.state"), width: 11},
		{title: lang.T("col.code"), width: 15},
		{title: lang.T("col.attempt"), width: 7, right: true},
		{title: lang.T("col.next"), width: 9},
		{title: lang.T("col.market"), width: 6, minPane: 90},
		{title: lang.T("col.buyer"), flex: true},
	}
}

func queueRow(c *common, o store.Order, now time.Time) []cell {
	s, lang, maxAttempts := &c.styles, c.lang, c.opt.MaxAttempts
	next := ""
	if o.State == store.StateRetrying || o.State == store.StateQueued {
		next = i18n.FormatIn(lang, o.NextAttemptAt.Sub(now))
	}
	return []cell{{stateText(lang, o), stateStyle(s, o.State)}, {text: o.Code},
		{text: strconv.Itoa(o.Attempts+1) + "/" + strconv.Itoa(maxAttempts)}, {text: next}, {text: marketShort(o.Marketplace)}, {text: o.BuyerName}}
}

func errorColumns(lang i18n.Lang) []column {
	return []column{
		{title: lang.T("col.code"), width: 15},
		{title: lang.T("col.since"), width: 10},
		{title: lang.T("col.attempt"), width: 7, right: true, minPane: 70},
		{title: lang.T("col.reason"), flex: true},
	}
}

// plainReason is the order's reason in lang: the engine's message when it
// kept one (schema 12); for an older row, the catalog's title for its code
// when there is one, else the engine's own words.
func plainReason(lang i18n.Lang, o store.Order) string {
	if m, ok := i18n.ParseMessage(o.ReasonMsg); ok && m.Known() {
		return m.In(lang)
	}
	if title, _, _ := dte.Explain(o.ReasonCode, dte.Lang(lang)); title != "" && o.ReasonCode != "" {
		if o.Reason != "" && lang == i18n.ES {
			return o.Reason
		}
		return title
	}
	return o.Reason
}

// fixFor is the suggested action for an order in Errors.
func fixFor(lang i18n.Lang, o store.Order) string {
	if o.ReasonCode == "" {
		return ""
	}
	_, _, fix := dte.Explain(o.ReasonCode, dte.Lang(lang))
	return fix
}

func errorRow(c *common, o store.Order, now time.Time) []cell {
	s, lang := &c.styles, c.lang
	return []cell{{text: o.Code}, {text: i18n.FormatAgo(lang, now.Sub(o.StateSince))}, {text: strconv.Itoa(o.Attempts)},
		{plainReason(lang, o), &s.Error}}
}

// connColumns are the Connections pane's columns; with engines leasing
// connections one by one, which holds each (the merchant id then gives
// way on narrow panes).
func connColumns(lang i18n.Lang, engines bool) []column {
	engine := column{title: lang.T("col.engine"), width: 20, minPane: math.MaxInt}
	account := column{title: lang.T("col.account"), width: 15, minPane: 76}
	if engines {
		engine.minPane, account.minPane = 0, 100
	}
	return []column{
		{title: lang.T("col.state"), width: 20},
		{title: lang.T("col.name"), width: 14},
		{title: lang.T("col.kind"), width: 4},
		engine,
		account,
		{title: lang.T("col.token"), width: 7},
		{title: lang.T("col.lastpoll"), width: 14, minPane: 96},
		{title: lang.T("col.error"), flex: true},
	}
}

// connState is a connection's state word and style.
func connState(s *Styles, lang i18n.Lang, c store.Connection, now time.Time) (string, *paint) {
	switch {
	case c.Status == store.ConnNeedsReconnect:
		return "✘ " + lang.T("conn.needs_reconnect"), &s.Error
	case c.Paused:
		return "⏸ " + lang.T("conn.paused"), &s.Warn
	case c.Kind == store.KindMultivende && !c.RefreshExpiresAt.IsZero() && c.RefreshExpiresAt.Sub(now) < 12*time.Hour:
		return "● " + lang.T("conn.expiring"), &s.Warn
	}
	return "● OK", &s.OK
}

func connRow(s *Styles, lang i18n.Lang, c store.Connection, hd *holding, now time.Time) []cell {
	st, style := connState(s, lang, c, now)
	account, token := c.MerchantID, ""
	if store.IsInvoicerKind(c.Kind) {
		account = c.EmisorRUT
	} else if !c.AccessExpiresAt.IsZero() {
		token = i18n.FormatDuration(c.AccessExpiresAt.Sub(now))
	}
	kind := lang.T(i18n.ID("conn.kind." + c.Kind))
	poll := ""
	if !c.LastPollAt.IsZero() {
		poll = i18n.FormatAgo(lang, now.Sub(c.LastPollAt))
	}
	errText := "" // a client's own error text, shown as written
	if c.LastError != "" {
		errText = lang.T("quote", c.LastError)
	}
	if c.Status == store.ConnNeedsReconnect {
		errText = lang.T("conn.reconnect_cmd", c.Name)
	}
	return []cell{{st, style}, {text: c.Name}, {text: kind}, hd.cell(s, lang, c), {text: account}, {text: token}, {text: poll}, {errText, &s.Error}}
}
