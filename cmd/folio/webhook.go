package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/transport"
	"github.com/folio-cl/folio/internal/webhook"
)

// The remembered public base is a setting of the store, beside the
// webhook secret (app.WebhookSecret).
const settingWebhookPublicBase = webhook.SettingPublicBase

func checkPublicBase(l i18n.Lang, v string) error {
	u, err := url.Parse(v)
	if err != nil || !transport.IsWebURL(v) || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return errors.New(l.T("cli.public_base_bad", v))
	}
	return nil
}

func (cl *cli) newWebhookCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:  "webhook",
		Args: cobra.NoArgs,
	}
	var storeFlag, publicBase string
	urlCmd := &cobra.Command{
		Use:  "url [--public-base URL]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			// The flag and the config are checked before the store is
			// created: a refusal leaves nothing behind.
			if publicBase != "" {
				publicBase = strings.TrimRight(strings.TrimSpace(publicBase), "/")
				if err := checkPublicBase(cl.lang(cmd), publicBase); err != nil {
					return err
				}
			}
			cfg, err := cl.env.Config()
			if err != nil {
				return err
			}
			lang := cl.env.LangFor("")
			path := cmp.Or(storeFlag, cfg.Store)
			if _, err := os.Stat(path); publicBase == "" && cfg.Listen == "" && errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s", lang.T("webhook.url_no_base")) // no store: no remembered base either
			}
			st, err := cl.env.OpenStore(ctx, path, app.Create)
			if err != nil {
				return err
			}
			defer st.Close()
			if publicBase != "" {
				if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, settingWebhookPublicBase, publicBase) }); err != nil {
					return err
				}
			} else if publicBase, err = st.Setting(ctx, settingWebhookPublicBase); err != nil {
				return err
			}
			if publicBase == "" && cfg.Listen != "" {
				publicBase = app.LocalBase(cfg.Listen)
				fmt.Fprintln(cmd.ErrOrStderr(), lang.T("webhook.url_local"))
			}
			if publicBase == "" {
				return fmt.Errorf("%s", lang.T("webhook.url_no_base"))
			}
			secret, err := app.WebhookSecret(ctx, st)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), webhook.URL(publicBase, secret))
			return nil
		},
	}
	addStoreFlag(urlCmd, &storeFlag)
	urlCmd.Flags().StringVar(&publicBase, "public-base", "", "")
	cmd.AddCommand(urlCmd)
	return cmd
}
