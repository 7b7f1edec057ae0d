package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Connection kinds.
const (
	KindMultivende  = "multivende"
	KindLibreDTE    = "libredte"
	KindOpenFactura = "openfactura"
)

// IsInvoicerKind says whether a connection of kind k is an invoicer
// account (folio issues through exactly one).
func IsInvoicerKind(k string) bool { return k == KindLibreDTE || k == KindOpenFactura }

// Connection statuses.
const (
	ConnOK             = "ok"
	ConnNeedsReconnect = "needs_reconnect"
	ConnError          = "error"
)

// Connection is a Multivende merchant or an invoicer account. It holds
// secrets: never print one of its token or key fields.
type Connection struct {
	ID               int64
	Name             string
	Kind             string
	BaseURL          string
	MerchantID       string
	EmisorRUT        string
	ClientID         string
	AccessToken      string
	RefreshToken     string
	APIKey           string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
	Scopes           []string
	Status           string
	Paused           bool
	HighWater        time.Time
	LastPollAt       time.Time
	LastError        string
	Settings         ConnSettings
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ConnSettings are a connection's per-merchant choices, stored as JSON.
// Empty fields mean the default of the package that reads them.
type ConnSettings struct {
	// Attaching documents in Multivende (internal/multivende's defaults).
	EmitterID string            `json:"emitter_id,omitempty"`
	Provider  string            `json:"provider,omitempty"`
	DocTypes  map[string]string `json:"doc_types,omitempty"` // DTE type ("39", "33", …) → Multivende's attach type
	// When an order gets a factura, beyond the buyer's billing identity:
	// a checkout field (a dotted JSON path) and the value that asks for one.
	FacturaField string `json:"factura_field,omitempty"`
	FacturaValue string `json:"factura_value,omitempty"`
}

// String names the connection without its secrets, so that a Connection
// printed by mistake (%v, %+v) shows no token or key.
func (c Connection) String() string {
	return fmt.Sprintf("connection %q (%s, id %d, %s)", c.Name, c.Kind, c.ID, c.Status)
}

// GoString is String for %#v.
func (c Connection) GoString() string { return c.String() }

// LogValue keeps secrets out of slog output.
func (c Connection) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", c.ID), slog.String("name", c.Name), slog.String("kind", c.Kind),
		slog.String("status", c.Status))
}

const connCols = `id, name, kind, base_url, merchant_id, emisor_rut, client_id, access_token, refresh_token, api_key,
	access_expires_at, refresh_expires_at, scopes, status, paused, high_water, last_poll_at, last_error, settings, created_at, updated_at`

func scanConn(sc scanner) (Connection, error) {
	var c Connection
	var ae, re, hw, lp, cr, up int64
	var scopes, settings string
	err := sc.Scan(&c.ID, &c.Name, &c.Kind, &c.BaseURL, &c.MerchantID, &c.EmisorRUT, &c.ClientID, &c.AccessToken,
		&c.RefreshToken, &c.APIKey, &ae, &re, &scopes, &c.Status, &c.Paused, &hw, &lp, &c.LastError, &settings, &cr, &up)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("connection: %w", ErrNotFound)
	}
	if err == nil && settings != "" && settings != "{}" {
		if jerr := json.Unmarshal([]byte(settings), &c.Settings); jerr != nil {
			return c, fmt.Errorf("connection %q: settings are not valid JSON: %w", c.Name, jerr)
		}
	}
	c.AccessExpiresAt, c.RefreshExpiresAt, c.HighWater = fromMS(ae), fromMS(re), fromMS(hw)
	c.LastPollAt, c.CreatedAt, c.UpdatedAt = fromMS(lp), fromMS(cr), fromMS(up)
	if scopes != "" {
		c.Scopes = strings.Fields(scopes)
	}
	return c, classify(err)
}

// SaveConnection inserts or updates (by name) a connection and returns its id.
func (t *Tx) SaveConnection(ctx context.Context, c Connection) (int64, error) {
	if c.Status == "" {
		c.Status = ConnOK
	}
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO connections (name, kind, base_url, merchant_id, emisor_rut, client_id,
		access_token, refresh_token, api_key, access_expires_at, refresh_expires_at, scopes, status, paused, high_water,
		last_poll_at, last_error, settings, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (name) DO UPDATE SET kind=excluded.kind, base_url=excluded.base_url, merchant_id=excluded.merchant_id,
		emisor_rut=excluded.emisor_rut, client_id=excluded.client_id, access_token=excluded.access_token,
		refresh_token=excluded.refresh_token, api_key=excluded.api_key, access_expires_at=excluded.access_expires_at,
		refresh_expires_at=excluded.refresh_expires_at, scopes=excluded.scopes, status=excluded.status,
		paused=excluded.paused, last_error=excluded.last_error, settings=excluded.settings, updated_at=excluded.updated_at
		RETURNING id`,
		c.Name, c.Kind, c.BaseURL, c.MerchantID, c.EmisorRUT, c.ClientID, c.AccessToken, c.RefreshToken, c.APIKey,
		ms(c.AccessExpiresAt), ms(c.RefreshExpiresAt), strings.Join(c.Scopes, " "), c.Status, c.Paused,
		ms(c.HighWater), ms(c.LastPollAt), c.LastError, settingsJSON(c.Settings), t.now, t.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save connection %q: %w", c.Name, classify(err))
	}
	return id, nil
}

func settingsJSON(s ConnSettings) string {
	b, err := json.Marshal(s)
	if err != nil { // a struct of strings and a string map always marshals
		return "{}"
	}
	return string(b)
}

// SetConnectionSettings replaces one connection's settings, by name.
func (t *Tx) SetConnectionSettings(ctx context.Context, name string, s ConnSettings) error {
	r, err := t.exec(ctx, `UPDATE connections SET settings=?, updated_at=? WHERE name=?`, settingsJSON(s), t.now, name)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("connection %q: %w", name, ErrNotFound)
	}
	return nil
}

// SetTokens stores refreshed tokens of a connection and marks it ok.
func (t *Tx) SetTokens(ctx context.Context, id int64, access, refresh string, accessExp, refreshExp time.Time) error {
	_, err := t.exec(ctx, `UPDATE connections SET access_token=?, refresh_token=?, access_expires_at=?, refresh_expires_at=?,
		status='ok', last_error='', updated_at=? WHERE id=?`, access, refresh, ms(accessExp), ms(refreshExp), t.now, id)
	return err
}

// SetConnectionStatus sets a connection's status and last error (plain
// words, never a secret); needs_reconnect also pauses it.
func (t *Tx) SetConnectionStatus(ctx context.Context, id int64, status, lastError string) error {
	_, err := t.exec(ctx, `UPDATE connections SET status=?, last_error=?, paused=CASE WHEN ?='needs_reconnect' THEN 1 ELSE paused END,
		updated_at=? WHERE id=?`, status, lastError, status, t.now, id)
	return err
}

// ResumeConnections resumes every connection a person paused; one that
// needs a reconnect stays paused until it is connected again.
func (t *Tx) ResumeConnections(ctx context.Context) error {
	_, err := t.exec(ctx, `UPDATE connections SET paused=0, updated_at=? WHERE paused=1 AND status <> 'needs_reconnect'`, t.now)
	return err
}

// SetConnectionPaused pauses or resumes one connection by name.
func (t *Tx) SetConnectionPaused(ctx context.Context, name string, paused bool) error {
	r, err := t.exec(ctx, `UPDATE connections SET paused=?, updated_at=? WHERE name=?`, paused, t.now, name)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("connection %q: %w", name, ErrNotFound)
	}
	return nil
}

// SetPolled records a finished poll: the new high-water mark and any error.
func (t *Tx) SetPolled(ctx context.Context, id int64, highWater time.Time, lastError string) error {
	_, err := t.exec(ctx, `UPDATE connections SET high_water=max(high_water, ?), last_poll_at=?, last_error=?, updated_at=? WHERE id=?`,
		ms(highWater), t.now, lastError, t.now, id)
	return err
}

// DeleteConnection removes a connection by name. A Multivende connection
// with orders is kept (the orders need it) and an error says so.
func (t *Tx) DeleteConnection(ctx context.Context, name string) error {
	r, err := t.exec(ctx, `DELETE FROM connections WHERE name=?`, name)
	if err != nil {
		if isConstraint(errors.Unwrap(err)) || isConstraint(err) {
			return fmt.Errorf("connection %q still has orders; pause it instead (folio pause %s)", name, name)
		}
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("connection %q: %w", name, ErrNotFound)
	}
	return nil
}

// Connections lists every connection, by name.
func (s *Store) Connections(ctx context.Context) ([]Connection, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT `+connCols+` FROM connections ORDER BY kind DESC, name`)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Connection
	for rows.Next() {
		c, err := scanConn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, classify(rows.Err())
}

// Connection reads one connection by name.
func (s *Store) Connection(ctx context.Context, name string) (Connection, error) {
	c, err := scanConn(s.r.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE name=?`, name))
	if err != nil {
		return c, fmt.Errorf("connection %q: %w", name, err)
	}
	return c, nil
}

// ConnectionByID reads one connection by id (orders carry the id).
func (s *Store) ConnectionByID(ctx context.Context, id int64) (Connection, error) {
	c, err := scanConn(s.reads.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE id=?`, id))
	if err != nil {
		return c, fmt.Errorf("connection %d: %w", id, err)
	}
	return c, nil
}
