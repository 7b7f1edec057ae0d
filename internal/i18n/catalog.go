package i18n

import (
	"fmt"
	"sort"
)

// ID names a message in the catalog. IDs are dotted: "pane.orders",
// "state.done", "word.retry".
type ID string

// Msg is one message in both languages. Format verbs (%s, %d, %[2]s) must
// be the same in both; a test holds every entry to that.
type Msg struct {
	ES, EN string
}

// catalog is every string folio shows a person. Add new ones here, in
// both languages; keep boleta, factura and folio in Chilean Spanish in
// both, as console.md asks.
var catalog = map[ID]Msg{
	// Panes.
	"pane.connections": {"Conexiones", "Connections"},
	"pane.orders":      {"Pedidos", "Orders"},
	"pane.queue":       {"Cola", "Queue"},
	"pane.errors":      {"Errores", "Errors"},

	// Order states (the public values of `folio orders --json`), short
	// display names for the State column.
	"state.waiting":   {"en espera", "waiting"},
	"state.queued":    {"en cola", "queued"},
	"state.building":  {"armando", "building"},
	"state.issuing":   {"emitiendo", "issuing"},
	"state.issued":    {"emitido", "issued"},
	"state.attaching": {"adjuntando", "attaching"},
	"state.done":      {"listo", "done"},
	"state.retrying":  {"reintento", "retrying"},
	"state.attention": {"atención", "attention"},

	// How a done order ended.
	"outcome.issued":   {"emitido", "issued"},
	"outcome.skipped":  {"omitido", "skipped"},
	"outcome.existing": {"ya tenía documento", "already had a document"},

	// Connection states.
	"conn.ok":              {"Conexión OK", "Connection OK"},
	"conn.expiring":        {"por vencer", "expiring"},
	"conn.needs_reconnect": {"requiere reconectar", "needs reconnect"},
	"conn.paused":          {"en pausa", "paused"},

	// Words of console.md.
	"word.boleta":           {"boleta", "boleta"},
	"word.factura":          {"factura", "factura"},
	"word.folio":            {"folio", "folio"},
	"word.payment_received": {"pago recibido", "payment received"},
	"word.paused":           {"en pausa", "paused"},
	"word.running":          {"en marcha", "running"},
	"word.needs_attention":  {"requiere atención", "needs attention"},
	"word.credit_note":      {"nota de crédito", "credit note"},

	// Actions (verbs on keys, buttons and the command palette).
	"action.pause":     {"pausar", "pause"},
	"action.resume":    {"reanudar", "resume"},
	"action.retry":     {"reintentar", "retry"},
	"action.skip":      {"omitir", "skip"},
	"action.reconnect": {"reconectar", "reconnect"},
	"action.inspect":   {"inspeccionar", "inspect"},
	"action.filter":    {"filtrar", "filter"},
	"action.help":      {"ayuda", "help"},
	"action.quit":      {"salir", "quit"},

	// Relative time.
	"time.now": {"ahora", "now"},
	"time.ago": {"hace %s", "%s ago"},
	"time.in":  {"en %s", "in %s"},
}

// T returns message id in lang, formatted with args when given. A missing
// id comes back as "!id" so that it shows on screen and in tests rather
// than as a blank.
func T(lang Lang, id ID, args ...any) string {
	m, ok := catalog[id]
	if !ok {
		return "!" + string(id)
	}
	s := m.ES
	if lang == EN {
		s = m.EN
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// T is the method form of T: lang.T("pane.orders").
func (l Lang) T(id ID, args ...any) string { return T(l, id, args...) }

// Has reports whether the catalog holds id.
func Has(id ID) bool { _, ok := catalog[id]; return ok }

// Lookup returns the message id in both languages.
func Lookup(id ID) (Msg, bool) { m, ok := catalog[id]; return m, ok }

// IDs lists every message id, sorted.
func IDs() []ID {
	out := make([]ID, 0, len(catalog))
	for id := range catalog {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// StateName is the short display name of an order state ("done" → "listo"
// in Spanish). An unknown state is shown as it is.
func StateName(lang Lang, state string) string {
	if m, ok := catalog[ID("state."+state)]; ok {
		if lang == EN {
			return m.EN
		}
		return m.ES
	}
	return state
}
