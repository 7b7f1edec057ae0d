package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// configPath is the --config flag shared by every command.
var configPath string

// loadConfig reads the config file and environment once per command.
func loadConfig() (config.Loaded, error) {
	l, err := config.Load(configPath, os.Getenv)
	if err == nil && configPath != "" && !l.FileExists {
		// A file named on the command line matters: silently running on
		// the defaults would hide a typo.
		return l, fmt.Errorf("--config %s: no such file; create it (an empty file will do) or leave --config out to use %s",
			configPath, config.DefaultPaths(os.Getenv).ConfigFile)
	}
	return l, err
}

// storePath is the --store flag when given, else the configured store.
func storePath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	cfg, err := loadConfig()
	if err != nil {
		return "", err
	}
	return cfg.Store, nil
}

// openStore opens the store for a command. Read-only opens of a store that
// does not exist yet say how to create one.
func openStore(ctx context.Context, path string, readOnly bool) (*store.Store, error) {
	if readOnly {
		if err := storeMustExist(ctx, path); err != nil {
			return nil, err
		}
	}
	return store.Open(ctx, path, store.Options{ReadOnly: readOnly})
}

// storeMustExist refuses a store path where there is no store yet, for
// commands that write to a store but have nothing to do in a new one.
func storeMustExist(ctx context.Context, path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) && !store.IsPostgres(path) {
		return errors.New(ctxLang(ctx).T("cli.no_store", path))
	}
	return nil
}

// configAndStore loads the config and opens the store of --store (or the
// configured one), for the commands that need both.
func configAndStore(ctx context.Context, flag string, readOnly bool) (config.Loaded, *store.Store, error) {
	cfg, err := loadConfig()
	if err != nil {
		return cfg, nil, err
	}
	path := flag
	if path == "" {
		path = cfg.Store
	}
	st, err := openStore(ctx, path, readOnly)
	return cfg, st, err
}

func addStoreFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "store", "", "path of the store (default from the config: $XDG_DATA_HOME/folio/folio.db)")
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
