package i18n

// Engines on a shared store: who holds which connection, in the console.
func init() { extend(enginesCatalog) }

var enginesCatalog = map[ID]Msg{
	"col.engine":      {"MOTOR", "ENGINE"},
	"col.host":        {"EQUIPO", "HOST"},
	"col.pid":         {"PID", "PID"},
	"col.connections": {"CONEXIONES", "CONNECTIONS"},
	"col.heartbeat":   {"LATIDO", "HEARTBEAT"},

	"engine.holder":       {"%s · %d", "%s · %d"},
	"engine.none":         {"— sin motor", "— no engine"},
	"engine.na":           {"—", "—"},
	"engine.expired":      {"vencido: %s", "expired: %s"},
	"status.engines":      {"● %d motores en marcha", "● %d engines running"},
	"key.engines":         {"motores", "engines"},
	"engines.title":       {"Motores en marcha: %d", "Engines running: %d"},
	"engines.none":        {"Ningún motor en marcha: inicie uno con folio run", "No engine running: start one with folio run"},
	"engines.one_holds":   {"Un solo motor trabaja todas las conexiones de este almacén.", "One engine works every connection of this store."},
	"engines.unheld":      {"Conexiones sin motor: %d (un motor en marcha las tomará)", "Connections with no engine: %d (a running engine will take them)"},
	"engines.expired":     {"Arriendos vencidos: %d (su motor dejó de renovarlos; otro los tomará)", "Expired leases: %d (their engine stopped renewing them; another will take them)"},
	"conn.engine.held":    {"Motor: %s · desde %s · renovado %s · generación %d", "Engine: %s · since %s · renewed %s · generation %d"},
	"conn.engine.one":     {"Motor: %s (trabaja todas las conexiones)", "Engine: %s (works every connection)"},
	"conn.engine.expired": {"Motor: el arriendo de %s venció %s; otro motor la tomará", "Engine: %s's lease expired %s; another engine will take it"},
	"conn.engine.none":    {"Motor: ninguno la trabaja; un motor en marcha la tomará", "Engine: none works it; a running engine will take it"},
}
