package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
)

type bundle struct {
	sims *sim.Sims
	path string
	st   *store.Store
	mvID int64
	opts Options
}

// setup stores one Multivende merchant with tokens the simulator issued
// (through its consent) and the LibreDTE account.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := sim.Start(ctx, sim.Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	tok := simToken(t, s)
	path := filepath.Join(t.TempDir(), "folio.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var id int64
	err = st.Write(ctx, func(tx *store.Tx) error {
		id, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: s.Info.Multivende,
			MerchantID: tok.MerchantID, ClientID: s.Info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken,
			AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt, Scopes: tok.Scopes,
			Settings: store.ConnSettings{EmitterID: "em-77"}})
		if err != nil {
			return err
		}
		_, err = tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: s.Info.LibreDTE,
			EmisorRUT: s.Info.Emisor, APIKey: s.Info.LibreDTEHash})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return bundle{sims: s, path: path, st: st, mvID: id, opts: Options{Lang: i18n.EN, StorePath: path, Timeout: 3 * time.Second,
		ClientSecret: func(c store.Connection) string {
			if c.ClientID == s.Info.ClientID {
				return s.Info.ClientSecret
			}
			return ""
		}}}
}

func byName(cs []Check) map[string]Check {
	m := map[string]Check{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

func (b bundle) write(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := b.st.Write(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func TestAllGood(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cs := Run(context.Background(), b.opts)
	if n := Failed(cs); n != 0 {
		t.Fatalf("%d failed: %+v", n, cs)
	}
	m := byName(cs)
	for _, name := range []string{"store", "store.integrity", "store.permissions", "multivende.tienda.token", "multivende.tienda.client_secret",
		"multivende.tienda.api", "multivende.tienda.attach", "libredte.libredte.credentials", "libredte.libredte.price_type", "clock"} {
		if _, ok := m[name]; !ok {
			t.Errorf("no %s check", name)
		}
	}
	if !strings.Contains(m["libredte.libredte.price_type"].Detail, "Solo items afectos con precio bruto") {
		t.Errorf("price type: %+v", m["libredte.libredte.price_type"])
	}
	// The price check's temporary document is gone and no folio was used.
	if ld := b.sims.LD.State(); ld.Tmps != 0 || len(ld.Emitted) != 0 {
		t.Errorf("doctor left %+v in LibreDTE", ld)
	}
	if !strings.Contains(m["clock"].Detail, "agrees") {
		t.Errorf("clock: %+v", m["clock"])
	}
	for _, c := range cs {
		if c.Fix != "" {
			t.Errorf("a passing check with a fix: %+v", c)
		}
	}
}

// The attach settings: without an emitter id, a warning that says how to
// set one; the config's value serves when the connection has none, and
// the connection's own values win.
func TestAttachSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetConnectionSettings(ctx, "tienda", store.ConnSettings{})
	})
	c := byName(Run(ctx, b.opts))["multivende.tienda.attach"]
	if !c.OK || !c.Warn || !strings.Contains(c.Fix, "folio connect multivende --name tienda --emitter-id") ||
		!strings.Contains(c.Detail, "ElectronicBillingDocumentEmitterId") || !strings.Contains(c.Detail, "39=electronic_billing_electronic_bill") {
		t.Fatalf("no emitter id: %+v", c)
	}
	o := b.opts
	o.Attach = store.ConnSettings{EmitterID: "from-config", Provider: "otro"}
	if c := byName(Run(ctx, o))["multivende.tienda.attach"]; c.Warn || !strings.Contains(c.Detail, "from-config") || !strings.Contains(c.Detail, "otro") {
		t.Fatalf("config default: %+v", c)
	}
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetConnectionSettings(ctx, "tienda", store.ConnSettings{EmitterID: "own", DocTypes: map[string]string{"33": "factura_x"}})
	})
	if c := byName(Run(ctx, o))["multivende.tienda.attach"]; c.Warn || !strings.Contains(c.Detail, "emitter own") || !strings.Contains(c.Detail, "33=factura_x") {
		t.Fatalf("the connection's own: %+v", c)
	}
}

func TestBroken(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		change func(t *testing.T, b *bundle)
		want   map[string]string // failing check → part of its fix
	}{
		"refresh expired": {
			change: func(t *testing.T, b *bundle) {
				past := time.Now().Add(-time.Minute)
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					c, _ := b.st.Connection(ctx, "tienda")
					return tx.SetTokens(ctx, b.mvID, c.AccessToken, c.RefreshToken, past, past)
				})
			},
			want: map[string]string{"multivende.tienda.token": "folio connect multivende --name tienda"},
		},
		"token refused": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					c, _ := b.st.Connection(ctx, "tienda")
					return tx.SetTokens(ctx, b.mvID, "mva-revocado", c.RefreshToken, c.AccessExpiresAt, c.RefreshExpiresAt)
				})
			},
			want: map[string]string{"multivende.tienda.api": "folio connect multivende --name tienda"},
		},
		"no client secret": {
			change: func(t *testing.T, b *bundle) { b.opts.ClientSecret = nil },
			want:   map[string]string{"multivende.tienda.client_secret": "FOLIO_MULTIVENDE_CLIENT_SECRET"},
		},
		"wrong hash": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					c, _ := b.st.Connection(ctx, "libredte")
					c.APIKey = strings.Repeat("0", 32)
					_, err := tx.SaveConnection(ctx, c)
					return err
				})
			},
			want: map[string]string{"libredte.libredte.credentials": "folio connect libredte --name libredte"},
		},
		// The base URL without /api answers, but not as LibreDTE's API.
		"not the API": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					c, _ := b.st.Connection(ctx, "libredte")
					c.BaseURL = strings.TrimSuffix(c.BaseURL, "/api")
					_, err := tx.SaveConnection(ctx, c)
					return err
				})
			},
			want: map[string]string{"libredte.libredte.credentials": "/api"},
		},
		// An account set to net prices: the harmless emitir shows it.
		"net prices": {
			change: func(t *testing.T, b *bundle) { b.sims.LD.SetNetPrices(true) },
			want:   map[string]string{"libredte.libredte.price_type": "Solo items afectos con precio bruto"},
		},
		"other emisor": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					c, _ := b.st.Connection(ctx, "libredte")
					c.EmisorRUT = "11111111-1"
					_, err := tx.SaveConnection(ctx, c)
					return err
				})
			},
			want: map[string]string{"libredte.libredte.credentials": "--emisor"},
		},
		"unreachable": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					for _, name := range []string{"tienda", "libredte"} {
						c, _ := b.st.Connection(ctx, name)
						c.BaseURL = "http://127.0.0.1:1"
						if _, err := tx.SaveConnection(ctx, c); err != nil {
							return err
						}
					}
					return nil
				})
			},
			want: map[string]string{"multivende.tienda.api": "network", "libredte.libredte.credentials": "network"},
		},
		"clock ahead": {
			change: func(t *testing.T, b *bundle) {
				b.opts.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
			},
			want: map[string]string{"clock": "set-ntp"},
		},
		"store readable by others": {
			change: func(t *testing.T, b *bundle) { os.Chmod(b.path, 0o640) },
			want:   map[string]string{"store.permissions": "chmod 600"},
		},
		"no connections": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					if err := tx.DeleteConnection(ctx, "tienda"); err != nil {
						return err
					}
					return tx.DeleteConnection(ctx, "libredte")
				})
			},
			want: map[string]string{"multivende": "folio connect multivende", "invoicer": "folio connect libredte"},
		},
		"needs reconnect": {
			change: func(t *testing.T, b *bundle) {
				b.write(t, func(ctx context.Context, tx *store.Tx) error {
					return tx.SetConnectionStatus(ctx, b.mvID, store.ConnNeedsReconnect, "refresh refused")
				})
			},
			want: map[string]string{"multivende.tienda.token": "folio connect multivende --name tienda"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			tc.change(t, &b)
			cs := Run(context.Background(), b.opts)
			failed := map[string]Check{}
			for _, c := range cs {
				if !c.OK {
					failed[c.Name] = c
				}
			}
			for check, fix := range tc.want {
				c, ok := failed[check]
				if !ok || !strings.Contains(c.Fix, fix) || c.Detail == "" {
					t.Errorf("%s: %+v, want ✘ with a fix naming %q", check, c, fix)
				}
			}
			if len(failed) != len(tc.want) {
				t.Errorf("failing %v, want only %v", failed, tc.want)
			}
			for _, c := range cs {
				for _, secret := range append(b.sims.MV.State().Tokens, b.sims.Info.LibreDTEHash, b.sims.Info.ClientSecret) {
					if strings.Contains(c.Detail+c.Fix, secret) {
						t.Fatalf("%s shows a secret", c.Name)
					}
				}
			}
		})
	}
}

func TestAccessExpiredIsFine(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		c, _ := b.st.Connection(ctx, "tienda")
		return tx.SetTokens(ctx, b.mvID, c.AccessToken, c.RefreshToken, time.Now().Add(-time.Minute), c.RefreshExpiresAt)
	})
	m := byName(Run(context.Background(), b.opts))
	if c := m["multivende.tienda.token"]; !c.OK || !strings.Contains(c.Detail, "renews it by itself") {
		t.Fatalf("%+v", c)
	}
	if c := m["multivende.tienda.api"]; !c.OK || !strings.Contains(c.Detail, "answers") {
		t.Fatalf("%+v", c)
	}
}

func TestNoStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.db")
	cs := Run(context.Background(), Options{StorePath: path, Lang: i18n.ES})
	if len(cs) != 1 || cs[0].Name != "store" || cs[0].OK || !strings.Contains(cs[0].Fix, "folio connect multivende") {
		t.Fatalf("%+v", cs)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("doctor created a store")
	}
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte("no soy una base de datos, solo texto suelto que ocupa más de cien bytes para que SQLite lo lea entero y falle."), 0o600)
	cs = Run(context.Background(), Options{StorePath: bad, Lang: i18n.ES})
	if len(cs) != 1 || cs[0].OK || cs[0].Fix == "" {
		t.Fatalf("%+v", cs)
	}
}

func TestConfigChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	path := filepath.Join(dir, "none.db")
	m := byName(Run(context.Background(), Options{ConfigFile: cfg, StorePath: path}))
	if !m["config"].OK {
		t.Fatalf("missing config: %+v", m["config"])
	}
	m = byName(Run(context.Background(), Options{ConfigFile: cfg, ConfigErr: errors.New("line 3: theme: neon"), StorePath: path}))
	if c := m["config"]; c.OK || !strings.Contains(c.Detail, "neon") || c.Fix == "" {
		t.Fatalf("bad config: %+v", c)
	}
	os.WriteFile(cfg, []byte("workers: 2\n"), 0o600)
	os.Chmod(cfg, 0o640) // root:folio 0640 is how the packages install it
	if m = byName(Run(context.Background(), Options{ConfigFile: cfg, StorePath: path})); !m["config"].OK {
		t.Fatalf("0640: %+v", m)
	}
	os.Chmod(cfg, 0o644)
	if m = byName(Run(context.Background(), Options{ConfigFile: cfg, StorePath: path})); m["config.permissions"].OK {
		t.Fatalf("0644: %+v", m)
	}
}

func TestHumanBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 200 << 20: "200.0 MiB", 3 << 40: "3.0 TiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// simToken connects to the simulator as a person would and returns the tokens.
func simToken(t *testing.T, s *sim.Sims) multivende.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	mv := multivende.New(multivende.Config{BaseURL: s.Info.Multivende, ClientID: s.Info.ClientID, ClientSecret: s.Info.ClientSecret})
	const redirect = "http://127.0.0.1:9/callback"
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, mv.AuthorizeURL(redirect, state, &pkce), "Prueba")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	tok, err := mv.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A folio LibreDTE issued that no order claims is a ✘ naming it; once an
// order waiting in Errors names it as its candidate, a ⚠ that says which
// order; once an order holds it, ✔.
func TestUnclaimedFolios(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ld, err := libredte.New(libredte.Config{BaseURL: b.sims.Info.LibreDTE, Hash: b.sims.Info.LibreDTEHash, Emisor: b.sims.Info.Emisor})
	if err != nil {
		t.Fatal(err)
	}
	em, _ := dte.ParseRUT(b.sims.Info.Emisor)
	doc, _, err := dte.Build(dte.Sale{Date: time.Now().In(config.Default().Location()).Format(time.DateOnly), Emisor: dte.Emisor{RUTEmisor: em.String(),
		RznSoc: "Emisor", GiroEmis: "Comercio", DirOrigen: "Calle 1", CmnaOrigen: "Santiago"},
		Items: []dte.Item{{SKU: "X", Name: "Taza", Qty: 1, UnitGross: 1190}}, Paid: 1190}, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ld.Prepare(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ld.Issue(ctx, p) // issued, and never recorded: an orphan
	if err != nil {
		t.Fatal(err)
	}
	c := byName(Run(ctx, b.opts))["libredte.libredte.unclaimed"]
	want := "folio " + strconv.FormatInt(iss.Folio, 10)
	if c.OK || !strings.Contains(c.Detail, want) || !strings.Contains(c.Fix, "credit note") {
		t.Fatalf("an orphan folio: %+v", c)
	}
	if _, err := b.st.UpsertOrders(ctx, []store.OrderUpsert{{ID: "o-1", ConnectionID: b.mvID, Code: "MV-1", PaymentStatus: "completed",
		Status: "confirmed", Total: 1190, Light: "{}", InitialState: store.StateQueued}}); err != nil {
		t.Fatal(err)
	}
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.MoveOrder(ctx, "o-1", store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, ReasonCode: "UNCERTAIN",
			DocType: 39, Reason: "resultado incierto — verificar antes de reintentar: hay 2 documentos emitidos que calzan (folios 999, " +
				strconv.FormatInt(iss.Folio, 10) + ")"})
	})
	c = byName(Run(ctx, b.opts))["libredte.libredte.unclaimed"]
	if !c.OK || !c.Warn || !strings.Contains(c.Detail, "order MV-1, in Errors, names it") {
		t.Fatalf("an orphan an order in Errors names: %+v", c)
	}
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.AddDocument(ctx, store.Document{OrderID: "o-1", Kind: "dte", Emisor: iss.Emisor, DTEType: 39, Folio: iss.Folio, Total: 1190, Fecha: iss.Fecha})
	})
	if c = byName(Run(ctx, b.opts))["libredte.libredte.unclaimed"]; !c.OK || c.Warn || !strings.Contains(c.Detail, "each of the 1 documents") {
		t.Fatalf("once the folio is an order's: %+v", c)
	}
}

// A store the engine cannot write (a read-only file or directory, an
// immutable file, a read-only mount) is a failed check with the fix, not ✔.
func TestStoreNotWritable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.st.Close()
	check := func(t *testing.T, opts Options, want string) {
		t.Helper()
		c, ok := byName(Run(context.Background(), opts))["store.writable"]
		if !ok || c.OK || !strings.Contains(c.Detail, want) || !strings.Contains(c.Fix, "chmod") {
			t.Fatalf("store.writable: %+v (present %v)", c, ok)
		}
	}
	t.Run("ok", func(t *testing.T) {
		if c := byName(Run(context.Background(), b.opts))["store.writable"]; !c.OK {
			t.Fatalf("%+v", c)
		}
	})
	// Root writes read-only files anyway: the modes are checked for a
	// normal user, the failure path through the hook for everyone.
	t.Run("hook", func(t *testing.T) {
		opts := b.opts
		opts.writable = func(string) error { return fmt.Errorf("open %s: %w", b.path, syscall.EPERM) }
		check(t, opts, b.path)
	})
	if os.Geteuid() == 0 {
		t.Log("running as root: the read-only file and directory cases are skipped")
		return
	}
	t.Run("read-only file", func(t *testing.T) {
		os.Chmod(b.path, 0o400)
		defer os.Chmod(b.path, 0o600)
		check(t, b.opts, b.path)
	})
	t.Run("read-only directory", func(t *testing.T) {
		dir := filepath.Dir(b.path)
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		check(t, b.opts, dir)
	})
}

// A connection that needs a reconnect says how many orders wait for it.
func TestNeedsReconnectCountsWaitingOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var ups []store.OrderUpsert
	for i, st := range []store.State{store.StateQueued, store.StateQueued, store.StateWaiting} {
		ups = append(ups, store.OrderUpsert{ID: fmt.Sprintf("o-%d", i), ConnectionID: b.mvID, Code: fmt.Sprint(i), PaymentStatus: "completed",
			Status: "completed", Total: 1000, SoldAt: time.Now(), RemoteUpdatedAt: time.Now(), InitialState: st})
	}
	if _, err := b.st.UpsertOrders(ctx, ups); err != nil {
		t.Fatal(err)
	}
	b.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetConnectionStatus(ctx, b.mvID, store.ConnNeedsReconnect, "refresh refused")
	})
	for lang, want := range map[i18n.Lang]string{i18n.EN: "2 orders wait for the reconnect", i18n.ES: "2 pedidos esperan la reconexión"} {
		opts := b.opts
		opts.Lang = lang
		c := byName(Run(ctx, opts))["multivende.tienda.token"]
		if c.OK || !strings.Contains(c.Detail, want) {
			t.Errorf("%s: %+v, want %q", lang, c, want)
		}
	}
}
