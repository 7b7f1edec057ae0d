package i18n

// The config's problems (internal/config): each value named by its key,
// with what the key accepts.
func init() { extend(configCatalog) }

var configCatalog = map[ID]Msg{
	"config.err":          {"configuración %s: %s", "config %s: %s"},
	"config.err.line":     {"línea %d: %s", "line %d: %s"},
	"config.err.from_env": {"%s (desde %s)", "%s (from %s)"},

	"config.err.env": {"variable %s: %s", "environment %s: %s"},

	"config.value.not_setting": {"%s no es un ajuste", "%s is not a setting"},
	"config.value.secret":      {"el valor", "the value"},
	"config.value.duration":    {"%s: %s no es una duración (escríbala como 30s, 1m o 2h)", "%s: %s is not a duration (write it like 30s, 1m or 2h)"},
	"config.value.int":         {"%s: %s no es un número entero", "%s: %s is not a whole number"},
	"config.value.number":      {"%s: %s no es un número (como 5 o 2.5)", "%s: %s is not a number (like 5 or 2.5)"},
	"config.value.bool":        {"%s: %s no es true ni false", "%s: %s is not true or false"},
	"config.value.not_text":    {"%s no se puede fijar con texto", "%s cannot be set from text"},

	"config.file.not_map":   {"la configuración es una lista de líneas clave: valor, como workers: 2", "the config must be a list of key: value lines, such as workers: 2"},
	"config.file.twice":     {"%s aparece dos veces (primero en la línea %d)", "%s appears twice (first on line %d)"},
	"config.file.section":   {"%s contiene claves (%s), una por línea bajo ella", "%s holds keys (%s), one per line under it"},
	"config.file.unknown":   {"clave desconocida %q (%s)", "unknown key %q (%s)"},
	"config.file.hint_show": {"folio config show lista las claves", "folio config show lists the keys"},
	"config.file.hint_mean": {"¿quiso decir %s?", "did you mean %s?"},
	"config.file.syntax":    {"no se puede leer como YAML: %s; revise la sangría y que cada línea sea clave: valor", "cannot be read as YAML: %s; check the indentation and that each line is key: value"},
	"config.file.one_value": {"%s lleva un valor, no una lista ni una sección", "%s takes one value, not a list or a section"},

	"config.set.not_writable": {"%s no es un ajuste que folio pueda escribir", "%s is not a setting folio can write"},
	"config.set.section":      {"%s lleva claves (como %s), no un valor: corrija esa línea", "%s holds keys (such as %s), not a single value: fix that line"},
	"config.warn.readable":    {"%s guarda %s y otros usuarios pueden leerlo (modo %s): ejecute chmod 600 %s", "%s holds %s and others can read it (mode %s): run chmod 600 %s"},
	"config.warning":          {"aviso: %s", "warning: %s"},

	"config.keymap.not_map":      {"keymap lleva una acción por línea, como quit: [q, ctrl+c]", "keymap holds one action per line, like quit: [q, ctrl+c]"},
	"config.keymap.empty_action": {"keymap: un nombre de acción está vacío", "keymap: an action name is empty"},
	"config.keymap.twice":        {"keymap.%s aparece dos veces", "keymap.%s appears twice"},
	"config.keymap.key_word":     {"keymap.%s: cada tecla es una palabra, como ctrl+c", "keymap.%s: each key is one word, like ctrl+c"},
	"config.keymap.list":         {"keymap.%s lleva una lista de teclas, como [q, ctrl+c]", "keymap.%s takes a list of keys, like [q, ctrl+c]"},
	"config.keymap.empty_key":    {"keymap.%s: una tecla está vacía", "keymap.%s: a key is empty"},

	"config.users.not_list":      {"users es una lista, una entrada - name: … por persona", "users is a list, one - name: … entry per person"},
	"config.users.entry_shape":   {"users: la entrada %d lleva name, keys, role y connections", "users: entry %d holds name, keys, role and connections"},
	"config.users.entry":         {"entrada %d", "entry %d"},
	"config.users.name_word":     {"users: %s: name es una palabra", "users: %s: name is one word"},
	"config.users.role_word":     {"users: %s: role es operator o viewer", "users: %s: role is operator or viewer"},
	"config.users.list":          {"users: %s: %s es una lista, como [a, b]", "users: %s: %s is a list, like [a, b]"},
	"config.users.unknown_field": {"users: %s: campo desconocido %q (un usuario tiene %s)", "users: %s: unknown field %q (a user has %s)"},

	"config.bad.language":        {"language: %q no es es ni en (déjelo vacío para seguir LANG)", "language: %q is not es or en (leave it empty to follow LANG)"},
	"config.bad.timezone":        {"timezone: %q no es una zona horaria (un nombre IANA como America/Santiago)", "timezone: %q is not a time zone (an IANA name such as America/Santiago)"},
	"config.bad.theme":           {"theme: %q no es uno de %s", "theme: %q is not one of %s"},
	"config.bad.poll_interval":   {"poll_interval: %s es muy corto (al menos 100ms; 1m sirve a la mayoría de las tiendas)", "poll_interval: %s is too short (at least 100ms; 1m suits most shops)"},
	"config.bad.workers":         {"workers: %d no está entre 1 y 64", "workers: %d is not between 1 and 64"},
	"config.bad.rate_limit":      {"rate_limit: %s está fuera del rango permitido: más de 0 y hasta 100 solicitudes por segundo (5 sirve a la mayoría de las tiendas)", "rate_limit: %s is outside the allowed range: more than 0 and up to 100 requests per second (5 suits most shops)"},
	"config.bad.max_attempts":    {"retry.max_attempts: %d no está entre 1 y 100", "retry.max_attempts: %d is not between 1 and 100"},
	"config.bad.base_delay":      {"retry.base_delay: %s debe ser más de 0, como 2s", "retry.base_delay: %s must be more than 0, like 2s"},
	"config.bad.max_delay":       {"retry.max_delay: %s es más corto que retry.base_delay %s", "retry.max_delay: %s is shorter than retry.base_delay %s"},
	"config.bad.catalog_neg":     {"catalog_sync_interval: %s es negativo (0 lo apaga)", "catalog_sync_interval: %s is negative (0 turns it off)"},
	"config.bad.catalog_short":   {"catalog_sync_interval: %s es menos de 1m (0 lo apaga)", "catalog_sync_interval: %s is under 1m (0 turns it off)"},
	"config.bad.emisor_rut":      {"emisor.rut: %q no es un RUT válido (escríbalo como 76086428-5)", "emisor.rut: %q is not a valid RUT (write it like 76086428-5)"},
	"config.bad.emisor_acteco":   {"emisor.acteco: %d no es un código de actividad del SII (hasta 6 dígitos)", "emisor.acteco: %d is not an SII activity code (up to 6 digits)"},
	"config.bad.base_url":        {"multivende.base_url: %q no es una URL http(s) como https://app.multivende.com", "multivende.base_url: %q is not an http(s) URL like https://app.multivende.com"},
	"config.bad.keymap_empty":    {"%s: los nombres de acción y las teclas no pueden ir vacíos", "%s: action names and keys must not be empty"},
	"config.bad.listen":          {"listen: %s", "listen: %s"},
	"config.listen.not_hostport": {"%q no es HOST:PUERTO (escríbalo como :8080 o 127.0.0.1:8080)", "%q is not HOST:PORT (write it like :8080 or 127.0.0.1:8080)"},
	"config.listen.bad_port":     {"%q: el puerto debe ser un número hasta 65535", "%q: the port must be a number up to 65535"},
	"config.listen.bad_host":     {"%q: el servidor no es un nombre ni una dirección IP", "%q: the host is not a name or an IP address"},

	"config.user.bad_name":   {"users: usuario %d: el nombre %q debe ser letras, dígitos, . _ @ o - (hasta 64)", "users: user %d: name %q must be letters, digits, . _ @ or - (up to 64)"},
	"config.user.twice":      {"%s: el usuario %s aparece dos veces", "%s: user %s appears twice"},
	"config.user.bad_role":   {"%s: usuario %s: el rol %q no es operator ni viewer", "%s: user %s: role %q is not operator or viewer"},
	"config.user.no_keys":    {"%s: el usuario %s no tiene llaves (agregue la línea de su ~/.ssh/id_ed25519.pub)", "%s: user %s has no keys (add the line of their ~/.ssh/id_ed25519.pub)"},
	"config.user.bad_key":    {"%s: usuario %s, llave %d: no es una llave pública de OpenSSH (una línea como ssh-ed25519 AAAA… nombre, de ~/.ssh/id_ed25519.pub)", "%s: user %s, key %d: not an OpenSSH public key (a line such as ssh-ed25519 AAAA… name, from ~/.ssh/id_ed25519.pub)"},
	"config.user.key_twice":  {"%s: usuario %s: la llave %s aparece dos veces", "%s: user %s: key %s is listed twice"},
	"config.user.key_shared": {"%s: la llave %s está dada a %s y a %s: una llave nombra a una persona", "%s: key %s is given to both %s and %s: a key names one person"},
	"config.user.empty_conn": {"%s: usuario %s: un nombre de conexión está vacío", "%s: user %s: a connection name is empty"},
}
