package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
)

func (cl *cli) newSimCmd() *cobra.Command {
	var o sim.Options
	var faultSpec string
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:  "sim",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l := cl.lang(cmd)
			switch {
			case o.Orders < 0 || o.Orders > 1_000_000:
				return errors.New(l.T("cli.sim_orders", o.Orders))
			case o.Merchants < 1 || o.Merchants > 1000:
				return errors.New(l.T("cli.sim_merchants", o.Merchants))
			case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
				return errors.New(l.T("cli.sim_rate", fmt.Sprint(o.Rate)))
			case math.IsNaN(o.RateLimit) || math.IsInf(o.RateLimit, 0):
				return errors.New(l.T("cli.sim_rate_limit", fmt.Sprint(o.RateLimit)))
			}
			sp, err := faults.Parse(faultSpec)
			if err != nil {
				return fmt.Errorf("--faults: %w", err)
			}
			o.Faults, o.Seed = sp, seed
			s, err := sim.Start(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				b, _ := json.Marshal(s.Info)
				fmt.Fprintln(out, string(b))
			} else {
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintf(tw, "%s\t%s\n%s\t%s\n%s\t%s\n%s\t%s\n", l.T("sim.banner.multivende"), s.Info.Multivende,
					l.T("sim.banner.libredte"), s.Info.LibreDTE, l.T("sim.banner.openfactura"), s.Info.OpenFactura, l.T("sim.banner.faults"), sp)
				if len(s.Info.Merchants) > 1 {
					fmt.Fprintf(tw, "%s\t%d\n", l.T("sim.banner.merchants"), len(s.Info.Merchants))
				}
				_ = tw.Flush()
				fmt.Fprintln(out, "\n"+l.T("sim.banner.connect", s.Info.Multivende))
			}
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.MultivendeAddr, "multivende-addr", "127.0.0.1:0", "")
	f.StringVar(&o.LibreDTEAddr, "libredte-addr", "127.0.0.1:0", "")
	f.StringVar(&o.OpenFacturaAddr, "openfactura-addr", "127.0.0.1:0", "")
	f.IntVar(&o.Orders, "orders", 50, "")
	f.IntVar(&o.Merchants, "merchants", 1, "")
	f.Float64Var(&o.Rate, "rate", 0, "")
	f.StringVar(&faultSpec, "faults", "none", "")
	f.Uint64Var(&seed, "seed", 1, "seed for the generated data and faults")
	f.Float64Var(&o.RateLimit, "rate-limit", 5, "")
	f.BoolVar(&o.AutoSend, "auto-send", false, "")
	f.StringVar(&o.Webhook, "webhook", "", "")
	f.BoolVar(&asJSON, "json", false, "")
	return cmd
}
