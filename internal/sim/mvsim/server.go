package mvsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/loopback"
)

// Scopes are the permissions the consent page lists.
var Scopes = []string{"read:checkouts", "write:checkouts", "read:products", "write:products",
	"read:stocks", "write:stocks", "read:prices", "write:prices"}

// PageSize is how many entries a list page holds.
const PageSize = 50

// Options configure a simulator.
type Options struct {
	Seed uint64
	// Orders is how many checkouts exist at start, sold over the last day.
	Orders int
	// Rate is new orders per second over time (0: none).
	Rate   float64
	Faults faults.Spec
	// RateLimit is requests per second per token (default 5; negative: none).
	RateLimit float64
	// AccessTTL and RefreshTTL default to 6 h and 48 h; Faults.TokenExpire
	// overrides AccessTTL.
	AccessTTL, RefreshTTL  time.Duration
	ClientID, ClientSecret string
	Now                    func() time.Time
	// AutoSend is the merchant's "automatic sending" of documents: without
	// it an uploaded document stays "Pendiente" in Multivende.
	AutoSend bool
	// Webhook is the app's Callback URL: a "Checkouts" notification is
	// posted there for each new or changed checkout ("": none).
	Webhook string
	// Merchants is how many merchants the one server serves (default 1),
	// each with its own id, grants, tokens, orders and faults, all through
	// the one app (client id and secret), as Multivende serves every
	// merchant at one address. See multi.go.
	Merchants int
	// name is the merchant's display name on the consent page.
	name string
}

// Server is a running simulator's state. It is safe for concurrent use.
type Server struct {
	opts    Options
	now     func() time.Time
	faults  *faults.Injector
	handler http.Handler

	mu         sync.Mutex
	gen        *generator
	merchantID string
	checkouts  []*checkout // in creation order
	byID       map[string]*checkout
	docs       map[string]*document
	grants     map[string]grant   // code → grant
	access     map[string]session // access token → session
	refresh    map[string]session // refresh token → session
	issued     []string
	limiters   map[string]*rate.Limiter
	lastGen    time.Time
	lists      uint64 // list requests served (each shuffles its page anew)
	info       json.RawMessage
	catalog    catalog
	elsewhere  map[string][]*document // checkout id → documents not in its detail
	srv        *http.Server
	hook       webhookState
	// peers are every merchant of the server, this one first (nil with
	// one merchant); only the first routes requests (multi.go).
	peers []*Server
	front http.Handler
}

type grant struct {
	redirectURI, challenge string
	expires                time.Time
}

type session struct{ expires time.Time }

type catalog struct {
	products   []product
	warehouses []warehouse
	stock      map[string][]stockEntry
	priceLists []priceList
	prices     map[string][]price
}

// New makes a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RateLimit == 0 {
		o.RateLimit = 5
	}
	if o.AccessTTL <= 0 {
		o.AccessTTL = 6 * time.Hour
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 48 * time.Hour
	}
	s := &Server{opts: o, now: o.Now, faults: faults.New(o.Faults, o.Seed+1),
		gen:  &generator{rng: rand.New(rand.NewPCG(o.Seed, 0x5eed))},
		byID: map[string]*checkout{}, docs: map[string]*document{}, grants: map[string]grant{},
		access: map[string]session{}, refresh: map[string]session{}, limiters: map[string]*rate.Limiter{}}
	s.merchantID = s.gen.id()
	s.gen.merchant = s.merchantID
	if s.opts.ClientID == "" {
		s.opts.ClientID = clientIDFrom(s.gen.id()) // Multivende client ids are 12-digit numbers
	}
	if s.opts.ClientSecret == "" {
		s.opts.ClientSecret = "mvsecret-" + s.gen.id()
	}
	now := s.now()
	for i := 0; i < o.Orders; i++ {
		s.arrive(s.gen.checkout(now.Add(-24*time.Hour).Add(time.Duration(i)*24*time.Hour/time.Duration(o.Orders+1))), now)
	}
	s.lastGen = now
	s.catalog = s.makeCatalog()
	s.handler = s.routes()
	if o.Merchants > 1 {
		s.addPeers(o.Merchants)
	}
	return s
}

// ClientID is the OAuth client id the simulator accepts.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the OAuth client secret the simulator accepts.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// MerchantID is the simulated merchant.
func (s *Server) MerchantID() string { return s.merchantID }

// Faults is the simulator's fault injector (its spec can change at run time).
func (s *Server) Faults() *faults.Injector { return s.faults }

// SetInfo sets what GET /_sim/info returns.
func (s *Server) SetInfo(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.info = b
	s.mu.Unlock()
	return nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.front != nil {
		s.front.ServeHTTP(w, r)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// Start serves on addr (e.g. 127.0.0.1:0) until ctx ends or Close, and
// returns the base URL.
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	srv, host, err := loopback.Serve(ctx, "multivende", addr, s)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	for _, m := range s.Merchants() {
		if m.opts.Webhook != "" {
			m.setWebhook(m.opts.Webhook)
		}
		go m.webhookLoop(ctx, &http.Client{Timeout: webhookTimeout})
	}
	return "http://" + host, nil
}

// StartInMemory is Start without a listener: the server is reached through
// a loopback.Transport that serves it for host, and posts its webhooks
// with hc (the same transport, serving the app's callback). It returns the
// base URL.
func (s *Server) StartInMemory(ctx context.Context, host string, hc *http.Client) string {
	wc := *hc
	wc.Timeout = webhookTimeout
	for _, m := range s.Merchants() {
		if m.opts.Webhook != "" {
			m.setWebhook(m.opts.Webhook)
		}
		go m.webhookLoop(ctx, &wc)
	}
	return "http://" + host
}

// webhookTimeout bounds one notification's POST.
const webhookTimeout = 5 * time.Second

// Close stops a started server.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// AddOrders makes n new orders sold now.
func (s *Server) AddOrders(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for i := 0; i < n; i++ {
		s.arrive(s.gen.checkout(now), now)
	}
}

// Touch marks orders as updated now, as a change at the marketplace or in
// Multivende would (tests: an order updated while a window is read).
func (s *Server) Touch(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, id := range ids {
		if c, ok := s.byID[id]; ok {
			c.UpdatedAt = now
		}
	}
}

// arrive adds an order created just now: its last update cannot be later
// than now, or a listing up to now would not show it yet.
func (s *Server) arrive(c *checkout, now time.Time) {
	if c.UpdatedAt.After(now) {
		c.UpdatedAt = now
	}
	if c.CreatedAt.After(c.UpdatedAt) {
		c.CreatedAt = c.UpdatedAt
	}
	if c.paidAt.After(now) {
		c.paidAt = now
	}
	s.add(c)
}

func (s *Server) add(c *checkout) {
	s.checkouts = append(s.checkouts, c)
	s.byID[c.ID] = c
}

// tick brings the world up to now: orders paid later become paid, and new
// orders arrive at Rate. Called with mu held.
func (s *Server) tick() time.Time {
	now := s.now()
	for _, c := range s.checkouts {
		if !c.payAt.IsZero() && !now.Before(c.payAt) {
			c.setPayment("completed", c.payAt)
			c.UpdatedAt, c.payAt = c.payAt, time.Time{}
		}
	}
	if s.opts.Rate > 0 {
		due := int(now.Sub(s.lastGen).Seconds() * s.opts.Rate)
		for i := 0; i < due; i++ {
			s.arrive(s.gen.checkout(s.lastGen.Add(time.Duration(float64(i+1)/s.opts.Rate*float64(time.Second)))), now)
		}
		if due > 0 {
			s.lastGen = s.lastGen.Add(time.Duration(float64(due) / s.opts.Rate * float64(time.Second)))
		}
	}
	return now
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/m/{merchant}/checkouts/light/p/{page}", s.authed(s.listCheckouts))
	api.HandleFunc("GET /api/checkouts/{id}", s.authed(s.getCheckout))
	api.HandleFunc("POST /api/checkouts/{id}/electronic-billing-documents", s.authed(s.createDocument))
	api.HandleFunc("GET /api/checkouts/{id}/electronic-billing-documents/p/{page}", s.authed(s.listDocuments))
	api.HandleFunc("POST /api/electronic-billing-documents/{id}/upload", s.authed(s.upload))
	api.HandleFunc("GET /api/m/{merchant}/products/light/p/{page}", s.authed(s.catalogList(func(c catalog, _ *http.Request) any { return c.products })))
	api.HandleFunc("GET /api/m/{merchant}/product-versions/p/{page}", s.authed(s.catalogList(versionsOf)))
	api.HandleFunc("GET /api/m/{merchant}/stores-and-warehouses/p/{page}", s.authed(s.catalogList(func(c catalog, _ *http.Request) any { return c.warehouses })))
	api.HandleFunc("GET /api/m/{merchant}/product-price-lists/p/{page}", s.authed(s.catalogList(func(c catalog, _ *http.Request) any { return c.priceLists })))
	api.HandleFunc("GET /api/product-stocks/stores-and-warehouses/{warehouse}/limit/{limit}", s.authed(s.byCode(stockOfCodes)))
	api.HandleFunc("GET /api/product-price/product-price-lists/{list}/limit/{limit}", s.authed(s.byCode(pricesOfCodes)))
	api.HandleFunc("GET /api/d/info", s.authed(s.appInfo))
	api.HandleFunc("POST /oauth/access-token", s.token)

	mux := http.NewServeMux()
	mux.Handle("/api/", s.faults.Middleware(api, nil))
	mux.Handle("POST /oauth/access-token", s.faults.Middleware(api, nil))
	mux.HandleFunc("GET /files/{name}", s.downloadFile)
	mux.HandleFunc("GET /apps/authorize", s.consentPage)
	mux.HandleFunc("POST /apps/authorize", s.consentSubmit)
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.State()) })
	mux.HandleFunc("GET /_sim/info", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		info := s.info
		s.mu.Unlock()
		if info == nil {
			info = json.RawMessage(`{}`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(info)
	})
	mux.Handle("/_sim/faults", s.faults.Handler())
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// authed checks the bearer token and the per-token rate limit.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		tok = strings.TrimSpace(tok)
		ok = ok && strings.EqualFold(scheme, "Bearer") // the scheme is case-insensitive
		s.mu.Lock()
		sess, known := s.access[tok]
		var lim *rate.Limiter
		if ok && known && s.opts.RateLimit > 0 {
			if lim = s.limiters[tok]; lim == nil {
				lim = rate.NewLimiter(rate.Limit(s.opts.RateLimit), int(s.opts.RateLimit+0.5))
				s.limiters[tok] = lim
			}
		}
		now := s.now()
		s.mu.Unlock()
		switch {
		case !ok || !known:
			fail(w, http.StatusUnauthorized, "Invalid or missing access token")
			return
		case !now.Before(sess.expires):
			fail(w, http.StatusUnauthorized, "Access token expired")
			return
		case r.PathValue("merchant") != "" && r.PathValue("merchant") != s.merchantID:
			fail(w, http.StatusForbidden, "Merchant not allowed for this token")
			return
		}
		if lim != nil && !lim.Allow() {
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusTooManyRequests, "Too many requests")
			return
		}
		h(w, r)
	}
}

const simTime = "2006-01-02T15:04:05"

// Multivende's rules for the checkouts list (help centre): an updatedAt
// range of at most two hours, limit between 50 and 1000, results in no
// particular order.
const (
	maxRange           = 2 * time.Hour
	minLimit, maxLimit = 50, 1000
)

// listCheckouts serves the page form of "Get checkouts light". Choices
// where Multivende's help centre is silent: a range must be bounded on
// both ends (a missing bound is an open range, wider than two hours, so it
// is refused like one); a range by soldAt (_sold_at_from/_to) is held to
// the same rule when no updatedAt range is given; a missing limit pages
// by PageSize (Multivende's default is not published).
//
// Pages are slices of one fixed order that is not by date (a hash of the
// seed and the _id), so the page set of an unchanged window is stable, and
// each page is shuffled again on every request. An order updated during a
// walk leaves a past window and shows in a later one; the entries after it
// shift, as they would at Multivende.
func (s *Server) listCheckouts(w http.ResponseWriter, r *http.Request) {
	pg, err := strconv.Atoi(r.PathValue("page"))
	if err != nil || pg < 1 {
		fail(w, http.StatusBadRequest, "page must be a number from 1")
		return
	}
	q := r.URL.Query()
	limit := PageSize
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < minLimit || limit > maxLimit {
			fail(w, http.StatusBadRequest, fmt.Sprintf("limit must be a number between %d and %d", minLimit, maxLimit))
			return
		}
	}
	bound := func(k string) (time.Time, bool, error) {
		v := q.Get(k)
		if v == "" {
			return time.Time{}, false, nil
		}
		t, err := time.ParseInLocation(simTime, v, time.UTC)
		return t, true, err
	}
	var bounds [4]time.Time
	var has [4]bool
	keys := []string{"_updated_at_from", "_updated_at_to", "_sold_at_from", "_sold_at_to"}
	for i, k := range keys {
		var err error
		if bounds[i], has[i], err = bound(k); err != nil {
			fail(w, http.StatusBadRequest, k+" must be written 2006-01-02T15:04:05")
			return
		}
	}
	by := 0 // the range the rule applies to: updatedAt, or soldAt when no updatedAt bound is given
	if !has[0] && !has[1] && (has[2] || has[3]) {
		by = 2
	}
	switch {
	case !has[by] || !has[by+1]:
		fail(w, http.StatusBadRequest, fmt.Sprintf("%s and %s are required; the range can't exceed 2 hours", keys[by], keys[by+1]))
		return
	case bounds[by+1].Before(bounds[by]):
		fail(w, http.StatusBadRequest, fmt.Sprintf("%s must not be before %s", keys[by+1], keys[by]))
		return
	case bounds[by+1].Sub(bounds[by]) > maxRange:
		fail(w, http.StatusBadRequest, fmt.Sprintf("The range between %s and %s can't exceed 2 hours", keys[by], keys[by+1]))
		return
	}
	conn := q.Get("_marketplace_connection_id")
	s.mu.Lock()
	s.tick()
	var sel []*checkout
	for _, c := range s.checkouts {
		u, sd := c.UpdatedAt.Truncate(time.Second), c.SoldAt.Truncate(time.Second)
		if (has[0] && u.Before(bounds[0])) || (has[1] && u.After(bounds[1])) ||
			(has[2] && sd.Before(bounds[2])) || (has[3] && sd.After(bounds[3])) ||
			(conn != "" && s.connectionID(c.Origin) != conn) {
			continue
		}
		sel = append(sel, c)
	}
	sort.Slice(sel, func(i, j int) bool { return s.listKey(sel[i].ID) < s.listKey(sel[j].ID) })
	p := page[lightCheckout]{Entries: []lightCheckout{}}
	p.Pagination = paginateBy(len(sel), pg, limit)
	for i := (pg - 1) * limit; i < len(sel) && i < pg*limit; i++ {
		c := sel[i]
		p.Entries = append(p.Entries, lightCheckout{ID: c.ID, Code: c.Code, Origin: c.Origin, PaymentStatus: c.PaymentStatus,
			Status: c.Status, SoldAt: c.SoldAt, UpdatedAt: c.UpdatedAt, Total: c.Total})
	}
	s.lists++
	rng := rand.New(rand.NewPCG(s.opts.Seed, s.lists))
	rng.Shuffle(len(p.Entries), func(i, j int) { p.Entries[i], p.Entries[j] = p.Entries[j], p.Entries[i] })
	s.mu.Unlock()
	writeJSON(w, 200, p)
}

// listKey is a checkout's place in the list: stable for a seed, unrelated to dates.
func (s *Server) listKey(id string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", s.opts.Seed, id)
	return h.Sum64()
}

// connectionID is the marketplace connection an order came through: one
// per marketplace, stable for a merchant.
func (s *Server) connectionID(origin string) string {
	h := fnv.New128a()
	h.Write([]byte(s.merchantID + "/" + origin))
	b := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MarketplaceConnectionID is the _marketplace_connection_id of the orders
// of a marketplace ("mercadolibre", "falabella", …).
func (s *Server) MarketplaceConnectionID(origin string) string { return s.connectionID(origin) }

func paginate(total, cur int) pagination { return paginateBy(total, cur, PageSize) }

func paginateBy(total, cur, limit int) pagination {
	pages := (total + limit - 1) / limit
	next := cur + 1
	if cur >= pages {
		next = 0
	}
	return pagination{TotalItems: total, TotalPages: pages, CurrentPage: cur, NextPage: next, Offset: (cur - 1) * limit, Limit: limit}
}

func (s *Server) getCheckout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tick()
	c, ok := s.byID[r.PathValue("id")]
	var b []byte
	if ok {
		b, _ = json.Marshal(c)
	}
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "Checkout not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (s *Server) createDocument(w http.ResponseWriter, r *http.Request) {
	var d document
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&d); err != nil {
		fail(w, http.StatusBadRequest, "Invalid JSON body")
		return
	}
	if d.DocID == "" || d.Type == "" {
		fail(w, http.StatusBadRequest, "id and type are required")
		return
	}
	s.mu.Lock()
	now := s.tick()
	c, ok := s.byID[r.PathValue("id")]
	if ok && d.ClientID != c.ClientID {
		// Public integrations send the checkout's Client._id; the simulator
		// holds every client to it (an assumption: Multivende's answer to a
		// wrong one is not published), so a client that loses it is seen.
		s.mu.Unlock()
		fail(w, http.StatusBadRequest, "ClientId must be the checkout's client ("+c.ClientID+")")
		return
	}
	if ok {
		d.ID, d.checkoutID, d.Files, d.attachedAt = s.gen.id(), c.ID, []file{}, now
		s.docs[d.ID] = &d
		c.Documents = append(c.Documents, &d)
		c.UpdatedAt = now
	}
	b, _ := json.Marshal(&d)
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "Checkout not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 2<<20)
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(w, http.StatusRequestEntityTooLarge, "File too large (max 1 MB)")
			return
		}
		fail(w, http.StatusBadRequest, "Missing file field")
		return
	}
	pdf, err := io.ReadAll(f)
	if err != nil {
		fail(w, http.StatusBadRequest, "Unreadable file")
		return
	}
	if len(pdf) > 1<<20 {
		fail(w, http.StatusRequestEntityTooLarge, "File too large (max 1 MB)")
		return
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		fail(w, http.StatusBadRequest, "File is not a PDF")
		return
	}
	s.mu.Lock()
	d, ok := s.docs[r.PathValue("id")]
	if ok {
		d.pdf, d.uploadedAt = pdf, s.now()
		d.uploads++
		d.Files = []file{{SynchronizationStatus: syncStatus(s.opts.AutoSend), URL: "/files/" + d.ID + ".pdf"}}
	}
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "Document not found")
		return
	}
	writeJSON(w, 200, map[string]any{"_id": d.ID, "uploaded": true})
}

// AttachElsewhere attaches a document to a checkout as another system would
// (a previous integration, a person in Multivende's screens). Like on real
// checkouts, it shows in the billing-documents list only, not in the
// detail's embedded list, which public integrations do not rely on.
func (s *Server) AttachElsewhere(checkoutID, folio, docType string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byID[checkoutID]
	if !ok {
		return fmt.Errorf("mvsim: checkout %s not found", checkoutID)
	}
	d := &document{ID: s.gen.id(), ClientID: c.Client.ID, DocID: folio, Code: folio, Name: folio, Type: docType,
		Provider: "otro", EmissionDate: s.now().Format(time.DateOnly), checkoutID: c.ID, pdf: []byte("%PDF-1.4\n%%EOF\n")}
	d.Files = []file{{SynchronizationStatus: syncStatus(s.opts.AutoSend), URL: "/files/" + d.ID + ".pdf"}}
	d.attachedAt, d.uploadedAt = s.now(), s.now()
	s.docs[d.ID] = d
	if s.elsewhere == nil {
		s.elsewhere = map[string][]*document{}
	}
	s.elsewhere[c.ID] = append(s.elsewhere[c.ID], d)
	return nil
}

// documentsOf is every document of a checkout: the ones attached through
// the API, then the ones attached elsewhere.
func (s *Server) documentsOf(c *checkout) []*document {
	return append(slices.Clone(c.Documents), s.elsewhere[c.ID]...)
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	pg, err := strconv.Atoi(r.PathValue("page"))
	if err != nil || pg < 1 {
		fail(w, http.StatusBadRequest, "page must be a number from 1")
		return
	}
	s.mu.Lock()
	c, ok := s.byID[r.PathValue("id")]
	p := page[document]{Entries: []document{}}
	if ok {
		all := s.documentsOf(c)
		p.Pagination = paginate(len(all), pg)
		for i := (pg - 1) * PageSize; i < len(all) && i < pg*PageSize; i++ {
			d := *all[i]
			d.Files = slices.Clone(d.Files)
			for j := range d.Files { // the url downloads the file from here
				d.Files[j].URL = baseURL(r) + d.Files[j].URL
			}
			p.Entries = append(p.Entries, d)
		}
	}
	b, _ := json.Marshal(p)
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "Checkout not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// Values of a file's synchronizationStatus: "Pendiente" is what Multivende
// shows when the merchant did not switch on automatic sending; the other
// value is the simulator's own (no public source names it).
const (
	SyncPending = "Pendiente"
	SyncSent    = "Sincronizado"
)

func syncStatus(autoSend bool) string {
	if autoSend {
		return SyncSent
	}
	return SyncPending
}

// baseURL is the simulator's address as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) catalogList(get func(catalog, *http.Request) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pg := 1
		if v := r.PathValue("page"); v != "" {
			pg, _ = strconv.Atoi(v)
		}
		if pg < 1 {
			fail(w, http.StatusBadRequest, "page must be a number from 1")
			return
		}
		s.mu.Lock()
		all, _ := json.Marshal(get(s.catalog, r))
		s.mu.Unlock()
		var entries []json.RawMessage
		_ = json.Unmarshal(all, &entries)
		p := catalogPage{Entries: []json.RawMessage{},
			Pagination: catalogPagination{pagination: paginate(len(entries), pg), Offset: (pg - 1) * PageSize, Limit: PageSize}}
		for i := (pg - 1) * PageSize; i < len(entries) && i < pg*PageSize; i++ {
			p.Entries = append(p.Entries, entries[i])
		}
		writeJSON(w, 200, p)
	}
}

// versionsOf is the product-versions list; with _include_stock=true and a
// _warehouse_id each version carries its stock there.
func versionsOf(c catalog, r *http.Request) any {
	q := r.URL.Query()
	wh := q.Get("_warehouse_id")
	if q.Get("_include_stock") != "true" || wh == "" {
		return c.versions()
	}
	stock := c.stockMap(wh)
	out := []versionStock{}
	for _, v := range c.versions() {
		out = append(out, versionStock{productVersion: v, ProductStocks: stockOf{Amount: stock[v.Code], StoreAndWarehouse: wh}})
	}
	return out
}

func (c catalog) versions() []productVersion {
	var out []productVersion
	for _, p := range c.products {
		out = append(out, p.Versions...)
	}
	return out
}

func (c catalog) stockMap(wh string) map[string]int64 {
	m := map[string]int64{}
	for _, e := range c.stock[wh] {
		m[e.Code] = e.Amount
	}
	return m
}

// stockOfCodes answers the stock read by SKU: the versions asked for, each
// with its stock in the warehouse; nil for an unknown warehouse.
func stockOfCodes(c catalog, r *http.Request, codes map[string]bool) any {
	wh := r.PathValue("warehouse")
	if !slices.ContainsFunc(c.warehouses, func(w warehouse) bool { return w.ID == wh }) {
		return nil
	}
	stock := c.stockMap(wh)
	out := []versionStock{}
	for _, v := range c.versions() {
		if codes[v.Code] {
			out = append(out, versionStock{productVersion: v, ProductStocks: stockOf{Amount: stock[v.Code], StoreAndWarehouse: wh}})
		}
	}
	return out
}

// pricesOfCodes answers the price read by SKU: the versions asked for that
// have a price in the list; nil for an unknown list.
func pricesOfCodes(c catalog, r *http.Request, codes map[string]bool) any {
	list, ok := c.prices[r.PathValue("list")]
	if !ok {
		return nil
	}
	gross := map[string]int64{}
	for _, p := range list {
		gross[p.Code] = p.Gross
	}
	out := []versionPrice{}
	for _, v := range c.versions() {
		g, ok := gross[v.Code]
		if codes[v.Code] && ok {
			out = append(out, versionPrice{productVersion: v, ProductPrices: priceOf{Gross: g, Net: (g*100 + 59) / 119,
				PriceWithDiscount: g, ProductPriceList: r.PathValue("list")}})
		}
	}
	return out
}

// maxQuery is the longest query string the simulator takes, like a common
// web server's limit: a client must split a long _code list.
const maxQuery = 8 << 10

// byCode serves the reads by SKU: /limit/{n} (1..1000) and a _code list.
func (s *Server) byCode(get func(catalog, *http.Request, map[string]bool) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > maxQuery {
			fail(w, http.StatusRequestURITooLong, "URI too long")
			return
		}
		limit, err := strconv.Atoi(r.PathValue("limit"))
		if err != nil || limit < 1 || limit > 1000 {
			fail(w, http.StatusBadRequest, "limit must be a number from 1 to 1000")
			return
		}
		codes := map[string]bool{}
		for _, c := range strings.Split(r.URL.Query().Get("_code"), ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes[c] = true
			}
		}
		s.mu.Lock()
		all, _ := json.Marshal(get(s.catalog, r, codes))
		s.mu.Unlock()
		var entries []json.RawMessage
		if string(all) == "null" {
			fail(w, http.StatusNotFound, "Not found")
			return
		}
		_ = json.Unmarshal(all, &entries)
		if len(entries) > limit {
			entries = entries[:limit]
		}
		writeJSON(w, 200, catalogPage{Entries: append([]json.RawMessage{}, entries...),
			Pagination: catalogPagination{pagination: pagination{TotalItems: len(entries), TotalPages: 1, CurrentPage: 1}, Limit: limit}})
	}
}

// downloadFile serves an uploaded document's PDF at its file url.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(r.PathValue("name"), ".pdf")
	s.mu.Lock()
	d, ok := s.docs[id]
	var pdf []byte
	if ok {
		pdf = d.pdf
	}
	s.mu.Unlock()
	if len(pdf) == 0 {
		fail(w, http.StatusNotFound, "File not found")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(pdf)
}

// token serves POST /oauth/access-token. The body is JSON, as Multivende
// documents it, or a form, as some public integrations post it; client_id
// may be a JSON number or a string.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID     json.RawMessage `json:"client_id"`
		ClientSecret string          `json:"client_secret"`
		GrantType    string          `json:"grant_type"`
		Code         string          `json:"code"`
		RefreshToken string          `json:"refresh_token"`
		CodeVerifier string          `json:"code_verifier"`
	}
	clientID := ""
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			fail(w, http.StatusBadRequest, "Invalid form body")
			return
		}
		f := r.PostForm
		clientID, req.ClientSecret, req.GrantType = f.Get("client_id"), f.Get("client_secret"), f.Get("grant_type")
		req.Code, req.RefreshToken, req.CodeVerifier = f.Get("code"), f.Get("refresh_token"), f.Get("code_verifier")
	} else {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			fail(w, http.StatusBadRequest, "The body must be JSON")
			return
		}
		var n json.Number
		if json.Unmarshal(req.ClientID, &clientID) != nil && json.Unmarshal(req.ClientID, &n) == nil {
			clientID = n.String()
		}
	}
	if clientID != s.opts.ClientID || req.ClientSecret != s.opts.ClientSecret {
		fail(w, http.StatusUnauthorized, "Invalid client credentials")
		return
	}
	// The code or refresh token names the merchant (multi.go).
	s = s.tokenOwner(req.GrantType, req.Code, req.RefreshToken)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch req.GrantType {
	case "authorization_code":
		g, ok := s.grants[req.Code]
		delete(s.grants, req.Code) // single use
		if !ok || now.After(g.expires) {
			fail(w, http.StatusBadRequest, "Invalid or expired authorization code")
			return
		}
		if g.challenge != "" {
			sum := sha256.Sum256([]byte(req.CodeVerifier))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
				fail(w, http.StatusBadRequest, "Invalid code_verifier")
				return
			}
		}
	case "refresh_token":
		sess, ok := s.refresh[req.RefreshToken]
		delete(s.refresh, req.RefreshToken) // rotated
		if !ok || !now.Before(sess.expires) {
			fail(w, http.StatusUnauthorized, "Invalid or expired refresh token")
			return
		}
	default:
		fail(w, http.StatusBadRequest, "grant_type must be authorization_code or refresh_token")
		return
	}
	ttl := s.opts.AccessTTL
	if d := s.faults.Spec().TokenExpire; d > 0 {
		ttl = d
	}
	// Stored and compared at the millisecond the reply shows.
	now = now.UTC().Truncate(time.Millisecond)
	t := tokenReply{ID: s.gen.id(), Token: "mva-" + s.gen.id(), ExpiresAt: msTime(now.Add(ttl)),
		RefreshToken: "mvr-" + s.gen.id(), RefreshTokenExpiresAt: msTime(now.Add(s.opts.RefreshTTL)),
		Scopes: Scopes, MerchantID: s.merchantID, OauthClientID: s.opts.ClientID, MerchantAppID: s.appID(),
		Status: "active", CreatedAt: msTime(now), UpdatedAt: msTime(now), CreatedByID: s.ownerID(), UpdatedByID: s.ownerID(), OwnerID: s.ownerID()}
	s.access[t.Token] = session{expires: time.Time(t.ExpiresAt)}
	s.refresh[t.RefreshToken] = session{expires: time.Time(t.RefreshTokenExpiresAt)}
	s.issued = append(s.issued, t.Token, t.RefreshToken)
	writeJSON(w, 200, t)
}

// appInfo serves GET /api/d/info ("Get app information"): the app and the
// merchant it is connected to, which some clients read instead of the
// token reply. Only _id, name and MerchantId are served (the rest of the
// shape is not public).
func (s *Server) appInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]string{"_id": s.appID(), "name": "folio", "MerchantId": s.merchantID})
}

// appID and ownerID are stable ids of the connected app and of the
// merchant's user, derived so as not to draw on the generator.
func (s *Server) appID() string   { return s.connectionID("merchant-app") }
func (s *Server) ownerID() string { return s.connectionID("owner") }

// clientIDFrom turns generated randomness into a 12-digit client id.
func clientIDFrom(raw string) string {
	h := fnv.New64a()
	h.Write([]byte(raw))
	return strconv.FormatUint(100_000_000_000+h.Sum64()%900_000_000_000, 10)
}

// ExpireRefreshTokens makes every refresh token of every merchant expire
// now (tests).
func (s *Server) ExpireRefreshTokens() {
	for _, m := range s.Merchants() {
		m.mu.Lock()
		for k := range m.refresh {
			m.refresh[k] = session{expires: m.now().Add(-time.Second)}
		}
		m.mu.Unlock()
	}
}

// state is one merchant's part of State.
func (s *Server) state() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	st := State{Checkouts: make([]StateCheckout, 0, len(s.checkouts)), Tokens: append([]string{}, s.issued...)}
	for _, c := range s.checkouts {
		sc := StateCheckout{ID: c.ID, PaymentStatus: c.PaymentStatus, Status: c.Status, Documents: []StateDocument{},
			PaidAt: msTime(c.paidAt), Notified: s.hook.sent[c.ID]}
		for _, d := range s.documentsOf(c) {
			sd := StateDocument{ID: d.ID, DocID: d.DocID, Type: d.Type, Uploaded: len(d.pdf) > 0, Uploads: d.uploads, Provider: d.Provider, EmitterID: d.EmitterID,
				AttachedAt: msTime(d.attachedAt), UploadedAt: msTime(d.uploadedAt)}
			if len(d.Files) > 0 {
				sd.SyncStatus = d.Files[0].SynchronizationStatus
			}
			sc.Documents = append(sc.Documents, sd)
		}
		st.Checkouts = append(st.Checkouts, sc)
	}
	st.Catalog = StateCatalog{Prices: map[string]map[string]int64{}, Stock: map[string]map[string]int64{}}
	for _, p := range s.catalog.products {
		for _, v := range p.Versions {
			st.Catalog.Versions = append(st.Catalog.Versions, StateVersion{Product: p.ID, Code: v.Code, Name: v.Product.Name, Active: v.active()})
		}
	}
	for list, ps := range s.catalog.prices {
		st.Catalog.Prices[list] = map[string]int64{}
		for _, p := range ps {
			st.Catalog.Prices[list][p.Code] = p.Gross
		}
	}
	for wh, es := range s.catalog.stock {
		st.Catalog.Stock[wh] = map[string]int64{}
		for _, e := range es {
			st.Catalog.Stock[wh][e.Code] = e.Amount
		}
	}
	return st
}

func (s *Server) makeCatalog() catalog {
	c := catalog{stock: map[string][]stockEntry{}, prices: map[string][]price{}}
	c.warehouses = []warehouse{{ID: "wh-central", Name: "Bodega Central", Type: "warehouse"}, {ID: "st-providencia", Name: "Tienda Providencia", Type: "store"}}
	c.priceLists = []priceList{{ID: "pl-general", Name: "Lista general", Currency: "CLP"}, {ID: "pl-mayorista", Name: "Mayorista", Currency: "CLP"}}
	for i, p := range products {
		st := "active"
		if i%9 == 8 {
			st = "inactive"
		}
		pid := fmt.Sprintf("prod-%03d", i)
		c.products = append(c.products, product{ID: pid, Name: p.name, Code: p.sku,
			Versions: []productVersion{{ID: fmt.Sprintf("ver-%03d", i), Code: p.sku, Status: st, ProductID: pid,
				Product: versionProduct{ID: pid, Name: p.name}}}})
		for j, wh := range c.warehouses {
			c.stock[wh.ID] = append(c.stock[wh.ID], stockEntry{Code: p.sku, Amount: int64((i*7 + j*13) % 40)})
		}
		c.prices["pl-general"] = append(c.prices["pl-general"], price{Code: p.sku, Gross: p.gross})
		c.prices["pl-mayorista"] = append(c.prices["pl-mayorista"], price{Code: p.sku, Gross: p.gross * 9 / 10 / 10 * 10})
	}
	return c
}

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Multivende — Autorizar aplicación</title></head>
<body>
<h1>Autorizar aplicación</h1>
<p>La aplicación <strong>{{.ClientID}}</strong> solicita acceso a tu cuenta de Multivende.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/apps/authorize">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="scope" value="{{.Scope}}">
<input type="hidden" name="code_challenge" value="{{.Challenge}}">
<input type="hidden" name="code_challenge_method" value="{{.ChallengeMethod}}">
<fieldset><legend>Permisos solicitados (todos son necesarios)</legend>
{{range .Scopes}}<label><input type="checkbox" name="permission" value="{{.}}" checked> {{.}}</label><br>
{{end}}</fieldset>
{{if .Merchants}}<fieldset><legend>Comercio</legend>
{{range .Merchants}}<label><input type="radio" name="merchant" value="{{.ID}}"{{if eq .ID $.Merchant}} checked{{end}}> {{.Name}}</label><br>
{{end}}</fieldset>
{{end}}<label>Nombre de la conexión <input type="text" name="name" value="{{.Name}}" required></label>
<button type="submit" name="decision" value="yes">Sí</button>
<button type="submit" name="decision" value="no">No</button>
</form>
</body></html>
`))

type consentView struct {
	ClientID, RedirectURI, State, Scope, Challenge, ChallengeMethod, Name, Error string
	Scopes                                                                       []string
	// Merchants are the merchants a person may connect as (several on a
	// server of several merchants: the one logged in, in Multivende), and
	// Merchant the one chosen.
	Merchants []MerchantRef
	Merchant  string
}

func (s *Server) consentView(v url.Values) (consentView, string) {
	cv := consentView{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Scope: v.Get("scope"), Challenge: v.Get("code_challenge"), ChallengeMethod: v.Get("code_challenge_method"), Name: v.Get("name")}
	cv.Scopes = strings.Fields(cv.Scope)
	if len(s.peers) > 1 {
		cv.Merchants, cv.Merchant = s.MerchantRefs(), v.Get("merchant")
		if cv.Merchant == "" {
			cv.Merchant = cv.Merchants[0].ID
		}
	}
	switch {
	case cv.ClientID != s.opts.ClientID:
		return cv, "Aplicación desconocida (client_id)."
	case cv.RedirectURI == "":
		return cv, "Falta redirect_uri."
	case cv.Challenge != "" && cv.ChallengeMethod != "S256":
		return cv, "code_challenge_method debe ser S256."
	case len(cv.Scopes) == 0:
		return cv, "No se solicitaron permisos (scope)."
	case s.peer(cv.Merchant) == nil:
		return cv, "Comercio desconocido."
	}
	if u, err := url.Parse(cv.RedirectURI); err != nil || u.Scheme == "" || u.Host == "" {
		return cv, "redirect_uri no es una URL válida."
	}
	return cv, ""
}

func (s *Server) consentPage(w http.ResponseWriter, r *http.Request) {
	cv, bad := s.consentView(r.URL.Query())
	if bad != "" || r.URL.Query().Get("response_type") != "code" {
		if bad == "" {
			bad = "response_type debe ser code."
		}
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = consentTmpl.Execute(w, cv)
}

func (s *Server) consentSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "formulario inválido", http.StatusBadRequest)
		return
	}
	cv, bad := s.consentView(r.PostForm)
	if bad != "" {
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	redirect := func(q url.Values) {
		u, _ := url.Parse(cv.RedirectURI)
		uq := u.Query()
		for k, vs := range q {
			uq[k] = vs
		}
		uq.Set("state", cv.State)
		u.RawQuery = uq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	if r.PostForm.Get("decision") != "yes" {
		redirect(url.Values{"error": {"access_denied"}})
		return
	}
	granted := map[string]bool{}
	for _, p := range r.PostForm["permission"] {
		granted[p] = true
	}
	for _, sc := range cv.Scopes {
		if !granted[sc] {
			cv.Error = "Debes aceptar todos los permisos para conectar la aplicación."
		}
	}
	if cv.Error == "" && strings.TrimSpace(cv.Name) == "" {
		cv.Error = "Escribe un nombre para la conexión."
	}
	if cv.Error != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = consentTmpl.Execute(w, cv)
		return
	}
	s = s.peer(cv.Merchant) // the grant is the chosen merchant's
	code := "ac-" + func() string { s.mu.Lock(); defer s.mu.Unlock(); return s.gen.id() }()
	s.mu.Lock()
	s.grants[code] = grant{redirectURI: cv.RedirectURI, challenge: cv.Challenge, expires: s.now().Add(10 * time.Minute)}
	s.mu.Unlock()
	redirect(url.Values{"code": {code}})
}

// Cancel changes an order after the fact, as the marketplace would: status
// "cancelled", or (refunded) its payment "refunded", a return after
// delivery. Its last update is now, so the next listing shows it.
func (s *Server) Cancel(checkoutID string, refunded bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byID[checkoutID]
	if !ok {
		return fmt.Errorf("mvsim: checkout %s not found", checkoutID)
	}
	now := s.now()
	if refunded {
		c.setPayment("refunded", now)
	} else {
		c.Status = "cancelled"
	}
	c.UpdatedAt = now
	return nil
}
