package tui

import (
	"context"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
)

// webhookView is the webhook health the Connections pane shows.
type webhookView struct {
	engine.WebhookHealth
	live bool // from the engine in this process (else from the store)
}

// webhookStale is how old a health report from another process may be
// before the console says the engine has gone quiet (it writes every 2 s).
const webhookStale = 30 * time.Second

func (s source) webhook(ctx context.Context) *webhookView {
	if s.eng != nil && s.eng.Stats().Running {
		if h := s.eng.WebhookHealth(); h.Listening {
			return &webhookView{WebhookHealth: h, live: true}
		}
	}
	h, ok := engine.ReadWebhookHealth(ctx, s.st)
	if !ok {
		return nil
	}
	return &webhookView{WebhookHealth: h}
}

// webhookLines are the Connections pane's webhook lines: health (last
// received, count in the last hour, rejected) and the poll interval in force.
func (p *connPane) webhookLines(w int) []string {
	v, lang, now := p.webhook, p.lang, p.opt.Now()
	title := lang.T("console.webhook.title") + ": "
	if v == nil || !v.Listening {
		return wrapLines(title+lang.T("console.webhook.off"), w)
	}
	if !v.live && now.Sub(v.At) > webhookStale {
		return wrapLines(title+lang.T("console.webhook.stale", i18n.FormatDuration(now.Sub(v.At))), w)
	}
	last := lang.T("console.webhook.never")
	if !v.LastReceived.IsZero() {
		last = i18n.FormatAgo(lang, now.Sub(v.LastReceived))
	}
	line := title
	if v.Healthy(now) {
		line += lang.T("console.webhook.healthy") + " · "
	} else {
		line += lang.T("console.webhook.waiting", v.Addr) + " · "
	}
	line += lang.T("console.webhook.last", last, v.LastHour, v.Rejected)
	if v.Shed > 0 {
		line += lang.T("console.webhook.shed", v.Shed)
	}
	out := wrapLines(line, w)
	if v.PollEvery > 0 {
		poll := lang.T("console.webhook.poll", i18n.FormatDuration(v.PollEvery))
		if v.PollEvery > v.PollBase && v.PollBase > 0 {
			poll = lang.T("console.webhook.poll_rise", i18n.FormatDuration(v.PollEvery), i18n.FormatDuration(v.PollBase))
		}
		out = append(out, wrapLines(poll, w)...)
	}
	return out
}
