package multivende

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/folio-cl/folio/internal/dte"
)

// FacturaMapping is a connection's own way of marking a factura: a checkout
// field, as a dotted JSON path ("CheckoutBillingClients.0.documentType"),
// and the value that asks for one. An empty Value matches any value that is
// present and not empty, null or false. The zero mapping is off.
type FacturaMapping struct {
	Field, Value string
}

// Rule message ids (internal/i18n's catalog); each names the rule that
// chose the document, with its arguments.
const (
	RuleIdentity = "rule.identity" // buyer's billing identity: RUT, source
	RuleCompany  = "rule.company"  // a company's identity, incomplete: RUT, source
	RuleMapping  = "rule.mapping"  // configured field = value
	RuleLegacy   = "rule.legacy"   // billingDocumentType = value
	RulePartial  = "rule.partial"  // incomplete identity of a person: boleta; missing
	RuleNone     = "rule.none"     // no billing data: boleta
)

// companyRUTFrom is where the SII's RUTs of legal entities begin; persons'
// RUTs are below it.
const companyRUTFrom = 50_000_000

// DocumentRule decides boleta or factura, a rule folio owns since nothing
// public confirms a field for it (multivende-api.md): a factura when the
// configured mapping matches, when the order carries the buyer's billing
// identity (RUT, razón social and giro), when a company gave its RUT (its
// missing data then stops the order instead of becoming a boleta), or
// when the earlier guessed billingDocumentType asks for it; otherwise a
// boleta. The RUT is not validated here: a factura with a bad RUT is
// refused by dte.Build, naming it.
func (c *Checkout) DocumentRule(m FacturaMapping) (dte.Requested, dte.Rule) {
	if field := strings.TrimSpace(m.Field); field != "" {
		if v, ok := lookup(c.raw, field); ok && mappingMatches(v, m.Value) {
			return dte.RequestFactura, dte.Rule{ID: RuleMapping, Args: []string{field, v}}
		}
	}
	cl, source := c.BillingIdentity()
	rut := cl.TaxID.String()
	parsed, rutErr := dte.ParseRUT(rut)
	if parsed == dte.GenericRUT {
		rut = "" // the anonymous consumer's RUT is no identity
	}
	var missing []string
	if rut == "" {
		missing = append(missing, "RUT")
	}
	if cl.RazonSocial() == "" {
		missing = append(missing, "razón social")
	}
	if cl.Activity.String() == "" {
		missing = append(missing, "giro")
	}
	company := strings.EqualFold(cl.Type.String(), ClientTypeCompany) || (rutErr == nil && parsed.Body >= companyRUTFrom)
	switch {
	case len(missing) == 0:
		return dte.RequestFactura, dte.Rule{ID: RuleIdentity, Args: []string{rut, source}}
	case rut != "" && company:
		return dte.RequestFactura, dte.Rule{ID: RuleCompany, Args: []string{rut, source}}
	}
	switch v := c.BillingDocumentType.String(); strings.ToLower(v) {
	case BillingInvoice:
		return dte.RequestFactura, dte.Rule{ID: RuleLegacy, Args: []string{v}}
	case BillingBill:
		return dte.RequestBoleta, dte.Rule{ID: RuleLegacy, Args: []string{v}}
	}
	if rut != "" || cl.Activity.String() != "" { // a name alone is every buyer's
		return dte.RequestBoleta, dte.Rule{ID: RulePartial, Args: []string{strings.Join(missing, ", ")}}
	}
	return dte.RequestBoleta, dte.Rule{ID: RuleNone}
}

// DocumentKind is BillingInvoice or BillingBill, as the rule decides.
func (c *Checkout) DocumentKind(m FacturaMapping) string {
	if r, _ := c.DocumentRule(m); r == dte.RequestFactura {
		return BillingInvoice
	}
	return BillingBill
}

func mappingMatches(got, want string) bool {
	want = strings.TrimSpace(want)
	if want == "" {
		return got != "" && got != "false"
	}
	return strings.EqualFold(got, want)
}

// lookup reads a dotted path (object keys and array indexes) in raw JSON
// and returns the scalar found there as text; an object, an array, null or
// a missing path is not found.
func lookup(raw []byte, path string) (string, bool) {
	var cur any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&cur) != nil {
		return "", false
	}
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return "", false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return "", false
			}
			cur = v[i]
		default:
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return strings.TrimSpace(v), true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}
