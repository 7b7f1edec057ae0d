package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// section is one part of the inspect view.
type section int

const (
	secProblem section = iota
	secTimeline
	secDocument
	secRaw
	secHTTP
)

var sectionTitles = map[section]i18n.ID{secProblem: "inspect.problem", secTimeline: "inspect.timeline",
	secDocument: "inspect.document", secRaw: "inspect.raw", secHTTP: "inspect.http"}

// sections lists what an order's inspect view has: the problem first for
// an order in Errors.
func sections(o store.Order) []section {
	if o.State == store.StateAttention {
		return []section{secProblem, secTimeline, secDocument, secRaw, secHTTP}
	}
	return []section{secTimeline, secDocument, secRaw, secHTTP}
}

// wrapLines cuts s into lines of at most w columns, keeping words whole
// where it can. Each line is made safe (safetext): a value from outside
// that should stay on one line is passed through safetext.Text before, so
// that its own line breaks show as \n.
func wrapLines(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		for _, l := range strings.Split(ansi.Wrap(safetext.Text(para), w, " "), "\n") {
			out = append(out, ansi.Truncate(l, w, "…"))
		}
	}
	return out
}

// pretty indents a JSON body; any body is returned safe line by line
// (a reply's own line breaks are kept, everything else made visible).
func pretty(s string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(s), "", "  ") == nil {
		return safetext.Lines(b.String())
	}
	return safetext.Lines(s)
}

// sectionLines renders one section of v at width w.
func sectionLines(s Styles, lang i18n.Lang, keys KeyMap, v store.OrderView, sec section, w int, loc *time.Location) []string {
	o := v.Order
	var out []string
	add := func(text string) { out = append(out, wrapLines(text, w)...) }
	switch sec {
	case secProblem:
		title, explain, fix := dte.Explain(o.ReasonCode, dte.Lang(lang))
		if title != "" {
			out = append(out, s.Error.Render(ansi.Truncate(title, w, "…")))
			add(explain)
			out = append(out, "")
		}
		add(lang.T("inspect.reason", reasonText(lang, o)))
		if rl := ruleLine(lang, v); rl != "" {
			add(rl)
		}
		if fix != "" {
			add(lang.T("inspect.fix", fix))
		}
		// The raw error is the one that put the order in Errors (the
		// event its move wrote, with the reason as its message), never an
		// earlier one: those stay in the timeline.
		cause := causeEvent(v)
		if cause >= 0 && v.Events[cause].Kind == "error" && v.Events[cause].Data != "" {
			out = append(out, "")
			add(lang.T("inspect.raw_error", safetext.Text(v.Events[cause].Data)))
		}
		if n := earlierErrors(v, cause); n > 0 {
			add(lang.T("inspect.earlier_errors", n))
		}
		if o.ReasonCode == "NEEDS-CREDIT-NOTE" {
			for i := len(v.Events) - 1; i >= 0; i-- {
				if ev := v.Events[i]; ev.Data != "" && strings.Contains(ev.Kind, "credit") {
					out = append(out, "", lang.T("inspect.credit"))
					add(pretty(ev.Data))
					break
				}
			}
		}
		var acts []string
		for _, b := range offered(keys, lang, o) {
			acts = append(acts, b.Help().Key+" "+b.Help().Desc)
		}
		if len(acts) > 0 {
			out = append(out, "")
			add(lang.T("inspect.actions", strings.Join(acts, " · ")))
		}
	case secTimeline:
		if len(v.Events) > 0 { // the times below, in one zone, named
			out = append(out, s.Muted.Render(lang.T("inspect.zone", i18n.ZoneName(loc, v.Events[len(v.Events)-1].At))), "")
		}
		for _, ev := range v.Events {
			head := i18n.FormatTime(lang, ev.At, loc) + "  " + padRight(kindName(lang, ev.Kind), 10) + " "
			indent := strings.Repeat(" ", ansi.StringWidth(head))
			ls := wrapLines(eventText(lang, ev), max(w-len(indent), 20))
			for i := range ls {
				if i == 0 {
					ls[i] = head + ls[i]
				} else {
					ls[i] = indent + ls[i]
				}
			}
			if ev.Kind == "error" {
				for i := range ls {
					ls[i] = s.Error.Render(ls[i])
				}
			}
			out = append(out, ls...)
		}
	case secDocument:
		if rl := ruleLine(lang, v); rl != "" {
			add(rl)
			out = append(out, "")
		}
		if v.Emission == nil || v.Emission.Document == "" {
			return append(append(out, lang.T("inspect.no_doc")), mvDocLines(lang, v, w)...)
		}
		var doc dte.Document
		if err := json.Unmarshal([]byte(v.Emission.Document), &doc); err != nil {
			return wrapLines(err.Error(), w)
		}
		if doc.Encabezado.IdDoc.Folio == 0 {
			doc.Encabezado.IdDoc.Folio = v.Emission.Folio // the document was stored before its folio was known
		}
		doc.EachText(func(_ string, s *string) { *s = safetext.Text(*s) })
		for _, l := range strings.Split(strings.TrimRight(dte.Preview(doc, nil, o.Total, dte.Lang(lang), min(w, 72)), "\n"), "\n") {
			out = append(out, ansi.Truncate(safetext.Text(l), w, "…"))
		}
		out = append(out, mvDocLines(lang, v, w)...)
	case secRaw:
		out = append(out, s.Header.Render(lang.T("inspect.checkout")))
		raw := o.Raw
		if raw == "" {
			raw = o.Light
		}
		add(pretty(raw))
		if v.Emission != nil && v.Emission.Document != "" {
			out = append(out, "", s.Header.Render(lang.T("inspect.sent")))
			add(pretty(v.Emission.Document))
		}
		if v.Emission != nil && v.Emission.Issued != "" {
			out = append(out, "", s.Header.Render(lang.T("inspect.reply")))
			add(pretty(v.Emission.Issued))
		}
	case secHTTP:
		if len(v.HTTP) == 0 {
			return []string{lang.T("inspect.no_http")}
		}
		for i := len(v.HTTP) - 1; i >= 0; i-- {
			ex := v.HTTP[i]
			path := ex.URL
			if u, err := url.Parse(ex.URL); err == nil {
				path = u.Path
				if u.RawQuery != "" {
					path += "?" + u.RawQuery
				}
			}
			st := s.OK
			if ex.Status >= 400 || ex.Error != "" {
				st = s.Error
			}
			line := fmt.Sprintf("%s  %-4s %s %d %s", ex.At.In(loc).Format("15:04:05"), safetext.Text(ex.Method), safetext.Text(path),
				ex.Status, ex.Duration.Round(1e6))
			if ex.Error != "" {
				line += "  " + safetext.Text(ex.Error)
			}
			for _, l := range wrapLines(line, w) {
				out = append(out, st.Render(l))
			}
			for _, body := range []string{ex.ReqBody, ex.RespBody} {
				if body == "" {
					continue
				}
				ls := wrapLines(pretty(body), max(w-4, 10))
				if len(ls) > 12 {
					ls = append(ls[:12], "…")
				}
				for _, l := range ls {
					out = append(out, s.Muted.Render("    "+l))
				}
			}
		}
	}
	return out
}

// causeEvent is the index of the event that put the order in Errors: the
// latest whose message is the order's reason (the move writes both), or -1.
func causeEvent(v store.OrderView) int {
	for i := len(v.Events) - 1; i >= 0; i-- {
		if v.Events[i].Message == v.Order.Reason && v.Order.Reason != "" {
			return i
		}
	}
	return -1
}

// earlierErrors counts the error events before the cause (all of them
// when the cause is not found).
func earlierErrors(v store.OrderView, cause int) int {
	if cause < 0 {
		cause = len(v.Events)
	}
	n := 0
	for _, ev := range v.Events[:cause] {
		if ev.Kind == "error" {
			n++
		}
	}
	return n
}

// mvDocLines say what Multivende shows for the order's document: the
// synchronizationStatus the engine read back after attaching (the done
// event's data) or found on a document attached before (existing), with
// what "Pendiente" means.
func mvDocLines(lang i18n.Lang, v store.OrderView, w int) []string {
	for i := len(v.Events) - 1; i >= 0; i-- {
		ev := v.Events[i]
		if (ev.Kind != "done" && ev.Kind != "existing") || ev.Data == "" {
			continue
		}
		var d struct {
			ID    string `json:"_id"`
			DocID string `json:"id"`
			Files []struct {
				Sync string `json:"synchronizationStatus"`
			} `json:"ElectronicBillingDocumentFiles"`
		}
		if json.Unmarshal([]byte(ev.Data), &d) != nil || len(d.Files) == 0 || d.Files[0].Sync == "" {
			continue
		}
		name := d.DocID
		if name == "" {
			name = d.ID
		}
		// Multivende's own word for the status, as written, quoted.
		out := append([]string{""}, wrapLines(lang.T("inspect.mv_doc", safetext.Text(name), lang.T("quote", safetext.Text(d.Files[0].Sync))), w)...)
		explain := lang.T("inspect.mv_sync_other")
		if strings.EqualFold(strings.TrimSpace(d.Files[0].Sync), multivende.SyncPending) {
			explain = lang.T("inspect.mv_sync_pending")
		}
		return append(out, wrapLines(explain, w)...)
	}
	return nil
}

// ruleLine says which rule chose the order's document (the latest "rule"
// event the engine wrote), or "" before any build.
func ruleLine(lang i18n.Lang, v store.OrderView) string {
	for i := len(v.Events) - 1; i >= 0; i-- {
		if ev := v.Events[i]; ev.Kind == "rule" {
			return lang.T("rule.heading", eventText(lang, ev))
		}
	}
	return ""
}

// eventText is a timeline line in lang when the engine wrote it from the
// catalog, else as it was stored; either way on one line, made safe.
func eventText(lang i18n.Lang, ev store.Event) string {
	if m, ok := i18n.ParseMessage(ev.MsgJSON); ok && m.Known() {
		return m.In(lang)
	}
	if ev.MsgID == "" || !i18n.Has(i18n.ID(ev.MsgID)) {
		return safetext.Text(ev.Message)
	}
	args := make([]any, len(ev.MsgArgs))
	for i, a := range ev.MsgArgs {
		args[i] = safetext.Text(a)
	}
	return lang.T(i18n.ID(ev.MsgID), args...)
}

// linesKey is what an inspect section's lines depend on.
type linesKey struct {
	view  *store.OrderView
	sec   section
	width int
	lang  i18n.Lang
	theme string
}

// content renders the current section once per change of order,
// section, width, language or theme: every frame draws from the cache
// (pretty-printing and wrapping the raw JSON is not a per-frame job).
func (in *inspectState) content(m *Model) []string {
	if in.view == nil || in.sec >= len(in.sections) {
		return nil
	}
	k := linesKey{in.view, in.sections[in.sec], m.width - 1, m.lang, m.theme.Name}
	if in.linesKey != k {
		in.lines = sectionLines(m.styles, m.lang, m.keys, *in.view, k.sec, k.width, m.loc)
		in.linesKey = k
	}
	return in.lines
}

// reasonText is the order's reason in lang when the engine kept it as a
// message (schema 12), else as it was stored; either way made safe.
func reasonText(lang i18n.Lang, o store.Order) string {
	if m, ok := i18n.ParseMessage(o.ReasonMsg); ok && m.Known() {
		return m.In(lang)
	}
	return safetext.Text(o.Reason)
}

// kindName is a timeline kind in lang (as stored when the catalog has no
// word for it).
func kindName(lang i18n.Lang, kind string) string {
	if id := i18n.ID("kind." + kind); i18n.Has(id) {
		return lang.T(id)
	}
	return safetext.Text(kind)
}

// padRight pads s with spaces to w columns.
func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// openInspect reads one order for the inspect view.
func (m *Model) openInspect(id string) tea.Cmd {
	in := &inspectState{id: id}
	m.push(in)
	return m.loadInspect(in)
}

// loadInspect reads in's order; the reply is tagged with the order it was
// read for.
func (m *Model) loadInspect(in *inspectState) tea.Cmd {
	st, id, actor := m.opt.Store, in.id, m.opt.Actor
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		v, err := st.InspectOrder(ctx, id, 200)
		if err == nil {
			err = visible(ctx, st, actor, v.Order)
		}
		return inspectMsg{id: id, view: v, err: err}
	}
}

func (m *Model) handleInspect(msg inspectMsg) {
	in := m.inspecting()
	if in == nil || msg.id != in.id {
		return // read for an inspect view since closed
	}
	in.err = msg.err
	if msg.err != nil {
		return
	}
	first := in.view == nil
	in.view = &msg.view
	in.buyer, in.rut = engine.BuyerShown(msg.view.Order, msg.view.Emission)
	secs := sections(msg.view.Order)
	if first || len(secs) != len(in.sections) {
		in.sections, in.sec, in.offset = secs, 0, 0
	}
}

func (*inspectState) kind() mode { return modeInspect }

func (in *inspectState) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	n := len(in.sections)
	switch {
	case key.Matches(k, km.Back):
		m.pop()
		return m.fetch()
	case key.Matches(k, km.Quit):
		return tea.Quit
	case key.Matches(k, km.Help):
		m.openHelp()
	case key.Matches(k, km.NextPane) && n > 0:
		in.sec, in.offset = (in.sec+1)%n, 0
	case key.Matches(k, km.PrevPane) && n > 0:
		in.sec, in.offset = (in.sec+n-1)%n, 0
	case key.Matches(k, km.Pane1, km.Pane2, km.Pane3, km.Pane4) || k.String() == "5":
		if i := int(k.String()[0] - '1'); i >= 0 && i < n {
			in.sec, in.offset = i, 0
		}
	case key.Matches(k, km.Up):
		in.offset = max(in.offset-1, 0)
	case key.Matches(k, km.Down):
		in.offset++
	case key.Matches(k, km.PageUp):
		in.offset = max(in.offset-m.inspectRows(), 0)
	case key.Matches(k, km.PageDown):
		in.offset += m.inspectRows()
	case key.Matches(k, km.Top):
		in.offset = 0
	case key.Matches(k, km.Bottom):
		in.offset = 1 << 30
	case key.Matches(k, km.Palette):
		m.openPrompt(promptPalette, "")
	case key.Matches(k, km.Filter):
		m.openPrompt(promptSearch, in.search)
	case k.String() == "n" && in.search != "":
		in.findNext(m, true)
	default:
		return m.actionKey(k)
	}
	return nil
}

// findNext scrolls the inspect view to the next line holding the search
// text (after the top line when again is set), wrapping to the start.
func (in *inspectState) findNext(m *Model, again bool) {
	if in.view == nil || in.sec >= len(in.sections) || in.search == "" {
		return
	}
	lines := in.content(m)
	q := strings.ToLower(in.search)
	start := in.offset
	if again {
		start++
	}
	for i := 0; i < len(lines); i++ {
		j := (start + i) % len(lines)
		if strings.Contains(strings.ToLower(ansi.Strip(lines[j])), q) {
			in.offset = j
			return
		}
	}
	m.setFlash(flashErr, m.lang.T("pane.empty_filter", in.search))
}
