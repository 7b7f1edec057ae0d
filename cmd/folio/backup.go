package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/store"
)

func (cl *cli) newBackupCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:     "backup PATH",
		Example: "  folio backup ~/folio-$(date +%F).db\n  folio backup /srv/backups/folio.db --store /var/lib/folio/folio.db",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return errors.New(cl.lang(cmd).T("backup.needs_path"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := cl.env.StorePath(storeFlag)
			if err != nil {
				return err
			}
			if store.IsPostgres(src) {
				return errors.New(cl.lang(cmd).T("cli.backup_postgres", store.RedactAddress(src)))
			}
			if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
				return errors.New(cl.lang(cmd).T("backup.no_store", src))
			}
			if err := store.BackupFile(cmd.Context(), src, args[0]); err != nil {
				if be, ok := errors.AsType[*store.BackupError](err); ok && be.Exists {
					return errors.New(cl.lang(cmd).T("backup.exists", be.Path))
				} else if ok {
					return errors.New(cl.lang(cmd).T("backup.no_dir", be.Path, be.Dir))
				}
				return err
			}
			size := ""
			if fi, err := os.Stat(args[0]); err == nil {
				size = fmt.Sprintf(" (%.1f MB)", float64(fi.Size())/(1<<20))
			}
			fmt.Fprintln(cmd.OutOrStdout(), cl.lang(cmd).T("backup.done", src, args[0], size))
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}
