package store

import (
	"context"
	"fmt"
)

// SettingOnce returns key's value, storing value first if key is unset,
// in one commit: of two processes setting it at once, both get the first
// value written (a secret generated once).
func (s *Store) SettingOnce(ctx context.Context, key, value string) (string, error) {
	var out string
	err := s.Write(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return classify(err)
		}
		return classify(t.tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key=?`, key).Scan(&out))
	})
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return out, nil
}
