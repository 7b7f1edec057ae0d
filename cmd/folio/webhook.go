package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/webhook"
)

// The webhook secret lives in the store's settings, not in a file of its
// own: the store is already 0600 in a 0700 directory and holds the
// connections' tokens; the URL belongs with the connections it serves (a
// second store gets its own); and a backup or a move of the store keeps
// the URL registered in Multivende working.
const (
	settingWebhookSecret     = webhook.SettingSecret
	settingWebhookPublicBase = webhook.SettingPublicBase
)

// webhookSecret returns the store's webhook secret, generating it the
// first time (once, even with two processes at it).
func webhookSecret(ctx context.Context, st *store.Store) (string, error) {
	if v, err := st.Setting(ctx, settingWebhookSecret); err != nil || v != "" {
		return v, err
	}
	fresh, err := webhook.NewSecret()
	if err != nil {
		return "", err
	}
	return st.SettingOnce(ctx, settingWebhookSecret, fresh)
}

// webhookTargets lists the store's Multivende connections for the handler.
func webhookTargets(st *store.Store) func(context.Context) ([]webhook.Target, error) {
	return func(ctx context.Context) ([]webhook.Target, error) {
		conns, err := st.Connections(ctx)
		if err != nil {
			return nil, err
		}
		var out []webhook.Target
		for _, c := range conns {
			if c.Kind == store.KindMultivende {
				out = append(out, webhook.Target{ConnectionID: c.ID, ClientID: c.ClientID})
			}
		}
		return out, nil
	}
}

// startWebhooks makes the store's secret, serves the webhook listener on
// addr until ctx ends, and returns it with the bound address; hint is
// called with each notification's checkout once the engine exists.
func startWebhooks(ctx context.Context, st *store.Store, addr string, eng *atomic.Pointer[engine.Engine]) (*webhook.Server, string, error) {
	secret, err := webhookSecret(ctx, st)
	if err != nil {
		return nil, "", err
	}
	ws, err := webhook.New(webhook.Config{Secret: secret, Targets: webhookTargets(st),
		Hint: func(conn int64, id string) engine.HintResult {
			e := eng.Load() // notifications may come before the engine is built
			if e == nil {
				return engine.HintRefused
			}
			return e.Hint(conn, id)
		}})
	if err != nil {
		return nil, "", err
	}
	bound, err := ws.Listen(ctx, addr)
	if err != nil {
		return nil, "", err
	}
	return ws, bound, nil
}

// localBase is a base URL for a listen address, as reached from this host.
func localBase(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func checkPublicBase(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("--public-base %q: want the scheme and host Multivende reaches folio at, like https://folio.example.cl", v)
	}
	return nil
}

func (cl *cli) newWebhookCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Multivende webhooks: the URL to register",
		Args:  cobra.NoArgs,
	}
	var storeFlag, publicBase string
	urlCmd := &cobra.Command{
		Use:   "url [--public-base URL]",
		Short: "Print the webhook URL to register as the app's Callback URL in Multivende",
		Long: `Prints the URL Multivende should post "Checkouts" notifications to. The path
holds a random secret made once per store: keep the URL private. --public-base
is where Multivende reaches folio run --listen (usually an https proxy in front
of it); it is remembered, and folio doctor checks that it answers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			// The flag and the config are checked before the store is
			// created: a refusal leaves nothing behind.
			if publicBase != "" {
				publicBase = strings.TrimRight(strings.TrimSpace(publicBase), "/")
				if err := checkPublicBase(publicBase); err != nil {
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
				publicBase = localBase(cfg.Listen)
				fmt.Fprintln(cmd.ErrOrStderr(), lang.T("webhook.url_local"))
			}
			if publicBase == "" {
				return fmt.Errorf("%s", lang.T("webhook.url_no_base"))
			}
			secret, err := webhookSecret(ctx, st)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), webhook.URL(publicBase, secret))
			return nil
		},
	}
	addStoreFlag(urlCmd, &storeFlag)
	urlCmd.Flags().StringVar(&publicBase, "public-base", "", "scheme and host where Multivende reaches folio, like https://folio.example.cl (remembered)")
	cmd.AddCommand(urlCmd)
	return cmd
}
