package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
)

// connectEnv isolates folio and starts both simulators.
func connectEnv(t *testing.T) (string, *sim.Sims) {
	t.Helper()
	dir := isolate(t)
	for _, k := range []string{"DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := sim.Start(ctx, sim.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

func mvArgs(s *sim.Sims, extra ...string) []string {
	return append([]string{"connect", "multivende", "--no-browser", "--redirect-port", "0", "--base-url", s.Info.Multivende,
		"--client-id", s.Info.ClientID, "--client-secret", s.Info.ClientSecret}, extra...)
}

// consent answers the consent page as a person would (decision "yes" or
// "no") and returns where the browser is sent back to.
func consent(t *testing.T, link, decision string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if decision == "yes" {
		loc, err := mvsim.Consent(ctx, nil, link, "Tienda de prueba")
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	u, _ := url.Parse(link)
	q := u.Query()
	form := url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")},
		"scope": {q.Get("scope")}, "code_challenge": {q.Get("code_challenge")}, "code_challenge_method": {q.Get("code_challenge_method")},
		"permission": strings.Fields(q.Get("scope")), "name": {"Tienda"}, "decision": {decision}}
	u.RawQuery = ""
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent form: %s", resp.Status)
	}
	return resp.Header.Get("Location")
}

// follow loads the redirect as the browser would and returns its page.
func follow(t *testing.T, loc string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// connectMultivende runs the whole consent through the callback and
// returns the command's output.
func connectMultivende(t *testing.T, s *sim.Sims, extra ...string) string {
	t.Helper()
	r := startFolio(t, strings.NewReader(""), mvArgs(s, extra...)...)
	status, page := follow(t, consent(t, r.link(t), "yes"))
	if err := r.wait(t); err != nil {
		t.Fatalf("connect: %v\n%s", err, r.out)
	}
	if status != http.StatusOK || !(strings.Contains(page, "Conexión OK") || strings.Contains(page, "Connection OK")) {
		t.Fatalf("browser page %d:\n%s", status, page)
	}
	return r.out.String()
}

func connectLibreDTE(t *testing.T, s *sim.Sims) {
	t.Helper()
	if out, errOut, err := runFolio(t, "", "connect", "libredte", "--hash", s.Info.LibreDTEHash, "--base-url", s.Info.LibreDTE,
		"--emisor", s.Info.Emisor); err != nil {
		t.Fatalf("connect libredte: %v\n%s%s", err, out, errOut)
	}
}

func openTestStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "data", "folio", "folio.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestConnectMultivendeCallback(t *testing.T) {
	dir, s := connectEnv(t)
	out := connectMultivende(t, s, "--name", "tienda")
	for _, want := range []string{"Conexión OK: tienda", s.MV.MerchantID(), "read:checkouts write:checkouts", "renovable hasta"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range append(s.MV.State().Tokens, s.Info.ClientSecret) {
		if strings.Contains(out, secret) {
			t.Fatalf("output shows a secret %q:\n%s", secret, out)
		}
	}
	c, err := openTestStore(t, dir).Connection(context.Background(), "tienda")
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != store.KindMultivende || c.MerchantID != s.MV.MerchantID() || c.AccessToken == "" || c.RefreshToken == "" ||
		c.ClientID != s.Info.ClientID || c.BaseURL != s.Info.Multivende || len(c.Scopes) != len(multivende.Scopes) ||
		time.Until(c.AccessExpiresAt) < time.Hour || time.Until(c.RefreshExpiresAt) < 24*time.Hour || c.Status != store.ConnOK {
		t.Fatalf("stored %+v (scopes %v, expiries %v %v)", c, c.Scopes, c.AccessExpiresAt, c.RefreshExpiresAt)
	}
	// The client id and secret given as flags are kept for renewals, in
	// files only the owner reads.
	cfgFile := filepath.Join(dir, "config", "folio", "config.yaml")
	b, err := os.ReadFile(cfgFile)
	if err != nil || !strings.Contains(string(b), s.Info.ClientSecret) {
		t.Fatalf("config: %v\n%s", err, b)
	}
	for _, p := range []string{cfgFile, filepath.Join(dir, "data", "folio", "folio.db")} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi.Mode(), err)
		}
	}

	// Connecting again under the same name renews the tokens in place.
	before := c.AccessToken
	connectMultivende(t, s, "--name", "tienda")
	c2, _ := openTestStore(t, dir).Connection(context.Background(), "tienda")
	if c2.ID != c.ID || c2.AccessToken == before {
		t.Fatalf("reconnect: id %d→%d, token renewed %v", c.ID, c2.ID, c2.AccessToken != before)
	}
}

// The attach settings given as flags are stored on the connection, and a
// reconnect keeps what it does not change.
func TestConnectMultivendeAttachSettings(t *testing.T) {
	dir, s := connectEnv(t)
	connectMultivende(t, s, "--name", "tienda", "--emitter-id", "em-42", "--provider", "libredte-x",
		"--doc-type", "33=factura_v", "--doc-type", "39=boleta_v")
	c, err := openTestStore(t, dir).Connection(context.Background(), "tienda")
	if err != nil {
		t.Fatal(err)
	}
	want := store.ConnSettings{EmitterID: "em-42", Provider: "libredte-x", DocTypes: map[string]string{"33": "factura_v", "39": "boleta_v"}}
	if !reflect.DeepEqual(c.Settings, want) {
		t.Fatalf("settings %+v, want %+v", c.Settings, want)
	}
	connectMultivende(t, s, "--name", "tienda")
	c2, _ := openTestStore(t, dir).Connection(context.Background(), "tienda")
	if !reflect.DeepEqual(c2.Settings, want) {
		t.Fatalf("a plain reconnect changed the settings: %+v", c2.Settings)
	}
	connectMultivende(t, s, "--name", "tienda", "--doc-type", "33=factura_w")
	c3, _ := openTestStore(t, dir).Connection(context.Background(), "tienda")
	want.DocTypes = map[string]string{"33": "factura_w", "39": "boleta_v"}
	if !reflect.DeepEqual(c3.Settings, want) {
		t.Fatalf("one --doc-type: %+v, want %+v", c3.Settings, want)
	}
	// The factura mapping is a setting of the connection too.
	connectMultivende(t, s, "--name", "tienda", "--factura-field", "CheckoutBillingClients.0.documentType", "--factura-value", "RUT")
	c4, _ := openTestStore(t, dir).Connection(context.Background(), "tienda")
	want.FacturaField, want.FacturaValue = "CheckoutBillingClients.0.documentType", "RUT"
	if !reflect.DeepEqual(c4.Settings, want) {
		t.Fatalf("--factura-field: %+v, want %+v", c4.Settings, want)
	}
}

func TestConnectMultivendeEnglish(t *testing.T) {
	_, s := connectEnv(t)
	out := connectMultivende(t, s, "--lang", "en")
	if !strings.Contains(out, "Connection OK: multivende") || !strings.Contains(out, "renewable until") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestConnectMultivendePastedURL(t *testing.T) {
	dir, s := connectEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	r := startFolio(t, pr, mvArgs(s, "--name", "pegada")...)
	loc := consent(t, r.link(t), "yes") // the browser could not come back: the person pastes the address
	io.WriteString(pw, "no es nada\n")
	io.WriteString(pw, "  "+loc+"  \n")
	if err := r.wait(t); err != nil {
		t.Fatalf("%v\n%s%s", err, r.out, r.err)
	}
	if !strings.Contains(r.out.String(), "Conexión OK: pegada") || !strings.Contains(r.err.String(), "pegue la dirección completa") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.out, r.err)
	}
	if _, err := openTestStore(t, dir).Connection(context.Background(), "pegada"); err != nil {
		t.Fatal(err)
	}
}

func TestConnectMultivendePastedCode(t *testing.T) {
	dir, s := connectEnv(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	r := startFolio(t, pr, mvArgs(s, "--name", "codigo")...)
	loc, _ := url.Parse(consent(t, r.link(t), "yes"))
	io.WriteString(pw, loc.Query().Get("code")+"\n")
	if err := r.wait(t); err != nil {
		t.Fatalf("%v\n%s%s", err, r.out, r.err)
	}
	if _, err := openTestStore(t, dir).Connection(context.Background(), "codigo"); err != nil {
		t.Fatal(err)
	}
}

// assertNothingStored: no store was created and no secret went to the config.
func assertNothingStored(t *testing.T, dir string, s *sim.Sims) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "data", "folio", "folio.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a store was created: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config", "folio", "config.yaml")); err == nil && strings.Contains(string(b), s.Info.ClientSecret) {
		t.Errorf("the secret went to the config")
	}
}

func TestConnectMultivendeFailures(t *testing.T) {
	tests := map[string]struct {
		args  []string
		act   func(t *testing.T, link string) // what the person does
		want  string
		page  int // the browser's status, 0: not loaded
		notIn []string
	}{
		"denied": {
			act:  func(t *testing.T, link string) { follow(t, consent(t, link, "no")) },
			want: "«No»", page: http.StatusBadRequest,
		},
		"wrong state": {
			act: func(t *testing.T, link string) {
				loc, _ := url.Parse(consent(t, link, "yes"))
				q := loc.Query()
				q.Set("state", "otro-intento")
				loc.RawQuery = q.Encode()
				follow(t, loc.String())
			},
			want: "state no coincide",
		},
		"bad secret": {
			args: []string{"--client-secret", "mvsecret-equivocado"},
			act:  func(t *testing.T, link string) { follow(t, consent(t, link, "yes")) },
			want: "rechazó el client id o el client secret (HTTP 401)", notIn: []string{"mvsecret-equivocado"},
		},
		"timeout": {
			args: []string{"--timeout", "200ms"},
			act:  func(*testing.T, string) {},
			want: "no llegó respuesta en 200ms",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, s := connectEnv(t)
			r := startFolio(t, strings.NewReader(""), mvArgs(s, tc.args...)...) // a repeated flag: the last wins
			tc.act(t, r.link(t))
			err := r.wait(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "no se guardó nada") {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
			for _, s := range tc.notIn {
				if strings.Contains(err.Error()+r.out.String()+r.err.String(), s) {
					t.Errorf("%q shown", s)
				}
			}
			assertNothingStored(t, dir, s)
		})
	}
}

func TestConnectMultivendeBadInput(t *testing.T) {
	dir, s := connectEnv(t)
	cases := map[string]struct {
		args []string
		want string
	}{
		"no client id":  {[]string{"connect", "multivende", "--no-browser", "--base-url", s.Info.Multivende}, "--client-id"},
		"no secret":     {[]string{"connect", "multivende", "--no-browser", "--client-id", "x"}, "--client-secret"},
		"bad name":      {mvArgs(s, "--name", "mi tienda"), `--name "mi tienda"`},
		"bad port":      {mvArgs(s, "--redirect-port", "70000"), "70000"},
		"bad doc type":  {mvArgs(s, "--doc-type", "99=x"), `--doc-type "99=x"`},
		"bad lang":      {mvArgs(s, "--lang", "fr"), "--lang"},
		"unreachable":   {append(mvArgs(s), "--base-url", "http://127.0.0.1:1", "--timeout", "2s"), ""},
		"port in use":   {append(mvArgs(s), "--redirect-port", strings.TrimPrefix(s.Info.Multivende, "http://127.0.0.1:")), "--redirect-port P"},
		"no subcommand": {[]string{"connect"}, "folio connect libredte"},
	}
	for name, c := range cases {
		if name == "unreachable" {
			continue // below: it needs a consent to reach the exchange
		}
		if _, _, err := runFolio(t, "", c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An exchange against an address where nothing listens: the pasted
	// code reaches a Multivende that is not there.
	r := startFolio(t, strings.NewReader("mvc-codigo-cualquiera\n"), cases["unreachable"].args...)
	if err := r.wait(t); err == nil || !strings.Contains(err.Error(), "no se pudo hablar con Multivende en http://127.0.0.1:1") {
		t.Errorf("unreachable: %v", err)
	}
	assertNothingStored(t, dir, s)
}

func TestConnectLibreDTE(t *testing.T) {
	dir, s := connectEnv(t)
	// Wrong hash: refused, nothing stored.
	_, _, err := runFolio(t, "", "connect", "libredte", "--hash", "00000000000000000000000000000000", "--base-url", s.Info.LibreDTE,
		"--emisor", s.Info.Emisor)
	if err == nil || !strings.Contains(err.Error(), "rechazó el hash") {
		t.Fatalf("wrong hash: %v", err)
	}
	assertNothingStored(t, dir, s)
	if _, _, err := runFolio(t, "", "connect", "libredte", "--hash", "x", "--base-url", s.Info.LibreDTE); err == nil ||
		!strings.Contains(err.Error(), "--emisor") {
		t.Fatalf("no emisor: %v", err)
	}
	if _, _, err := runFolio(t, "", "connect", "libredte", "--hash", "x", "--emisor", "1-2"); err == nil || !strings.Contains(err.Error(), `--emisor "1-2"`) {
		t.Fatalf("bad emisor: %v", err)
	}
	if _, _, err := runFolio(t, "", "connect", "libredte", "--hash", "x", "--emisor", s.Info.Emisor, "--base-url", "http://127.0.0.1:1/api"); err == nil ||
		!strings.Contains(err.Error(), "no se pudo hablar con LibreDTE") {
		t.Fatalf("unreachable: %v", err)
	}
	// A base URL without /api answers, but not as the API: refused, with
	// the URL to use (it used to store a wrong hash as "Conexión OK").
	noAPI := strings.TrimSuffix(s.Info.LibreDTE, "/api")
	if _, _, err := runFolio(t, "", "connect", "libredte", "--hash", "00000000000000000000000000000000", "--emisor", s.Info.Emisor,
		"--base-url", noAPI); err == nil || !strings.Contains(err.Error(), "no es la API de LibreDTE") || !strings.Contains(err.Error(), s.Info.LibreDTE) {
		t.Fatalf("not the API: %v", err)
	}
	assertNothingStored(t, dir, s)
	if _, _, err := runFolio(t, "\n", "connect", "libredte", "--emisor", s.Info.Emisor, "--base-url", s.Info.LibreDTE); err == nil ||
		!strings.Contains(err.Error(), "no se ingresó el hash") {
		t.Fatalf("empty hash: %v", err)
	}

	// The hash typed at the prompt (stdin is not a terminal here).
	out, errOut, err := runFolio(t, s.Info.LibreDTEHash+"\n", "connect", "libredte", "--emisor", s.Info.Emisor, "--base-url", s.Info.LibreDTE)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "no se mostrará") || !strings.Contains(out, "Conexión OK: libredte") ||
		!strings.Contains(out, "Solo items afectos con precio bruto") || strings.Contains(out+errOut, s.Info.LibreDTEHash) {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	c, err := openTestStore(t, dir).Connection(context.Background(), "libredte")
	if err != nil || c.Kind != store.KindLibreDTE || c.APIKey != s.Info.LibreDTEHash || c.EmisorRUT != s.Info.Emisor {
		t.Fatalf("stored %+v: %v", c, err)
	}
	// folio issues through one LibreDTE account.
	if _, _, err := runFolio(t, "", "connect", "libredte", "--name", "otra", "--hash", s.Info.LibreDTEHash, "--emisor", s.Info.Emisor,
		"--base-url", s.Info.LibreDTE); err == nil || !strings.Contains(err.Error(), "folio disconnect libredte") {
		t.Fatalf("second account: %v", err)
	}
}

func TestBrowserCommand(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c, err := browserCommand("darwin", env(nil)); c != "open" || err != nil {
		t.Errorf("darwin: %q %v", c, err)
	}
	if _, err := browserCommand("linux", env(nil)); !errors.Is(err, errNoDisplay) {
		t.Errorf("linux without a display: %v", err)
	}
	for _, k := range []string{"DISPLAY", "WAYLAND_DISPLAY"} {
		if c, err := browserCommand("linux", env(map[string]string{k: ":0"})); c != "xdg-open" || err != nil {
			t.Errorf("linux with %s: %q %v", k, c, err)
		}
	}
}

func TestConnectSSHHint(t *testing.T) {
	_, s := connectEnv(t)
	t.Setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
	opened := ""
	cl := newCLI()
	cl.openBrowser = func(u string) error { opened = u; return errNoDisplay }
	args := mvArgs(s, "--timeout", "100ms")
	args = slicesDelete(args, "--no-browser")
	r := startRoot(t, cl.rootCmd(), strings.NewReader(""), args...)
	_ = r.wait(t)
	port := regexp.MustCompile(`127\.0\.0\.1%3A(\d+)%2Fcallback`).FindStringSubmatch(r.out.String())
	if port == nil || !strings.Contains(r.out.String(), "ssh -L "+port[1]+":127.0.0.1:"+port[1]+" ") {
		t.Fatalf("no port-forward hint:\n%s", r.out)
	}
	if opened == "" || !strings.Contains(opened, "/apps/authorize?") {
		t.Fatalf("browser asked to open %q", opened)
	}
}

func slicesDelete(s []string, v string) []string {
	var out []string
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
