package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/connect"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// connectionJSON is one connection in `folio connections --json`: a public
// contract. It has no field that could carry a token, key or secret.
type connectionJSON struct {
	Name             string   `json:"name"`
	Kind             string   `json:"kind"`
	Merchant         string   `json:"merchant,omitempty"` // Multivende
	Emisor           string   `json:"emisor,omitempty"`   // an invoicer (LibreDTE, OpenFactura)
	BaseURL          string   `json:"base_url"`
	Status           string   `json:"status"` // ok, needs_reconnect, error
	Paused           bool     `json:"paused"`
	ExpiresAt        string   `json:"expires_at,omitempty"`         // the access token, RFC 3339 UTC
	RefreshExpiresAt string   `json:"refresh_expires_at,omitempty"` // the refresh token
	Scopes           []string `json:"scopes"`
	LastError        string   `json:"last_error,omitempty"`
	Reconnect        string   `json:"reconnect,omitempty"` // the command to run when it needs reconnecting
}

// connectionView is what folio shows of a connection. A Multivende
// connection whose refresh token expired needs a person even before the
// engine finds out.
func connectionView(c store.Connection, now time.Time) connectionJSON {
	j := connectionJSON{Name: c.Name, Kind: c.Kind, BaseURL: c.BaseURL, Status: c.Status, Paused: c.Paused,
		Scopes: c.Scopes, LastError: c.LastError}
	if j.Scopes == nil {
		j.Scopes = []string{}
	}
	rfc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	switch c.Kind {
	case store.KindMultivende:
		j.Merchant = c.MerchantID
		j.ExpiresAt, j.RefreshExpiresAt = rfc(c.AccessExpiresAt), rfc(c.RefreshExpiresAt)
	case store.KindLibreDTE, store.KindOpenFactura:
		j.Emisor = c.EmisorRUT
	default:
		return j
	}
	if connect.NeedsReconnect(c, now) {
		j.Status, j.Reconnect = store.ConnNeedsReconnect, connect.ReconnectCommand(c)
	}
	return j
}

func (cl *cli) newConnectionsCmd() *cobra.Command {
	var storeFlag, lang string
	var asJSON bool
	cmd := &cobra.Command{
		Use:  "connections [--json]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, cfg, err := cl.langFor(lang)
			if err != nil {
				return err
			}
			st, err := cl.env.OpenStoreFlag(cmd.Context(), storeFlag, app.ReadOnly)
			if err != nil {
				return err
			}
			defer st.Close()
			conns, err := st.Connections(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			views := make([]connectionJSON, 0, len(conns))
			for _, c := range conns {
				views = append(views, connectionView(c, now))
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), views)
			}
			return printConnections(cmd, l, views, cfg.Location())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	addStoreFlag(cmd, &storeFlag)
	addLangFlag(cmd, &lang)
	return cmd
}

func printConnections(cmd *cobra.Command, l i18n.Lang, views []connectionJSON, loc *time.Location) error {
	out := cmd.OutOrStdout()
	if len(views) == 0 {
		fmt.Fprintln(out, l.T("connections.none"))
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join([]string{l.T("connections.col.name"), l.T("connections.col.kind"), l.T("connections.col.account"),
		l.T("connections.col.status"), l.T("connections.col.expires"), l.T("connections.col.scopes")}, "\t"))
	for _, v := range views {
		account := firstNonEmpty(v.Merchant, v.Emisor, "-")
		status := statusWord(l, v.Status)
		if v.Paused {
			status += ", " + l.T("conn.paused")
		}
		expires := "-"
		if t, err := time.Parse(time.RFC3339, v.ExpiresAt); err == nil {
			expires = i18n.FormatTime(l, t, loc)
		}
		scopes := strings.Join(v.Scopes, " ")
		if scopes == "" {
			scopes = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safetext.Text(v.Name), safetext.Text(v.Kind), safetext.Text(account),
			safetext.Text(status), expires, safetext.Text(scopes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range views {
		if v.Reconnect != "" {
			fmt.Fprintln(out, l.T("connections.reconnect", safetext.Text(v.Name), safetext.Text(v.Reconnect)))
		}
	}
	return nil
}

func statusWord(l i18n.Lang, status string) string {
	switch status {
	case store.ConnOK:
		return l.T("connections.status.ok")
	case store.ConnNeedsReconnect:
		return l.T("conn.needs_reconnect")
	case store.ConnError:
		return l.T("connections.status.error")
	}
	return status
}

func (cl *cli) newDisconnectCmd() *cobra.Command {
	var storeFlag, lang string
	cmd := &cobra.Command{
		Use:  "disconnect NAME",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			l, _, err := cl.langFor(lang)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := cl.env.OpenStoreFlag(ctx, storeFlag, app.Existing)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := st.Connection(ctx, name)
			if errors.Is(err, store.ErrNotFound) {
				return errors.New(notFoundText(cmd, l, st, name))
			}
			if err != nil {
				return errors.New(l.T("disconnect.err.failed", name, err.Error()))
			}
			err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteConnection(ctx, name) })
			if err != nil {
				return errors.New(l.T("disconnect.err.failed", name, err.Error()))
			}
			fmt.Fprintln(cmd.OutOrStdout(), l.T("disconnect.done", name))
			if c.Kind == store.KindMultivende {
				fmt.Fprintln(cmd.OutOrStdout(), l.T("disconnect.done_mv"))
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	addLangFlag(cmd, &lang)
	return cmd
}

// notFoundText names the connections there are, so a typo is easy to see.
func notFoundText(cmd *cobra.Command, l i18n.Lang, st *store.Store, name string) string {
	conns, _ := st.Connections(cmd.Context())
	var names []string
	for _, c := range conns {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return l.T("disconnect.err.none", name)
	}
	return l.T("disconnect.err.not_found", name, strings.Join(names, ", "))
}
