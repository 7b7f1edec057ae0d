// Package doctor runs folio's health checks: the config file, the store
// (opens, schema, integrity, permissions, free disk), each connection
// (tokens, API reachable, invoicer credentials) and the clock against the
// servers'. Every check says what it found and, when it fails, the fix.
//
// Doctor only reads: it never renews a token (a renewal rotates the
// refresh token, and a running engine holding the old one would lose the
// connection), so an expired access token is reported, not refreshed. The
// one write is LibreDTE's price check: a temporary document (emitir takes
// no folio) that it deletes again.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Check is one finding; the JSON of `folio doctor --json` is a list of them.
type Check struct {
	// Name is the check's stable id: the aspect ("store.integrity"), or
	// the connection's name and its aspect ("tienda.token").
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"` // empty when OK, unless Warn
	// Warn marks a check that passes with a doubt worth acting on (Fix says how).
	Warn bool `json:"warn,omitempty"`

	Conn   string `json:"-"` // the connection checked, "" for the machine's own
	Aspect string `json:"-"` // what of it: "store.integrity", "token"
}

// Label is the check's name for a person in lang: the aspect in their
// words, after the connection's name when it is one connection's.
func (c Check) Label(lang i18n.Lang) string {
	aspect := c.Aspect
	if i18n.Has(i18n.ID("doctor.aspect." + aspect)) {
		aspect = lang.T(i18n.ID("doctor.aspect." + aspect))
	}
	if c.Conn == "" {
		return aspect
	}
	return c.Conn + " · " + aspect
}

// Defaults for Options.
const (
	DefaultTimeout = 10 * time.Second
	DefaultMinFree = 200 << 20 // bytes: room for the WAL, a backup's checkpoint, logs
	DefaultMaxSkew = time.Minute
)

// Options say what to check.
type Options struct {
	Lang i18n.Lang
	// ConfigFile is the config's path; ConfigErr the error loading it.
	ConfigFile string
	ConfigErr  error
	StorePath  string
	// ClientSecret returns the OAuth client secret known for a Multivende
	// connection ("" when none: the engine could not renew its tokens).
	ClientSecret func(store.Connection) string
	HTTPClient   *http.Client
	Timeout      time.Duration // per network call
	MinFree      uint64
	MaxSkew      time.Duration
	// Now is this machine's clock (tests move it to fake a skew).
	Now func() time.Time
	// Attach are the config's defaults for attaching documents in
	// Multivende (a connection's own settings win).
	Attach store.ConnSettings

	writable func(path string) error // tests: a store root cannot make unwritable
	// Location is the merchant's zone, where times are shown (default
	// America/Santiago).
	Location *time.Location
	// Emisor is the issuing company from the config (written on every
	// document); nil when the config could not be read.
	Emisor *dte.Emisor
	// Listen is the webhook listener's address (the config's listen; ""
	// when webhooks are off).
	Listen string
	// Explain says an error in Lang as the CLI says every error (the
	// store's and config's failures, the services'); nil: the config's
	// problems and the services' failures in Lang, anything else quoted.
	Explain func(error) string
}

// Failed counts the checks that did not pass.
func Failed(cs []Check) int {
	n := 0
	for _, c := range cs {
		if !c.OK {
			n++
		}
	}
	return n
}

type run struct {
	Options
	out  []Check
	skew bool // the clock was measured
}

// add adds a check of the machine's own (config, store, clock…).
func (r *run) add(aspect string, ok bool, detail, fix string) { r.addOn("", aspect, ok, detail, fix) }

// addOn adds a check of connection conn ("" for the machine's own).
func (r *run) addOn(conn, aspect string, ok bool, detail, fix string) {
	if ok {
		fix = ""
	}
	r.out = append(r.out, Check{Name: checkName(conn, aspect), OK: ok, Detail: detail, Fix: fix, Conn: conn, Aspect: aspect})
}

// warn adds a check of the machine's own that passes with a doubt.
func (r *run) warn(aspect, detail, fix string) { r.warnOn("", aspect, detail, fix) }

// warnOn adds a check of connection conn that passes with a doubt,
// keeping its fix.
func (r *run) warnOn(conn, aspect, detail, fix string) {
	r.out = append(r.out, Check{Name: checkName(conn, aspect), OK: true, Warn: true, Detail: detail, Fix: fix, Conn: conn, Aspect: aspect})
}

func checkName(conn, aspect string) string {
	if conn == "" {
		return aspect
	}
	return conn + "." + aspect
}

func (r *run) t(id i18n.ID, args ...any) string { return r.Lang.T(id, args...) }

// explain is err as the reader reads it (Options.Explain).
func (r *run) explain(err error) string {
	if r.Explain != nil {
		return r.Explain(err)
	}
	if ce, ok := errors.AsType[*config.Error](err); ok {
		return ce.In(r.Lang)
	}
	return engine.ServiceWords(err).In(r.Lang)
}

// Run runs every check, in order.
func Run(ctx context.Context, o Options) []Check {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MinFree == 0 {
		o.MinFree = DefaultMinFree
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = DefaultMaxSkew
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = config.Default().Location()
	}
	if o.ClientSecret == nil {
		o.ClientSecret = func(store.Connection) string { return "" }
	}
	r := &run{Options: o}
	r.config()
	r.emisor()
	st := r.store(ctx)
	if st == nil {
		return r.out
	}
	defer st.Close()
	r.connections(ctx, st)
	r.webhooks(ctx, st)
	return r.out
}

// emisor checks that the issuing company is configured: every document
// carries it, and an invoicer given an empty one refuses or guesses.
func (r *run) emisor() {
	if r.Emisor == nil {
		return
	}
	e := *r.Emisor
	var missing []string
	if _, err := dte.ParseRUT(e.RUTEmisor); err != nil {
		missing = append(missing, "emisor.rut")
	}
	for _, f := range []struct{ key, v string }{{"emisor.razon_social", e.RznSoc}, {"emisor.giro", e.GiroEmis},
		{"emisor.direccion", e.DirOrigen}, {"emisor.comuna", e.CmnaOrigen}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.key)
		}
	}
	if len(missing) > 0 {
		r.add("emisor", false, r.t("doctor.emisor.missing", strings.Join(missing, ", ")), r.t("doctor.emisor.fix"))
		return
	}
	r.add("emisor", true, r.t("doctor.emisor.ok", e.RznSoc, e.RUTEmisor), "")
}

func (r *run) config() {
	switch {
	case r.ConfigErr != nil:
		r.add("config", false, r.explain(r.ConfigErr), r.t("doctor.config.fix_bad"))
		return
	case r.ConfigFile == "":
		return
	}
	fi, err := os.Stat(r.ConfigFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		r.add("config", true, r.t("doctor.config.none", r.ConfigFile), "")
	case err != nil:
		r.add("config", false, r.explain(err), r.t("doctor.config.fix_bad"))
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o007 != 0:
		// 0640 root:folio is how the packages install it; others never.
		r.add("config.permissions", false, r.t("doctor.perm.open", r.ConfigFile, fmt.Sprintf("%04o", fi.Mode().Perm())),
			r.t("doctor.perm.fix", r.ConfigFile))
	default:
		r.add("config", true, r.t("doctor.config.ok", r.ConfigFile, fmt.Sprintf("%04o", fi.Mode().Perm())), "")
	}
}

func (r *run) store(ctx context.Context) *store.Store {
	path := r.StorePath
	pg := store.IsPostgres(path)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !pg {
		r.add("store", false, r.t("doctor.store.missing", path), r.t("doctor.store.fix_missing"))
		return nil
	}
	octx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	st, err := store.Open(octx, path, store.Options{ReadOnly: true, BusyTimeout: time.Second})
	if err != nil {
		fix := r.t("doctor.store.fix_open")
		var oe *store.OpenError
		if errors.As(err, &oe) && oe.Fix != "" && r.Explain == nil {
			fix = oe.Fix
		}
		r.add("store", false, r.explain(err), fix)
		return nil
	}
	r.add("store", true, r.t("doctor.store.ok", st.Path(), st.SchemaVersion(), store.LatestSchema()), "")

	if !pg { // a file's modes and its directory's writability
		r.storePermissions(path)
		r.storeWritable(st.Path())
	}
	qctx, qcancel := context.WithTimeout(ctx, 2*time.Minute)
	res, err := st.QuickCheck(qctx)
	qcancel()
	switch {
	case err != nil:
		r.add("store.integrity", false, r.explain(err), r.t("doctor.store.fix_integrity"))
	case res != "ok":
		first, _, _ := strings.Cut(res, "\n")
		r.add("store.integrity", false, r.t("doctor.store.corrupt", first), r.t("doctor.store.fix_integrity"))
	default:
		r.add("store.integrity", true, r.t("doctor.store.integrity_ok"), "")
	}

	dir := filepath.Dir(st.Path())
	if free, err := freeBytes(dir); err == nil && !pg {
		ok := free >= r.MinFree
		r.add("store.disk", ok, r.t("doctor.disk", humanBytes(free), dir), r.t("doctor.disk.fix", humanBytes(r.MinFree), dir))
	}
	return st
}

// storeWritable checks the engine could write the store: doctor opens it
// read-only, so opening says nothing about a file or directory that lost
// its write permission, an immutable file or a read-only mount.
func (r *run) storeWritable(path string) {
	check := r.writable
	if check == nil {
		check = writable
	}
	if err := check(path); err != nil {
		r.add("store.writable", false, r.t("doctor.store.not_writable", r.explain(err)), r.t("doctor.store.fix_writable", path, filepath.Dir(path)))
		return
	}
	r.add("store.writable", true, r.t("doctor.store.writable_ok", path), "")
}

// writable opens the store and its WAL files for writing (changing
// nothing) and creates and removes a file beside them, as SQLite must.
func writable(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return err
		}
		f.Close()
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".folio-doctor-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// storePermissions checks that only the owner can read the store and its
// WAL files (they hold tokens).
func (r *run) storePermissions(path string) {
	if runtime.GOOS == "windows" {
		return
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			r.add("store.permissions", false, r.t("doctor.perm.open", p, fmt.Sprintf("%04o", perm)), r.t("doctor.perm.fix", p))
			return
		}
	}
	r.add("store.permissions", true, r.t("doctor.perm.ok", path), "")
}

func (r *run) connections(ctx context.Context, st *store.Store) {
	conns, err := st.Connections(ctx)
	if err != nil {
		r.add("connections", false, r.explain(err), r.t("doctor.store.fix_open"))
		return
	}
	var mv, ld, of []store.Connection
	for _, c := range conns {
		switch c.Kind {
		case store.KindMultivende:
			mv = append(mv, c)
		case store.KindLibreDTE:
			ld = append(ld, c)
		case store.KindOpenFactura:
			of = append(of, c)
		}
	}
	if len(mv) == 0 {
		r.add("multivende", false, r.t("doctor.mv.none"), "folio connect multivende --name NAME")
	}
	invs := append(append([]store.Connection{}, ld...), of...)
	switch {
	case len(invs) == 0:
		r.add("invoicer", false, r.t("doctor.inv.none"), "folio connect libredte  |  folio connect openfactura")
	case len(invs) > 1:
		names := make([]string, len(invs))
		for i, c := range invs {
			names[i] = c.Name + " (" + c.Kind + ")"
		}
		r.add("invoicer", false, r.t("doctor.inv.two", len(invs), strings.Join(names, ", ")), "folio disconnect NAME")
	default:
		r.add("invoicer", true, r.t("doctor.invoicer.which", invoicerName(invs[0].Kind), invs[0].Name), "")
	}
	for _, c := range mv {
		r.multivende(ctx, st, c)
	}
	for _, c := range ld {
		r.libredte(ctx, st, c)
	}
	for _, c := range of {
		r.openfactura(ctx, c)
	}
	if !r.skew {
		for _, c := range append(mv, invs...) {
			if r.clock(ctx, c.BaseURL) {
				break
			}
		}
	}
}

func (r *run) multivende(ctx context.Context, st *store.Store, c store.Connection) {
	name := "multivende." + c.Name
	reconnect := "folio connect multivende --name " + c.Name
	now := r.Now()
	tokenOK := false
	switch {
	case c.Status == store.ConnNeedsReconnect:
		why := "-"
		if c.LastError != "" {
			why = r.t("quote", c.LastError) // the client's words
		}
		detail := r.t("doctor.mv.needs_reconnect", why)
		if n, err := st.WaitingReconnect(ctx, c.ID); err == nil && n > 0 {
			detail += "; " + r.t("doctor.mv.waiting_orders", n)
		}
		r.addOn(name, "token", false, detail, reconnect)
	case c.AccessToken == "" && c.RefreshToken == "":
		r.addOn(name, "token", false, r.t("doctor.mv.no_tokens"), reconnect)
	case !c.RefreshExpiresAt.IsZero() && !now.Before(c.RefreshExpiresAt):
		r.addOn(name, "token", false, r.t("doctor.mv.refresh_expired", i18n.FormatTime(r.Lang, c.RefreshExpiresAt, r.Location)), reconnect)
	case !c.AccessExpiresAt.IsZero() && !now.Before(c.AccessExpiresAt):
		r.addOn(name, "token", true, r.t("doctor.mv.access_expired", i18n.FormatTime(r.Lang, c.AccessExpiresAt, r.Location),
			i18n.FormatTime(r.Lang, c.RefreshExpiresAt, r.Location)), "")
	default:
		tokenOK = c.AccessToken != ""
		r.addOn(name, "token", true, r.t("doctor.mv.token_ok", i18n.FormatTime(r.Lang, c.AccessExpiresAt, r.Location),
			i18n.FormatTime(r.Lang, c.RefreshExpiresAt, r.Location)), "")
	}
	r.attach(name, c)
	if r.ClientSecret(c) == "" {
		r.addOn(name, "client_secret", false, r.t("doctor.mv.no_secret", c.ClientID), r.t("doctor.mv.fix_secret"))
	} else {
		r.addOn(name, "client_secret", true, r.t("doctor.mv.secret_ok", c.ClientID), "")
	}
	if !tokenOK {
		// No usable token to call with: say whether Multivende answers at all.
		if _, _, err := r.probe(ctx, c.BaseURL); err != nil {
			r.addOn(name, "api", false, r.t("doctor.unreachable", c.BaseURL, r.explain(err)), r.t("doctor.fix_unreachable"))
		} else {
			r.addOn(name, "api", true, r.t("doctor.reachable", c.BaseURL), "")
		}
		return
	}
	client := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: c.ClientID, HTTPClient: r.HTTPClient,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: c.AccessToken, TokenType: "Bearer"})})
	cctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	start := time.Now()
	var err error
	for _, e := range client.Checkouts(cctx, c.MerchantID, now.Add(-time.Minute), now) {
		err = e
		break // the first page is enough
	}
	mv, isMV := multivende.AsError(err)
	switch {
	case err == nil:
		r.addOn(name, "api", true, r.t("doctor.mv.api_ok", c.BaseURL, time.Since(start).Round(time.Millisecond).String()), "")
	case isMV && (mv.Status == http.StatusUnauthorized || mv.Status == http.StatusForbidden):
		r.addOn(name, "api", false, r.t("doctor.mv.api_refused", mv.Status), reconnect)
	case isMV && mv.Status == 0:
		r.addOn(name, "api", false, r.t("doctor.unreachable", c.BaseURL, r.explain(err)), r.t("doctor.fix_unreachable"))
	default:
		r.addOn(name, "api", false, r.explain(err), r.t("doctor.mv.fix_api"))
	}
}

// attach checks what documents are attached with. Whether Multivende needs
// the emitter id is not known (multivende-api.md): without one it is a
// warning, not a failure.
func (r *run) attach(name string, c store.Connection) {
	emitter := firstSet(c.Settings.EmitterID, r.Attach.EmitterID, multivende.DefaultEmitterID)
	provider := firstSet(c.Settings.Provider, r.Attach.Provider, multivende.DefaultProvider)
	own := maps.Clone(r.Attach.DocTypes)
	if own == nil {
		own = map[string]string{}
	}
	maps.Copy(own, c.Settings.DocTypes)
	var types []string
	for _, t := range []int{39, 33} {
		types = append(types, fmt.Sprintf("%d=%s", t, multivende.AttachType(t, own)))
	}
	if emitter == "" {
		r.warnOn(name, "attach", r.t("doctor.mv.no_emitter", provider, strings.Join(types, " ")), r.t("doctor.mv.fix_emitter", c.Name))
		return
	}
	r.addOn(name, "attach", true, r.t("doctor.mv.attach_ok", provider, emitter, strings.Join(types, " ")), "")
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func invoicerName(kind string) string {
	if kind == store.KindOpenFactura {
		return "OpenFactura"
	}
	return "LibreDTE"
}

// openfactura checks the key with the adapter's harmless call.
func (r *run) openfactura(ctx context.Context, c store.Connection) {
	name := "openfactura." + c.Name
	fix := "folio connect openfactura --name " + c.Name
	client, err := openfactura.New(openfactura.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Emisor: c.EmisorRUT,
		HTTPClient: r.HTTPClient, Timeout: r.Timeout})
	if err != nil {
		r.addOn(name, "credentials", false, r.explain(err), fix)
		return
	}
	err = client.Check(ctx)
	ie, isInv := invoicer.AsError(err)
	switch {
	case err == nil:
		r.addOn(name, "credentials", true, r.t("doctor.of.ok", c.EmisorRUT, c.BaseURL), "")
	case isInv && (ie.Code == invoicer.CodeAuth || ie.Code == invoicer.CodeForbidden):
		r.addOn(name, "credentials", false, r.t("doctor.of.auth", ie.Status), fix)
	case isInv && ie.Status == 0:
		r.addOn(name, "credentials", false, r.t("doctor.unreachable", c.BaseURL, r.explain(err)), r.t("doctor.fix_unreachable"))
	default:
		r.addOn(name, "credentials", false, r.explain(err), fix)
	}
}

func (r *run) libredte(ctx context.Context, st *store.Store, c store.Connection) {
	name := "libredte." + c.Name
	fix := "folio connect libredte --name " + c.Name
	client, err := libredte.New(libredte.Config{BaseURL: c.BaseURL, Hash: c.APIKey, Emisor: c.EmisorRUT,
		HTTPClient: r.HTTPClient, Timeout: r.Timeout})
	if err != nil {
		r.addOn(name, "credentials", false, r.explain(err), fix)
		return
	}
	err = client.Check(ctx)
	ie, isInv := invoicer.AsError(err)
	switch {
	case err == nil:
		r.addOn(name, "credentials", true, r.t("doctor.ld.ok", c.EmisorRUT, c.BaseURL), "")
	case isInv && ie.Code == libredte.CodeNotAPI:
		r.addOn(name, "credentials", false, r.t("doctor.ld.not_api", c.BaseURL, ie.Message),
			r.t("doctor.ld.fix_not_api", c.Name, libredte.SuggestAPIRoot(c.BaseURL)))
	case isInv && ie.Code == invoicer.CodeAuth:
		r.addOn(name, "credentials", false, r.t("doctor.ld.auth"), fix)
	case isInv && ie.Code == invoicer.CodeForbidden:
		r.addOn(name, "credentials", false, r.t("doctor.ld.forbidden", c.EmisorRUT), fix+" --emisor RUT")
	case isInv && ie.Status == 0:
		r.addOn(name, "credentials", false, r.t("doctor.unreachable", c.BaseURL, r.explain(err)), r.t("doctor.fix_unreachable"))
	default:
		r.addOn(name, "credentials", false, r.explain(err), fix)
	}
	if err != nil {
		return // the price check needs a working connection
	}
	// The price type is not in LibreDTE's API: a one-line boleta's
	// temporary document (no folio) shows what the account computes; it is
	// deleted afterwards.
	clp := dte.FormatCLP
	pc, err := client.CheckPrices(ctx, "")
	left := ""
	if !pc.Discarded && err == nil {
		left = r.t("doctor.ld.price_tmp_left")
	}
	switch {
	case err != nil:
		r.addOn(name, "price_type", false, r.t("doctor.ld.price_err", r.explain(err)), r.t("doctor.ld.price_err_fix"))
	case pc.OK():
		r.addOn(name, "price_type", true, r.t("doctor.ld.price_ok", clp(pc.Gross), clp(pc.Got.MntNeto), clp(pc.Got.IVA))+left, "")
	default:
		r.addOn(name, "price_type", false, r.t("doctor.ld.price_bad", clp(pc.Gross), clp(pc.Got.MntTotal), clp(pc.Got.MntNeto), clp(pc.Got.IVA),
			clp(pc.Want.MntTotal), clp(pc.Want.MntNeto), clp(pc.Want.IVA))+left, r.t("doctor.ld.price_fix"))
	}
	r.unclaimed(ctx, st, client, name)
}

// unclaimedDays is how far back doctor looks for folios no order claims.
const unclaimedDays = 7

// unclaimed lists the documents the invoicer issued lately that no order
// in the store claims: a folio spent by an issue whose outcome was never
// resolved (a crash, a reset, an engine that lost its lease mid-call). Each
// is a legal document a person must place on its order or cancel; an
// order waiting in Errors that names it as a candidate is shown beside it.
func (r *run) unclaimed(ctx context.Context, st *store.Store, inv invoicer.Lister, name string) {
	now := r.Now().In(r.Location)
	docs, err := inv.Emitted(ctx, now.AddDate(0, 0, -unclaimedDays), now)
	if err != nil {
		r.addOn(name, "unclaimed", false, r.t("doctor.ld.unclaimed_err", unclaimedDays, r.explain(err)), r.t("doctor.ld.unclaimed_err_fix"))
		return
	}
	named, err := candidatesInErrors(ctx, st)
	if err != nil {
		r.addOn(name, "unclaimed", false, r.explain(err), r.t("doctor.store.fix_open"))
		return
	}
	var lines []string
	explained := 0
	for _, d := range docs {
		_, owned, err := st.FolioOwner(ctx, d.Emisor, int(d.Type), d.Folio)
		if err != nil {
			r.addOn(name, "unclaimed", false, r.explain(err), r.t("doctor.store.fix_open"))
			return
		}
		if owned {
			continue
		}
		line := r.t("doctor.ld.unclaimed_one", d.Type.Name(), d.Folio, d.Fecha, dte.FormatCLP(d.Total))
		if code, ok := named[folioKey{int(d.Type), d.Folio}]; ok {
			line += r.t("doctor.ld.unclaimed_named", code)
			explained++
		}
		lines = append(lines, line)
	}
	switch {
	case len(lines) == 0:
		r.addOn(name, "unclaimed", true, r.t("doctor.ld.unclaimed_ok", len(docs), unclaimedDays), "")
	case explained == len(lines):
		r.warnOn(name, "unclaimed", r.t("doctor.ld.unclaimed_bad", len(lines), unclaimedDays, strings.Join(lines, "; ")), r.t("doctor.ld.unclaimed_fix"))
	default:
		r.addOn(name, "unclaimed", false, r.t("doctor.ld.unclaimed_bad", len(lines), unclaimedDays, strings.Join(lines, "; ")), r.t("doctor.ld.unclaimed_fix"))
	}
}

type folioKey struct {
	dteType int
	folio   int64
}

// folioInReason finds the folios an uncertain order's reason names as
// candidates ("folio 12", "folios 12, 15").
var folioInReason = regexp.MustCompile(`folios? ((?:\d+(?:, )?)+)`)

// FoliosNamedIn returns the folios an uncertain order's reason names.
func FoliosNamedIn(reason string) []int64 {
	var out []int64
	for _, m := range folioInReason.FindAllStringSubmatch(reason, -1) {
		for _, f := range strings.Split(m[1], ", ") {
			if n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// candidatesInErrors maps the folios that orders waiting in Errors as
// uncertain name to those orders' codes.
func candidatesInErrors(ctx context.Context, st *store.Store) (map[folioKey]string, error) {
	out := map[folioKey]string{}
	var before int64
	for {
		page, err := st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateAttention}, Before: before, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if o.ReasonCode != "UNCERTAIN" {
				continue
			}
			for _, n := range FoliosNamedIn(o.Reason) {
				out[folioKey{o.DocType, n}] = o.Code
			}
		}
		if len(page) < 1000 {
			return out, nil
		}
		before = page[len(page)-1].Seq
	}
}

// probe GETs base and returns the server's Date and when the request was
// half way (the moment that Date is compared with). Any HTTP reply counts
// as reachable.
func (r *run) probe(ctx context.Context, base string) (date, mid time.Time, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/", nil)
	if err != nil {
		return date, mid, err
	}
	t0 := r.Now()
	resp, err := r.HTTPClient.Do(req)
	if err != nil {
		return date, mid, err
	}
	resp.Body.Close()
	t1 := r.Now()
	mid = t0.Add(t1.Sub(t0) / 2)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		date = d.Add(500 * time.Millisecond) // Date is cut to the second
	}
	return date, mid, nil
}

// clock compares this machine's clock with base's Date header; it
// reports whether it could.
func (r *run) clock(ctx context.Context, base string) bool {
	date, mid, err := r.probe(ctx, base)
	if err != nil || date.IsZero() {
		return false
	}
	r.skew = true
	skew := mid.Sub(date)
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	detail := r.t("doctor.clock.ahead", i18n.FormatDuration(abs), base)
	switch {
	case abs < 2*time.Second: // within what the Date header can tell
		detail = r.t("doctor.clock.in_sync", base)
	case skew < 0:
		detail = r.t("doctor.clock.behind", i18n.FormatDuration(abs), base)
	}
	r.add("clock", abs <= r.MaxSkew, detail, r.t("doctor.clock.fix"))
	return true
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
