package mvsim

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
)

var (
	firstNames = []string{"Camila", "Matías", "Sofía", "Benjamín", "Valentina", "Agustín", "Isidora", "Tomás", "Florencia", "Vicente",
		"Martina", "Joaquín", "Antonia", "Maximiliano", "Josefa", "Cristóbal", "Catalina", "Diego", "Fernanda", "Felipe"}
	lastNames = []string{"Rojas", "González", "Muñoz", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda", "Morales", "Rodríguez",
		"López", "Fuentes", "Hernández", "Torres", "Araya", "Flores", "Espinoza", "Valenzuela", "Castillo", "Pérez"}
	comunas = []struct{ comuna, city string }{{"Santiago", "Santiago"}, {"Providencia", "Santiago"}, {"Las Condes", "Santiago"},
		{"Ñuñoa", "Santiago"}, {"Maipú", "Santiago"}, {"La Florida", "Santiago"}, {"Puente Alto", "Santiago"}, {"Vitacura", "Santiago"},
		{"Viña del Mar", "Viña del Mar"}, {"Valparaíso", "Valparaíso"}, {"Concepción", "Concepción"}, {"Temuco", "Temuco"},
		{"Antofagasta", "Antofagasta"}, {"La Serena", "La Serena"}, {"Rancagua", "Rancagua"}, {"Talca", "Talca"}, {"Puerto Montt", "Puerto Montt"}}
	streets   = []string{"Av. Providencia", "Av. Libertador Bernardo O'Higgins", "Calle Los Aromos", "Av. Apoquindo", "Pasaje Las Rosas", "Av. Grecia", "Calle Prat", "Av. Alemania"}
	companies = []struct{ name, giro string }{
		{"Comercial Los Aromos SpA", "Venta al por menor de artículos de ferretería"},
		{"Ferretería El Roble Ltda.", "Venta al por mayor de materiales de construcción"},
		{"Distribuidora Andes SpA", "Comercio al por mayor no especializado"},
		{"Inversiones Pacífico Ltda.", "Actividades de oficinas principales"},
		{"Servicios Integrales Maule SpA", "Servicios de apoyo a empresas"},
		{"Importadora Austral Ltda.", "Importación y venta de artículos para el hogar"},
		{"Librería Cordillera SpA", "Venta al por menor de libros"},
		{"Constructora Bío Bío S.A.", "Construcción de edificios"},
	}
	products = []struct {
		sku, name string
		gross     int64
	}{
		{"TAZA-CER-01", "Taza de cerámica esmaltada 350 ml, azul", 12990}, {"BRO-SET", "Set de brocas", 990},
		{"TAL-18V", "Taladro percutor inalámbrico 18V con 2 baterías", 49990}, {"AUD-BT-200", "Audífonos Bluetooth con cancelación de ruido", 39990},
		{"POL-ORG-M", "Polera algodón orgánico talla M", 14990}, {"MOC-URB-20", "Mochila urbana 20 L", 24990},
		{"LAM-LED-01", "Lámpara de escritorio LED regulable", 19990}, {"CAF-ITA-6", "Cafetera italiana 6 tazas", 17990},
		{"ZAP-RUN-42", "Zapatillas running talla 42", 59990}, {"BOT-TER-750", "Botella térmica 750 ml", 9990},
		{"CUA-UNI-100", "Cuaderno universitario 100 hojas", 1990}, {"CAR-USBC-65", "Cargador USB-C 65 W", 22990},
		{"MOU-INA-01", "Mouse inalámbrico ergonómico", 8990}, {"SAR-28", "Sartén antiadherente 28 cm", 15990},
		{"SAB-2P", "Juego de sábanas 2 plazas, 144 hilos", 29990}, {"PAR-PORT", "Parlante portátil resistente al agua", 34990},
		{"TEC-MEC-01", "Teclado mecánico retroiluminado", 44990}, {"SIL-ERG", "Silla ergonómica de escritorio", 129990},
		{"MON-27-4K", "Monitor 27 pulgadas 4K", 199990}, {"HER-SET-46", "Set de herramientas 46 piezas", 25990},
	}
	marketplaces = []string{"mercadolibre", "mercadolibre", "mercadolibre", "falabella", "falabella", "ripley", "paris", "shopify"}
	couriers     = []string{"Chilexpress", "Starken", "Blue Express", "Correos de Chile"}
	methods      = []string{"mercadopago", "webpay", "transferencia", "onepay"}
)

// methodNames are the payment methods' display names.
var methodNames = map[string]string{"mercadopago": "Mercado Pago", "webpay": "Webpay", "transferencia": "Transferencia", "onepay": "Onepay"}

// marketplaceNames are the marketplace connections' display names.
var marketplaceNames = map[string]string{"mercadolibre": "Mercado Libre", "falabella": "Falabella", "ripley": "Ripley", "paris": "Paris", "shopify": "Shopify"}

// generator makes checkouts from a seed, so a run can be repeated.
type generator struct {
	rng      *rand.Rand
	n        int
	merchant string // the merchant's id, on every checkout
}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) rut(company bool) string {
	body := 5_000_000 + g.rng.IntN(20_000_000)
	if company {
		body = 76_000_000 + g.rng.IntN(1_999_999)
	}
	return dte.RUT{Body: body, DV: dte.CheckDigit(body)}.Dotted()
}

func (g *generator) code(origin string) string {
	switch origin {
	case "mercadolibre":
		return fmt.Sprintf("2000%09d", 9_000_000+g.n*7919%90_000_000)
	case "falabella":
		return fmt.Sprintf("FAL-%09d", 118_000_000+g.n)
	case "ripley":
		return fmt.Sprintf("RIP-%08d", 55_000_000+g.n)
	case "paris":
		return fmt.Sprintf("PAR-%07d", 7_700_000+g.n)
	default:
		return fmt.Sprintf("SHP-%d", 1000+g.n)
	}
}

func (g *generator) id() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	return uuid(b)
}

func uuid(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// stableID is a UUID-shaped id that depends only on its key (a product's,
// a user's), so the same product has the same id in every order and the
// random sequence of the generator is not disturbed.
func stableID(key string) string {
	h := sha256.Sum256([]byte(key))
	return uuid(h[:16])
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkout generates one order sold at soldAt. About one in five is a
// factura: the buyer's billing identity in Client (as in the shared
// fixture) or, for every other one, in CheckoutBillingClients; some are
// unpaid (a part of them paid later), some cancelled, a few facturas carry
// an invalid RUT or lack the giro.
func (g *generator) checkout(soldAt time.Time) *checkout {
	g.n++
	origin := marketplaces[g.pick(len(marketplaces))]
	first, last := firstNames[g.pick(len(firstNames))], lastNames[g.pick(len(lastNames))]
	c := &checkout{ID: g.id(), Code: g.code(origin), Origin: origin, Status: "confirmed", PaymentStatus: "completed",
		VerificationStatus: "verified", DeliveryStatus: "pending", SoldAt: soldAt,
		UpdatedAt: soldAt.Add(time.Duration(10+g.pick(120)) * time.Second), MerchantID: g.merchant,
		CreatedByID: stableID("user:" + g.merchant), ShippingMode: "custom", Comment: nil}
	// Created a few seconds after the sale, with milliseconds, and never
	// after the last update.
	c.CreatedAt = soldAt.Add(5*time.Second + time.Duration(g.n*37%1000)*time.Millisecond)
	clientID := g.id()
	second := lastNames[g.pick(len(lastNames))]
	c.Client = client{ID: clientID, Name: ptr(first), LastName: ptr(last + " " + second), FullName: first + " " + last + " " + second,
		Type: "person", MerchantID: g.merchant,
		Email: strings.ToLower(asciiFold(first+"."+last)) + fmt.Sprintf("%d@example.cl", g.n), BillingAddresses: []billingAddress{}}
	c.ClientID = c.Client.ID
	c.BillingClients = []billingClient{}
	ext := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(c.Code, "FAL-"), "RIP-"), "PAR-"), "SHP-"), "0")
	c.Link = checkoutLink{CheckoutID: c.ID, ExternalOrderNumber: ext, ExternalCustomerOrderNumber: c.Code,
		MarketplaceConnection: marketplaceConnection{ID: stableID("mc:" + g.merchant + origin), Name: marketplaceNames[origin], Provider: origin}}
	if g.pick(3) > 0 {
		c.Client.PhoneNumber = fmt.Sprintf("+56 9 %04d %04d", g.pick(10000), g.pick(10000))
	}
	cm := comunas[g.n%len(comunas)]
	street, number := streets[g.n%len(streets)], fmt.Sprint(100+g.n*37%9000)
	if g.pick(5) == 0 {
		co := companies[g.pick(len(companies))]
		cm = comunas[g.pick(len(comunas))]
		rut, giro := g.rut(true), co.giro
		street = streets[g.pick(len(streets))]
		number = fmt.Sprint(100 + g.pick(9000))
		switch g.pick(12) {
		case 0: // a typo in the RUT's check digit
			rut = breakRUT(rut)
		case 1:
			giro = ""
		}
		addr := billingAddress{ID: stableID("ba:" + c.ID), Address1: street + " " + number, Street: street, Number: number,
			City: ptr(cm.comuna), State: "Metropolitana de Santiago", Country: "Chile"}
		if g.n%3 == 0 { // some marketplaces leave the address's city empty: the comuna is the client's
			addr.City = nil
		}
		if g.n%4 == 0 {
			addr.Address2 = ptr(fmt.Sprintf("oficina %d", 10+g.n%90))
		}
		if g.n%2 == 0 {
			// The identity on Client, as in the shared factura fixture.
			c.Client = client{ID: c.Client.ID, Name: ptr(co.name), FullName: co.name, ContactName: c.Client.FullName,
				DocumentType: ptr("RUT"), TaxID: ptr(rut), Type: "company", Activity: ptr(giro), Comune: ptr(cm.comuna),
				City: ptr(cm.city), Email: c.Client.Email, PhoneNumber: c.Client.PhoneNumber, MerchantID: g.merchant,
				BillingAddresses: []billingAddress{addr}}
			c.BillingClients = []billingClient{{DocumentType: "RUT"}}
		} else {
			// The identity in CheckoutBillingClients; Client is the person.
			c.Client.Comune = ptr(cm.comuna)
			c.BillingClients = []billingClient{{DocumentType: "RUT", TaxID: rut, FullName: co.name, Type: "company",
				Activity: giro, BillingAddresses: []billingAddress{addr}}}
			if addr.City == nil {
				c.BillingClients[0].BillingAddresses[0].City = ptr(cm.comuna)
			}
		}
	}
	lines := 1 + g.pick(4)
	if g.pick(3) > 0 {
		lines = 1
	}
	var sum int64
	for i := 0; i < lines; i++ {
		p := products[g.pick(len(products))]
		qty := 1
		if g.pick(4) == 0 {
			qty = 2 + g.pick(2)
		}
		var disc int64
		if g.pick(6) == 0 {
			disc = int64(qty) * p.gross / 10 / 10 * 10 // 10 %, whole tens of pesos
		}
		total := int64(qty)*p.gross - disc
		net := dte.NetFromGross(p.gross)
		pv := stableID("pv:" + p.sku)
		c.Items = append(c.Items, item{ID: g.id(), CheckoutID: c.ID, MerchantID: g.merchant, Code: p.sku, Count: qty,
			Gross: p.gross, Net: net, Tax: p.gross - net, Total: int64(qty) * p.gross, Discount: disc, TotalWithDiscount: total,
			PaymentByItem: total, CheckoutItemDiscounts: []any{}, ProductVersionID: pv,
			ProductVersion: itemVersion{ID: pv, ProductID: stableID("p:" + p.sku), Code: p.sku,
				Product: itemProduct{ID: stableID("p:" + p.sku), Name: p.name}}})
		sum += total
	}
	c.Delivery = []deliveryOrderIn{}
	if g.pick(2) == 0 {
		cost := []int64{2990, 3990, 4990, 5990}[g.pick(4)]
		deliveryID := g.id()
		courier := couriers[g.pick(len(couriers))]
		d := deliveryOrderIn{DeliveryOrder: deliveryOrder{ID: deliveryID, Code: fmt.Sprintf("4%010d", 1_000_000_000+g.n*7907%1_000_000_000),
			Cost: cost, IsDeliveryPaid: "buyer", CourierName: courier,
			ShippingAddress: &shippingAddress{Address1: street + " " + number, Street: street, Number: number, City: cm.comuna, State: "Metropolitana de Santiago"}}}
		for _, it := range c.Items {
			d.Items = append(d.Items, deliveryItem{CheckoutItemID: it.ID})
		}
		c.Delivery = append(c.Delivery, d)
		c.CourierName = ptr(courier)
		sum += cost
	}
	var coupon int64
	if g.pick(8) == 0 && sum > 5000 {
		coupon = []int64{1000, 2000, 3000, 5000}[g.pick(4)]
		if coupon >= sum {
			coupon = 1000
		}
	}
	// No field carries the coupon: it shows only in the total.
	c.Total = sum - coupon
	c.Net = dte.NetFromGross(c.Total)
	paymentID := g.id()
	m := methods[g.pick(len(methods))]
	c.Payments = []payment{{ID: paymentID, Amount: c.Total, Status: "active", PaymentMethod: paymentMethod{Code: m, Name: methodNames[m]}}}
	c.setPayment("completed", soldAt.Add(time.Duration(g.n*53%5000)*time.Millisecond))
	c.IsMultiwarehouse = new(bool)
	switch r := g.pick(100); {
	case r < 6: // unpaid for good
		c.setPayment("pending", c.UpdatedAt)
	case r < 14: // paid some minutes later
		c.setPayment("pending", c.UpdatedAt)
		c.payAt = c.UpdatedAt.Add(time.Duration(30+g.pick(600)) * time.Second)
	case r < 18:
		c.Status = "cancelled"
		c.setPayment("cancelled", c.UpdatedAt)
	}
	c.Documents = []*document{}
	return c
}

func breakRUT(r string) string {
	last := r[len(r)-1]
	repl := byte('1')
	if last == '1' {
		repl = '2'
	}
	return r[:len(r)-1] + string(repl)
}

func asciiFold(s string) string {
	return strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "Ñ", "N").Replace(s)
}
