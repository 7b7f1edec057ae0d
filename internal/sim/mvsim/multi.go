package mvsim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/folio-cl/folio/internal/sim/faults"
)

// A server of several merchants (Options.Merchants > 1) is one Server per
// merchant behind the first one's address, as Multivende serves every
// merchant at app.multivende.com: one app (client id and secret) connects
// to each merchant through its own consent, and each grant, token, order,
// document and fault injector belongs to one merchant. The first merchant
// routes: the consent page lets the person choose the merchant they are
// logged in as, a code or refresh token names its merchant at the token
// endpoint, and an API call goes to the merchant of its bearer token.
//
// What a token of one merchant gets for another's data is not published.
// A path naming another merchant (/api/m/{merchant}/…) is refused with 403
// as with one merchant; another merchant's checkout or document, asked by
// its id, is 404, as if it did not exist: a lookup scoped to the token's
// merchant finds nothing, and folio's engine reads a 404 on a hinted
// checkout as "not this merchant's" (a 403 would be an auth failure there,
// the connection to be reconnected).

// MerchantRef names one merchant of the server.
type MerchantRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// peerSeed seeds merchant i (from 0) apart from the others; merchant 0
// keeps the server's seed, so one merchant is what it always was.
func peerSeed(seed uint64, i int) uint64 { return seed + uint64(i)*0x9e3779b97f4a7c15 }

// addPeers makes merchants 2..n and the router in front of them.
func (s *Server) addPeers(n int) {
	s.opts.name = "Comercio 1"
	s.peers = []*Server{s}
	for i := 1; i < n; i++ {
		o := s.opts
		o.Merchants, o.Seed, o.name = 0, peerSeed(s.opts.Seed, i), fmt.Sprintf("Comercio %d", i+1)
		s.peers = append(s.peers, New(o)) // same client id and secret: one app
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.State()) })
	mux.HandleFunc("/_sim/faults", s.allFaults)
	mux.HandleFunc("/_sim/m/{merchant}/faults", func(w http.ResponseWriter, r *http.Request) {
		if m := s.peer(r.PathValue("merchant")); m != nil {
			m.faults.Handler().ServeHTTP(w, r)
			return
		}
		fail(w, http.StatusNotFound, "Merchant not found")
	})
	mux.HandleFunc("GET /_sim/m/{merchant}/state", func(w http.ResponseWriter, r *http.Request) {
		if m := s.peer(r.PathValue("merchant")); m != nil {
			writeJSON(w, 200, m.state())
			return
		}
		fail(w, http.StatusNotFound, "Merchant not found")
	})
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(r.PathValue("name"), ".pdf")
		for _, m := range s.peers {
			if m.hasDocument(id) {
				m.handler.ServeHTTP(w, r)
				return
			}
		}
		s.handler.ServeHTTP(w, r)
	})
	mux.HandleFunc("/api/", s.routeAPI)
	mux.Handle("/", s.handler) // consent, token, /_sim/info: the first merchant, which knows the others
	s.front = mux
}

// Merchants are the server's merchants, the first one (this one) first.
func (s *Server) Merchants() []*Server {
	if len(s.peers) == 0 {
		return []*Server{s}
	}
	return s.peers
}

// MerchantRefs names the server's merchants, in order.
func (s *Server) MerchantRefs() []MerchantRef {
	var out []MerchantRef
	for _, m := range s.Merchants() {
		name := m.opts.name
		if name == "" {
			name = "Comercio 1"
		}
		out = append(out, MerchantRef{ID: m.merchantID, Name: name})
	}
	return out
}

// Merchant is the merchant of that id (nil: none).
func (s *Server) Merchant(id string) *Server {
	for _, m := range s.Merchants() {
		if m.merchantID == id {
			return m
		}
	}
	return nil
}

// peer is the merchant a consent chose: with one merchant, this one
// whatever the form says; with several, the one of that id (nil: none).
func (s *Server) peer(id string) *Server {
	if len(s.peers) <= 1 {
		return s
	}
	return s.Merchant(id)
}

// tokenOwner is the merchant whose code or refresh token a token request
// carries (this one when none has it: it refuses it as usual).
func (s *Server) tokenOwner(grantType, code, refresh string) *Server {
	for _, m := range s.peers {
		m.mu.Lock()
		_, hasCode := m.grants[code]
		_, hasRefresh := m.refresh[refresh]
		m.mu.Unlock()
		if (grantType == "authorization_code" && hasCode) || (grantType == "refresh_token" && hasRefresh) {
			return m
		}
	}
	return s
}

// State is what GET /_sim/state shows: every merchant's checkouts (each
// with its MerchantId when there are several) and tokens, and the catalog
// (the same for every merchant).
func (s *Server) State() State {
	if len(s.peers) == 0 {
		return s.state()
	}
	var all State
	for i, m := range s.peers {
		st := m.state()
		for j := range st.Checkouts {
			st.Checkouts[j].MerchantID = m.merchantID
		}
		if i == 0 {
			all = st
			continue
		}
		all.Checkouts = append(all.Checkouts, st.Checkouts...)
		all.Tokens = append(all.Tokens, st.Tokens...)
	}
	return all
}

// bearer is the token of an Authorization header ("" if none).
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// routeAPI sends an API call to its token's merchant (a token no
// merchant issued is the first one's to refuse, with 401).
func (s *Server) routeAPI(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	for _, m := range s.peers {
		if m.knowsToken(tok) {
			m.handler.ServeHTTP(w, r)
			return
		}
	}
	s.handler.ServeHTTP(w, r)
}

// knowsToken reports whether tok is one of this merchant's access tokens,
// expired or not (its handler says which).
func (s *Server) knowsToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.access[tok]
	return ok
}

func (s *Server) hasDocument(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.docs[id]
	return ok
}

// allFaults serves /_sim/faults for every merchant at once: a POST sets
// every merchant's spec, and the reply is the first merchant's.
func (s *Server) allFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, m := range s.peers[1:] {
		rec := httptest.NewRecorder()
		req := r.Clone(r.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		m.faults.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			break // the first merchant's answer below says why
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.faults.Handler().ServeHTTP(w, r)
}

// SetFaults sets every merchant's faults.
func (s *Server) SetFaults(sp faults.Spec) {
	for _, m := range s.Merchants() {
		m.faults.Set(sp)
	}
}
