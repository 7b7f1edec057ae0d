package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // FchEmis is a Chilean date even where the system has no zone data

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/safetext"
)

func (cl *cli) newDTECmd() *cobra.Command {
	cmd := &cobra.Command{
		Use: "dte",
	}
	cmd.AddCommand(cl.newDTEBuildCmd())
	return cmd
}

func (cl *cli) newDTEBuildCmd() *cobra.Command {
	var typ, lang string
	var explain bool
	var mapping multivende.FacturaMapping
	var nc creditFlags
	cmd := &cobra.Command{
		Use: "build [--type auto|boleta|factura|nc] [--explain] [--lang es|en] < checkout.json",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 { // a file named as an argument: say where it goes
				return errors.New(dte.Text{
					ES: fmt.Sprintf("dte build lee el pedido de stdin: folio dte build < %s", args[0]),
					EN: fmt.Sprintf("dte build reads the order on stdin: folio dte build < %s", args[0])}.In(dteLang(lang)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang != "" {
				// Checked before stdin is read: --lang xx fell back to Spanish.
				if _, err := i18n.ParseLang(lang); err != nil {
					return fmt.Errorf("--lang: %w", err)
				}
			}
			l := dteLang(lang)
			if nc.is(typ) {
				return nc.run(cmd, l, explain, mapping, cl.emisorFromConfig)
			}
			choice, err := dte.ParseChoice(typ)
			if err != nil {
				return dteError(err, l)
			}
			raw, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxCheckoutBytes+1))
			if err != nil {
				return errors.New(dte.Text{ES: "leyendo stdin: «" + err.Error() + "»", EN: "reading stdin: “" + err.Error() + "”"}.In(l))
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
			sale.Date = chileToday()
			sale.Emisor = cl.emisorFromConfig()
			doc, warns, err := dte.Build(sale, dte.Options{Choice: choice})
			if err != nil {
				return dteError(err, l)
			}
			out := cmd.OutOrStdout()
			if explain {
				// Build cleaned the document's text; Lines covers the rest.
				_, err := io.WriteString(out, safetext.Lines(ruleText(sale.Rule, choice, l)+"\n"+dte.Preview(doc, warns, sale.Paid, l, 48)))
				return err
			}
			for _, w := range warns {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", dte.Text{ES: "aviso", EN: "warning"}.In(l), safetext.Text(w.Message.In(l)))
			}
			return writeJSON(out, libredte.PayloadOf(doc))
		},
	}
	cmd.Flags().StringVar(&typ, "type", "auto", "")
	nc.register(cmd)
	cmd.Flags().BoolVar(&explain, "explain", false, "")
	cmd.Flags().StringVar(&lang, "lang", "", "")
	cmd.Flags().StringVar(&mapping.Field, "factura-field", "", "")
	cmd.Flags().StringVar(&mapping.Value, "factura-value", "", "")
	return cmd
}

// ruleText says which rule chose the document, in l.
func ruleText(rule dte.Rule, choice dte.Choice, l dte.Lang) string {
	lang := i18n.Lang(l)
	if choice == dte.ChoiceBoleta || choice == dte.ChoiceFactura {
		return lang.T("rule.heading", lang.T("rule.person", string(choice)))
	}
	args := make([]any, len(rule.Args))
	for i, a := range rule.Args {
		args[i] = safetext.Text(a)
	}
	return lang.T("rule.heading", lang.T(i18n.ID(rule.ID), args...))
}

// maxCheckoutBytes bounds what dte build reads: a real checkout is a few KB.
const maxCheckoutBytes = 16 << 20

// decodeCheckout reads a checkout, turning JSON errors into one line that
// says where and how to fix.
func decodeCheckout(raw []byte, l dte.Lang) (*multivende.Checkout, error) {
	var co multivende.Checkout
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, errors.New(dte.Text{
			ES: "stdin: no llegó nada — entregue un pedido de Multivende, p. ej. folio dte build < pedido.json",
			EN: "stdin: nothing was given — pipe one Multivende checkout, e.g. folio dte build < checkout.json"}.In(l))
	}
	if err := json.Unmarshal(raw, &co); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		detail := err.Error()
		switch {
		case errors.As(err, &se):
			detail = fmt.Sprintf("byte %d: %v", se.Offset, se)
		case errors.As(err, &te) && te.Field == "":
			detail = fmt.Sprintf("want one JSON object, got %s", te.Value)
		case errors.As(err, &te):
			detail = fmt.Sprintf("field %s: want %s, got %s", te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s (%s)", dte.Text{
			ES: "stdin: el pedido no es un JSON de checkout válido — revise el archivo",
			EN: "stdin: the order is not a valid checkout JSON — check the file"}.In(l), detail)
	}
	return &co, nil
}

func dteError(err error, l dte.Lang) error {
	if ve, ok := dte.AsValidation(err); ok {
		return errors.New(ve.Line(l))
	}
	return err
}

// dteLang picks the language: the flag, else LANG (English only when it
// starts with "en").
func dteLang(flag string) dte.Lang {
	v := flag
	if v == "" {
		for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if v = os.Getenv(k); v != "" {
				break
			}
		}
	}
	if strings.HasPrefix(strings.ToLower(v), "en") {
		return dte.EN
	}
	return dte.ES
}

// chileToday is today's date in Chile, the FchEmis of a document issued now.
func chileToday() string {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		loc = time.UTC
	}
	return time.Now().In(loc).Format("2006-01-02")
}
