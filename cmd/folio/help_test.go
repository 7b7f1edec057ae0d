package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/tui"
)

// everyCommand is root and every command under it a person can ask help
// of (cobra's hidden __complete left out), with cobra's help command and
// help flags in place.
func everyCommand(root *cobra.Command) []*cobra.Command {
	root.InitDefaultHelpCmd()
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		c.InitDefaultHelpFlag()
		out = append(out, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// Every command and flag has its words in the catalog, in both languages,
// and the catalog holds no help a command no longer has.
func TestEveryCommandAndFlagHasHelpWords(t *testing.T) {
	used := map[i18n.ID]bool{}
	check := func(what string, id i18n.ID) {
		t.Helper()
		m, ok := i18n.Lookup(id)
		switch {
		case !ok:
			t.Errorf("%s: no %s in the catalog (internal/i18n/catalog_help.go)", what, id)
		case m.ES == "" || m.EN == "" || m.ES == m.EN:
			t.Errorf("%s: %s is not worded in both languages: %+v", what, id, m)
		}
		used[id] = true
	}
	for _, c := range everyCommand(newRootCmd()) {
		id := helpID(c)
		check(c.CommandPath(), id)
		if i18n.Has(id + ".long") {
			used[id+".long"] = true
		}
		flag := func(f *pflag.Flag) {
			fid := flagHelpID(c, f)
			check(c.CommandPath()+" --"+f.Name, fid)
		}
		c.LocalNonPersistentFlags().VisitAll(flag)
		c.PersistentFlags().VisitAll(flag)
	}
	for _, id := range i18n.IDs() {
		s := string(id)
		if strings.HasPrefix(s, "usage.") && !strings.HasPrefix(s, "usage.word.") && !strings.HasPrefix(s, "usage.type.") && !used[id] {
			t.Errorf("%s is in the catalog but no command or flag uses it", id)
		}
	}
}

// helpOf runs `folio args…` and answers what it printed.
func helpOf(t *testing.T, lang string, args ...string) string {
	t.Helper()
	t.Setenv("LANG", lang)
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("FOLIO_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("folio %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

func TestHelpSpeaksTheReadersLanguage(t *testing.T) {
	es := helpOf(t, "es_CL.UTF-8", "orders", "--help")
	for _, want := range []string{"Lista los pedidos", "Uso:\n  folio orders", " [opciones]", "Opciones:", "--limit número", "Opciones globales:", "--lang texto"} {
		if !strings.Contains(es, want) {
			t.Errorf("folio orders --help under es_CL lacks %q:\n%s", want, es)
		}
	}
	oneLanguage(t, i18n.ES, "folio orders --help", withoutNames(es))

	en := helpOf(t, "es_CL.UTF-8", "orders", "--help", "--lang", "en")
	for _, want := range []string{"List orders, newest first", "Usage:\n  folio orders", " [flags]", "Flags:", "--limit int", "Global Flags:"} {
		if !strings.Contains(en, want) {
			t.Errorf("folio orders --help --lang en lacks %q:\n%s", want, en)
		}
	}
	oneLanguage(t, i18n.EN, "folio orders --help --lang en", withoutNames(en))

	// The help command, the root's list and a default value.
	s := helpOf(t, "es_CL.UTF-8", "help", "connect", "multivende")
	if flat := strings.Join(strings.Fields(s), " "); !strings.Contains(flat, `(por omisión "multivende")`) || !strings.Contains(flat, "ayuda de multivende") {
		t.Errorf("folio help connect multivende under es_CL:\n%s", s)
	}
	root := helpOf(t, "en_US.UTF-8", "--help", "--lang", "es")
	if !strings.Contains(root, "Comandos:") || !strings.Contains(root, `Use "folio [comando] --help"`) {
		t.Errorf("folio --help --lang es:\n%s", root)
	}
	oneLanguage(t, i18n.ES, "folio --help --lang es", withoutNames(root))
}

// Every command's help is in one language, whichever it is asked in.
func TestEveryHelpInOneLanguage(t *testing.T) {
	for _, c := range everyCommand(newRootCmd()) {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
			out := helpOf(t, "C", append(args, "--lang", string(lang))...)
			oneLanguage(t, lang, c.CommandPath()+" --help", withoutNames(out))
		}
	}
}

var (
	flagWord   = regexp.MustCompile(`--[\w-]+`)
	syntaxLine = regexp.MustCompile(`(?m)^ +folio .*$`)
	listedName = regexp.MustCompile(`(?m)^  [\w-]+ `) // a command in the list of commands
)

// withoutNames is help text without what is a name in every language:
// flags, the syntax lines, command names (listed, or after "help of"),
// the themes' names.
func withoutNames(out string) string {
	out = syntaxLine.ReplaceAllString(out, " ")
	out = flagWord.ReplaceAllString(out, " ")
	out = listedName.ReplaceAllString(out, " ")
	for _, c := range everyCommand(newRootCmd()) {
		for _, l := range []i18n.Lang{i18n.ES, i18n.EN} {
			out = strings.ReplaceAll(out, l.T("usage.flag.help", c.Name()), " ")
		}
	}
	for _, name := range tui.ThemeNames() {
		out = strings.ReplaceAll(out, name, " ")
	}
	return out
}
