package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/store"
)

func newInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Print where folio keeps its config, store and logs, and its versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
			info := struct {
				Version      string `json:"version"`
				GoVersion    string `json:"go_version"`
				Platform     string `json:"platform"`
				ConfigFile   string `json:"config_file"`
				ConfigExists bool   `json:"config_exists"`
				Store        string `json:"store"`
				StoreExists  bool   `json:"store_exists"`
				StoreSchema  int    `json:"store_schema,omitempty"`
				LatestSchema int    `json:"latest_schema"`
				StateDir     string `json:"state_dir"`
				StoreProblem string `json:"store_problem,omitempty"`
			}{
				Version: buildVersion(), GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
				ConfigFile: cfg.Paths.ConfigFile, ConfigExists: exists(cfg.Paths.ConfigFile),
				Store: cfg.Store, StoreExists: exists(cfg.Store), StateDir: cfg.Paths.StateDir, LatestSchema: store.LatestSchema(),
			}
			if info.StoreExists {
				st, err := store.Open(context.WithoutCancel(cmd.Context()), cfg.Store, store.Options{ReadOnly: true})
				if err != nil {
					info.StoreProblem = err.Error()
				} else {
					info.StoreSchema = st.SchemaVersion()
					st.Close()
				}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			mark := func(ok bool) string {
				if ok {
					return ""
				}
				return "  (not created yet)"
			}
			fmt.Fprintf(tw, "version\t%s (%s, %s)\n", info.Version, info.GoVersion, info.Platform)
			fmt.Fprintf(tw, "config\t%s%s\n", info.ConfigFile, mark(info.ConfigExists))
			fmt.Fprintf(tw, "store\t%s%s\n", info.Store, mark(info.StoreExists))
			if info.StoreSchema > 0 {
				fmt.Fprintf(tw, "schema\t%d (this folio writes %d)\n", info.StoreSchema, info.LatestSchema)
			}
			if info.StoreProblem != "" {
				fmt.Fprintf(tw, "problem\t%s\n", info.StoreProblem)
			}
			fmt.Fprintf(tw, "logs\t%s\n", info.StateDir)
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show the effective configuration"}
	var asJSON bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, where it came from (default, file, environment), secrets masked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"file": cfg.Paths.ConfigFile, "settings": cfg.Entries()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "# %s\n", cfg.Paths.ConfigFile)
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			for _, e := range cfg.Entries() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, e.Value, e.Source)
			}
			return tw.Flush()
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(show)
	return cmd
}
