package i18n

// folio serve (the console over SSH), its users and folio audit.
func init() { extend(serveCatalog) }

var serveCatalog = map[ID]Msg{
	"serve.warn.no_connection": {"aviso: el usuario %s está limitado a la conexión %s, que el almacén no tiene: no verá pedidos hasta que exista",
		"note: user %s is limited to connection %s, which the store does not have: they see no orders until it exists"},
	"serve.demo.no_keys": {"demo --serve: no hay llaves en ~/.ssh ni users en la configuración; cree una con ssh-keygen -t ed25519",
		"demo --serve: no keys in ~/.ssh and no users in the config; make one with ssh-keygen -t ed25519"},
	"serve.demo.ssh": {"la demo también se sirve por SSH (llave del servidor %[1]s); en otro terminal:\n  ssh -p %[2]s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no folio@127.0.0.1",
		"the demo is served over SSH too (host key %[1]s); in another terminal:\n  ssh -p %[2]s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no folio@127.0.0.1"},
	"serve.demo.enter":          {"pulse Enter para abrir la consola aquí… ", "press Enter to open the console here… "},
	"audit.header":              {"CUÁNDO\tQUIÉN\tLLAVE\tACCIÓN\tPEDIDO\tCONEXIÓN\tRESULTADO", "WHEN\tWHO\tKEY\tACTION\tORDER\tCONNECTION\tOUTCOME"},
	"control.refused_viewer":    {"rechazado: %s solo puede mirar (rol viewer)", "refused: %s may only look (viewer role)"},
	"control.refused_scope":     {"rechazado: %s no actúa sobre la conexión %s", "refused: %s does not act on connection %s"},
	"control.refused_scope_all": {"rechazado: %s actúa solo sobre sus conexiones, no sobre todas a la vez", "refused: %s acts only on their connections, not on all at once"},
	"audit.status.pending":      {"pendiente", "pending"},
	"audit.status.applied":      {"aplicado", "applied"},
	"audit.status.rejected":     {"rechazado", "refused"},
	"audit.none":                {"(ninguna acción registrada)", "(no actions recorded)"},
	"serve.err.no_users": {"nadie puede conectarse: agregue users a la configuración (%s) o indique --authorized-keys ARCHIVO",
		"no one may connect: add users to the config (%s) or give --authorized-keys FILE"},
	"serve.hostkey_made": {"llave del servidor creada en %s (0600)", "host key made in %s (0600)"},
	"serve.listening":    {"folio serve escucha en %s; huella de la llave del servidor: %s", "folio serve listens on %s; host key fingerprint: %s"},
	"serve.connect":      {"conéctese con: ssh -p %s folio@ESTE-EQUIPO", "connect with: ssh -p %s folio@THIS-HOST"},
	"serve.err.key": {"esta llave no está autorizada: pida que la agreguen a users en la configuración de folio",
		"this key is not authorized: ask for it to be added to users in folio's config"},
	"serve.err.pty": {"la consola necesita un terminal: conéctese con ssh -t (sin -T ni un comando)",
		"the console needs a terminal: connect with ssh -t (without -T or a command)"},
	"serve.refused.viewer":    {"este usuario solo puede mirar (rol viewer): la acción no se registró", "this user may only look (role viewer): the action was not recorded"},
	"serve.refused.scope":     {"%s no puede actuar sobre la conexión %s", "%s may not act on connection %s"},
	"serve.refused.scope_all": {"%s solo puede actuar sobre sus conexiones, no sobre todas a la vez (elija una en Conexiones)", "%s may act only on their own connections, not on all at once (pick one on Connections)"},
}
