package libredte

// LibreDTE's item catalog (productos y servicios), as its public code has
// it. Source: LibreDTE/libredte-app-community,
// src/community/Module/Dte/Module/Admin/Controller/Itemes.php (the API
// resources), Model/Item.php (the columns) and webroot/archivos/item.csv
// (the import file's example); read at commit f783d00.
//
//   - GET /api/dte/admin/itemes/raw/{empresa} (_api_raw_GET): every item of
//     the company, active or not, as rows of the item table ordered by
//     name: contribuyente, codigo_tipo, codigo, item, descripcion,
//     clasificacion, unidad, precio (real), moneda, bruto (bool), exento
//     (smallint), descuento, descuento_tipo, impuesto_adicional, activo
//     (bool). Needs permission on /dte/documentos/emitir.
//   - GET /api/dte/admin/itemes/info/{empresa}/{codigo} (_api_info_GET):
//     one active item in DTE shape (VlrCodigo, NmbItem, PrcItem, IndExe,
//     …); 404 when it is missing or inactive. folio does not need it.
//   - There is no API resource that creates, changes, deactivates or
//     deletes an item: crear, editar, eliminar and importar are web pages
//     behind a session (Controller_Maintainer's forms and the CSV upload).
//     So WriteItems is false, and folio writes the import file instead
//     (WriteImportCSV) for a person to upload at /dte/admin/itemes/importar,
//     which creates or updates by (codigo_tipo, codigo) and sets activo.
//   - No stock: inventory is a module of the closed enterprise edition
//     (libredte\enterprise\Inventario). No price lists: Documentos/emitir.php
//     says "no hay listas de precios actualmente".
//
// Choices folio made (each only here):
//   - codigo_tipo is INT1 (LibreDTE's default) for every item folio writes;
//     items of another codigo_tipo are listed with their code as it is.
//   - Prices are compared gross (IVA included), as Multivende gives them:
//     a net item (bruto false, not exempt) is read as round(precio × 1.19),
//     half away from zero; folio writes bruto=1 with the gross price.
//   - Numbers and booleans come from PHP and PostgreSQL as numbers,
//     numeric strings, true/false or "t"/"f": all are read.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
)

const (
	pathItemsRaw  = "/dte/admin/itemes/raw/{empresa}"
	pathItemInfo  = "/dte/admin/itemes/info/{empresa}/{codigo}" // documented for completeness; unused
	pathImportWeb = "/dte/admin/itemes/importar"                // web page, not API: relative to the site
)

// itemCodigoTipo is the codigo_tipo folio writes.
const itemCodigoTipo = "INT1"

// importColumns are the columns LibreDTE's importar reads, in its order
// (Itemes.php, $cols).
var importColumns = []string{"codigo_tipo", "codigo", "item", "descripcion", "clasificacion", "unidad", "precio",
	"moneda", "exento", "descuento", "descuento_tipo", "impuesto_adicional", "activo", "bruto"}

// maxItemName is the item column's length (character varying(80)).
const maxItemName = 80

// itemRow is one row of itemes/raw.
type itemRow struct {
	CodigoTipo    string          `json:"codigo_tipo"`
	Codigo        json.RawMessage `json:"codigo"`
	Item          string          `json:"item"`
	Clasificacion json.RawMessage `json:"clasificacion"`
	Precio        json.RawMessage `json:"precio"`
	Moneda        string          `json:"moneda"`
	Bruto         json.RawMessage `json:"bruto"`
	Exento        json.RawMessage `json:"exento"`
	Activo        json.RawMessage `json:"activo"`
}

var _ invoicer.Catalog = (*Client)(nil)

// CatalogCaps implements invoicer.Catalog: LibreDTE lists items through its
// API and nothing more.
func (c *Client) CatalogCaps() invoicer.CatalogCaps {
	return invoicer.CatalogCaps{ListItems: true, MaxName: maxItemName}
}

// ListItems implements invoicer.Catalog (itemes/raw).
func (c *Client) ListItems(ctx context.Context) ([]invoicer.CatalogItem, error) {
	const op = "itemes/raw"
	raw, err := c.do(ctx, call{op: op, method: http.MethodGet, path: expand(pathItemsRaw, "empresa", strconv.Itoa(c.emisor.Body))})
	if err != nil {
		return nil, err
	}
	var rows []itemRow
	if err := decodeReply(op, raw, &rows, false); err != nil {
		return nil, err
	}
	out := make([]invoicer.CatalogItem, 0, len(rows))
	for i, r := range rows {
		it, err := r.item()
		if err != nil {
			return nil, &invoicer.Error{Code: invoicer.CodeServer, Op: op, Status: http.StatusOK,
				Msg: i18n.M("invoicer.item_unexpected", i+1), Err: err}
		}
		out = append(out, it)
	}
	return out, nil
}

// UpsertItem implements invoicer.Catalog: LibreDTE's API has no such call.
func (c *Client) UpsertItem(context.Context, invoicer.CatalogItem) error {
	return fmt.Errorf("libredte: create or change an item: %w (use the CSV import: %s)", invoicer.ErrNotOffered, c.ImportURL())
}

// DeactivateItem implements invoicer.Catalog: LibreDTE's API has no such call.
func (c *Client) DeactivateItem(context.Context, string) error {
	return fmt.Errorf("libredte: deactivate an item: %w (use the CSV import: %s)", invoicer.ErrNotOffered, c.ImportURL())
}

// ImportURL is the web page where a person uploads the file WriteImportCSV
// writes: the API root without its /api, then /dte/admin/itemes/importar.
func (c *Client) ImportURL() string {
	return strings.TrimSuffix(c.cfg.BaseURL, "/api") + pathImportWeb
}

func (r itemRow) item() (invoicer.CatalogItem, error) {
	code := rawText(r.Codigo)
	if code == "" {
		return invoicer.CatalogItem{}, fmt.Errorf("codigo is empty")
	}
	precio, err := decimal(r.Precio)
	if err != nil {
		return invoicer.CatalogItem{}, fmt.Errorf("codigo %s: precio: %w", code, err)
	}
	exento, err := decimal(r.Exento)
	if err != nil {
		return invoicer.CatalogItem{}, fmt.Errorf("codigo %s: exento: %w", code, err)
	}
	it := invoicer.CatalogItem{Code: code, Name: r.Item, Currency: strings.ToUpper(strings.TrimSpace(r.Moneda)),
		Exempt: exento.Sign() != 0, Active: truthy(r.Activo, true), Group: rawText(r.Clasificacion)}
	if it.Currency == "" {
		it.Currency = "CLP"
	}
	if !truthy(r.Bruto, false) && !it.Exempt {
		precio.Mul(precio, big.NewRat(119, 100))
	}
	it.Price = roundHalfAway(precio)
	return it, nil
}

// WriteImportCSV writes items as LibreDTE's item import file (semicolons,
// a header row, the columns of importColumns): codigo_tipo INT1, the gross
// price with bruto=1, activo 1 or 0. An item without a Group gets group
// (the import refuses a clasificación the company does not have). The
// import refuses a price of 0 or less, so such an item is an error here.
func WriteImportCSV(w io.Writer, items []invoicer.CatalogItem, group string) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(importColumns); err != nil {
		return fmt.Errorf("libredte import file: %w", err)
	}
	for _, it := range items {
		if it.Price <= 0 {
			return fmt.Errorf("libredte import file: item %s: LibreDTE's import refuses a price of %d", it.Code, it.Price)
		}
		g := it.Group
		if g == "" {
			g = group
		}
		name := it.Name
		if r := []rune(name); len(r) > maxItemName {
			name = string(r[:maxItemName])
		}
		rec := []string{itemCodigoTipo, it.Code, name, "", g, "", strconv.FormatInt(it.Price, 10),
			"CLP", boolDigit(it.Exempt), "0", "%", "", boolDigit(it.Active), "1"}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("libredte import file: item %s: %w", it.Code, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("libredte import file: %w", err)
	}
	return nil
}

func boolDigit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

// rawText reads a JSON string or number as text ("" for null).
func rawText(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	if uq, err := strconv.Unquote(s); err == nil {
		return strings.TrimSpace(uq)
	}
	return s
}

// decimal reads a JSON number or numeric string exactly (null is 0).
func decimal(raw json.RawMessage) (*big.Rat, error) {
	s := rawText(raw)
	switch s {
	case "", "false":
		return new(big.Rat), nil
	case "true":
		return big.NewRat(1, 1), nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("not a number: %.20s", s)
	}
	return r, nil
}

// truthy reads PHP and PostgreSQL booleans: true/false, "t"/"f", 1/0,
// "1"/"0"; null or absent is def.
func truthy(raw json.RawMessage, def bool) bool {
	switch strings.ToLower(rawText(raw)) {
	case "":
		return def
	case "true", "t", "1", "yes", "y":
		return true
	}
	return false
}

// roundHalfAway rounds to a whole number, half away from zero.
func roundHalfAway(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}
