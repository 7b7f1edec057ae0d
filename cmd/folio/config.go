package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
)

func (cl *cli) newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration",
		Long: "folio reads $XDG_CONFIG_HOME/folio/config.yaml (or --config, or $FOLIO_CONFIG);\n" +
			"every setting has a FOLIO_* environment variable that wins over the file.",
	}
	cmd.AddCommand(cl.newConfigShowCmd())
	return cmd
}

// configShow is the JSON of `folio config show --json`.
type configShow struct {
	File       string         `json:"file"`
	FileExists bool           `json:"file_exists"`
	Settings   []config.Entry `json:"settings"`
	Warnings   []string       `json:"warnings,omitempty"`
}

func (cl *cli) newConfigShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its value (secrets masked) and where it came from (default, file line, FOLIO_* variable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cl.env.Config()
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
			out, l := cmd.OutOrStdout(), cl.lang(cmd)
			if cfg.FileExists {
				fmt.Fprintf(out, "# %s\n", cfg.Paths.ConfigFile)
			} else {
				fmt.Fprintf(out, "# %s %s\n", cfg.Paths.ConfigFile, l.T("config.not_there"))
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", l.T("config.col.key"), l.T("config.col.value"), l.T("config.col.from"))
			for _, e := range cfg.Show() {
				v := e.Value
				if v == "" {
					v = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, v, sourceText(l, e.Source))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: file, file_exists, settings [{key, value, secret, source {kind, line, env}}], warnings")
	return cmd
}

// sourceText says where a setting came from, in l.
func sourceText(l i18n.Lang, s config.Source) string {
	switch s.Kind {
	case config.FromFile:
		return l.T("config.src.file", s.Line)
	case config.FromEnv:
		return l.T("config.src.env", s.Env)
	}
	return l.T("config.src.default")
}
