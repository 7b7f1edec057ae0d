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
		Use:  "buyer ID --rut RUT --razon-social TEXT --giro TEXT --direccion TEXT --comuna TEXT [--email ADDR]",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, storeFlag, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestBuyerOverride(ctx, st, id, b, by())
			})
		},
	}
	addStoreFlag(cmd, &storeFlag)
	f := cmd.Flags()
	f.StringVar(&b.RUT, "rut", "", "")
	f.StringVar(&b.BusinessName, "razon-social", "", "")
	f.StringVar(&b.Giro, "giro", "", "")
	f.StringVar(&b.Address, "direccion", "", "")
	f.StringVar(&b.Comuna, "comuna", "", "")
	f.StringVar(&b.Email, "email", "", "")
	return cmd
}

// newOrderBoletaCmd issues a boleta where a factura could not be, as `B`
// does in the console.
func (cl *cli) newOrderBoletaCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:  "boleta ID",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cl.control(cmd, storeFlag, args[0], func(ctx context.Context, st *store.Store, id string) (int64, error) {
				return engine.RequestIssueAsBoleta(ctx, st, id, by())
			})
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}
