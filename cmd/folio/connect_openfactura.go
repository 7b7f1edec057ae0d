package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/store"
)

type ofConnectFlags struct {
	name, apiKey, baseURL, emisor, storeFlag, lang string
}

func (cl *cli) newConnectOpenFacturaCmd() *cobra.Command {
	var f ofConnectFlags
	cmd := &cobra.Command{
		Use:  "openfactura [--api-key K] [--base-url URL] [--emisor RUT]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cl.runConnectOpenFactura(cmd, f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", "openfactura", "")
	cmd.Flags().StringVar(&f.apiKey, "api-key", "", "")
	cmd.Flags().StringVar(&f.baseURL, "base-url", openfactura.DefaultBaseURL, "")
	cmd.Flags().StringVar(&f.emisor, "emisor", "", "")
	addStoreFlag(cmd, &f.storeFlag)
	addLangFlag(cmd, &f.lang)
	return cmd
}

func (cl *cli) runConnectOpenFactura(cmd *cobra.Command, f ofConnectFlags) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	l, cfg, err := cl.connectStart(f.lang, f.name)
	if err != nil {
		return err
	}
	base := strings.TrimRight(strings.TrimSpace(f.baseURL), "/")
	if err := checkBaseURL(l, base, openfactura.DefaultBaseURL); err != nil {
		return err
	}
	key := strings.TrimSpace(f.apiKey)
	sandbox := base == openfactura.SandboxBaseURL
	emisor := firstNonEmpty(f.emisor, cfg.Emisor.RUT)
	if sandbox && key == "" {
		// The sandbox's public demo key belongs to Haulmer's test company.
		key = openfactura.SandboxAPIKey
		emisor = firstNonEmpty(f.emisor, openfactura.SandboxEmisor)
		fmt.Fprintln(cmd.ErrOrStderr(), l.T("connect.of.demo", emisor))
	}
	rut, path, err := cl.invoicerTarget(ctx, l, emisor, f.storeFlag, f.name, store.KindOpenFactura)
	if err != nil {
		return err
	}
	if key == "" {
		fmt.Fprint(cmd.ErrOrStderr(), l.T("connect.of.prompt"))
		key, err = readSecret(ctx, cmd.InOrStdin())
		fmt.Fprintln(cmd.ErrOrStderr())
		if ctx.Err() != nil {
			return errors.New(l.T("connect.err.canceled"))
		}
		if err != nil {
			return errors.New(l.T("connect.err.no_apikey") + ": " + l.T("quote", err.Error()))
		}
		if key = strings.TrimSpace(key); key == "" {
			return errors.New(l.T("connect.err.no_apikey"))
		}
	}
	client, err := openfactura.New(openfactura.Config{BaseURL: base, APIKey: key, Emisor: rut.String(), Timeout: 30 * time.Second})
	if err != nil {
		return errors.New(l.T("connect.err.of_setup", err.Error()))
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = client.Check(cctx)
	cancel()
	if err != nil {
		return openFacturaError(l, err, base)
	}
	st, err := cl.env.OpenStore(ctx, path, app.Create)
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	defer st.Close()
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: f.name, Kind: store.KindOpenFactura,
			BaseURL: base, EmisorRUT: rut.String(), APIKey: key})
		return err
	})
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	fmt.Fprintf(out, "%s: %s\n", l.T("conn.ok"), f.name)
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.emisor"), rut.String())
	fmt.Fprintf(out, "  %-16s %s\n", l.T("connect.field.apikey"), config.Mask(key))
	fmt.Fprintf(out, "  %-16s %s\n", "URL", base)
	return nil
}

func openFacturaError(l i18n.Lang, err error, baseURL string) error {
	ie, ok := invoicer.AsError(err)
	switch {
	case ok && (ie.Code == invoicer.CodeAuth || ie.Code == invoicer.CodeForbidden):
		return errors.New(l.T("connect.err.of_auth", ie.Status))
	case ok && ie.Status == 0:
		return errors.New(l.T("connect.err.of_unreachable", baseURL, engine.ServiceWords(err).In(l)))
	}
	return errors.New(l.T("connect.err.of_other", err.Error()))
}
