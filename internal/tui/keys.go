package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/folio-cl/folio/internal/i18n"
)

// binding is one action's keys, with its config name and whether it
// changes anything (read-only mode drops those).
type binding struct {
	name      string
	help      i18n.ID
	keys      []string
	dangerous bool
}

// KeyMap is every action the console has, with its keys. It is built once
// per console from the defaults and the config's keymap; no globals.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	NextPane, PrevPane, Pane1, Pane2        key.Binding
	Pane3, Pane4                            key.Binding
	Inspect, Back, Filter, Palette, Help    key.Binding
	Quit, Pause, Retry, RetryAll, Skip      key.Binding
	Buyer, Boleta, Connect                  key.Binding
	Reissue, Credit                         key.Binding
	// named is every binding by its config name, for the action table.
	named map[string]key.Binding
}

// defaultBindings are the console's keys; the config's keymap (action →
// keys) replaces an action's keys.
func defaultBindings() []binding {
	return []binding{
		{"up", "key.up", []string{"up", "k"}, false},
		{"down", "key.down", []string{"down", "j"}, false},
		{"page_up", "key.page_up", []string{"pgup", "ctrl+b"}, false},
		{"page_down", "key.page_down", []string{"pgdown", "ctrl+f", "space"}, false},
		{"top", "key.top", []string{"home", "g"}, false},
		{"bottom", "key.bottom", []string{"end", "G"}, false},
		{"next_pane", "key.next_pane", []string{"tab"}, false},
		{"prev_pane", "key.prev_pane", []string{"shift+tab"}, false},
		{"pane1", "pane.connections", []string{"1"}, false},
		{"pane2", "pane.orders", []string{"2"}, false},
		{"pane3", "pane.queue", []string{"3"}, false},
		{"pane4", "pane.errors", []string{"4"}, false},
		{"inspect", "action.inspect", []string{"enter"}, false},
		{"back", "key.back", []string{"esc"}, false},
		{"filter", "action.filter", []string{"/"}, false},
		{"palette", "key.palette", []string{":"}, false},
		{"help", "action.help", []string{"?"}, false},
		{"quit", "action.quit", []string{"q", "ctrl+c"}, false},
		{"pause", "key.pause", []string{"p"}, true},
		{"retry", "action.retry", []string{"r"}, true},
		{"retry_all", "key.retry_all", []string{"R"}, true},
		{"skip", "action.skip", []string{"s"}, true},
		{"buyer", "key.buyer", []string{"b"}, true},
		{"boleta", "key.boleta", []string{"B"}, true},
		{"connect", "key.connect", []string{"c"}, true},
		{"reissue", "key.reissue", []string{"e"}, true},
		{"credit", "key.credit", []string{"n"}, true},
		{"engines", "key.engines", []string{"E"}, false},
	}
}

// KeyActions lists the action names a config's keymap may use.
func KeyActions() []string {
	var out []string
	for _, b := range defaultBindings() {
		out = append(out, b.name)
	}
	return out
}

// NewKeyMap builds the keymap in lang with the config's overrides. An
// unknown action, or one key given to two actions, is an error naming them.
// readOnly drops every action that changes anything.
func NewKeyMap(lang i18n.Lang, overrides map[string][]string, readOnly bool) (KeyMap, error) {
	bs := defaultBindings()
	byName := map[string]*binding{}
	for i := range bs {
		byName[bs[i].name] = &bs[i]
	}
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b, ok := byName[n]
		if !ok {
			return KeyMap{}, fmt.Errorf("keymap: unknown action %q; actions: %s", n, strings.Join(KeyActions(), ", "))
		}
		if len(overrides[n]) == 0 {
			return KeyMap{}, fmt.Errorf("keymap: action %q has no keys", n)
		}
		b.keys = overrides[n]
	}
	owner := map[string]string{}
	for _, b := range bs {
		for _, k := range b.keys {
			if other, dup := owner[k]; dup {
				return KeyMap{}, fmt.Errorf("keymap: key %q is given to both %q and %q; give one of them another key", k, other, b.name)
			}
			owner[k] = b.name
		}
	}
	mk := func(n string) key.Binding {
		b := byName[n]
		kb := key.NewBinding(key.WithKeys(b.keys...), key.WithHelp(keyLabel(b.keys[0]), lang.T(b.help)))
		if readOnly && b.dangerous {
			kb.SetEnabled(false)
		}
		return kb
	}
	km := KeyMap{
		Up: mk("up"), Down: mk("down"), PageUp: mk("page_up"), PageDown: mk("page_down"), Top: mk("top"), Bottom: mk("bottom"),
		NextPane: mk("next_pane"), PrevPane: mk("prev_pane"), Pane1: mk("pane1"), Pane2: mk("pane2"), Pane3: mk("pane3"), Pane4: mk("pane4"),
		Inspect: mk("inspect"), Back: mk("back"), Filter: mk("filter"), Palette: mk("palette"), Help: mk("help"),
		Quit: mk("quit"), Pause: mk("pause"), Retry: mk("retry"), RetryAll: mk("retry_all"), Skip: mk("skip"),
		Buyer: mk("buyer"), Boleta: mk("boleta"), Connect: mk("connect"), Reissue: mk("reissue"),
		Credit: mk("credit"),
		named:  map[string]key.Binding{},
	}
	for _, b := range bs {
		km.named[b.name] = mk(b.name)
	}
	return km, nil
}

func keyLabel(k string) string {
	switch k {
	case "shift+tab":
		return "S-tab"
	case "pgdown":
		return "pgdn"
	case "up":
		return "↑"
	case "down":
		return "↓"
	}
	return k
}

// moves are the keys that are not actions (they move, open and close),
// by the help screen's column they head.
func (k KeyMap) moves() map[i18n.ID][]key.Binding {
	return map[i18n.ID][]key.Binding{
		"key.navigation": {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		"help.panes":     {k.NextPane, k.PrevPane},
		"help.general":   {k.Inspect, k.Back, k.Filter, k.Palette},
	}
}
