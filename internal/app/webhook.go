package app

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/webhook"
)

// WebhookSecret returns the store's webhook secret, generating it the
// first time (once, even with two processes at it). It lives in the
// store's settings (webhook.SettingSecret), not in a file of its own: the
// store is already 0600 in a 0700 directory and holds the connections'
// tokens; the URL belongs with the connections it serves (a second store
// gets its own); and a backup or a move of the store keeps the URL
// registered in Multivende working.
func WebhookSecret(ctx context.Context, st *store.Store) (string, error) {
	if v, err := st.Setting(ctx, webhook.SettingSecret); err != nil || v != "" {
		return v, err
	}
	fresh, err := webhook.NewSecret()
	if err != nil {
		return "", err
	}
	return st.SettingOnce(ctx, webhook.SettingSecret, fresh)
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

// StartWebhooks makes the store's secret, serves the webhook listener on
// addr until ctx ends, and returns it with the bound address; hint is
// called with each notification's checkout once the engine exists.
func StartWebhooks(ctx context.Context, st *store.Store, addr string, eng *atomic.Pointer[engine.Engine]) (*webhook.Server, string, error) {
	secret, err := WebhookSecret(ctx, st)
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

// LocalBase is a base URL for a listen address, as reached from this host.
func LocalBase(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
