package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// auditLine is one action in `folio audit --json` (the fields are public).
type auditLine struct {
	At          string `json:"at"`
	User        string `json:"user"`
	Fingerprint string `json:"fingerprint"`
	Action      string `json:"action"`
	Order       string `json:"order"`
	Connection  string `json:"connection"`
	Outcome     string `json:"outcome"`
}

func toAuditLine(c store.Control) auditLine {
	l := auditLine{At: c.At.UTC().Format(time.RFC3339), User: c.User, Fingerprint: c.Fingerprint, Action: c.Kind, Connection: c.Connection, Outcome: c.Status}
	if l.User == "" {
		l.User = c.By // written by a command, before anyone was named
	}
	switch c.Kind {
	case store.CtlPause, store.CtlResume:
		if l.Connection == "" {
			l.Connection = c.Target
		}
	case store.CtlRetryFilter:
	default:
		l.Order = c.Target
	}
	if c.Status == store.CtlRejected && c.Outcome != "" {
		l.Outcome += ": " + c.Outcome
	}
	return l
}

func (cl *cli) newAuditCmd() *cobra.Command {
	var storeFlag, lang string
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:  "audit [--json] [--limit N] [--store PATH]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if limit < 0 {
				return errors.New(cl.lang(cmd).T("cli.bad_limit", limit))
			}
			if lang != "" {
				if _, err := i18n.ParseLang(lang); err != nil {
					return fmt.Errorf("--lang: %w", err)
				}
			}
			cfg, st, err := cl.env.ConfigAndStore(ctx, storeFlag, app.ReadOnly)
			if err != nil {
				return err
			}
			defer st.Close()
			l := cl.env.LangFor(lang)
			loc := cfg.Location()
			bw := bufio.NewWriter(cmd.OutOrStdout())
			defer bw.Flush()
			var tw *tabwriter.Writer
			if !asJSON {
				tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, l.T("audit.header"))
			}
			// Read a page at a time; the table is written as it goes.
			n := 0
			lines := []auditLine{} // --json: an array, [] when empty
			for before := int64(0); limit <= 0 || n < limit; {
				size := 500
				if limit > 0 {
					size = min(size, limit-n)
				}
				page, err := st.Audit(ctx, before, size)
				if err != nil {
					return err
				}
				if len(page) == 0 {
					break
				}
				for _, c := range page {
					a := toAuditLine(c)
					if asJSON {
						lines = append(lines, a)
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.At.In(loc).Format("02-01-2006 15:04:05"), safetext.Text(a.User), dash(a.Fingerprint),
						actionWord(l, c.Kind), dash(safetext.Text(a.Order)), dash(safetext.Text(a.Connection)), safetext.Text(outcomeWords(l, c)))
				}
				n += len(page)
				before = page[len(page)-1].ID
			}
			if asJSON {
				return writeJSON(bw, lines)
			}
			if tw != nil {
				if n == 0 {
					fmt.Fprintln(tw, l.T("audit.none"))
				}
				return tw.Flush()
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&asJSON, "json", false, "")
	cmd.Flags().IntVar(&limit, "limit", 0, "")
	cmd.Flags().StringVar(&lang, "lang", "", "")
	return cmd
}

// actionWord names a control's kind in the reader's language (as stored
// when the catalog has no word for it); --json keeps the kind itself.
func actionWord(l i18n.Lang, kind string) string {
	if id := i18n.ID("ctl." + kind); i18n.Has(id) {
		return l.T(id)
	}
	return kind
}

// outcomeWords says how a control ended in the reader's language: its
// status, then what it did or why it was refused, unless those words say
// the status already.
func outcomeWords(l i18n.Lang, c store.Control) string {
	status := c.Status
	if id := i18n.ID("audit.status." + c.Status); i18n.Has(id) {
		status = l.T(id)
	}
	said := i18n.Stored(l, c.OutcomeMsg, c.Outcome)
	switch {
	case said == "":
		return status
	case strings.HasPrefix(strings.ToLower(said), strings.ToLower(status)):
		return said
	}
	return status + ": " + said
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
