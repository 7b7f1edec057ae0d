package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/safetext"
)

// creditFlags are dte build's flags for --type nc: the original document
// the nota de crédito references and what it credits.
type creditFlags struct {
	refType  int
	refFolio int64
	refDate  string
	lines    string
	reason   string
}

func (f *creditFlags) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.refType, "ref-type", 0, "")
	cmd.Flags().Int64Var(&f.refFolio, "ref-folio", 0, "")
	cmd.Flags().StringVar(&f.refDate, "ref-date", "", "")
	cmd.Flags().StringVar(&f.lines, "lines", "", "")
	cmd.Flags().StringVar(&f.reason, "reason", "", "")
}

func (f *creditFlags) is(typ string) bool {
	t := strings.ToLower(strings.TrimSpace(typ))
	return t == "nc" || t == "61"
}

// run rebuilds the original from the checkout as folio issued it, gives it
// the folio and date, and prints the 61 as it would be sent.
func (f *creditFlags) run(cmd *cobra.Command, l dte.Lang, explain bool, mapping multivende.FacturaMapping, emisor func() dte.Emisor) error {
	var choice dte.Choice
	switch dte.DocType(f.refType) {
	case dte.Boleta, dte.BoletaExenta:
		choice = dte.ChoiceBoleta
	case dte.Factura, dte.FacturaExenta:
		choice = dte.ChoiceFactura
	default:
		return errors.New(dte.Text{
			ES: fmt.Sprintf("--ref-type %d: indique el tipo del documento original: 39, 41, 33 o 34", f.refType),
			EN: fmt.Sprintf("--ref-type %d: give the original document's type: 39, 41, 33 or 34", f.refType)}.In(l))
	}
	if f.refFolio <= 0 {
		return errors.New(dte.Text{
			ES: "--ref-folio: indique el folio del documento original (un número positivo)",
			EN: "--ref-folio: give the original document's folio (a positive number)"}.In(l))
	}
	today := chileToday()
	date := f.refDate
	if date == "" {
		date = today
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return errors.New(dte.Text{
			ES: fmt.Sprintf("--ref-date %q: use AAAA-MM-DD", date),
			EN: fmt.Sprintf("--ref-date %q: use YYYY-MM-DD", date)}.In(l))
	}
	ret, err := dte.ParseReturnLines(f.lines)
	if err != nil {
		return dteError(err, l)
	}
	raw, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxCheckoutBytes+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if len(raw) > maxCheckoutBytes {
		return errors.New(dte.Text{
			ES: "stdin: el pedido pesa más de 16 MiB, el máximo que lee folio dte build — entregue un solo checkout de Multivende",
			EN: "stdin: the order is over 16 MiB, the most folio dte build reads — pipe a single Multivende checkout"}.In(l))
	}
	co, err := decodeCheckout(raw, l)
	if err != nil {
		return err
	}
	sale := co.SaleWith(mapping)
	sale.Date = date
	sale.Emisor = emisor()
	orig, _, err := dte.Build(sale, dte.Options{Choice: choice})
	if err != nil {
		return dteError(err, l)
	}
	if orig.Encabezado.IdDoc.TipoDTE != dte.DocType(f.refType) {
		return errors.New(dte.Text{
			ES: fmt.Sprintf("--ref-type %d: este pedido se emite como %d (%s) — indique ese tipo", f.refType, orig.Encabezado.IdDoc.TipoDTE, orig.Encabezado.IdDoc.TipoDTE.Name()),
			EN: fmt.Sprintf("--ref-type %d: this order is issued as %d (%s) — give that type", f.refType, orig.Encabezado.IdDoc.TipoDTE, orig.Encabezado.IdDoc.TipoDTE.Name())}.In(l))
	}
	orig.Encabezado.IdDoc.Folio = f.refFolio
	nc, warns, err := dte.CreditNote(orig, dte.CreditOptions{Date: today, Lines: ret, Reason: f.reason})
	if err != nil {
		return dteError(err, l)
	}
	out := cmd.OutOrStdout()
	if explain {
		r := nc.Referencia[0]
		ref := dte.Text{
			ES: fmt.Sprintf("Referencia: %s (%d) folio %s del %s · CodRef %d · %s\n", r.TpoDocRef.Name(), r.TpoDocRef, r.FolioRef, r.FchRef, r.CodRef, r.RazonRef),
			EN: fmt.Sprintf("Reference: %s (%d) folio %s of %s · CodRef %d · %s\n", r.TpoDocRef.Name(), r.TpoDocRef, r.FolioRef, r.FchRef, r.CodRef, r.RazonRef)}.In(l)
		_, err := io.WriteString(out, safetext.Lines(ref+dte.Preview(nc, warns, 0, l, 48)))
		return err
	}
	for _, w := range warns {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", dte.Text{ES: "aviso", EN: "warning"}.In(l), safetext.Text(w.Message.In(l)))
	}
	return writeJSON(out, libredte.PayloadOf(nc))
}
