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
	"syscall"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/safetext"
)

// exitError carries a process exit code through cobra without printing twice.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode wraps err so that main exits with code after printing err.
func exitCode(code int, err error) error { return &exitError{code: code, err: err} }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "folio",
		Short:         "Chilean e-commerce invoicing: Multivende orders to DTE, watched from the terminal",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		// Each command lives in its own file of this package.
		newVersionCmd(),
		newDTECmd(),
		newInfoCmd(),
		newConfigCmd(),
		newCompletionCmd(),
		newBackupCmd(),
		newRunCmd(),
		newSimCmd(),
		newDemoCmd(),
		newConsoleCmd(),
		newOrdersCmd(),
		withCredit(newOrderCmd()),
		newPauseCmd(true),
		newPauseCmd(false),
		newConnectCmd(),
		newConnectionsCmd(),
		newDisconnectCmd(),
		newDoctorCmd(),
		newCatalogCmd(),
		newWebhookCmd(),
	)
	root.PersistentFlags().StringVar(&configPath, "config", "", "config file (default $XDG_CONFIG_HOME/folio/config.yaml)")
	addRootLangFlag(root)
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		// An error may quote a service or an order: safetext keeps its
		// control characters off the terminal.
		fmt.Fprintln(os.Stderr, "folio:", safetext.Lines(err.Error()))
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
