package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set through -ldflags "-X main.version=… -X main.commit=… -X main.date=…" by
// goreleaser: the linker writes them, nothing else does.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// buildCommit is the commit ldflags set, else the build's VCS revision
// (read, never written back: the ldflags variables stay as linked).
func buildCommit() string {
	if commit != "" {
		return commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				return s.Value[:7]
			}
		}
	}
	return ""
}

func buildVersion() string {
	v := version
	if c := buildCommit(); c != "" {
		v += " (" + c
		if date != "" {
			v += ", " + date
		}
		v += ")"
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:  "version",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "folio %s %s %s/%s\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
