package i18n

// Webhooks: folio webhook url, the console's Connections pane, doctor.
func init() { extend(webhookCatalog) }

var webhookCatalog = map[ID]Msg{
	"webhook.url_local": {"aviso: sin --public-base esta URL solo sirve desde este equipo; Multivende necesita la dirección pública (https) por la que llega a folio: folio webhook url --public-base https://su-dominio",
		"note: without --public-base this URL only works from this host; Multivende needs the public (https) address it reaches folio at: folio webhook url --public-base https://your-host"},
	"webhook.url_no_base": {"no se sabe dónde recibe folio los webhooks: indique --public-base https://su-dominio (la dirección pública de folio run --listen) o configure listen",
		"folio does not know where it receives webhooks: give --public-base https://your-host (the public address of folio run --listen) or set listen in the config"},

	"console.webhook.title":     {"Webhooks", "Webhooks"},
	"console.webhook.off":       {"apagados: solo sondeo (folio run --listen para activarlos)", "off: polling only (folio run --listen turns them on)"},
	"console.webhook.healthy":   {"sanos", "healthy"},
	"console.webhook.waiting":   {"escuchando en %s; aún sin avisos en la última hora", "listening on %s; no notifications in the last hour yet"},
	"console.webhook.stale":     {"sin noticias del motor desde hace %s", "no word from the engine for %s"},
	"console.webhook.last":      {"último aviso %s · %d en la última hora · %d rechazados", "last received %s · %d in the last hour · %d rejected"},
	"console.webhook.never":     {"nunca", "never"},
	"console.webhook.shed":      {" · %d descartados (cola llena)", " · %d shed (queue full)"},
	"console.webhook.poll":      {"sondeo cada %s", "polling every %s"},
	"console.webhook.poll_rise": {"sondeo cada %s (webhooks sanos; vuelve a %s si fallan)", "polling every %s (webhooks healthy; back to %s if they fail)"},

	"doctor.webhook.listen_ok":     {"el receptor de webhooks responde en %s", "the webhook listener answers on %s"},
	"doctor.webhook.listen_bad":    {"el receptor de webhooks no responde en %s: %s", "the webhook listener does not answer on %s: %s"},
	"doctor.webhook.listen_fix":    {"inicie el motor con el receptor: folio run --listen %s (o listen en la configuración), o revise que otro programa no use el puerto", "start the engine with the listener: folio run --listen %s (or listen in the config), and check no other program uses the port"},
	"doctor.webhook.health":        {"; último aviso %s, %d en la última hora, %d rechazados", "; last received %s, %d in the last hour, %d rejected"},
	"doctor.webhook.url_ok":        {"la URL registrada (%s) responde desde este equipo", "the registered URL (%s) answers from this host"},
	"doctor.webhook.url_bad":       {"la URL registrada (%s) no responde desde este equipo: %s", "the registered URL (%s) does not answer from this host: %s"},
	"doctor.webhook.url_fix":       {"revise que el proxy o el cortafuegos lleve %s hasta folio run --listen, y que la URL de folio webhook url sea la registrada en Multivende", "check that the proxy or firewall forwards %s to folio run --listen, and that the URL folio webhook url prints is the one registered in Multivende"},
	"doctor.webhook.url_none":      {"no hay URL pública registrada: Multivende no puede avisar", "no public URL registered: Multivende cannot notify folio"},
	"doctor.webhook.url_none_fix":  {"registre en Multivende la URL que imprime folio webhook url --public-base https://su-dominio", "register in Multivende the URL printed by folio webhook url --public-base https://your-host"},
	"doctor.webhook.rejected_many": {"%d avisos rechazados (secreto, cuerpo o client_id incorrectos)", "%d notifications rejected (wrong secret, body or client_id)"},
	"doctor.webhook.rejected_fix":  {"compare la URL registrada en Multivende con folio webhook url, y el client_id de la app con el de la conexión", "compare the URL registered in Multivende with folio webhook url, and the app's client_id with the connection's"},
}
