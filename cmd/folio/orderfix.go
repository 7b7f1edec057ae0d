package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
)

// newOrderBuyerCmd completes or corrects a factura's buyer data from the
// command line, as `b` does in the console (order show points people here).
func (cl *cli) newOrderBuyerCmd() *cobra.Command {
	var storeFlag string
	var b dte.Buyer
	cmd := &cobra.Command{
		Use:   "buyer ID --rut RUT --razon-social TEXT --giro TEXT --direccion TEXT --comuna TEXT [--email ADDR]",
		Short: "Complete or correct a factura's buyer data; the engine builds the document again with it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, storeFlag, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestBuyerOverride(ctx, st, id, b, by())
			})
		},
	}
	addStoreFlag(cmd, &storeFlag)
	f := cmd.Flags()
	f.StringVar(&b.RUT, "rut", "", "the buyer's RUT, any usual form (76.354.771-K)")
	f.StringVar(&b.BusinessName, "razon-social", "", "razón social (the SII keeps 100 characters)")
	f.StringVar(&b.Giro, "giro", "", "giro (the SII keeps 40 characters)")
	f.StringVar(&b.Address, "direccion", "", "dirección (70 characters)")
	f.StringVar(&b.Comuna, "comuna", "", "comuna (20 characters)")
	f.StringVar(&b.Email, "email", "", "where the buyer gets the document (optional)")
	return cmd
}

// newOrderBoletaCmd issues a boleta where a factura could not be, as `B`
// does in the console.
func (cl *cli) newOrderBoletaCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:   "boleta ID",
		Short: "Issue a boleta instead of the factura the order asked for",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, storeFlag, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestIssueAsBoleta(ctx, st, id, by())
			})
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}
