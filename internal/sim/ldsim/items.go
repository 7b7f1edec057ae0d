package ldsim

// LibreDTE's item catalog as its API offers it, and only that (source:
// LibreDTE/libredte-app-community, Module/Dte/Module/Admin/Controller/
// Itemes.php and Model/Item.php):
//
//   - GET /api/dte/admin/itemes/raw/{empresa}: every item row.
//   - GET /api/dte/admin/itemes/info/{empresa}/{codigo}: one active item in
//     DTE shape; 404 "Item solicitado no existe o está inactivo.".
//
// LibreDTE has no API call that writes items (its web forms and CSV import
// need a session), no stock and no price lists; the simulator does not
// invent them. Tests and the demo seed items with SetItems.

import (
	"net/http"
	"sort"
	"sync"
)

// Item is one row of LibreDTE's item table, as itemes/raw gives it.
type Item struct {
	Contribuyente     int64   `json:"contribuyente"`
	CodigoTipo        string  `json:"codigo_tipo"`
	Codigo            string  `json:"codigo"`
	Item              string  `json:"item"`
	Descripcion       string  `json:"descripcion"`
	Clasificacion     string  `json:"clasificacion"`
	Unidad            string  `json:"unidad"`
	Precio            float64 `json:"precio"`
	Moneda            string  `json:"moneda"`
	Bruto             bool    `json:"bruto"`
	Exento            int     `json:"exento"`
	Descuento         float64 `json:"descuento"`
	DescuentoTipo     string  `json:"descuento_tipo"`
	ImpuestoAdicional *int    `json:"impuesto_adicional"`
	Activo            bool    `json:"activo"`
}

// itemStore holds a server's items (Server.catalog) with its own lock, so
// State can read it while holding s.mu.
type itemStore struct {
	mu    sync.Mutex
	items map[string]Item // by codigo_tipo + "\x00" + codigo
}

func (s *Server) itemStore() *itemStore { return s.catalog }

func itemKey(tipo, codigo string) string { return tipo + "\x00" + codigo }

// SetItems puts items in the account's catalog (by codigo_tipo and codigo,
// replacing what is there; codigo_tipo defaults to INT1, moneda to CLP,
// descuento_tipo to %). Contribuyente is always the account's company.
func (s *Server) SetItems(items ...Item) {
	st := s.itemStore()
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, it := range items {
		if it.CodigoTipo == "" {
			it.CodigoTipo = "INT1"
		}
		if it.Moneda == "" {
			it.Moneda = "CLP"
		}
		if it.DescuentoTipo == "" {
			it.DescuentoTipo = "%"
		}
		it.Contribuyente = s.emisor
		st.items[itemKey(it.CodigoTipo, it.Codigo)] = it
	}
}

// Items returns the account's items ordered by name, then code, as
// itemes/raw does.
func (s *Server) Items() []Item {
	st := s.itemStore()
	st.mu.Lock()
	out := make([]Item, 0, len(st.items))
	for _, it := range st.items {
		out = append(out, it)
	}
	st.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Item != out[j].Item {
			return out[i].Item < out[j].Item
		}
		return out[i].Codigo < out[j].Codigo
	})
	return out
}

// itemRoutes adds the item endpoints to the API mux.
func (s *Server) itemRoutes(api *http.ServeMux) {
	api.HandleFunc("GET /api/dte/admin/itemes/raw/{empresa}", s.authed(s.itemsRaw))
	api.HandleFunc("GET /api/dte/admin/itemes/info/{empresa}/{codigo}", s.authed(s.itemInfo))
}

func (s *Server) itemsRaw(w http.ResponseWriter, r *http.Request) {
	if !s.isEmisor(r.PathValue("empresa")) {
		fail(w, http.StatusNotFound, "Empresa solicitada no existe.") // LibreDTE
		return
	}
	reply(w, http.StatusOK, s.Items())
}

// itemInfo answers in DTE shape, as _api_info_GET does with its defaults
// (neto price unless ?bruto=1; no discounts, no additional taxes).
func (s *Server) itemInfo(w http.ResponseWriter, r *http.Request) {
	if !s.isEmisor(r.PathValue("empresa")) {
		fail(w, http.StatusNotFound, "Empresa solicitada no existe.")
		return
	}
	tipo := r.URL.Query().Get("tipo")
	if tipo == "" {
		tipo = "INT1"
	}
	st := s.itemStore()
	st.mu.Lock()
	it, ok := st.items[itemKey(tipo, r.PathValue("codigo"))]
	st.mu.Unlock()
	if !ok || !it.Activo {
		fail(w, http.StatusNotFound, "Item solicitado no existe o está inactivo.")
		return
	}
	bruto := r.URL.Query().Get("bruto") == "1"
	precio := it.Precio
	switch {
	case it.Bruto && !bruto:
		precio = it.Precio / 1.19
	case !it.Bruto && bruto:
		precio = it.Precio * 1.19
	}
	reply(w, http.StatusOK, map[string]any{"TpoCodigo": it.CodigoTipo, "VlrCodigo": it.Codigo, "NmbItem": it.Item,
		"DscItem": it.Descripcion, "IndExe": it.Exento, "UnmdItem": it.Unidad, "PrcItem": precio, "Moneda": it.Moneda,
		"MntBruto": bruto, "ValorDR": 0, "TpoValor": it.DescuentoTipo, "CodImpAdic": it.ImpuestoAdicional, "TasaImp": 0})
}
