package store

import (
	"context"
	"fmt"
	"strings"
)

// QuickCheck runs SQLite's PRAGMA quick_check on the read pool and returns
// "ok" or SQLite's list of problems (one per line). It reads every page,
// so on a large store it takes seconds; folio doctor runs it.
func (s *Store) QuickCheck(ctx context.Context) (string, error) {
	rows, err := s.r.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return "", fmt.Errorf("store: quick_check: %w", classify(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", fmt.Errorf("store: quick_check: %w", classify(err))
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: quick_check: %w", classify(err))
	}
	return strings.Join(out, "\n"), nil
}
