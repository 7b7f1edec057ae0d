package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// The Connections pane shows the webhook health an engine in another
// process wrote (last received, the last hour's count, rejected) and the
// poll interval in force, in both languages; an old report is stale.
func TestConnectionsPaneShowsWebhookHealth(t *testing.T) {
	t.Parallel()
	healthy := `{"listening":true,"addr":"127.0.0.1:8080","last_received":"2026-11-24T14:01:00Z","last_hour":42,"rejected":3,"shed":0,` +
		`"poll_every":3600000000000,"poll_base":60000000000,"at":"2026-11-24T14:02:58Z"}`
	cases := []struct {
		name   string
		lang   i18n.Lang
		health string
		want   []string
	}{
		{"none", i18n.EN, "", []string{"Webhooks: off: polling only"}},
		{"healthy en", i18n.EN, healthy, []string{"Webhooks: healthy", "last received 2m ago · 42 in the last hour · 3 rejected",
			"polling every 1h (webhooks healthy; back to 1m if they fail)"}},
		{"healthy es", i18n.ES, healthy, []string{"Webhooks: sanos", "42 en la última hora · 3 rechazados", "sondeo cada 1h"}},
		{"stale", i18n.EN, strings.Replace(healthy, `"at":"2026-11-24T14:02:58Z"`, `"at":"2026-11-24T13:00:00Z"`, 1),
			[]string{"Webhooks: no word from the engine for 1h3m"}},
		{"no notification yet", i18n.EN, `{"listening":true,"addr":"127.0.0.1:8080","last_hour":0,"rejected":0,"poll_every":60000000000,"poll_base":60000000000,"at":"2026-11-24T14:02:59Z"}`,
			[]string{"listening on 127.0.0.1:8080; no notifications in the last hour yet", "last received never", "polling every 1m"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := setup(t, setupOpts{orders: 1, lang: c.lang, w: 120, h: 30})
			ctx := context.Background()
			if c.health != "" {
				if err := b.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, engine.SettingWebhookHealth, c.health) }); err != nil {
					t.Fatal(err)
				}
			}
			b.keys("1")
			s := ansi.Strip(b.screen())
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("%q not shown:\n%s", w, s)
				}
			}
			checkFits(t, b.screen(), 120, 30)
		})
	}
}
