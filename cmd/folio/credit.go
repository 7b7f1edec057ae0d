package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
)

// withCredit adds `order credit` to the order command.
func (cl *cli) withCredit(order *cobra.Command) *cobra.Command {
	order.AddCommand(cl.newCreditCmd())
	return order
}

// newCreditCmd issues the nota de crédito (61) of an order cancelled or
// refunded after its document was issued: a legal document, so it asks
// for --yes, and without it prints the 61 it would issue.
func (cl *cli) newCreditCmd() *cobra.Command {
	var storeFlag, lang, lines, reason string
	var yes bool
	cmd := &cobra.Command{
		Use:  "credit ID [--lines 1,3:2] [--reason TEXT] --yes",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := cl.langFor(lang)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, o, em, err := cl.orderForControl(ctx, storeFlag, args[0], l)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := engine.CanCredit(o, em); err != nil {
				return exitCode(1, inLang(l, err))
			}
			a := engine.CreditArgs{Lines: lines, Reason: reason}
			if !yes {
				nc, warns, err := engine.ProposedCredit(ctx, st, o, a, chileToday())
				if err != nil {
					return exitCode(1, dteError(err, dte.Lang(l)))
				}
				w := cmd.OutOrStdout()
				r := nc.Referencia[0]
				fmt.Fprintln(w, i18n.T(l, "credit.confirm_cli", o.ID, em.Folio, dte.DocType(em.DocType).Name()))
				fmt.Fprintln(w)
				ref := fmt.Sprintf("Referencia: %d %s · %s · CodRef %d · %s\n", r.TpoDocRef, r.FolioRef, r.FchRef, r.CodRef, r.RazonRef)
				if _, err := io.WriteString(w, safetext.Lines(ref+dte.Preview(nc, warns, 0, dte.Lang(l), 48))); err != nil {
					return err
				}
				return exitCode(2, errors.New(i18n.T(l, "credit.needs_yes", o.ID)))
			}
			id, err := engine.RequestCredit(ctx, st, o.ID, a, by())
			if err != nil {
				return exitCode(1, dteError(inLang(l, err), dte.Lang(l)))
			}
			fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "credit.requested", o.ID))
			return cl.reportControl(cmd, st, id)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&yes, "yes", false, "")
	cmd.Flags().StringVar(&lines, "lines", "", "")
	cmd.Flags().StringVar(&reason, "reason", "", "")
	cmd.Flags().StringVar(&lang, "lang", "", "")
	return cmd
}
