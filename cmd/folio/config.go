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
		Use: "config",
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
		Use:  "show",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cl.env.Config()
			if err != nil {
				return err
			}
			out, l := cmd.OutOrStdout(), cl.lang(cmd)
			var warnings []string // English in the JSON, as every JSON field
			for _, w := range cfg.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "folio:", l.T("config.warning", w.In(l)))
				warnings = append(warnings, w.Plain(i18n.EN))
			}
			if asJSON {
				return writeJSON(out, configShow{
					File: cfg.Paths.ConfigFile, FileExists: cfg.FileExists, Settings: cfg.Show(), Warnings: warnings,
				})
			}
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
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
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
