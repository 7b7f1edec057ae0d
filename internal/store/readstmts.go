package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// readStmts runs reads on the read pool through statements prepared once
// per query text: the engine reads the same few queries for every order
// (the fence, the emission, the documents, the due orders), and parsing
// each again cost about as much as running it. database/sql prepares a
// statement again on each pool connection it lands on, once.
type readStmts struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxReadStmts bounds the cache: listings build their text from a filter,
// and past this many texts the rest run unprepared.
const maxReadStmts = 64

func (r *readStmts) stmt(ctx context.Context, q string) *sql.Stmt {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.m[q]; st != nil {
		return st
	}
	if len(r.m) >= maxReadStmts {
		return nil
	}
	st, err := r.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // run unprepared: the query reports its own error
	}
	if r.m == nil {
		r.m = make(map[string]*sql.Stmt)
	}
	r.m[q] = st
	return st
}

// QueryContext is the read pool's QueryContext, prepared.
func (r *readStmts) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.db.QueryContext(ctx, q, args...)
}

// QueryRowContext is the read pool's QueryRowContext, prepared.
func (r *readStmts) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := r.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.db.QueryRowContext(ctx, q, args...)
}

func (r *readStmts) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, st := range r.m {
		errs = append(errs, st.Close())
	}
	r.m = nil
	return errors.Join(errs...)
}
