package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

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
		Use:   "sim",
		Short: "Run the Multivende, LibreDTE and OpenFactura simulators on loopback (for demos and tests)",
		Long: `Serves a simulated Multivende (consent page, tokens, generated orders, documents),
a simulated LibreDTE (emitir, generar, PDF, SII status) and a simulated
OpenFactura (issue with Idempotency-Key, status, PDF, 3 req/s and 100/min) until
SIGINT or SIGTERM. In OpenFactura reset-after-generar cuts the connection after
the document was accepted. --faults is none, mix, or a list such as
5xx=0.05,429=0.05,latency=20ms..800ms,reset-after-generar=0.02,token-expire=60s,folios=200,sii-reject=0.02;
webhook-drop, webhook-dup and webhook-delay act on the notifications sent to
--webhook URL (a "Checkouts" notification for each new or changed order).
The faults can be changed at run time with POST /_sim/faults on either server
(on the Multivende one, for every merchant; /_sim/m/MERCHANT_ID/faults for one).
--merchants N serves N merchants, each connected through its own consent (the
page asks which merchant); all issue through the one invoicer account.`,
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
				fmt.Fprintf(out, "Multivende simulator  %s\nLibreDTE simulator    %s\nOpenFactura simulator %s\nfaults                %s\n",
					s.Info.Multivende, s.Info.LibreDTE, s.Info.OpenFactura, sp)
				if len(s.Info.Merchants) > 1 {
					fmt.Fprintf(out, "merchants             %d\n", len(s.Info.Merchants))
				}
				fmt.Fprintf(out, "\nConnect an engine to it:  folio run --sim %s\n", s.Info.Multivende)
			}
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.MultivendeAddr, "multivende-addr", "127.0.0.1:0", "address of the Multivende simulator")
	f.StringVar(&o.LibreDTEAddr, "libredte-addr", "127.0.0.1:0", "address of the LibreDTE simulator")
	f.StringVar(&o.OpenFacturaAddr, "openfactura-addr", "127.0.0.1:0", "address of the OpenFactura simulator")
	f.IntVar(&o.Orders, "orders", 50, "orders present at start (per merchant)")
	f.IntVar(&o.Merchants, "merchants", 1, "Multivende merchants served at the one Multivende address, each with its own orders, tokens and faults (folio run --sim connects them all)")
	f.Float64Var(&o.Rate, "rate", 0, "new orders per second")
	f.StringVar(&faultSpec, "faults", "none", "none, mix, or a fault list (see above)")
	f.Uint64Var(&seed, "seed", 1, "seed for the generated data and faults")
	f.Float64Var(&o.RateLimit, "rate-limit", 5, "Multivende requests per second per token (Multivende's limit is about 5)")
	f.BoolVar(&o.AutoSend, "auto-send", false, "the merchant switched on Multivende's automatic sending (otherwise attached documents stay \"Pendiente\")")
	f.StringVar(&o.Webhook, "webhook", "", "post a Checkouts notification to this URL for each new or changed order (the URL folio webhook url prints)")
	f.BoolVar(&asJSON, "json", false, "print one JSON line with the URLs and credentials once both servers listen")
	return cmd
}
