package tui

import (
	"fmt"
	"image/color"
	"io/fs"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"
	"gopkg.in/yaml.v3"

	"github.com/folio-cl/folio/themes"
)

// Theme is a palette read from themes/NAME.yaml. Colours are ANSI indexes
// ("4"), 256-colour indexes ("75") or hex ("#5fafff"); empty means the
// terminal's default.
type Theme struct {
	Name       string `yaml:"-"`
	Accent     string `yaml:"accent"`
	Muted      string `yaml:"muted"`
	OK         string `yaml:"ok"`
	Warn       string `yaml:"warn"`
	Error      string `yaml:"error"`
	Info       string `yaml:"info"`
	SelectedFG string `yaml:"selected_fg"`
	SelectedBG string `yaml:"selected_bg"`
	Bold       bool   `yaml:"bold"`
}

// ThemeNames lists the embedded themes.
func ThemeNames() []string {
	entries, _ := fs.Glob(themes.Files, "*.yaml")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e, ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadTheme reads an embedded theme by name.
func LoadTheme(name string) (Theme, error) {
	if name == "" {
		name = "default"
	}
	b, err := fs.ReadFile(themes.Files, name+".yaml")
	if err != nil {
		return Theme{}, fmt.Errorf("theme %q does not exist; themes: %s", name, strings.Join(ThemeNames(), ", "))
	}
	var t Theme
	if err := yaml.Unmarshal(b, &t); err != nil {
		return Theme{}, fmt.Errorf("theme %q: %w", name, err)
	}
	t.Name = name
	return t, nil
}

// Styles are built once from a theme; every view draws with them.
type Styles struct {
	NoColor                      bool
	Title, Accent, Muted, Header paint
	OK, Warn, Error, Info        paint
	Selected, TabActive, Tab     paint
	Border                       paint
	Key                          paint
}

// NewStyles builds the styles of t; noColor (NO_COLOR) keeps only bold and
// reverse video, which carry no colour codes.
func NewStyles(t Theme, noColor bool) Styles {
	c := func(s string) color.Color {
		if noColor || s == "" {
			return nil
		}
		return lipgloss.Color(s)
	}
	fg := func(s string) lipgloss.Style {
		st := lipgloss.NewStyle()
		if col := c(s); col != nil {
			st = st.Foreground(col)
		}
		return st
	}
	var title, accent, muted, header, ok, warn, errS, info, key, tab, tabActive, selected, border lipgloss.Style
	title = fg(t.Accent).Bold(true)
	accent = fg(t.Accent)
	muted = fg(t.Muted)
	header = fg(t.Muted).Bold(true)
	ok = fg(t.OK)
	warn = fg(t.Warn)
	errS = fg(t.Error)
	info = fg(t.Info)
	if t.Bold {
		errS = errS.Bold(true)
		warn = warn.Bold(true)
	}
	key = fg(t.Accent).Bold(true)
	tab = fg(t.Muted)
	tabActive = fg(t.Accent).Bold(true).Underline(!noColor)
	if noColor {
		tabActive = lipgloss.NewStyle().Reverse(true)
	}
	if f, b := c(t.SelectedFG), c(t.SelectedBG); f != nil && b != nil {
		selected = lipgloss.NewStyle().Foreground(f).Background(b)
	} else {
		selected = lipgloss.NewStyle().Reverse(true)
	}
	border = fg(t.Muted)
	s := Styles{NoColor: noColor, Title: newPaint(title), Accent: newPaint(accent), Muted: newPaint(muted), Header: newPaint(header),
		OK: newPaint(ok), Warn: newPaint(warn), Error: newPaint(errS), Info: newPaint(info), Key: newPaint(key), Tab: newPaint(tab),
		TabActive: newPaint(tabActive), Selected: newPaint(selected), Border: newPaint(border)}
	return s
}
