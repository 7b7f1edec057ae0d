package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/safetext"
)

// cli is what the commands of one folio invocation share: the
// environment (config, language, store, secrets) and the seams a test
// replaces.
type cli struct {
	env *app.Env
	// openBrowser starts the browser on a URL without waiting for it.
	openBrowser func(url string) error
}

// newCLI is the cli of a folio process.
func newCLI() *cli { return &cli{env: app.New(os.Getenv), openBrowser: systemBrowser} }

func addStoreFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "store", "", "")
}

// writeJSON prints v as indented JSON. Text from outside stays escaped:
// encoding/json escapes C0 controls, and safetext.JSON what it leaves raw
// (DEL, C1, bidi controls).
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(safetext.JSON(b.Bytes()))
	return err
}

// openMode is how a command that may be read-only opens its store.
func openMode(readOnly bool) app.Open {
	if readOnly {
		return app.ReadOnly
	}
	return app.Create
}
