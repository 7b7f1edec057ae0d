package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/tui"
)

// Help speaks the command's language too. The words of every command and
// flag live in the catalog (internal/i18n/catalog_help.go), named by the
// command's path: usage.order.retry is `folio order retry`'s line,
// usage.order.retry.long its text, usage.order.retry.flag.reason a flag's;
// usage.flag.NAME serves a flag every command words alike (--store,
// --lang). Definitions carry none: one source, and a test holds every
// command and flag to an entry in both languages.

// helpID is the catalog id of cmd's help words.
func helpID(cmd *cobra.Command) i18n.ID {
	if !cmd.HasParent() {
		return "usage.folio"
	}
	path := strings.Fields(cmd.CommandPath())[1:]
	return i18n.ID("usage." + strings.Join(path, "."))
}

// flagHelpID is the catalog id of f's words on cmd: the command's own,
// else the one every command shares.
func flagHelpID(cmd *cobra.Command, f *pflag.Flag) i18n.ID {
	if id := helpID(cmd) + i18n.ID(".flag."+f.Name); i18n.Has(id) {
		return id
	}
	return i18n.ID("usage.flag." + f.Name)
}

// localizeHelp words every command and flag under root in l, and sets
// the usage template's own words (Usage:, Flags:…) in l.
func localizeHelp(root *cobra.Command, l i18n.Lang) {
	root.InitDefaultHelpCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden { // cobra's __complete
			return
		}
		c.InitDefaultHelpFlag()
		id := helpID(c)
		c.Short = l.T(id)
		c.Long = ""
		if i18n.Has(id + ".long") {
			c.Long = l.T(id + ".long")
		}
		word := func(f *pflag.Flag) {
			fid := flagHelpID(c, f)
			switch f.Name {
			case "help":
				f.Usage = l.T(fid, c.Name())
			case "theme":
				f.Usage = l.T(fid, strings.Join(tui.ThemeNames(), ", "))
			default:
				f.Usage = l.T(fid)
			}
		}
		c.LocalNonPersistentFlags().VisitAll(word)
		c.PersistentFlags().VisitAll(word)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.SetUsageTemplate(usageTemplate(l))
}

// newHelpCmd is cobra's help command, refusing a topic that is no
// command (cobra's printed English and exited 0).
func (cl *cli) newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use: "help [COMMAND]",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := c.Root().Find(args)
			if err != nil || target == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range target.Commands() {
				if (sub.IsAvailableCommand() || sub.Name() == "help") && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return errors.New(cl.lang(c).T("cli.help_unknown", strings.Join(args, " ")))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
}

func init() {
	cobra.AddTemplateFunc("folioUseLine", func(c *cobra.Command) string {
		return strings.TrimSuffix(c.UseLine(), " [flags]")
	})
	cobra.AddTemplateFunc("folioFlags", func(fs *pflag.FlagSet, lang string) string {
		return flagUsages(fs, i18n.Lang(lang))
	})
	cobra.AddTemplateFunc("folioCommands", func(c *cobra.Command) string {
		var rows [][2]string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				rows = append(rows, [2]string{"  " + sub.Name(), sub.Short})
			}
		}
		return table(rows)
	})
}

// helpWidth is the width help is laid out for: a technician's 80-column
// terminal over SSH.
const helpWidth = 80

// table lays out rows of a name and its text: the names in one column,
// each text wrapped to helpWidth in the next (never narrower than 30).
func table(rows [][2]string) string {
	col := 0
	for _, r := range rows {
		col = max(col, utf8.RuneCountInString(r[0]))
	}
	col += 3
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, line := range wrap(r[1], max(helpWidth-col, 30)) {
			if j == 0 {
				b.WriteString(r[0] + strings.Repeat(" ", col-utf8.RuneCountInString(r[0])))
			} else {
				b.WriteString("\n" + strings.Repeat(" ", col))
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// wrap breaks text into lines of at most width runes, at spaces (a word
// longer than width keeps its own line); its own line breaks stay.
func wrap(text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
				line += " " + w
			default:
				lines = append(lines, line)
				line = w
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// usageTemplate is cobra's usage template with its words in l.
func usageTemplate(l i18n.Lang) string {
	flagsWord := " " + l.T("usage.word.flags_in_use")
	return l.T("usage.word.usage") + `:{{if .Runnable}}
  {{folioUseLine .}}{{if .HasAvailableFlags}}` + flagsWord + `{{end}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} ` + l.T("usage.word.command_in_use") + `{{end}}{{if .HasAvailableSubCommands}}

` + l.T("usage.word.commands") + `:
{{folioCommands .}}{{end}}{{if .HasAvailableLocalFlags}}

` + l.T("usage.word.flags") + `:
{{folioFlags .LocalFlags "` + string(l) + `"}}{{end}}{{if .HasAvailableInheritedFlags}}

` + l.T("usage.word.global_flags") + `:
{{folioFlags .InheritedFlags "` + string(l) + `"}}{{end}}{{if .HasAvailableSubCommands}}

` + l.T("usage.word.more", "{{.CommandPath}}") + `{{end}}
`
}

// flagUsages is pflag's flag table with its English words (the value's
// type, "default") in l, wrapped to helpWidth.
func flagUsages(fs *pflag.FlagSet, l i18n.Lang) string {
	var rows [][2]string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "      --" + f.Name
		if f.Shorthand != "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		}
		if t := valueWord(f, l); t != "" {
			name += " " + t
		}
		usage := f.Usage
		if d := defaultText(f); d != "" {
			usage += " " + l.T("usage.word.default", d)
		}
		rows = append(rows, [2]string{name, usage})
	})
	return table(rows)
}

// valueWord names what a flag takes ("" for a switch).
func valueWord(f *pflag.Flag, l i18n.Lang) string {
	switch t := f.Value.Type(); t {
	case "bool":
		return ""
	case "string", "int", "int64", "uint", "uint64", "float64", "duration", "stringArray", "stringSlice":
		return l.T(i18n.ID("usage.type." + t))
	default:
		return t
	}
}

// defaultText is a flag's default as pflag shows it, or "" when it is the
// type's zero value (nothing worth saying).
func defaultText(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "false", "0", "0s", "[]":
		return ""
	}
	if f.Value.Type() == "string" {
		return fmt.Sprintf("%q", f.DefValue)
	}
	return f.DefValue
}
