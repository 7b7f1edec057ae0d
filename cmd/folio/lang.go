package main

import (
	"context"
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/i18n"
)

// Every command speaks one language: --lang (a persistent root flag; a
// few commands had their own before and keep it, with the same meaning),
// else the config's language, else the locale (i18n.Detect).

func addRootLangFlag(root *cobra.Command) {
	root.PersistentFlags().String("lang", "", "language of messages: es or en (default from the config's language, else LC_ALL/LC_MESSAGES/LANG)")
	root.PersistentPreRunE = checkLangFlag
}

// checkLangFlag refuses a --lang that is not es or en before the command
// does anything, naming the two; then it puts the command's language in
// its context, for helpers that get a context only (ctxLang).
func checkLangFlag(cmd *cobra.Command, _ []string) error {
	if f := cmd.Flags().Lookup("lang"); f != nil && f.Changed {
		if _, err := i18n.ParseLang(f.Value.String()); err != nil {
			return errors.New(i18n.Detect("", "", os.Getenv).T("lang.bad", f.Value.String()))
		}
	}
	cmd.SetContext(withCmdLang(cmd.Context(), cmd))
	return nil
}

type langKey struct{}

// ctxLang is the language a command put in its context (withCmdLang), for
// helpers that get a context and no command; else the config's or the
// locale's.
func ctxLang(ctx context.Context) i18n.Lang {
	if ctx == nil {
		ctx = context.Background() // a command's Args check before it ran
	}
	if l, ok := ctx.Value(langKey{}).(i18n.Lang); ok {
		return l
	}
	if l, ok := langInArgs(os.Args[1:]); ok {
		return l // a helper with no command's context, or before it ran
	}
	config := ""
	if cfg, err := loadConfig(); err == nil {
		config = cfg.Language
	}
	return i18n.Detect("", config, os.Getenv)
}

// withCmdLang is ctx carrying cmd's language.
func withCmdLang(ctx context.Context, cmd *cobra.Command) context.Context {
	return context.WithValue(ctx, langKey{}, cmdLang(cmd))
}

// cmdLang is the language of cmd's output: its --lang, else the config's
// language (when the config loads), else the locale.
func cmdLang(cmd *cobra.Command) i18n.Lang {
	flag := ""
	if f := cmd.Flags().Lookup("lang"); f != nil {
		flag = f.Value.String()
	}
	config := ""
	if cfg, err := loadConfig(); err == nil {
		config = cfg.Language
	}
	return i18n.Detect(flag, config, os.Getenv)
}
