package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// handleKey routes a key to the layer on top, or to the panes.
func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		return tea.Quit
	}
	if l := m.top(); l != nil {
		return l.key(m, k)
	}
	return m.panesKey(k)
}

func (m *Model) handlePaste(p tea.PasteMsg) tea.Cmd {
	if l, ok := m.top().(paster); ok {
		return l.paste(m, p)
	}
	return nil
}

func (m *Model) panesKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.NextPane):
		return m.setPane((m.active + 1) % paneCount)
	case key.Matches(k, km.PrevPane):
		return m.setPane((m.active + paneCount - 1) % paneCount)
	case key.Matches(k, km.Back):
		if op := m.orderPane(m.active); op != nil && op.win.filter != "" {
			return m.setFilter("")
		}
	case key.Matches(k, km.Filter):
		if op := m.orderPane(m.active); op != nil {
			m.openPrompt(promptFilter, op.win.filter)
		}
	case key.Matches(k, km.Palette):
		m.openPrompt(promptPalette, "")
	case key.Matches(k, km.Inspect):
		if o, ok := m.selected(); ok {
			return m.openInspect(o.ID)
		}
		if m.fetching {
			m.inspectOnLoad = true // typed ahead of the pane's rows (SSH latency)
		}
	default:
		if used, read := m.panes[m.active].update(k); used {
			if read {
				return m.fetch()
			}
			return nil
		}
		return m.actionKey(k)
	}
	return nil
}

// withOrder runs fn on the order in focus (inspected or selected).
func (m *Model) withOrder(fn func(store.Order) tea.Cmd) tea.Cmd {
	if in, ok := m.top().(*inspectState); ok && in.view != nil {
		return fn(in.view.Order)
	}
	if o, ok := m.selected(); ok {
		return fn(o)
	}
	m.setFlash(flashErr, m.lang.T("flash.no_order"))
	return nil
}

// withApplicable runs fn on the order when action a applies to it, and
// says why not otherwise.
func (m *Model) withApplicable(a act, fn func(store.Order) tea.Cmd) tea.Cmd {
	return m.withOrder(func(o store.Order) tea.Cmd {
		if why := unavailable(m.lang, o, a); why != "" {
			m.setFlash(flashErr, why)
			return nil
		}
		return fn(o)
	})
}

func (m *Model) togglePause() tea.Cmd {
	target := ""
	paused := m.data.status.paused
	if m.active == paneConnections && m.mode() == modePanes {
		if c, ok := m.connPane().conn(); ok {
			target, paused = c.Name, c.Paused
		}
	}
	return m.pause(target, !paused)
}

func (m *Model) pause(target string, on bool) tea.Cmd {
	what := target
	if what == "" {
		what = "*"
	}
	label := i18n.ID("action.resume")
	if on {
		label = "action.pause"
	}
	return m.request(label, what, func(ctx context.Context, st *store.Store, by string) (int64, error) {
		if on {
			return engine.RequestPause(ctx, st, target, by)
		}
		return engine.RequestResume(ctx, st, target, by)
	})
}

// request writes a control off the UI goroutine; the engine applies it
// and the clock reports the outcome.
func (m *Model) request(label i18n.ID, what string, fn func(context.Context, *store.Store, string) (int64, error)) tea.Cmd {
	if m.opt.ReadOnly {
		m.setFlash(flashErr, m.lang.T("flash.readonly"))
		return nil
	}
	what = m.lang.T(label) + ": " + what
	st, by, eng, lang, actor := m.opt.Store, m.opt.By, m.opt.Engine, m.lang, m.opt.Actor
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if actor != nil {
			// The store checks the actor in the write itself and records it.
			ctx = store.WithActor(ctx, *actor)
		}
		id, err := fn(ctx, st, by)
		if ref, ok := errors.AsType[*engine.Refusal](err); ok {
			err = inLang(ref.In(lang))
		} else if why := actorRefusal(lang, err); why != "" {
			err = inLang(why)
		}
		if err == nil && eng != nil {
			eng.Kick()
		}
		return controlMsg{id: id, what: what, err: err}
	}
}

func (m *Model) handleControl(c controlMsg) {
	if c.err != nil {
		text := m.lang.T("quote", c.err.Error()) // a store's or client's own words
		if said, ok := errors.AsType[inLang](c.err); ok {
			text = string(said)
		}
		m.setFlash(flashErr, m.lang.T("flash.error", text))
		return
	}
	m.pending[c.id] = c.what
	m.setFlash(flashInfo, m.lang.T("flash.requested", c.what))
}

// checkControls asks the store how the pending controls ended.
func (m *Model) checkControls() tea.Cmd {
	if len(m.pending) == 0 {
		return nil
	}
	st := m.opt.Store
	var cmds []tea.Cmd
	for id := range m.pending {
		cmds = append(cmds, func() tea.Msg {
			c, err := st.Control(context.Background(), id)
			if err != nil || c.Status == store.CtlPending {
				return nil
			}
			return controlDoneMsg{id: id, status: c.Status, outcome: c.Outcome, outcomeMsg: c.OutcomeMsg}
		})
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleControlDone(c controlDoneMsg) {
	what, ok := m.pending[c.id]
	if !ok {
		return
	}
	delete(m.pending, c.id)
	// The engine's outcome in the console's language; an older engine's
	// Spanish words only in Spanish, elsewhere the request's own words.
	outcome := c.outcome
	if msg, ok := i18n.ParseMessage(c.outcomeMsg); ok && msg.Known() {
		outcome = msg.In(m.lang)
	} else if m.lang != i18n.ES {
		outcome = what
	}
	if c.status == store.CtlRejected {
		m.setFlash(flashErr, m.lang.T("flash.rejected", outcome))
		return
	}
	m.setFlash(flashInfo, m.lang.T("flash.applied", outcome))
}

func (m *Model) setPane(k paneKind) tea.Cmd {
	m.active = k
	return m.fetch()
}

// retry asks the engine to retry the selected order (a key or :retry).
func (m *Model) retry(call) tea.Cmd {
	return m.withOrder(func(o store.Order) tea.Cmd {
		if needsReissue(o) {
			m.setFlash(flashErr, m.lang.T("reissue.refuse_retry", o.Folio, m.keys.Reissue.Help().Key, o.Code))
			return nil
		}
		if needsCredit(o) {
			m.setFlash(flashErr, m.lang.T("credit.refuse_retry", o.Folio, m.keys.Credit.Help().Key, o.Code))
			return nil
		}
		if why := unavailable(m.lang, o, actRetry); why != "" {
			m.setFlash(flashErr, why)
			return nil
		}
		return m.request("action.retry", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
			return engine.RequestRetry(ctx, st, o.ID, by)
		})
	})
}

// needsReissue says the order is in Errors because the SII rejected its
// document: only a reissue applies (a retry would finish it with a folio
// that has no legal effect).
func needsReissue(o store.Order) bool {
	return o.State == store.StateAttention && strings.HasPrefix(o.ReasonCode, "SII-") && o.Folio > 0
}

// reissue asks, then requests a replacement of the order's rejected
// document (a key or nothing where it does not apply).
func (m *Model) reissue(call) tea.Cmd {
	return m.withOrder(func(o store.Order) tea.Cmd {
		if !needsReissue(o) {
			m.setFlash(flashErr, m.lang.T("reissue.unavailable"))
			return nil
		}
		m.ask(m.lang.T("reissue.confirm", o.Code, o.Folio), func() tea.Cmd {
			return m.request("key.reissue", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
				return engine.RequestReissue(ctx, st, o.ID, by)
			})
		})
		return nil
	})
}

// needsCredit says the order is in Errors because it was cancelled or
// refunded after its document was issued: only a credit note applies.
func needsCredit(o store.Order) bool {
	return o.State == store.StateAttention && o.ReasonCode == engine.ReasonNeedsCredit && o.Folio > 0
}

// credit asks, then requests the order's credit note (61) cancelling its
// whole document (a key; partial returns: folio order credit --lines).
func (m *Model) credit(call) tea.Cmd {
	return m.withOrder(func(o store.Order) tea.Cmd {
		if !needsCredit(o) {
			m.setFlash(flashErr, m.lang.T("credit.unavailable"))
			return nil
		}
		m.ask(m.lang.T("credit.confirm", o.Code, o.Folio), func() tea.Cmd {
			return m.request("key.credit", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
				return engine.RequestCredit(ctx, st, o.ID, engine.CreditArgs{}, by)
			})
		})
		return nil
	})
}

// retryAll asks, then retries every order in Errors that matches the
// Errors pane's filter (a key or :retry-all).
func (m *Model) retryAll() tea.Cmd {
	if m.active != paneErrors && m.mode() == modePanes {
		m.setFlash(flashErr, m.lang.T("flash.not_error"))
		return nil
	}
	filter := m.orderPane(paneErrors).win.filter
	m.ask(m.lang.T("confirm.retry_all", filter), func() tea.Cmd {
		return m.request("key.retry_all", filter, func(ctx context.Context, st *store.Store, by string) (int64, error) {
			return engine.RequestRetryFilter(ctx, st, filter, by)
		})
	})
	return nil
}

// selected is the order under the cursor of the active pane, if the rows
// on screen were read for the window the person is on (not the page they
// just left).
func (m *Model) selected() (store.Order, bool) { return m.panes[m.active].selected() }

func (m *Model) setFilter(f string) tea.Cmd {
	op := m.orderPane(m.active)
	if op == nil {
		return nil
	}
	op.setFilter(strings.TrimSpace(f))
	return m.fetch()
}

// inLang is an error already worded in the console's language.
type inLang string

func (e inLang) Error() string { return string(e) }
