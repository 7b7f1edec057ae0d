package doctor

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/webhook"
)

// The listener and the registered URL are asked for /healthz: answering
// passes, a closed port fails with the fix, and no URL registered warns.
func TestWebhookChecks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer ok.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()

	o := b.opts
	o.Listen = strings.TrimPrefix(ok.URL, "http://")
	m := byName(Run(context.Background(), o))
	if c := m["webhook"]; !c.OK || m["webhook url"].OK && !m["webhook url"].Warn {
		t.Fatalf("listener up, no URL: %+v / %+v", c, m["webhook url"])
	}
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetSetting(ctx, webhook.SettingPublicBase, ok.URL)
	})
	if c := byName(Run(context.Background(), o))["webhook url"]; !c.OK || c.Warn {
		t.Fatalf("registered URL answers: %+v", c)
	}
	o.Listen = closed
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetSetting(ctx, webhook.SettingPublicBase, "http://"+closed)
	})
	m = byName(Run(context.Background(), o))
	if c := m["webhook"]; c.OK || !strings.Contains(c.Fix, "folio run --listen") {
		t.Fatalf("listener down: %+v", c)
	}
	if c := m["webhook url"]; c.OK || !strings.Contains(c.Fix, "folio webhook url") {
		t.Fatalf("URL down: %+v", c)
	}
}
