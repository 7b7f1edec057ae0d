package tui

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

type promptKind int

const (
	promptFilter promptKind = iota
	promptPalette
	promptSkip
	promptSearch // text within the inspect view
)

// promptState is a one-line question in the flash line, a layer.
type promptState struct {
	pkind promptKind
	in    lineInput
	order store.Order // for skip
}

// confirmState is a yes/no question in the flash line, a layer.
type confirmState struct {
	question string
	yes      func() tea.Cmd
}

// openPrompt asks for a line of kind k, starting from value; a prompt on
// top gives way to it.
func (m *Model) openPrompt(k promptKind, value string) *promptState {
	if m.mode() == modePrompt {
		m.pop()
	}
	p := &promptState{pkind: k, in: newInput(200)}
	p.in.set(value)
	m.push(p)
	return p
}

func (*promptState) kind() mode { return modePrompt }

func (*promptState) body(*Model, int) ([]string, bool) { return nil, false }

func (p *promptState) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.pop()
		if p.pkind == promptFilter {
			return m.setFilter("")
		}
		return nil
	case "enter":
		v := strings.TrimSpace(p.in.String())
		m.pop()
		switch p.pkind {
		case promptFilter:
			return m.setFilter(v)
		case promptPalette:
			return m.runCommand(v)
		case promptSearch:
			in := m.inspecting()
			if in == nil {
				return nil
			}
			in.search, in.find = v, nil
			if v != "" {
				in.find = regexp.MustCompile("(?i)" + regexp.QuoteMeta(v))
			}
			in.findNext(m, false)
			return nil
		case promptSkip:
			if v == "" {
				m.setFlash(flashErr, m.lang.T("flash.cancelled"))
				return nil
			}
			o := p.order
			m.ask(m.lang.T("confirm.skip", o.Code, v), func() tea.Cmd {
				return m.request("action.skip", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
					return engine.RequestSkip(ctx, st, o.ID, v, by)
				})
			})
		}
		return nil
	}
	if p.in.update(k) {
		return p.changed(m)
	}
	return nil
}

func (p *promptState) paste(m *Model, msg tea.PasteMsg) tea.Cmd {
	p.in.update(msg)
	return p.changed(m)
}

// changed filters as the person types: the query runs in SQL, so it stays
// fast at a million orders.
func (p *promptState) changed(m *Model) tea.Cmd {
	if p.pkind == promptFilter {
		return m.setFilter(p.in.String())
	}
	return nil
}

// ask shows a yes/no question; only an explicit yes goes ahead.
func (m *Model) ask(q string, yes func() tea.Cmd) {
	m.push(&confirmState{question: safetext.Text(q), yes: yes})
}

func (*confirmState) kind() mode { return modeConfirm }

func (*confirmState) body(*Model, int) ([]string, bool) { return nil, false }

func (c *confirmState) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	yes := k.String() == m.lang.T("confirm.yes") || k.String() == "y" && m.lang == i18n.EN
	m.pop()
	if yes {
		return c.yes()
	}
	m.setFlash(flashInfo, m.lang.T("flash.cancelled"))
	return nil
}

func (c *confirmState) line(m *Model) string {
	return m.styles.Warn.Render(keepAnswers(c.question, m.width-1))
}

// fuzzy scores how well q matches name: a prefix beats a subsequence;
// -1 is no match.
func fuzzy(q, name string) int {
	if q == "" {
		return 0
	}
	if strings.HasPrefix(name, q) {
		return 100 - len(name)
	}
	i := 0
	for _, r := range name {
		if i < len(q) && rune(q[i]) == r {
			i++
		}
	}
	if i == len(q) {
		return 50 - len(name)
	}
	return -1
}

// matchCommands lists the actions matching word, best first.
func matchCommands(word string) []action {
	word = strings.ToLower(word)
	if word == "q" {
		word = "quit"
	}
	type scored struct {
		c action
		s int
	}
	var out []scored
	for _, c := range actions() {
		if s := fuzzy(word, c.name); s >= 0 {
			out = append(out, scored{c, s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].s > out[j].s })
	cs := make([]action, len(out))
	for i, s := range out {
		cs[i] = s.c
	}
	return cs
}

// ambiguous lists the commands a word could mean when it is not exactly one
// of them and begins more than one (":re" is resume, retry or retry-all):
// running the first would act on a guess.
func ambiguous(word string, cs []action) []string {
	word = strings.ToLower(word)
	var names []string
	for _, c := range cs {
		if c.name == word || word == "q" && c.name == "quit" {
			return nil
		}
		if strings.HasPrefix(c.name, word) {
			names = append(names, c.name)
		}
	}
	if len(names) < 2 {
		return nil
	}
	return names
}

// runCommand runs the action a palette line names, such as "pause tienda" or "lang en".
func (m *Model) runCommand(line string) tea.Cmd {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil
	}
	cs := matchCommands(fields[0])
	if len(cs) == 0 {
		m.setFlash(flashErr, m.lang.T("flash.unknown_cmd", fields[0]))
		return nil
	}
	if names := ambiguous(fields[0], cs); names != nil {
		m.setFlash(flashErr, m.lang.T("flash.ambiguous_cmd", fields[0], strings.Join(names, ", ")))
		return nil
	}
	return m.runAction(cs[0], call{palette: true, arg: strings.Join(fields[1:], " ")})
}

func (m *Model) setLang(l i18n.Lang) tea.Cmd {
	keys, err := NewKeyMap(l, m.opt.Keymap, m.opt.ReadOnly)
	if err != nil {
		m.setFlash(flashErr, err.Error())
		return nil
	}
	m.lang, m.keys = l, keys
	m.setFlash(flashInfo, l.T("flash.lang"))
	return nil
}

// buyerForm completes a factura's buyer data; the RUT is checked as it
// is typed.
type buyerForm struct {
	order  store.Order
	fields [5]lineInput
	focus  int
	err    string
	cut    []string // prefilled values cut to the SII's limit, said on the form
}

var formLabels = [5]i18n.ID{"form.rut", "form.name", "form.giro", "form.address", "form.comuna"}

// formLimits are the SII's lengths for each field (dte.md): RUT with dots
// and dash, RznSocRecep, GiroRecep, DirRecep, CmnaRecep.
var formLimits = [5]int{12, 100, 40, 70, 20}

func (m *Model) openForm(o store.Order) {
	f := &buyerForm{order: o}
	for i := range f.fields {
		f.fields[i] = newInput(formLimits[i])
	}
	// Start from what the order carries (the list's rows have no checkout).
	raw := o.Raw
	if raw == "" && m.opt.Store != nil {
		if stored, err := m.opt.Store.GetOrder(context.Background(), o.ID); err == nil {
			raw = stored.Raw
		}
	}
	b := engine.BuyerOf(raw)
	if b.RUT == "" {
		b.RUT = o.BuyerRUT
	}
	if r, err := dte.ParseRUT(b.RUT); err == nil {
		b.RUT = r.String()
	}
	for i, v := range [5]string{b.RUT, b.BusinessName, b.Giro, b.Address, b.Comuna} {
		v = strings.TrimSpace(v)
		f.fields[i].set(v)
		if n := len([]rune(v)); n > formLimits[i] {
			f.cut = append(f.cut, m.lang.T("form.cut", m.lang.T(formLabels[i]), n, formLimits[i]))
		}
	}
	m.push(f)
}

func (*buyerForm) kind() mode { return modeForm }

func (f *buyerForm) paste(_ *Model, p tea.PasteMsg) tea.Cmd {
	f.fields[f.focus].update(p)
	return nil
}

func (f *buyerForm) hints(m *Model) string { return " " + m.styles.Muted.Render(m.lang.T("form.help")) }

// rutCheck is the form's live verdict on the RUT typed so far.
func (f *buyerForm) rutCheck(lang i18n.Lang) (string, bool) {
	v := strings.TrimSpace(f.fields[0].String())
	if v == "" {
		return "", false
	}
	r, err := dte.ParseRUT(v)
	var re *dte.RUTError
	switch {
	case errors.As(err, &re) && re.WantDV != 0:
		return lang.T("form.rut_dv", string(re.WantDV)), false
	case errors.As(err, &re):
		return lang.T("form.rut_bad", engine.RUTReason(re).In(lang)), false
	case err != nil:
		return lang.T("form.rut_bad", lang.T("quote", safetext.Text(err.Error()))), false
	}
	return lang.T("form.rut_ok") + " " + r.String(), true
}

func (f *buyerForm) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.pop()
		m.setFlash(flashInfo, m.lang.T("flash.cancelled"))
		return nil
	case "tab", "down":
		f.focus = (f.focus + 1) % len(f.fields)
		return nil
	case "shift+tab", "up":
		f.focus = (f.focus + len(f.fields) - 1) % len(f.fields)
		return nil
	case "enter":
		if msg, ok := f.rutCheck(m.lang); !ok {
			f.err = m.lang.T("form.required", m.lang.T("form.rut"))
			if msg != "" { // typed, and wrong: say what is wrong, not that it is missing
				f.err = msg
			}
			f.focus = 0
			return nil
		}
		for i := 1; i < len(f.fields); i++ {
			if strings.TrimSpace(f.fields[i].String()) == "" {
				f.err = m.lang.T("form.required", m.lang.T(formLabels[i]))
				f.focus = i
				return nil
			}
		}
		r, _ := dte.ParseRUT(f.fields[0].String())
		b := dte.Buyer{RUT: r.String(), BusinessName: strings.TrimSpace(f.fields[1].String()), Giro: strings.TrimSpace(f.fields[2].String()),
			Address: strings.TrimSpace(f.fields[3].String()), Comuna: strings.TrimSpace(f.fields[4].String())}
		o := f.order
		m.pop()
		return m.request("key.buyer", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
			return engine.RequestBuyerOverride(ctx, st, o.ID, b, by)
		})
	}
	if f.fields[f.focus].update(k) {
		f.err = ""
	}
	return nil
}
