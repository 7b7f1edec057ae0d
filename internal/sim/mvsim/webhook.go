package mvsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
)

// webhookState is what the notification sender keeps. Guarded by Server.mu.
type webhookState struct {
	url  string
	seen map[string]time.Time // checkout id → the updatedAt last notified (or present when the URL was set)
	sent map[string]int       // checkout id → notifications sent
}

// webhookEvery is how often the sender looks for new and changed checkouts.
const webhookEvery = 50 * time.Millisecond

// SetWebhook sets the app's Callback URL at run time ("" stops the
// notifications), for every merchant. Checkouts as they are now are not
// notified: only those that are new or change from here on.
func (s *Server) SetWebhook(url string) {
	for _, m := range s.Merchants() {
		m.setWebhook(url)
	}
}

func (s *Server) setWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	s.hook.url = url
	s.hook.seen = make(map[string]time.Time, len(s.checkouts))
	if s.hook.sent == nil {
		s.hook.sent = map[string]int{}
	}
	for _, c := range s.checkouts {
		s.hook.seen[c.ID] = c.UpdatedAt
	}
}

// notification is the body public integrations read from a "Checkouts"
// notification (the shape is not published): the checkout id, and the
// app's client id as a number, as Multivende writes client ids.
type notification struct {
	CheckoutID  string `json:"CheckoutId"`
	OauthClient struct {
		ClientID json.RawMessage `json:"client_id"`
	} `json:"OauthClient"`
}

// webhookLoop posts a notification for each new or changed checkout until
// ctx ends, with the spec's webhook faults: drop, duplicate, delay.
func (s *Server) webhookLoop(ctx context.Context, client *http.Client) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(webhookEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		url := s.hook.url
		var due []string
		if url != "" {
			s.tick()
			for _, c := range s.checkouts {
				if at, ok := s.hook.seen[c.ID]; !ok || c.UpdatedAt.After(at) {
					s.hook.seen[c.ID] = c.UpdatedAt
					due = append(due, c.ID)
				}
			}
		}
		s.mu.Unlock()
		for _, id := range due {
			in := s.faults
			if in.Roll(func(sp faults.Spec) float64 { return sp.WebhookDrop }) {
				continue
			}
			times := 1
			if in.Roll(func(sp faults.Spec) float64 { return sp.WebhookDup }) {
				times = 2
			}
			var delay time.Duration
			if in.Roll(func(sp faults.Spec) float64 { return sp.WebhookDelay }) {
				delay = in.Delay(faults.MaxWebhookDelay)
			}
			for range times {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if delay > 0 {
						tm := time.NewTimer(delay)
						select {
						case <-ctx.Done():
							tm.Stop()
							return
						case <-tm.C:
						}
					}
					select {
					case sem <- struct{}{}:
					case <-ctx.Done():
						return
					}
					defer func() { <-sem }()
					s.send(ctx, client, url, id)
				}()
			}
		}
	}
}

func (s *Server) send(ctx context.Context, client *http.Client, url, id string) {
	var n notification
	n.CheckoutID = id
	n.OauthClient.ClientID, _ = json.Marshal(s.opts.ClientID)
	if digits(s.opts.ClientID) {
		n.OauthClient.ClientID = json.RawMessage(s.opts.ClientID)
	}
	b, _ := json.Marshal(n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return // Multivende's retry policy is not published: a failed send is lost, like a drop
	}
	resp.Body.Close()
	s.mu.Lock()
	s.hook.sent[id]++
	s.mu.Unlock()
}

func digits(v string) bool {
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return v != "" && v[0] != '0'
}
