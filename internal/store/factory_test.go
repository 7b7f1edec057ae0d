package store

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Realistic orders for tests and benchmarks, built from the Multivende
// samples in testdata: varied marketplaces, codes, Chilean buyers with
// valid RUTs, and the raw JSON a real ingest stores.

var (
	firstNames = strings.Fields("Camila Matías Sofía Benjamín Valentina Vicente Isidora Martín Florencia Agustín " +
		"Antonia Joaquín Emilia Tomás Catalina Lucas Javiera Cristóbal Fernanda Maximiliano Constanza Diego " +
		"Francisca Sebastián Josefa Felipe Trinidad Ignacio Martina Gabriel")
	surnames = strings.Fields("González Muñoz Rojas Díaz Pérez Soto Contreras Silva Martínez Sepúlveda Morales " +
		"Rodríguez López Fuentes Hernández Torres Araya Flores Espinoza Valenzuela Castillo Tapia Reyes Gutiérrez " +
		"Castro Pizarro Álvarez Vásquez Sánchez Fernández Ramírez Carrasco Gómez Cortés Herrera Núñez Jara " +
		"Vergara Rivera Figueroa")
	companies = []string{"Comercial Los Aromos SpA", "Distribuidora Andes Ltda.", "Ferretería El Roble SpA",
		"Importadora Pacífico Sur Ltda.", "Servicios Quillay SpA", "Librería Austral Ltda.", "Agrícola Maitén SpA",
		"Constructora Lingue Ltda.", "Panadería La Espiga SpA", "Textil Copihue Ltda."}
	markets = []struct{ origin, prefix string }{
		{"mercadolibre", "2000"}, {"mercadolibre", "2000"}, {"mercadolibre", "2000"}, {"mercadolibre", "2000"},
		{"falabella", "FAL-"}, {"falabella", "FAL-"}, {"ripley", "RPL-"}, {"paris", "PAR-"},
		{"shopify", "SHP-"}, {"woocommerce", "WOO-"},
	}
)

// rutDV computes a RUT's mod-11 check digit.
func rutDV(body int) string {
	sum, mul := 0, 2
	for b := body; b > 0; b /= 10 {
		sum += (b % 10) * mul
		if mul++; mul > 7 {
			mul = 2
		}
	}
	switch r := 11 - sum%11; r {
	case 11:
		return "0"
	case 10:
		return "K"
	default:
		return fmt.Sprint(r)
	}
}

// fakeBuyer is the i-th buyer: a person most of the time, a company (with
// a company RUT, buying with a factura) one time in thirty.
func fakeBuyer(i int) (name, rut string, factura bool) {
	h := uint32(i)*2654435761 + 12345
	if h%30 == 0 {
		c := int(h/30) % len(companies)
		body := 76_000_000 + c*104_729
		return companies[c], fmt.Sprintf("%d-%s", body, rutDV(body)), true
	}
	f, s1, s2 := int(h%uint32(len(firstNames))), int(h/7)%len(surnames), int(h/331)%len(surnames)
	body := 5_000_000 + int(h%20_000_000)
	return firstNames[f] + " " + surnames[s1] + " " + surnames[s2], fmt.Sprintf("%d-%s", body, rutDV(body)), false
}

// fakeCode is the i-th order's marketplace and code.
func fakeCode(i int) (origin, code string) {
	m := markets[i%len(markets)]
	if m.prefix == "2000" {
		return m.origin, fmt.Sprintf("2000%09d", 4_000_000+i*7)
	}
	return m.origin, fmt.Sprintf("%s%09d", m.prefix, 100_000_000+i*13)
}

var samples = sync.OnceValues(func() (map[string]any, error) {
	b, err := os.ReadFile("testdata/multivende-checkout.json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
})

// fakeRaw is the i-th order's checkout detail JSON (about 1 KB), from the
// testdata sample with this order's identity and buyer.
func fakeRaw(tb testing.TB, id string, i int) string {
	tb.Helper()
	m, err := samples()
	if err != nil {
		tb.Fatal(err)
	}
	name, rut, factura := fakeBuyer(i)
	origin, code := fakeCode(i)
	c := map[string]any{}
	for k, v := range m {
		c[k] = v
	}
	client := map[string]any{}
	for k, v := range m["Client"].(map[string]any) {
		client[k] = v
	}
	client["fullName"], client["taxId"] = name, ""
	if factura {
		// The buyer's billing identity makes it a factura (multivende-api.md).
		client["taxId"], client["type"], client["activity"] = rut, "company", "Comercio al por menor"
	}
	c["_id"], c["code"], c["origin"], c["Client"] = id, code, origin, client
	b, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// fakeLight is the i-th order as the checkouts list gives it.
func fakeLight(id string, i int, at time.Time) string {
	origin, code := fakeCode(i)
	return fmt.Sprintf(`{"_id":%q,"code":%q,"origin":%q,"paymentStatus":"completed","status":"confirmed","soldAt":%q,"updatedAt":%q,"total":%d}`,
		id, code, origin, at.UTC().Format(time.RFC3339Nano), at.UTC().Format(time.RFC3339Nano), 990+i%300_000)
}
