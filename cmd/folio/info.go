package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// infoReport is the JSON of `folio info --json`.
type infoReport struct {
	Version       string `json:"version"`
	Commit        string `json:"commit,omitempty"`
	Date          string `json:"date,omitempty"`
	GoVersion     string `json:"go_version"`
	OS            string `json:"os"`
	Arch          string `json:"arch"`
	Language      string `json:"language"`
	ConfigFile    string `json:"config_file"`
	ConfigExists  bool   `json:"config_exists"`
	ConfigProblem string `json:"config_problem,omitempty"`
	configErr     error  // the same, for the table to word in the reader's language
	Store         string `json:"store"`
	StoreExists   bool   `json:"store_exists"`
	StoreSchema   int    `json:"store_schema,omitempty"` // when the store exists and opens
	LatestSchema  int    `json:"latest_schema"`          // the schema this folio writes
	StoreProblem  string `json:"store_problem,omitempty"`
	StateDir      string `json:"state_dir"`
	StateExists   bool   `json:"state_exists"`
}

func (cl *cli) newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:  "info",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l := cl.lang(cmd)
			r := cl.gatherInfo(cmd.Context())
			r.Language = l.Tag() // --lang counts too
			var err error
			if asJSON {
				err = writeJSON(cmd.OutOrStdout(), r)
			} else {
				err = printInfo(cmd.OutOrStdout(), r, l)
			}
			if err == nil && (r.ConfigProblem != "" || r.StoreProblem != "") {
				return exitQuietly(1) // the report names the problem
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	return cmd
}

func (cl *cli) gatherInfo(ctx context.Context) infoReport {
	cfg, err := cl.env.Config()
	r := infoReport{
		Version: version, Commit: buildCommit(), Date: date,
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		Language:   i18n.Detect("", cfg.Language, os.Getenv).Tag(),
		ConfigFile: cfg.Paths.ConfigFile, ConfigExists: exists(cfg.Paths.ConfigFile),
		Store: store.RedactAddress(cfg.Paths.Store), StoreExists: store.IsPostgres(cfg.Paths.Store) || exists(cfg.Paths.Store),
		StateDir: cfg.Paths.StateDir, StateExists: exists(cfg.Paths.StateDir),
		LatestSchema: store.LatestSchema(),
	}
	if r.Commit == "none" { // goreleaser's snapshot without a git remote
		r.Commit = ""
	}
	if err != nil {
		r.ConfigProblem, r.configErr = err.Error(), err
	}
	if r.StoreExists {
		r.StoreSchema, err = cl.storeSchema(ctx, cfg.Paths.Store)
		if err != nil {
			r.StoreProblem = err.Error()
		}
	}
	return r
}

// storeSchema opens the store read-only (never creating or migrating it)
// and returns its schema version.
func (cl *cli) storeSchema(ctx context.Context, path string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := cl.env.OpenStore(ctx, path, app.Peek)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.SchemaVersion(), nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func printInfo(w io.Writer, r infoReport, l i18n.Lang) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	missing := func(ok bool) string {
		if ok {
			return ""
		}
		return "  " + l.T("info.missing")
	}
	v := r.Version
	if r.Commit != "" {
		v += " (" + r.Commit
		if r.Date != "" {
			v += ", " + r.Date
		}
		v += ")"
	}
	fmt.Fprintf(tw, "folio\t%s\n", v)
	fmt.Fprintf(tw, "%s\t%s %s/%s\n", l.T("info.go"), r.GoVersion, r.OS, r.Arch)
	fmt.Fprintf(tw, "%s\t%s\n", l.T("info.language"), r.Language)
	fmt.Fprintf(tw, "%s\t%s%s\n", l.T("info.config"), r.ConfigFile, missing(r.ConfigExists))
	if r.ConfigProblem != "" {
		problem := r.ConfigProblem
		if ce, ok := errors.AsType[*config.Error](r.configErr); ok {
			problem = ce.In(l)
		}
		fmt.Fprintf(tw, "\t✘ %s\n", problem)
	}
	fmt.Fprintf(tw, "%s\t%s%s\n", l.T("info.store"), r.Store, missing(r.StoreExists))
	switch {
	case r.StoreProblem != "":
		fmt.Fprintf(tw, "\t✘ %s\n", r.StoreProblem)
	case r.StoreSchema > 0:
		fmt.Fprintf(tw, "%s\t%s\n", l.T("info.schema"), l.T("info.schema_is", r.StoreSchema, r.LatestSchema))
	default:
		fmt.Fprintf(tw, "%s\t%s\n", l.T("info.schema"), l.T("info.schema_none", r.LatestSchema))
	}
	fmt.Fprintf(tw, "%s\t%s%s\n", l.T("info.logs"), r.StateDir, missing(r.StateExists))
	return tw.Flush()
}
