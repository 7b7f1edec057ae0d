package store

import (
	"context"
	"fmt"
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
	now := ms(s.now())
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
	now := ms(s.now())
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
