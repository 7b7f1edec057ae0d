package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/connect"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/transport"
)

// langFor loads the config and picks the language: --lang, else the
// config, else the locale. A --lang that is not es or en is an error.
func (cl *cli) langFor(flag string) (i18n.Lang, config.Loaded, error) {
	cfg, err := cl.env.Config()
	if err != nil {
		return i18n.ES, cfg, err
	}
	if flag != "" {
		if _, err := i18n.ParseLang(flag); err != nil {
			return i18n.ES, cfg, fmt.Errorf("--lang: %w", err)
		}
	}
	return cl.env.LangFor(flag), cfg, nil
}

// connectStart is how every folio connect begins: the person's language
// and the config, and a connection name that is safe to paste into a
// command line, checked before anything else happens.
func (cl *cli) connectStart(lang, name string) (i18n.Lang, config.Loaded, error) {
	l, cfg, err := cl.langFor(lang)
	if err != nil {
		return l, cfg, err
	}
	if !connect.ValidName(name) {
		return l, cfg, errors.New(l.T("connect.err.bad_name", name))
	}
	return l, cfg, nil
}

func addLangFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "lang", "", "")
}

func (cl *cli) newConnectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:  "connect multivende|libredte|openfactura",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New(cl.env.LangFor("").T("connect.err.which"))
		},
	}
	cmd.AddCommand(cl.newConnectMultivendeCmd(), cl.newConnectLibreDTECmd(), cl.newConnectOpenFacturaCmd())
	return cmd
}

type mvConnectFlags struct {
	name, baseURL, clientID, clientSecret, storeFlag, lang string
	noBrowser                                              bool
	port                                                   int
	timeout                                                time.Duration
	// Attach settings; unset ones keep the connection's earlier values.
	emitterID, provider string
	docTypes            []string
	// The factura mapping: a checkout field and the value that asks for one.
	facturaField, facturaValue string
}

func (cl *cli) newConnectMultivendeCmd() *cobra.Command {
	var f mvConnectFlags
	cmd := &cobra.Command{
		Use:  "multivende [--name NAME] [--base-url URL] [--client-id ID] [--client-secret SECRET] [--no-browser] [--redirect-port P] [--emitter-id ID] [--provider CODE] [--doc-type T=VALUE] [--factura-field PATH --factura-value V]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cl.runConnectMultivende(cmd, f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", "multivende", "")
	cmd.Flags().StringVar(&f.baseURL, "base-url", "", "")
	cmd.Flags().StringVar(&f.clientID, "client-id", "", "")
	cmd.Flags().StringVar(&f.clientSecret, "client-secret", "", "")
	cmd.Flags().BoolVar(&f.noBrowser, "no-browser", false, "")
	cmd.Flags().IntVar(&f.port, "redirect-port", connect.DefaultPort, "")
	cmd.Flags().DurationVar(&f.timeout, "timeout", connect.DefaultTimeout, "")
	_ = cmd.Flags().MarkHidden("timeout")
	cmd.Flags().StringVar(&f.emitterID, "emitter-id", "", "")
	cmd.Flags().StringVar(&f.provider, "provider", "", "")
	cmd.Flags().StringArrayVar(&f.docTypes, "doc-type", nil, "")
	cmd.Flags().StringVar(&f.facturaField, "factura-field", "", "")
	cmd.Flags().StringVar(&f.facturaValue, "factura-value", "", "")
	addStoreFlag(cmd, &f.storeFlag)
	addLangFlag(cmd, &f.lang)
	return cmd
}

// attachSettings reads the attach flags; an empty field keeps the
// connection's earlier value.
func (f mvConnectFlags) attachSettings(l i18n.Lang) (store.ConnSettings, error) {
	s := store.ConnSettings{EmitterID: strings.TrimSpace(f.emitterID), Provider: strings.TrimSpace(f.provider),
		FacturaField: strings.TrimSpace(f.facturaField), FacturaValue: strings.TrimSpace(f.facturaValue)}
	for _, d := range f.docTypes {
		k, v, ok := strings.Cut(d, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" || !slices.Contains([]string{"33", "34", "39", "41", "56", "61"}, k) {
			return s, errors.New(l.T("connect.err.bad_doc_type", d))
		}
		if s.DocTypes == nil {
			s.DocTypes = map[string]string{}
		}
		s.DocTypes[k] = v
	}
	return s, nil
}

func (cl *cli) runConnectMultivende(cmd *cobra.Command, f mvConnectFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	l, cfg, err := cl.connectStart(f.lang, f.name)
	if err != nil {
		return err
	}
	if f.port < 0 || f.port > 65535 {
		return errors.New(l.T("connect.err.bad_port", f.port))
	}
	if f.baseURL != "" { // the config's is checked when it is read
		if err := checkBaseURL(l, f.baseURL, "https://app.multivende.com"); err != nil {
			return err
		}
	}
	settings, err := f.attachSettings(l)
	if err != nil {
		return err
	}
	baseURL := firstNonEmpty(f.baseURL, cfg.Multivende.BaseURL)
	clientID := firstNonEmpty(f.clientID, cfg.Multivende.ClientID)
	secret := firstNonEmpty(f.clientSecret, cfg.Multivende.ClientSecret)
	if clientID == "" {
		return errors.New(l.T("connect.err.no_client_id"))
	}
	if secret == "" {
		// Asked without echo: a flag shows in ps for as long as the
		// consent waits (up to 5 minutes).
		fmt.Fprint(cmd.ErrOrStderr(), l.T("connect.mv.secret_prompt"))
		s, err := readSecret(ctx, cmd.InOrStdin())
		fmt.Fprintln(cmd.ErrOrStderr())
		if ctx.Err() != nil {
			return errors.New(l.T("connect.err.canceled"))
		}
		if secret = strings.TrimSpace(s); err != nil && !errors.Is(err, io.EOF) || secret == "" {
			return errors.New(l.T("connect.err.no_client_secret"))
		}
		f.clientSecret = secret // kept in the config like the flag's, for renewals
	}
	path, err := cl.env.StorePath(f.storeFlag)
	if err != nil {
		return err
	}
	// Refuse early what would be refused after the consent anyway.
	if prev, ok := cl.existingConnection(ctx, path, f.name); ok && prev.Kind != store.KindMultivende {
		return errors.New(l.T("connect.err.name_kind", f.name, prev.Kind, f.name))
	}

	mv := multivende.New(multivende.Config{BaseURL: baseURL, ClientID: clientID, ClientSecret: secret,
		HTTPClient: &http.Client{Timeout: connect.ExchangeTimeout}})
	port := f.port
	if port == 0 {
		port = -1 // any free port
	}
	flow, err := connect.Start(connect.Options{Client: mv, Port: port, Timeout: f.timeout, Lang: l})
	if err != nil {
		return connect.Explain(l, err, mv.BaseURL(), f.port)
	}
	defer flow.Close()

	fmt.Fprintln(out, l.T("connect.mv.open"))
	fmt.Fprintf(out, "\n  %s\n\n", flow.AuthorizeURL())
	if os.Getenv("SSH_CONNECTION") != "" || os.Getenv("SSH_TTY") != "" {
		fmt.Fprintln(out, l.T("connect.mv.ssh", flow.RedirectURI()))
		fmt.Fprintf(out, "\n  ssh -L %d:127.0.0.1:%d %s\n\n", flow.Port(), flow.Port(), sshTarget())
	}
	if !f.noBrowser {
		if err := cl.openBrowser(flow.AuthorizeURL()); err != nil && !errors.Is(err, errNoDisplay) {
			fmt.Fprintln(cmd.ErrOrStderr(), l.T("connect.mv.browser_failed", err.Error()))
		}
	}
	fmt.Fprintln(out, l.T("connect.mv.paste"))
	fmt.Fprintln(out, l.T("connect.mv.waiting", i18n.FormatDuration(f.timeout)))
	go readPasted(cmd.InOrStdin(), cmd.ErrOrStderr(), l, flow)

	res, err := flow.Wait(ctx)
	if err != nil {
		return connect.Explain(l, err, mv.BaseURL(), flow.Port())
	}
	tok := res.Token
	conn := store.Connection{Name: f.name, Kind: store.KindMultivende, BaseURL: mv.BaseURL(), MerchantID: tok.MerchantID,
		ClientID: clientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken, AccessExpiresAt: tok.ExpiresAt,
		RefreshExpiresAt: tok.RefreshTokenExpiresAt, Scopes: tok.Scopes, Settings: settings}
	if err := cl.saveMultivende(ctx, l, path, conn); err != nil {
		flow.Finish(err)
		return err
	}
	flow.Finish(nil)

	fmt.Fprintf(out, "\n%s: %s\n", l.T("conn.ok"), f.name)
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.merchant"), safetext.Text(tok.MerchantID))
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.scopes"), safetext.Text(strings.Join(tok.Scopes, " ")))
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.token"), config.Mask(tok.Token))
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.expires"), i18n.FormatTime(l, tok.ExpiresAt, cfg.Location()))
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.refresh_until"), i18n.FormatTime(l, tok.RefreshTokenExpiresAt, cfg.Location()))
	if missing := missingScopes(tok.Scopes); len(missing) > 0 {
		fmt.Fprintln(out, l.T("connect.mv.missing_scopes", safetext.Text(strings.Join(missing, " ")), f.name))
	}
	saveClientCredentials(out, l, cfg, f)
	return nil
}

// firstNonEmpty is the first non-empty string (the flag, else the config).
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// existingConnection reads a connection from an existing store without
// creating or upgrading anything.
func (cl *cli) existingConnection(ctx context.Context, path, name string) (store.Connection, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := cl.env.OpenStore(ctx, path, app.Peek)
	if err != nil {
		return store.Connection{}, false
	}
	defer st.Close()
	c, err := st.Connection(ctx, name)
	return c, err == nil
}

// saveMultivende stores a new or renewed Multivende connection in the
// store at path, by the reconnect rules (connect.SaveMultivende).
func (cl *cli) saveMultivende(ctx context.Context, l i18n.Lang, path string, c store.Connection) error {
	st, err := cl.env.OpenStore(ctx, path, app.Create)
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	defer st.Close()
	return connect.SaveMultivende(ctx, l, st, c)
}

// saveClientCredentials writes a client id and secret given as flags into
// the config file, so that the engine (which reads them from there) can
// renew the tokens. A failure is said, not fatal: the tokens are saved.
func saveClientCredentials(out io.Writer, l i18n.Lang, cfg config.Loaded, f mvConnectFlags) {
	vals := map[string]string{}
	if f.clientID != "" && f.clientID != cfg.Multivende.ClientID {
		vals["multivende.client_id"] = f.clientID
	}
	if f.clientSecret != "" && f.clientSecret != cfg.Multivende.ClientSecret {
		vals["multivende.client_secret"] = f.clientSecret
	}
	if len(vals) == 0 {
		return
	}
	file := cfg.Paths.ConfigFile
	if err := config.Set(file, vals); err != nil {
		why := l.T("quote", err.Error())
		if ce, ok := errors.AsType[*config.Error](err); ok {
			bare := *ce
			bare.Path = "" // the message names the file already
			why = bare.In(l)
		}
		fmt.Fprintln(out, l.T("connect.mv.creds_not_saved", file, why))
		return
	}
	fmt.Fprintln(out, l.T("connect.mv.creds_saved", file))
}

// missingScopes are the permissions folio asked for and did not get.
func missingScopes(got []string) []string {
	var out []string
	for _, s := range multivende.Scopes {
		if !slices.Contains(got, s) {
			out = append(out, s)
		}
	}
	return out
}

// readPasted offers each line typed or pasted on stdin to the flow until
// one is taken; a line that is neither a redirect nor a code gets a hint.
func readPasted(in io.Reader, errw io.Writer, l i18n.Lang, flow *connect.Flow) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		switch err := flow.Paste(line); {
		case err == nil, errors.Is(err, connect.ErrAnswered):
			return
		default:
			fmt.Fprintln(errw, l.T("connect.mv.paste_bad"))
		}
	}
}

// sshTarget guesses user@host for the port-forward hint.
func sshTarget() string {
	user := firstNonEmpty(os.Getenv("USER"), os.Getenv("LOGNAME"), "USER")
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "HOST"
	}
	return user + "@" + host
}

var errNoDisplay = errors.New("no display")

// browserCommand is how to open a URL on goos: open on macOS, xdg-open
// elsewhere when a display is there (over plain SSH there is none).
func browserCommand(goos string, getenv func(string) string) (string, error) {
	switch goos {
	case "darwin":
		return "open", nil
	case "windows":
		return "", errNoDisplay // the link is printed; no shell quoting games
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return "", errNoDisplay
	}
	return "xdg-open", nil
}

// systemBrowser starts the browser on url without waiting for it (the
// cli's openBrowser; tests give theirs).
func systemBrowser(url string) error {
	name, err := browserCommand(runtime.GOOS, os.Getenv)
	if err != nil {
		return err
	}
	c := exec.Command(name, url)
	if err := c.Start(); err != nil {
		return err
	}
	go func() { _ = c.Wait() }() // reap it
	return nil
}

type ldConnectFlags struct {
	name, hash, baseURL, emisor, storeFlag, lang string
}

func (cl *cli) newConnectLibreDTECmd() *cobra.Command {
	var f ldConnectFlags
	cmd := &cobra.Command{
		Use:  "libredte [--hash H] [--base-url URL] [--emisor RUT]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cl.runConnectLibreDTE(cmd, f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", "libredte", "")
	cmd.Flags().StringVar(&f.hash, "hash", "", "")
	cmd.Flags().StringVar(&f.baseURL, "base-url", libredte.DefaultBaseURL, "")
	cmd.Flags().StringVar(&f.emisor, "emisor", "", "")
	addStoreFlag(cmd, &f.storeFlag)
	addLangFlag(cmd, &f.lang)
	return cmd
}

func (cl *cli) runConnectLibreDTE(cmd *cobra.Command, f ldConnectFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	l, cfg, err := cl.connectStart(f.lang, f.name)
	if err != nil {
		return err
	}
	if err := checkBaseURL(l, f.baseURL, libredte.DefaultBaseURL); err != nil {
		return err
	}
	emisor := firstNonEmpty(f.emisor, cfg.Emisor.RUT)
	rut, path, err := cl.invoicerTarget(ctx, l, emisor, f.storeFlag, f.name, store.KindLibreDTE)
	if err != nil {
		return err
	}
	hash := strings.TrimSpace(f.hash)
	if hash == "" {
		fmt.Fprint(cmd.ErrOrStderr(), l.T("connect.ld.prompt"))
		hash, err = readSecret(ctx, cmd.InOrStdin())
		fmt.Fprintln(cmd.ErrOrStderr())
		if ctx.Err() != nil {
			return errors.New(l.T("connect.err.canceled"))
		}
		if err != nil {
			return errors.New(l.T("connect.err.no_hash") + ": " + l.T("quote", err.Error()))
		}
		if hash = strings.TrimSpace(hash); hash == "" {
			return errors.New(l.T("connect.err.no_hash"))
		}
	}
	client, err := libredte.New(libredte.Config{BaseURL: f.baseURL, Hash: hash, Emisor: rut.String(), Timeout: 30 * time.Second})
	if err != nil {
		return errors.New(l.T("connect.err.ld_setup", err.Error()))
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = client.Check(cctx)
	cancel()
	if err != nil {
		return libreDTEError(l, err, f.baseURL, rut.String())
	}
	st, err := cl.env.OpenStore(ctx, path, app.Create)
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	defer st.Close()
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: f.name, Kind: store.KindLibreDTE,
			BaseURL: strings.TrimRight(f.baseURL, "/"), EmisorRUT: rut.String(), APIKey: hash})
		return err
	})
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	fmt.Fprintf(out, "%s: %s\n", l.T("conn.ok"), f.name)
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.emisor"), rut.String())
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.hash"), config.Mask(hash))
	fmt.Fprintf(out, "  %-16s %s\n", "URL", strings.TrimRight(f.baseURL, "/"))
	fmt.Fprintln(out, l.T("connect.ld.price_type"))
	return nil
}

// checkInvoicerName refuses a second invoicer account of any kind (the
// engine issues through one) and a name taken by a connection of another
// kind.
func (cl *cli) checkInvoicerName(ctx context.Context, l i18n.Lang, path, name, kind string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := cl.env.OpenStore(ctx, path, app.Peek)
	if err != nil {
		return nil // none yet; or the write later says what is wrong with it
	}
	defer st.Close()
	conns, err := st.Connections(ctx)
	if err != nil {
		return nil
	}
	for _, c := range conns {
		switch {
		case c.Name == name && c.Kind != kind:
			return errors.New(l.T("connect.err.name_kind", name, c.Kind, name))
		case c.Name != name && c.Kind == store.KindLibreDTE && kind == store.KindLibreDTE:
			return errors.New(l.T("connect.err.ld_other_conn", c.Name, c.Name, c.Name))
		case c.Name != name && store.IsInvoicerKind(c.Kind):
			return errors.New(l.T("connect.err.inv_other_conn", c.Name, c.Kind, c.Name))
		}
	}
	return nil
}

func libreDTEError(l i18n.Lang, err error, baseURL, emisor string) error {
	ie, ok := invoicer.AsError(err)
	switch {
	case ok && ie.Code == libredte.CodeNotAPI:
		return errors.New(l.T("connect.err.ld_not_api", baseURL, ie.Message, libredte.SuggestAPIRoot(baseURL)))
	case ok && ie.Code == invoicer.CodeAuth:
		return errors.New(l.T("connect.err.ld_auth"))
	case ok && ie.Code == invoicer.CodeForbidden:
		return errors.New(l.T("connect.err.ld_forbidden", emisor))
	case ok && ie.Status == 0:
		return errors.New(l.T("connect.err.ld_unreachable", baseURL, engine.ServiceWords(err).In(l)))
	}
	return errors.New(l.T("connect.err.ld_other", err.Error()))
}

// readSecret reads one line. From a terminal it turns echo off with stty
// while reading (golang.org/x/term is not among folio's modules) and back
// on afterwards, also when ctx ends first (Ctrl-C).
func readSecret(ctx context.Context, in io.Reader) (string, error) {
	if f, ok := in.(*os.File); ok && isTerminal(f) && runtime.GOOS != "windows" {
		if err := stty(f, "-echo"); err == nil {
			defer func() { _ = stty(f, "echo") }()
		}
	}
	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	go func() {
		// A byte at a time: what follows the line (a pasted redirect
		// address) is left for the next reader.
		var b []byte
		c := make([]byte, 1)
		var err error
		for len(b) < 4096 {
			var n int
			n, err = in.Read(c)
			if n == 1 {
				if c[0] == '\n' {
					break
				}
				b = append(b, c[0])
			}
			if err != nil {
				break
			}
		}
		if errors.Is(err, io.EOF) && len(b) > 0 {
			err = nil
		}
		got <- line{strings.TrimRight(string(b), "\r"), err}
	}()
	select {
	case r := <-got:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func stty(tty *os.File, arg string) error {
	c := exec.Command("stty", arg)
	c.Stdin = tty
	return c.Run()
}

// checkBaseURL refuses a --base-url that is not an http(s) URL with a
// host, before a secret is asked for or a link printed.
func checkBaseURL(l i18n.Lang, v, example string) error {
	if !transport.IsWebURL(strings.TrimSpace(v)) {
		return errors.New(l.T("connect.err.bad_base_url", v, example))
	}
	return nil
}

// invoicerTarget checks, before an invoicer's key is asked for, what its
// connection needs: the emisor's RUT, and a store where a connection named
// name, of kind, may go.
func (cl *cli) invoicerTarget(ctx context.Context, l i18n.Lang, emisor, storeFlag, name, kind string) (dte.RUT, string, error) {
	if emisor == "" {
		return dte.RUT{}, "", errors.New(l.T("connect.err.no_emisor"))
	}
	rut, err := dte.ParseRUT(emisor)
	if err != nil {
		reason := err.Error()
		if re, ok := errors.AsType[*dte.RUTError](err); ok {
			reason = engine.RUTReason(re).In(l)
		}
		return dte.RUT{}, "", errors.New(l.T("connect.err.bad_emisor", emisor, reason))
	}
	path, err := cl.env.StorePath(storeFlag)
	if err != nil {
		return dte.RUT{}, "", err
	}
	if err := cl.checkInvoicerName(ctx, l, path, name, kind); err != nil {
		return dte.RUT{}, "", err
	}
	return rut, path, nil
}
