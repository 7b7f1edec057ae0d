package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ID names h in the engines and connection_leases tables.
func (h Holder) ID() string {
	return fmt.Sprintf("%s/%d/%d", h.Host, h.PID, ms(h.StartedAt))
}

// EngineInfo is one engine registered on the store, as the console shows
// it: who, since when, and whether its registration is still renewed.
type EngineInfo struct {
	ID          string
	Holder      Holder
	HeartbeatAt time.Time
	ExpiresAt   time.Time
	Live        bool
}

// ConnectionLease is which engine works a connection (merchant), until
// when, and at which generation.
type ConnectionLease struct {
	ConnectionID int64
	Engine       string // EngineInfo.ID
	AcquiredAt   time.Time
	HeartbeatAt  time.Time
	ExpiresAt    time.Time
	Generation   int64
	Live         bool
}

// Engines lists the engines registered on the store, live or not, the
// newest first.
func (s *Store) Engines(ctx context.Context) ([]EngineInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, pid, host, started_at, heartbeat_at, expires_at FROM engines ORDER BY started_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: reading the engines: %w", classify(err))
	}
	defer rows.Close()
	now := ms(s.leaseNow())
	var out []EngineInfo
	for rows.Next() {
		var e EngineInfo
		var started, hb, exp int64
		if err := rows.Scan(&e.ID, &e.Holder.PID, &e.Holder.Host, &started, &hb, &exp); err != nil {
			return nil, fmt.Errorf("store: reading the engines: %w", classify(err))
		}
		e.Holder.StartedAt, e.HeartbeatAt, e.ExpiresAt, e.Live = fromMS(started), fromMS(hb), fromMS(exp), exp > now
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading the engines: %w", classify(err))
	}
	return out, nil
}

// ConnectionLeases lists the connections' leases, live or expired, by
// connection.
func (s *Store) ConnectionLeases(ctx context.Context) ([]ConnectionLease, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT connection_id, engine, acquired_at, heartbeat_at, expires_at, generation FROM connection_leases ORDER BY connection_id`)
	if err != nil {
		return nil, fmt.Errorf("store: reading the connection leases: %w", classify(err))
	}
	defer rows.Close()
	now := ms(s.leaseNow())
	var out []ConnectionLease
	for rows.Next() {
		var l ConnectionLease
		var acq, hb, exp int64
		if err := rows.Scan(&l.ConnectionID, &l.Engine, &acq, &hb, &exp, &l.Generation); err != nil {
			return nil, fmt.Errorf("store: reading the connection leases: %w", classify(err))
		}
		l.AcquiredAt, l.HeartbeatAt, l.ExpiresAt, l.Live = fromMS(acq), fromMS(hb), fromMS(exp), exp > now
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reading the connection leases: %w", classify(err))
	}
	return out, nil
}

// Shared reports whether several engines may share this store: true on
// PostgreSQL, where engines lease connections from each other and no
// store-wide lease is taken; false on SQLite, whose one engine holds the
// store-wide lease (AcquireLease) and leases every connection.
func (s *Store) Shared() bool { return s.pg }

// engineForget is how long an engine's row stays after it expired, so
// the console can still say who held what; then RegisterEngine drops it.
const engineForget = time.Hour

// RegisterEngine records h as a live engine for ttl (or renews it), and
// forgets engines expired for more than an hour.
func (s *Store) RegisterEngine(ctx context.Context, h Holder, ttl time.Duration) error {
	err := s.Write(ctx, func(t *Tx) error {
		if err := t.rereadClock(ctx); err != nil {
			return err
		}
		now := ms(s.leaseNow())
		if _, err := t.exec(ctx, `INSERT INTO engines (id, pid, host, started_at, heartbeat_at, expires_at) VALUES (?,?,?,?,?,?)
			ON CONFLICT (id) DO UPDATE SET heartbeat_at=excluded.heartbeat_at, expires_at=excluded.expires_at`,
			h.ID(), h.PID, h.Host, ms(h.StartedAt), now, now+ttl.Milliseconds()); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM engines WHERE expires_at < ?`, now-engineForget.Milliseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: registering engine %s: %w", h.ID(), err)
	}
	return nil
}

// DeregisterEngine removes h's row and lets its connections go at once
// (their leases expire now and keep their generations).
func (s *Store) DeregisterEngine(ctx context.Context, h Holder) error {
	err := s.Write(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `UPDATE connection_leases SET expires_at=0 WHERE engine=?`, h.ID()); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM engines WHERE id=?`, h.ID())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: deregistering engine %s: %w", h.ID(), err)
	}
	return nil
}

// BreakEngine expires the registration and the connection leases of an
// engine known to be dead (killed on this host), so that its connections
// are taken over without waiting out their ttl.
func (s *Store) BreakEngine(ctx context.Context, engineID string) error {
	err := s.Write(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `UPDATE connection_leases SET expires_at=0 WHERE engine=?`, engineID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `UPDATE engines SET expires_at=0 WHERE id=?`, engineID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: breaking the leases of dead engine %s: %w", engineID, err)
	}
	return nil
}

// ConnFence is a connection's lease as its holder knows it: the engine
// (Holder.ID) and the generation the store gave when it was acquired. The
// generation grows at every takeover, so an engine that was frozen past
// the lease and woke after another engine took the connection carries a
// stale one.
type ConnFence struct {
	ConnectionID int64
	Engine       string
	Generation   int64
}

// ConnLeaseError says another live engine holds the connection.
type ConnLeaseError struct {
	ConnectionID int64
	Engine       string
	ExpiresAt    time.Time
}

func (e *ConnLeaseError) Error() string {
	return fmt.Sprintf("store: connection %d is leased by engine %s until %s", e.ConnectionID, e.Engine, e.ExpiresAt.Format(time.DateTime))
}

// ErrConnectionLost means the engine's lease of a connection was taken
// over by another engine: its work on that connection must stop, and none
// of it commits. The engine goes on with its other connections.
var ErrConnectionLost = errors.New("store: connection lease lost to another engine")

// AnyHolder, as AcquireConnection's over, takes the lease whoever holds
// it: for SQLite's one engine, which holds the store-wide lease, so any
// other holder is a dead engine.
const AnyHolder = "*"

// AcquireConnection leases connID to engine for ttl and returns the fence
// its writes about that connection carry (WithConnFence). It succeeds when
// the connection is unleased, its lease expired, engine holds it already
// (renewed at its generation), or over holds it (an engine known dead, or
// any holder for SQLite's one engine, which holds the store-wide lease);
// else it fails with a *ConnLeaseError. Taking it from another engine
// raises the generation.
func (s *Store) AcquireConnection(ctx context.Context, engine string, connID int64, ttl time.Duration, over string) (ConnFence, error) {
	f := ConnFence{ConnectionID: connID, Engine: engine}
	err := s.Write(ctx, func(t *Tx) error {
		var cur string
		var exp, gen int64
		now := ms(s.leaseNow())
		err := t.queryRow(ctx, `SELECT engine, expires_at, generation FROM connection_leases WHERE connection_id=?`, connID).Scan(&cur, &exp, &gen)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Generation = 1
			_, err := t.exec(ctx, `INSERT INTO connection_leases (connection_id, engine, acquired_at, heartbeat_at, expires_at, generation)
				VALUES (?,?,?,?,?,?)`, connID, engine, now, now, now+ttl.Milliseconds(), f.Generation)
			return err
		case err != nil:
			return classify(err)
		case cur == engine:
			// Its own, even expired: nobody else wrote since.
			f.Generation = gen
			_, err := t.exec(ctx, `UPDATE connection_leases SET heartbeat_at=?, expires_at=? WHERE connection_id=?`,
				now, now+ttl.Milliseconds(), connID)
			return err
		case exp > now && over != AnyHolder && (over == "" || cur != over):
			return &ConnLeaseError{ConnectionID: connID, Engine: cur, ExpiresAt: fromMS(exp)}
		}
		f.Generation = gen + 1
		_, err = t.exec(ctx, `UPDATE connection_leases SET engine=?, acquired_at=?, heartbeat_at=?, expires_at=?, generation=? WHERE connection_id=?`,
			engine, now, now, now+ttl.Milliseconds(), f.Generation, connID)
		return err
	})
	var le *ConnLeaseError
	if err != nil && !errors.As(err, &le) {
		return f, fmt.Errorf("store: leasing connection %d: %w", connID, err)
	}
	return f, err
}

// RenewConnections extends the leases fs (all of one engine) by ttl in one
// commit and returns the connections whose lease was taken over: those
// are no longer the engine's.
func (s *Store) RenewConnections(ctx context.Context, fs []ConnFence, ttl time.Duration) (lost []int64, err error) {
	if len(fs) == 0 {
		return nil, nil
	}
	err = s.Write(ctx, func(t *Tx) error {
		lost = lost[:0]
		now := ms(s.leaseNow())
		for _, f := range fs {
			r, err := t.exec(ctx, `UPDATE connection_leases SET heartbeat_at=?, expires_at=? WHERE connection_id=? AND engine=? AND generation=?`,
				now, now+ttl.Milliseconds(), f.ConnectionID, f.Engine, f.Generation)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				lost = append(lost, f.ConnectionID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: renewing the connection leases: %w", err)
	}
	return lost, nil
}

// ReleaseConnection gives up f's lease: it expires now and keeps its
// generation, so the next holder raises it.
func (s *Store) ReleaseConnection(ctx context.Context, f ConnFence) error {
	err := s.Write(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, `UPDATE connection_leases SET expires_at=0 WHERE connection_id=? AND engine=? AND generation=?`,
			f.ConnectionID, f.Engine, f.Generation)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: releasing connection %d: %w", f.ConnectionID, err)
	}
	return nil
}

// FairShare is how many connections each of engines live engines takes:
// ceil(connections ÷ engines), at least one engine counted.
func FairShare(connections, engines int) int {
	engines = max(engines, 1)
	return (connections + engines - 1) / engines
}

// ShareOf is how many connections engine id (one of engines, the live
// ones) takes: connections ÷ engines, one more for the first engines by id
// while the remainder lasts, so that the shares add up to the connections
// exactly. With FairShare's rounding up, four connections on three
// engines let two hold two each and the third none.
func ShareOf(connections int, engines []string, id string) int {
	if len(engines) == 0 {
		return connections
	}
	es := slices.Clone(engines)
	slices.Sort(es)
	es = slices.Compact(es)
	rank := slices.Index(es, id)
	share := connections / len(es)
	if rank >= 0 && rank < connections%len(es) {
		share++
	}
	return share
}

// inConnections is " AND col IN (?,…)" for conns, with its arguments; ""
// for nil (every connection). An empty, non-nil list matches nothing.
func inConnections(col string, conns []int64) (string, []any) {
	if conns == nil {
		return "", nil
	}
	if len(conns) == 0 {
		return " AND 0=1", nil
	}
	args := make([]any, len(conns))
	for i, c := range conns {
		args[i] = c
	}
	return " AND " + col + " IN (?" + strings.Repeat(",?", len(conns)-1) + ")", args
}

// DueOrdersOf is DueOrders for the connections conns only (nil: all), as
// an engine sharing the store reads the work of the connections it leases.
func (s *Store) DueOrdersOf(ctx context.Context, now time.Time, limit int, conns []int64) ([]Order, error) {
	if conns == nil {
		return s.DueOrders(ctx, now, limit)
	}
	if limit <= 0 {
		return nil, nil
	}
	in, args := inConnections("connection_id", conns)
	q := `SELECT * FROM (SELECT ` + listCols + ` FROM orders INDEXED BY orders_state_seq
			WHERE state = 'queued'` + in + ` ORDER BY seq LIMIT ?)
		UNION ALL SELECT * FROM (SELECT ` + listCols + ` FROM orders INDEXED BY orders_retry_due
			WHERE state = 'retrying' AND next_attempt_at <= ?` + in + ` ORDER BY next_attempt_at, seq LIMIT ?)
		LIMIT ?`
	a := append(append([]any{}, args...), limit, ms(now))
	a = append(append(a, args...), limit, limit)
	return s.queryOrders(ctx, q, a...)
}

// InFlightOrdersOf is InFlightOrders for the connections conns (nil: all).
func (s *Store) InFlightOrdersOf(ctx context.Context, limit int, conns []int64) ([]Order, error) {
	if conns == nil {
		return s.InFlightOrders(ctx, limit)
	}
	in, args := inConnections("connection_id", conns)
	return s.queryOrders(ctx, `SELECT `+listCols+` FROM orders WHERE state IN (`+stepList+`)`+in+`
		ORDER BY seq LIMIT ?`, append(args, limit)...)
}

// PendingSIIOf is PendingSII for the orders of the connections conns (nil:
// all).
func (s *Store) PendingSIIOf(ctx context.Context, olderThan time.Time, limit int, conns []int64) ([]Emission, error) {
	of, args := "", []any{ms(olderThan)}
	if conns != nil {
		in, ids := inConnections("connection_id", conns)
		of, args = ` AND order_id IN (SELECT id FROM orders WHERE 1=1`+in+`)`, append(args, ids...)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+emissionCols+` FROM emissions WHERE folio > 0 AND track_id <> ''
		AND sii_status IN ('', 'pending') AND sii_checked_at < ?`+of+` ORDER BY sii_checked_at LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: documents waiting for the SII: %w", classify(err))
	}
	defer rows.Close()
	var out []Emission
	for rows.Next() {
		e, err := scanEmission(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, classify(rows.Err())
}
