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

	// folio connect, connections, disconnect.
	"connect.mv.open":              {"Abra este enlace en un navegador para autorizar a folio en Multivende (marque todos los permisos y responda «Sí»):", "Open this link in a browser to authorize folio in Multivende (keep every permission checked and answer \"Sí\"):"},
	"connect.mv.ssh":               {"Está conectado por SSH: el navegador volverá a %s, que está en este servidor. En su computador abra antes este túnel y después el enlace:", "You are connected over SSH: the browser will come back to %s, which is on this server. On your computer open this tunnel first, then the link:"},
	"connect.mv.browser_failed":    {"No se pudo abrir el navegador (%s): abra el enlace a mano.", "Could not open a browser (%s): open the link by hand."},
	"connect.mv.paste":             {"Si el navegador no puede volver aquí, copie la dirección a la que llegó (o solo el código) y péguela aquí, luego Enter.", "If the browser cannot come back here, copy the address it landed on (or just the code), paste it here and press Enter."},
	"connect.mv.paste_bad":         {"Eso no es la dirección de vuelta ni un código: pegue la dirección completa (http://127.0.0.1:…/callback?code=…) o solo el código.", "That is neither the return address nor a code: paste the whole address (http://127.0.0.1:…/callback?code=…) or just the code."},
	"connect.mv.waiting":           {"Esperando la respuesta (hasta %s)…", "Waiting for the answer (up to %s)…"},
	"connect.mv.missing_scopes":    {"Atención: Multivende no concedió %s y folio necesita todos los permisos. Conecte de nuevo (folio connect multivende --name %s) dejando todos marcados.", "Warning: Multivende did not grant %s and folio needs every permission. Connect again (folio connect multivende --name %s) with all of them checked."},
	"connect.mv.creds_saved":       {"El client id y el client secret quedaron en %s (solo su dueño puede leerlo), para que folio renueve los tokens.", "The client id and secret were saved in %s (readable by its owner only), so that folio can renew the tokens."},
	"connect.mv.creds_not_saved":   {"No se pudo guardar el client id ni el client secret en %s (%s): defina FOLIO_MULTIVENDE_CLIENT_ID y FOLIO_MULTIVENDE_CLIENT_SECRET donde corre folio run, o folio no podrá renovar los tokens.", "Could not save the client id and secret in %s (%s): set FOLIO_MULTIVENDE_CLIENT_ID and FOLIO_MULTIVENDE_CLIENT_SECRET where folio run runs, or folio cannot renew the tokens."},
	"connect.field.merchant":       {"comercio", "merchant"},
	"connect.field.scopes":         {"permisos", "scopes"},
	"connect.field.token":          {"token", "token"},
	"connect.field.expires":        {"vence", "expires"},
	"connect.field.refresh_until":  {"renovable hasta", "renewable until"},
	"connect.field.emisor":         {"emisor", "emisor"},
	"connect.field.hash":           {"hash", "hash"},
	"connect.mv.secret_prompt":     {"Client secret de la aplicación de Multivende (no se mostrará): ", "Multivende application's client secret (it will not be shown): "},
	"connect.ld.prompt":            {"Hash de la API de LibreDTE (Usuario → API; no se mostrará): ", "LibreDTE API hash (User → API; it will not be shown): "},
	"connect.ld.price_type":        {"Recuerde: en LibreDTE el tipo de precio debe ser «Solo items afectos con precio bruto»; folio envía los precios con IVA incluido.", "Remember: in LibreDTE the price type must be \"Solo items afectos con precio bruto\"; folio sends prices with VAT included."},
	"connect.page.ok":              {"Conexión OK. Puede cerrar esta ventana y volver a la terminal.", "Connection OK. You can close this window and go back to the terminal."},
	"connect.page.failed":          {"No se conectó. La terminal dice por qué y cómo seguir.", "Not connected. The terminal says why and what to do."},
	"connect.page.already":         {"Esta conexión ya recibió una respuesta. Vuelva a la terminal.", "This connection already got an answer. Go back to the terminal."},
	"connect.page.bad_request":     {"Esta dirección solo recibe la vuelta desde Multivende.", "This address only takes the return from Multivende."},
	"connect.err.bad_name":         {"--name %q no sirve: use letras, números, punto, guion o guion bajo (por ejemplo --name tienda-1)", "--name %q will not do: use letters, digits, dot, dash or underscore (for example --name shop-1)"},
	"connect.err.bad_port":         {"--redirect-port %d no es un puerto: use uno entre 1 y 65535 (0: cualquiera libre)", "--redirect-port %d is not a port: use one from 1 to 65535 (0: any free one)"},
	"connect.err.no_client_id":     {"falta el client id de la aplicación de Multivende: páselo con --client-id, FOLIO_MULTIVENDE_CLIENT_ID o multivende.client_id en la configuración", "the Multivende application's client id is missing: give it with --client-id, FOLIO_MULTIVENDE_CLIENT_ID or multivende.client_id in the config"},
	"connect.err.no_client_secret": {"falta el client secret de la aplicación de Multivende: páselo con --client-secret, FOLIO_MULTIVENDE_CLIENT_SECRET o multivende.client_secret en la configuración", "the Multivende application's client secret is missing: give it with --client-secret, FOLIO_MULTIVENDE_CLIENT_SECRET or multivende.client_secret in the config"},
	"connect.err.name_kind":        {"ya existe una conexión %q de tipo %s: elija otro --name, o quítela antes con folio disconnect %s", "there is already a connection %q of kind %s: choose another --name, or remove it first with folio disconnect %s"},
	"connect.err.other_merchant":   {"no se guardó nada: la conexión %q es del comercio %s, pero la autorización llegó para el comercio %s; use otro --name para este comercio", "nothing was saved: connection %q belongs to merchant %s, but the consent came for merchant %s; use another --name for this merchant"},
	"connect.err.store":            {"no se pudo guardar la conexión en el almacén %s (%s): corrija eso y conecte de nuevo", "could not save the connection in the store %s (%s): fix that and connect again"},
	"connect.err.listen":           {"no se pudo abrir %s para recibir la vuelta del navegador (%s): cierre lo que use ese puerto, o elija otro con --redirect-port P y registre http://127.0.0.1:P/callback en la aplicación de Multivende", "could not open %s to take the browser's return (%s): stop whatever uses that port, or choose another with --redirect-port P and register http://127.0.0.1:P/callback in the Multivende application"},
	"connect.err.denied":           {"no se conectó: en Multivende se respondió «No» a la autorización (%s); no se guardó nada. Vuelva a ejecutar folio connect multivende y responda «Sí» con todos los permisos marcados", "not connected: the consent was answered \"No\" in Multivende (%s); nothing was saved. Run folio connect multivende again and answer \"Sí\" with every permission checked"},
	"connect.err.provider":         {"no se conectó: Multivende volvió con un error en vez de un código (%s); no se guardó nada. Revise que el client id y la dirección de vuelta estén registrados en la aplicación de Multivende y vuelva a intentar", "not connected: Multivende came back with an error instead of a code (%s); nothing was saved. Check that the client id and the return address are registered in the Multivende application and try again"},
	"connect.err.state":            {"no se conectó: la respuesta no corresponde a este intento (el state no coincide: una pestaña antigua o un enlace ajeno); no se guardó nada. Vuelva a ejecutar folio connect multivende y use solo el enlace nuevo", "not connected: the answer does not belong to this attempt (the state does not match: an old tab or someone else's link); nothing was saved. Run folio connect multivende again and use only the new link"},
	"connect.err.timeout":          {"no se conectó: no llegó respuesta en %s; no se guardó nada. Vuelva a ejecutar folio connect multivende y abra el enlace; por SSH abra antes el túnel (ssh -L %d:127.0.0.1:%d …) o pegue aquí la dirección de vuelta", "not connected: no answer came within %s; nothing was saved. Run folio connect multivende again and open the link; over SSH open the tunnel first (ssh -L %d:127.0.0.1:%d …) or paste the return address here"},
	"connect.err.canceled":         {"no se conectó: se interrumpió antes de terminar; no se guardó nada", "not connected: interrupted before the end; nothing was saved"},
	"connect.err.auth":             {"no se conectó: Multivende rechazó el client id o el client secret (HTTP %d); no se guardó nada. Revise --client-secret, FOLIO_MULTIVENDE_CLIENT_SECRET o multivende.client_secret (folio config show) y vuelva a intentar", "not connected: Multivende refused the client id or secret (HTTP %d); nothing was saved. Check --client-secret, FOLIO_MULTIVENDE_CLIENT_SECRET or multivende.client_secret (folio config show) and try again"},
	"connect.err.code":             {"no se conectó: Multivende no aceptó el código (HTTP %d: %s); no se guardó nada. Los códigos sirven una vez y por pocos minutos: vuelva a ejecutar folio connect multivende", "not connected: Multivende did not accept the code (HTTP %d: %s); nothing was saved. A code works once and for a few minutes: run folio connect multivende again"},
	"connect.err.unreachable":      {"no se conectó: no se pudo hablar con Multivende en %s (%s); no se guardó nada. Revise --base-url y la red, y vuelva a intentar", "not connected: could not talk to Multivende at %s (%s); nothing was saved. Check --base-url and the network, and try again"},
	"connect.err.no_emisor":        {"falta el RUT del emisor: páselo con --emisor 76.123.456-7 o defina emisor.rut en la configuración", "the emisor's RUT is missing: give it with --emisor 76.123.456-7 or set emisor.rut in the config"},
	"connect.err.bad_base_url":     {"--base-url %q no es una dirección web (por ejemplo %s)", "--base-url %q is not a web address (for example %s)"},
	"connect.err.bad_emisor":       {"--emisor %q: RUT no válido: %s", "--emisor %q: not a valid RUT: %s"},
	"connect.err.no_hash":          {"no se ingresó el hash de la API: cópielo de LibreDTE (Usuario → API) y péguelo, o páselo con --hash", "no API hash was entered: copy it from LibreDTE (User → API) and paste it, or give it with --hash"},
	"connect.err.ld_setup":         {"no se puede usar esa cuenta de LibreDTE: %s", "cannot use that LibreDTE account: %s"},
	"connect.err.ld_other_conn":    {"ya existe la cuenta de LibreDTE %q y folio emite con una sola: reemplácela con --name %s, o quítela antes con folio disconnect %s", "there is already a LibreDTE account %q and folio issues through one: replace it with --name %s, or remove it first with folio disconnect %s"},
	"connect.err.ld_auth":          {"no se conectó: LibreDTE rechazó el hash de la API (HTTP 401); no se guardó nada. Copie de nuevo el hash desde LibreDTE (Usuario → API) y vuelva a intentar", "not connected: LibreDTE refused the API hash (HTTP 401); nothing was saved. Copy the hash again from LibreDTE (User → API) and try again"},
	"connect.err.ld_forbidden":     {"no se conectó: el usuario de ese hash no tiene permiso sobre el emisor %s en LibreDTE (HTTP 403); no se guardó nada. Revise --emisor o pida acceso a esa empresa en LibreDTE", "not connected: that hash's user has no permission on emisor %s in LibreDTE (HTTP 403); nothing was saved. Check --emisor or ask for access to that company in LibreDTE"},
	"connect.err.ld_unreachable":   {"no se conectó: no se pudo hablar con LibreDTE en %s (%s); no se guardó nada. Revise --base-url y la red", "not connected: could not talk to LibreDTE at %s (%s); nothing was saved. Check --base-url and the network"},
	"connect.err.ld_not_api":       {"no se conectó: %s no es la API de LibreDTE (respondió %s en vez de JSON de LibreDTE); no se guardó nada. Use la URL que termina en /api, p. ej. --base-url %s", "not connected: %s is not LibreDTE's API (it answered %s instead of LibreDTE's JSON); nothing was saved. Use the URL ending in /api, e.g. --base-url %s"},
	"connect.err.ld_other":         {"no se conectó: LibreDTE respondió con un error al verificar la cuenta (%s); no se guardó nada. Revise --base-url y --emisor", "not connected: LibreDTE answered with an error when checking the account (%s); nothing was saved. Check --base-url and --emisor"},
	"connect.err.which":            {"diga qué conectar: folio connect multivende (un comercio), o folio connect libredte o folio connect openfactura (la cuenta que emite)", "say what to connect: folio connect multivende (a merchant), or folio connect libredte or folio connect openfactura (the issuing account)"},
	"connections.none":             {"No hay conexiones. Conecte un comercio con folio connect multivende y la cuenta de LibreDTE con folio connect libredte.", "No connections. Connect a merchant with folio connect multivende and the LibreDTE account with folio connect libredte."},
	"connections.col.name":         {"NOMBRE", "NAME"},
	"connections.col.kind":         {"TIPO", "KIND"},
	"connections.col.account":      {"COMERCIO/EMISOR", "MERCHANT/EMISOR"},
	"connections.col.status":       {"ESTADO", "STATUS"},
	"connections.col.expires":      {"VENCE", "EXPIRES"},
	"connections.col.scopes":       {"PERMISOS", "SCOPES"},
	"connections.status.ok":        {"ok", "ok"},
	"connections.status.error":     {"error", "error"},
	"connections.reconnect":        {"%s requiere reconectar: %s", "%s needs reconnecting: %s"},
	"disconnect.done":              {"Se quitó la conexión %s y sus credenciales del almacén.", "Removed connection %s and its credentials from the store."},
	"disconnect.done_mv":           {"Para retirar también el acceso en Multivende, bórrela en Aplicaciones > Listado de aplicaciones.", "To withdraw the access in Multivende too, delete it under Aplicaciones > Listado de aplicaciones."},
	"disconnect.err.not_found":     {"no existe la conexión %q; las que hay: %s (folio connections las lista)", "there is no connection %q; there are: %s (folio connections lists them)"},
	"disconnect.err.none":          {"no existe la conexión %q: el almacén no tiene conexiones", "there is no connection %q: the store has no connections"},
	"disconnect.err.failed":        {"no se pudo quitar la conexión %s: %s", "could not remove connection %s: %s"},

	// folio doctor.
	"doctor.all_ok":              {"Todo en orden.", "All good."},
	"doctor.failed":              {"doctor encontró %d problema(s): vea las líneas ✘ y su arreglo", "doctor found %d problem(s): see the ✘ lines and their fixes"},
	"doctor.config.fix_bad":      {"corrija el archivo: folio config show dice qué clave y en qué línea", "fix the file: folio config show names the key and the line"},
	"doctor.config.none":         {"no hay archivo en %s; rigen los valores por omisión y las variables FOLIO_*", "no file at %s; the defaults and FOLIO_* variables apply"},
	"doctor.config.ok":           {"%s (modo %s)", "%s (mode %s)"},
	"doctor.perm.open":           {"%s lo pueden leer otros usuarios (modo %s) y guarda secretos", "%s can be read by other users (mode %s) and holds secrets"},
	"doctor.perm.fix":            {"chmod 600 %s", "chmod 600 %s"},
	"doctor.perm.ok":             {"solo su dueño puede leer %s", "only its owner can read %s"},
	"doctor.store.missing":       {"no hay almacén en %s", "no store at %s"},
	"doctor.store.fix_missing":   {"conecte un comercio con folio connect multivende (crea el almacén), o indique otro con --store", "connect a merchant with folio connect multivende (it creates the store), or point --store at another"},
	"doctor.store.fix_open":      {"revise la ruta del almacén (folio info muestra la configurada)", "check the store's path (folio info shows the configured one)"},
	"doctor.store.ok":            {"%s abre; esquema %d (esta versión escribe el %d)", "%s opens; schema %d (this version writes %d)"},
	"doctor.store.corrupt":       {"quick_check encontró daño: %s", "quick_check found damage: %s"},
	"doctor.store.not_writable":  {"el motor no podría escribir el almacén: %s", "the engine could not write the store: %s"},
	"doctor.store.fix_writable":  {"devuelva el permiso de escritura a este usuario (chmod u+w %s; chmod u+w %s), quite el atributo inmutable (chattr -i) o monte el disco con escritura", "give this user write permission back (chmod u+w %s; chmod u+w %s), remove the immutable attribute (chattr -i) or mount the disk read-write"},
	"doctor.store.writable_ok":   {"%s se puede escribir", "%s is writable"},
	"doctor.store.integrity_ok":  {"integridad OK (PRAGMA quick_check)", "integrity OK (PRAGMA quick_check)"},
	"doctor.store.fix_integrity": {"detenga folio, guarde una copia del archivo y restaure el último respaldo (folio backup los hace)", "stop folio, keep a copy of the file and restore the latest backup (folio backup makes them)"},
	"doctor.disk":                {"%s libres en %s", "%s free in %s"},
	"doctor.disk.fix":            {"libere espacio (al menos %s) en el disco de %s; df -h muestra cuánto hay", "free some space (at least %s) on the disk of %s; df -h shows how much there is"},
	"doctor.mv.none":             {"no hay ningún comercio de Multivende conectado", "no Multivende merchant is connected"},
	"doctor.ld.none":             {"no hay cuenta de LibreDTE conectada: no se puede emitir", "no LibreDTE account is connected: nothing can be issued"},
	"doctor.mv.waiting_orders":   {"%d pedidos esperan la reconexión (no gastan intentos; siguen solos al reconectar)", "%d orders wait for the reconnect (using no attempts; they go on by themselves once reconnected)"},
	"doctor.mv.needs_reconnect":  {"la conexión requiere reconectar (%s)", "the connection needs reconnecting (%s)"},
	"doctor.mv.no_tokens":        {"la conexión no tiene tokens", "the connection has no tokens"},
	"doctor.mv.refresh_expired":  {"el token de renovación venció el %s: folio ya no puede renovar el acceso", "the refresh token expired on %s: folio can no longer renew the access"},
	"doctor.mv.access_expired":   {"el token de acceso venció el %s; folio lo renueva solo (se puede renovar hasta el %s)", "the access token expired on %s; folio renews it by itself (renewable until %s)"},
	"doctor.mv.token_ok":         {"token válido hasta %s; renovable hasta %s", "token valid until %s; renewable until %s"},
	"doctor.mv.no_secret":        {"no se conoce el client secret de la aplicación %s: folio no podrá renovar los tokens", "the client secret of application %s is not known: folio cannot renew the tokens"},
	"doctor.mv.fix_secret":       {"defina FOLIO_MULTIVENDE_CLIENT_SECRET o multivende.client_secret en la configuración (folio connect multivende --client-secret lo guarda)", "set FOLIO_MULTIVENDE_CLIENT_SECRET or multivende.client_secret in the config (folio connect multivende --client-secret saves it)"},
	"doctor.mv.secret_ok":        {"se conoce el client secret de la aplicación %s", "the client secret of application %s is known"},
	"doctor.mv.api_ok":           {"la API de %s respondió en %s", "the API at %s answered in %s"},
	"doctor.mv.api_refused":      {"Multivende rechazó el token (HTTP %d)", "Multivende refused the token (HTTP %d)"},
	"doctor.mv.fix_api":          {"vuelva a probar en unos minutos; si sigue, revise el estado de Multivende", "try again in a few minutes; if it goes on, check Multivende's status"},
	"doctor.unreachable":         {"no se pudo hablar con %s: %s", "could not talk to %s: %s"},
	"doctor.reachable":           {"%s responde", "%s answers"},
	"doctor.fix_unreachable":     {"revise la red, el proxy y la URL de la conexión; luego vuelva a ejecutar folio doctor", "check the network, the proxy and the connection's URL; then run folio doctor again"},
	"doctor.ld.ok":               {"LibreDTE acepta el hash para el emisor %s (%s)", "LibreDTE accepts the hash for emisor %s (%s)"},
	"doctor.ld.auth":             {"LibreDTE rechazó el hash de la API (HTTP 401)", "LibreDTE refused the API hash (HTTP 401)"},
	"doctor.ld.forbidden":        {"el usuario del hash no tiene permiso sobre el emisor %s (HTTP 403)", "the hash's user has no permission on emisor %s (HTTP 403)"},
	"doctor.ld.not_api":          {"%s no es la API de LibreDTE: respondió %s en vez de JSON de LibreDTE", "%s is not LibreDTE's API: it answered %s instead of LibreDTE's JSON"},
	"doctor.ld.fix_not_api":      {"conecte con la URL que termina en /api: folio connect libredte --name %s --base-url %s", "connect with the URL ending in /api: folio connect libredte --name %s --base-url %s"},
	"doctor.ld.price_ok":         {"una boleta de prueba de %s (documento temporal, sin folio, eliminado) da neto %s e IVA %s en LibreDTE, como en folio: el tipo de precio es «Solo items afectos con precio bruto»", "a %s test boleta (a temporary document, no folio, deleted) gives net %s and VAT %s in LibreDTE, as in folio: the price type is \"Solo items afectos con precio bruto\""},
	"doctor.ld.price_bad":        {"una boleta de prueba de %s (documento temporal, sin folio) da en LibreDTE total %s, neto %s e IVA %s; folio espera total %s, neto %s e IVA %s: los pedidos se detendrán antes de pedir el folio", "a %s test boleta (a temporary document, no folio) gives in LibreDTE total %s, net %s and VAT %s; folio expects total %s, net %s and VAT %s: orders will stop before the folio is asked for"},
	"doctor.ld.price_fix":        {"en LibreDTE, configure el tipo de precio «Solo items afectos con precio bruto» y vuelva a ejecutar folio doctor", "in LibreDTE, set the price type to \"Solo items afectos con precio bruto\" and run folio doctor again"},
	"doctor.ld.price_err":        {"no se pudo probar el tipo de precio con una boleta de prueba: %s", "could not test the price type with a test boleta: %s"},
	"doctor.ld.price_err_fix":    {"revise el mensaje de LibreDTE y vuelva a ejecutar folio doctor; confirme que el tipo de precio sea «Solo items afectos con precio bruto»", "read LibreDTE's message and run folio doctor again; make sure the price type is \"Solo items afectos con precio bruto\""},
	"doctor.ld.price_tmp_left":   {" (no se pudo eliminar el documento temporal de prueba: elimínelo en LibreDTE)", " (the test temporary document could not be deleted: delete it in LibreDTE)"},
	"doctor.clock.ahead":         {"el reloj de esta máquina está %s adelantado respecto de %s", "this machine's clock is %s ahead of %s"},
	"doctor.clock.behind":        {"el reloj de esta máquina está %s atrasado respecto de %s", "this machine's clock is %s behind %s"},
	"doctor.clock.fix":           {"active la sincronización de hora (timedatectl set-ntp true, o el NTP de su sistema)", "turn on time sync (timedatectl set-ntp true, or your system's NTP)"},
	"doctor.clock.in_sync":       {"el reloj de esta máquina coincide con el de %s", "this machine's clock agrees with %s"},

	// folio catalog sync.
	"catalog.bad_only":          {"--only %q: use products, stock o prices", "--only %q: use products, stock or prices"},
	"catalog.service":           {"no se pudo sincronizar el catálogo: %s", "the catalog could not be synced: %s"},
	"catalog.reading":           {"Leyendo el catálogo de Multivende (%s) y los ítems de %s…", "Reading Multivende's catalog (%s) and %s's items…"},
	"catalog.price_list":        {"Lista de precios: %s (%s)", "Price list: %s (%s)"},
	"catalog.warehouse":         {"Bodega: %s (%s)", "Warehouse: %s (%s)"},
	"catalog.counts":            {"%d por crear, %d por actualizar, %d sin cambios, %d por desactivar, %d omitidos, %d solo en %s (no se tocan)", "%d to create, %d to update, %d unchanged, %d to deactivate, %d skipped, %d only in %s (left alone)"},
	"catalog.skipped":           {"  omitido %s: %s", "  skipped %s: %s"},
	"catalog.more":              {"  … y %d más (--json los lista todos)", "  … and %d more (--json lists them all)"},
	"catalog.reason.no_price":   {"sin precio en la lista de precios elegida", "no price in the chosen price list"},
	"catalog.reason.not_in_inv": {"aún no está en el facturador: sincronice primero los productos", "not in the invoicer yet: sync products first"},
	"catalog.no_stock":          {"%s no tiene API de stock: el stock no se sincroniza.", "%s has no stock API: stock is not synced."},
	"catalog.no_stock_only":     {"%s no tiene API de stock: con --only stock no hay nada que sincronizar", "%s has no stock API: there is nothing to sync with --only stock"},
	"catalog.nothing":           {"Nada que cambiar.", "Nothing to change."},
	"catalog.dry_run":           {"--dry-run: no se escribió nada.", "--dry-run: nothing was written."},
	"catalog.no_write_api":      {"%s no tiene API para crear ni modificar ítems: no se escribió nada. Con --csv ARCHIVO folio escribe el archivo de importación; súbalo en %s", "%s has no API to create or change items: nothing was written. With --csv FILE folio writes its import file; upload it at %s"},
	"catalog.csv_written":       {"%d ítems escritos en %s. %s no tiene API para crear ni modificar ítems: suba el archivo en %s (Importar).", "%d items written to %s. %s has no API to create or change items: upload the file at %s (Import)."},
	"catalog.csv_group":         {"--clasificacion: los ítems nuevos necesitan una clasificación que ya exista en %s", "--clasificacion: new items need a classification that already exists in %s"},
	"catalog.resumed":           {"La sincronización anterior quedó a medias (%d de %d); se retoma con lo que falta.", "The previous sync stopped part-way (%d of %d); picking up what is left."},
	"catalog.progress":          {"%d/%d aplicados, %d con error", "%d/%d applied, %d failed"},
	"catalog.item_failed":       {"  error en %s: %s", "  failed %s: %s"},
	"catalog.done":              {"Listo: %d aplicados, %d con error, %d omitidos.", "Done: %d applied, %d failed, %d skipped."},
	"catalog.failed":            {"%d ítem(s) con error: vea las líneas de arriba", "%d item(s) failed: see the lines above"},
	"catalog.choose_connection": {"hay varias conexiones de Multivende (%s): elija una con --connection", "there are several Multivende connections (%s): choose one with --connection"},
	"catalog.no_connection":     {"no hay una conexión de Multivende llamada %q: vea folio connections", "there is no Multivende connection named %q: see folio connections"},
	"catalog.no_multivende":     {"no hay conexión de Multivende: conecte una con folio connect multivende", "no Multivende connection: connect one with folio connect multivende"},
	"catalog.no_invoicer":       {"no hay cuenta de facturador: conecte una con folio connect libredte", "no invoicer account: connect one with folio connect libredte"},
}

// extend adds a part of the catalog kept in its own file. An id defined
// in two parts is kept in redefined, which a test holds empty.
func extend(part map[ID]Msg) {
	for id, m := range part {
		if _, dup := catalog[id]; dup {
			redefined = append(redefined, id)
		}
		catalog[id] = m
	}
}

var redefined []ID

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
