// Command folio turns paid Multivende orders into Chilean tax documents and
// shows the work live in a terminal console. This package holds flags and
// wiring only; the work lives in internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/safetext"
)

// exitError carries a process exit code through cobra without printing twice.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitCode wraps err so that main exits with code after printing err.
func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

// exitQuietly makes main exit with code and print nothing more: the
// command already said what is wrong in its own output.
func exitQuietly(code int) error { return &exitError{code: code} }

func newRootCmd() *cobra.Command { return newCLI().rootCmd() }

func (cl *cli) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "folio",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		// Each command lives in its own file of this package.
		newVersionCmd(),
		cl.newDTECmd(),
		cl.newInfoCmd(),
		cl.newConfigCmd(),
		cl.newCompletionCmd(),
		cl.newBackupCmd(),
		cl.newRunCmd(),
		cl.newSimCmd(),
		cl.newDemoCmd(),
		cl.newConsoleCmd(),
		cl.newServeCmd(),
		cl.newAuditCmd(),
		cl.newOrdersCmd(),
		cl.withCredit(cl.newOrderCmd()),
		cl.newPauseCmd(true),
		cl.newPauseCmd(false),
		cl.newConnectCmd(),
		cl.newConnectionsCmd(),
		cl.newDisconnectCmd(),
		cl.newDoctorCmd(),
		cl.newCatalogCmd(),
		cl.newWebhookCmd(),
		cl.newStoreCmd(),
	)
	root.PersistentFlags().StringVar(&cl.env.ConfigPath, "config", "", "")
	root.SetHelpCommand(cl.newHelpCmd())
	refuseUnknownSubcommands(root)
	cl.addRootLangFlag(root)
	// Words from the locale until the flags are read; help, asked for
	// after, says them in the command's language (--lang, the config).
	localizeHelp(root, cl.env.LocaleLang())
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		localizeHelp(c.Root(), cl.lang(c))
		help(c, args)
	})
	return root
}

// refuseUnknownSubcommands makes a command that only groups others (folio
// order, catalog, webhook…) refuse a word that is none of them: cobra
// would print the help and exit 0, so "folio order retyr ID" looked done.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c == c.Root() || !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		// cobra's own words: errorText says them in the reader's language.
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's default, set for the root only
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return errors.New(msg)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cl := newCLI()
	failed, err := cl.rootCmd().ExecuteContextC(ctx)
	stop()
	if ee, ok := errors.AsType[*exitError](err); ok && ee.err == nil {
		os.Exit(ee.code)
	}
	if err != nil {
		// An error may quote a service or an order: safetext keeps its
		// control characters off the terminal. A tab (cobra indents its
		// "Did you mean" suggestions with one) is spaces, not a visible \t.
		l := cl.env.Lang()
		if a, ok := langInArgs(os.Args[1:]); ok {
			l = a // a refusal before the command ran still honours --lang
		}
		loc := time.Local
		if cfg, cerr := cl.env.Config(); cerr == nil {
			loc = cfg.Location() // the merchant's zone, as every time folio shows
		}
		text := errorText(l, loc, err)
		if failed != nil && wrongArgCount(err) {
			text += "\n" + l.T("cli.usage", strings.TrimSuffix(failed.UseLine(), " [flags]")) // the syntax, not cobra's English "[flags]"
		}
		fmt.Fprintln(os.Stderr, "folio:", safetext.Lines(strings.ReplaceAll(text, "\t", "    ")))
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
