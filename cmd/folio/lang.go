package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/i18n"
)

// Every command speaks one language: --lang (a persistent root flag; a
// few commands had their own before and keep it, with the same meaning),
// else the config's language, else the locale (i18n.Detect).

func (cl *cli) addRootLangFlag(root *cobra.Command) {
	root.PersistentFlags().String("lang", "", "")
	root.PersistentPreRunE = cl.checkLangFlag
}

// checkLangFlag refuses a --lang that is not es or en before the command
// does anything, naming the two; then it gives the environment the
// command's language (cl.env.Lang).
func (cl *cli) checkLangFlag(cmd *cobra.Command, _ []string) error {
	if f := cmd.Flags().Lookup("lang"); f != nil && f.Changed {
		if _, err := i18n.ParseLang(f.Value.String()); err != nil {
			return errors.New(i18n.Detect("", "", os.Getenv).T("lang.bad", f.Value.String()))
		}
	}
	cl.env.SetLang(langFlag(cmd))
	return nil
}

// lang is the language of cmd's output: its --lang, else the config's
// language (when the config loads), else the locale. It is cl.env.Lang
// where the root hook may not have run yet (an Args check).
func (cl *cli) lang(cmd *cobra.Command) i18n.Lang { return cl.env.LangFor(langFlag(cmd)) }

func langFlag(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup("lang"); f != nil {
		return f.Value.String()
	}
	return ""
}
