package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration",
		Long: "folio reads $XDG_CONFIG_HOME/folio/config.yaml (or --config, or $FOLIO_CONFIG);\n" +
			"every setting has a FOLIO_* environment variable that wins over the file.",
	}
	cmd.AddCommand(newConfigShowCmd())
	return cmd
}

// configShow is the JSON of `folio config show --json`.
type configShow struct {
	File       string         `json:"file"`
	FileExists bool           `json:"file_exists"`
	Settings   []config.Entry `json:"settings"`
	Warnings   []string       `json:"warnings,omitempty"`
}

func newConfigShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its value (secrets masked) and where it came from (default, file line, FOLIO_* variable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			for _, w := range cfg.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "folio: warning:", w)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), configShow{
					File: cfg.Paths.ConfigFile, FileExists: cfg.FileExists, Settings: cfg.Show(), Warnings: cfg.Warnings,
				})
			}
			out := cmd.OutOrStdout()
			if cfg.FileExists {
				fmt.Fprintf(out, "# %s\n", cfg.Paths.ConfigFile)
			} else {
				fmt.Fprintf(out, "# %s (not there: defaults and environment only)\n", cfg.Paths.ConfigFile)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tVALUE\tFROM")
			for _, e := range cfg.Show() {
				v := e.Value
				if v == "" {
					v = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, v, e.Source)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: file, file_exists, settings [{key, value, secret, source {kind, line, env}}], warnings")
	return cmd
}
