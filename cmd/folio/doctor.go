package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/doctor"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
)

func (cl *cli) newDoctorCmd() *cobra.Command {
	var storeFlag, lang string
	var asJSON bool
	cmd := &cobra.Command{
		Use:  "doctor [--json]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang != "" {
				if _, err := i18n.ParseLang(lang); err != nil {
					return fmt.Errorf("--lang: %w", err)
				}
			}
			// A broken config is one of the findings, not a reason to stop.
			cfg, cfgErr := cl.env.Config()
			l := i18n.Detect(lang, cfg.Language, os.Getenv)
			path := storeFlag
			if path == "" {
				path = cfg.Store
				if path == "" {
					path = cfg.Paths.Store
				}
			}
			checks := doctor.Run(cmd.Context(), doctor.Options{Lang: l, ConfigFile: cfg.Paths.ConfigFile, ConfigErr: cfgErr,
				StorePath: path, HTTPClient: &http.Client{}, ClientSecret: cl.env.ClientSecret, Attach: app.AttachDefaults(cfg), Listen: cfg.Listen, Emisor: emisorIfRead(cfg, cfgErr), Location: cfg.Location(),
				Explain: func(err error) string { return errorText(l, cfg.Location(), err) }})
			out := cmd.OutOrStdout()
			if asJSON {
				if err := writeJSON(out, checks); err != nil {
					return err
				}
			} else {
				printChecks(out, l, checks)
			}
			if n := doctor.Failed(checks); n > 0 {
				return exitCode(1, errors.New(l.T("doctor.failed", n)))
			}
			if !asJSON {
				fmt.Fprintln(out, l.T("doctor.all_ok"))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	addStoreFlag(cmd, &storeFlag)
	addLangFlag(cmd, &lang)
	return cmd
}

// printChecks writes the checks for people, one line each (and its fix).
func printChecks(out io.Writer, l i18n.Lang, checks []doctor.Check) {
	for _, c := range checks {
		mark := "✔"
		if !c.OK {
			mark = "✘"
		} else if c.Warn {
			mark = "⚠"
		}
		// A check's detail may quote a service's reply.
		fmt.Fprintf(out, "%s %s: %s\n", mark, safetext.Text(c.Label(l)), safetext.Text(c.Detail))
		if (!c.OK || c.Warn) && c.Fix != "" {
			fmt.Fprintf(out, "    → %s\n", safetext.Text(c.Fix))
		}
	}
}

// emisorIfRead is the configured emisor, or nil when the config itself is
// what is wrong (doctor says that already).
func emisorIfRead(cfg config.Loaded, err error) *dte.Emisor {
	if err != nil {
		return nil
	}
	e := app.Emisor(cfg)
	return &e
}
