package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newBackupCmd() *cobra.Command {
	var path string
	return withStoreFlag(&cobra.Command{
		Use:   "backup PATH",
		Short: "Write a consistent copy of the store to PATH (safe while the engine runs)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := storePath(path)
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), p, true)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s\n", args[0])
			return nil
		},
	}, &path)
}

func withStoreFlag(cmd *cobra.Command, p *string) *cobra.Command {
	addStoreFlag(cmd, p)
	return cmd
}
