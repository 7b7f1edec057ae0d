// Package webhook serves Multivende's "Checkouts" notifications for the
// engine: POST /webhooks/multivende/{secret} and GET /healthz.
//
// A notification is only a hint. The secret in the path (folio's own; no
// public integration checks a signature) and the app's client id in the
// body are checked, and the checkout id is handed to the engine, which
// reads that checkout again from Multivende. Nothing else in the body is
// trusted or even read.
package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
)

// Path is where notifications are posted; the secret follows it.
const Path = "/webhooks/multivende/"

// Store settings: the secret (made once per store) and the public base
// URL given to folio webhook url (doctor checks it answers).
const (
	SettingSecret     = "webhook.secret"
	SettingPublicBase = "webhook.public_base"
)

// MaxBody is the largest notification body taken (a notification is a few
// hundred bytes).
const MaxBody = 64 << 10

// Target is a Multivende connection a notification may be for.
type Target struct {
	ConnectionID int64
	ClientID     string
}

// Config wires a Server. Secret, Targets and Hint are required.
type Config struct {
	Secret string
	// Targets lists the Multivende connections (read again every few
	// seconds at most).
	Targets func(context.Context) ([]Target, error)
	// Hint hands a checkout id to the engine; it must not block.
	Hint func(connectionID int64, checkoutID string) engine.HintResult
	Log  *slog.Logger
	Now  func() time.Time
}

// Server is the notification handler and its health figures.
type Server struct {
	cfg    Config
	secret [32]byte // sha256 of the secret: compared in constant time, whatever the length

	tmu      sync.Mutex
	targets  []Target
	targetAt time.Time

	mu        sync.Mutex
	minutes   [60]struct{ minute, n int64 } // accepted notifications per minute, last hour
	last      time.Time
	rejected  atomic.Int64
	shed      atomic.Int64
	listening atomic.Bool
	addr      atomic.Value // string
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if len(cfg.Secret) < 16 || cfg.Targets == nil || cfg.Hint == nil {
		return nil, errors.New("webhook: a secret of at least 16 characters, Targets and Hint are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, secret: sha256.Sum256([]byte(cfg.Secret))}, nil
}

// NewSecret returns a fresh random secret for the URL path (256 bits, hex).
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: making a secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// URL is the address to register in Multivende for a public base such as
// https://folio.example.cl.
func URL(publicBase, secret string) string {
	return strings.TrimRight(publicBase, "/") + Path + secret
}

// Handler serves the notification path and /healthz; anything else is 404.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(Path+"{secret}", s.notify)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, status int, reason string) {
	s.rejected.Add(1)
	// The path holds the secret: never logged.
	s.cfg.Log.Warn("webhook notification rejected", "status", status, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, http.StatusText(status), status)
}

func (s *Server) notify(w http.ResponseWriter, r *http.Request) {
	got := sha256.Sum256([]byte(r.PathValue("secret")))
	if subtle.ConstantTimeCompare(got[:], s.secret[:]) != 1 {
		s.reject(w, r, http.StatusNotFound, "unknown path")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.reject(w, r, http.StatusMethodNotAllowed, "not a POST")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, r, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		s.reject(w, r, http.StatusBadRequest, "unreadable body")
		return
	}
	n, err := multivende.ParseNotification(body)
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, err.Error())
		return
	}
	targets, err := s.targetsFor(r.Context(), n.ClientID)
	if err != nil {
		s.cfg.Log.Error("webhook: reading the connections", "err", err)
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	if len(targets) == 0 {
		s.reject(w, r, http.StatusForbidden, "client id of no connection")
		return
	}
	// One app may serve several merchants: each of its connections reads
	// the checkout with its own token (another merchant's is not found).
	for _, t := range targets {
		if s.cfg.Hint(t.ConnectionID, n.CheckoutID) == engine.HintShed {
			s.shed.Add(1)
		}
	}
	s.count()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"ok":true}`+"\n")
}

// targetsFor returns the connections whose app has clientID.
func (s *Server) targetsFor(ctx context.Context, clientID string) ([]Target, error) {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	now := s.cfg.Now()
	if s.targets == nil || now.Sub(s.targetAt) > 2*time.Second || now.Before(s.targetAt) {
		ts, err := s.cfg.Targets(ctx)
		if err != nil {
			return nil, err
		}
		s.targets, s.targetAt = append([]Target{}, ts...), now
	}
	var out []Target
	for _, t := range s.targets {
		if t.ClientID != "" && subtle.ConstantTimeCompare([]byte(t.ClientID), []byte(clientID)) == 1 {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Server) count() {
	now := s.cfg.Now()
	m := now.Unix() / 60
	s.mu.Lock()
	b := &s.minutes[m%60]
	if b.minute != m {
		b.minute, b.n = m, 0
	}
	b.n++
	s.last = now
	s.mu.Unlock()
}

// Health returns the listener's figures.
func (s *Server) Health() engine.WebhookHealth {
	now := s.cfg.Now()
	m := now.Unix() / 60
	s.mu.Lock()
	h := engine.WebhookHealth{LastReceived: s.last}
	for _, b := range s.minutes {
		if b.minute > m-60 && b.minute <= m {
			h.LastHour += int(b.n)
		}
	}
	s.mu.Unlock()
	h.Listening = s.listening.Load()
	h.Addr, _ = s.addr.Load().(string)
	h.Rejected, h.Shed = s.rejected.Load(), s.shed.Load()
	return h
}

// Listen serves on addr until ctx ends. It returns once listening, with
// the address bound (addr may name port 0); errors after that are logged.
func (s *Server) Listen(ctx context.Context, addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("webhook listener: listen on %s: %w (is another program using the port? choose another with --listen)", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn)}
	bound := ln.Addr().String()
	s.addr.Store(bound)
	s.listening.Store(true)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Log.Error("webhook listener stopped", "err", err)
		}
		s.listening.Store(false)
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		s.listening.Store(false)
	}()
	return bound, nil
}
