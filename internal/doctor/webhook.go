package doctor

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/webhook"
)

// webhooks checks the webhook listener (GET /healthz on this host) and
// that the public URL registered with folio webhook url answers from here.
// Nothing is checked when webhooks are off and no URL was registered.
func (r *run) webhooks(ctx context.Context, st *store.Store) {
	base, _ := st.Setting(ctx, webhook.SettingPublicBase)
	if r.Listen == "" && base == "" {
		return
	}
	if r.Listen != "" {
		local := localURL(r.Listen)
		detail := ""
		if h, ok := engine.ReadWebhookHealth(ctx, st); ok {
			last := r.t("console.webhook.never")
			if !h.LastReceived.IsZero() {
				last = i18n.FormatAgo(r.Lang, r.Now().Sub(h.LastReceived))
			}
			detail = r.t("doctor.webhook.health", last, h.LastHour, h.Rejected)
			if h.Rejected > 0 {
				r.warn("webhook", r.t("doctor.webhook.rejected_many", h.Rejected), r.t("doctor.webhook.rejected_fix"))
			}
		}
		if err := r.healthz(ctx, local); err != nil {
			r.add("webhook", false, r.t("doctor.webhook.listen_bad", r.Listen, err)+detail, r.t("doctor.webhook.listen_fix", r.Listen))
		} else {
			r.add("webhook", true, r.t("doctor.webhook.listen_ok", r.Listen)+detail, "")
		}
	}
	if base == "" {
		r.warn("webhook url", r.t("doctor.webhook.url_none"), r.t("doctor.webhook.url_none_fix"))
		return
	}
	if err := r.healthz(ctx, base); err != nil {
		r.add("webhook url", false, r.t("doctor.webhook.url_bad", base, err), r.t("doctor.webhook.url_fix", base))
		return
	}
	r.add("webhook url", true, r.t("doctor.webhook.url_ok", base), "")
}

// healthz asks base/healthz; the secret path is never asked (a GET there
// would count as a rejected notification).
func (r *run) healthz(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := r.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// localURL is the listener as reached from this host.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
