package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL the change counter is fed by LISTEN/NOTIFY: a trigger on
// every table notifies the schema's channel when a transaction that
// changed it commits (schema 14), and one connection per store listens
// and counts. A console reads the count from memory; nothing polls the
// server. A lost connection is replaced on the next read, which counts as
// a change (what happened meanwhile was not heard).

// pgListener is the listening connection and its count.
type pgListener struct {
	count  atomic.Uint64
	lost   atomic.Bool
	cancel context.CancelFunc
	done   chan struct{}
}

// pgChangeCounter is ChangeCounter on PostgreSQL; s.ccMu is held.
func (s *Store) pgChangeCounter(ctx context.Context) (uint64, error) {
	if s.listen != nil && !s.listen.lost.Load() {
		return s.listen.count.Load(), nil
	}
	var from uint64
	if s.listen != nil {
		from = s.listen.count.Load() + 1
		s.listen.stop()
		s.listen = nil
	}
	cctx, cancel := context.WithTimeout(ctx, pgOpenTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, s.pgCfg.Copy())
	if err != nil {
		return 0, classify(err)
	}
	var schema string
	if err := conn.QueryRow(cctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		_ = conn.Close(context.Background())
		return 0, classify(err)
	}
	if _, err := conn.Exec(cctx, "LISTEN "+pgx.Identifier{changeChannel(schema)}.Sanitize()); err != nil {
		_ = conn.Close(context.Background())
		return 0, fmt.Errorf("store %s: listen for changes: %w", s.path, classify(err))
	}
	lctx, stop := context.WithCancel(context.Background())
	l := &pgListener{cancel: stop, done: make(chan struct{})}
	l.count.Store(from)
	go l.run(lctx, conn)
	s.listen = l
	return from, nil
}

// changeChannel is the NOTIFY channel of the store in schema; the
// trigger function of schema 14 names it the same way.
func changeChannel(schema string) string { return "folio_" + schema }

func (l *pgListener) run(ctx context.Context, conn *pgx.Conn) {
	defer close(l.done)
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			l.lost.Store(true)
			return
		}
		l.count.Add(1)
	}
}

func (l *pgListener) stop() {
	l.cancel()
	<-l.done
}
