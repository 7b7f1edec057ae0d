package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
)

// copyTables are the tables a store is made of, parents first, each with
// the key its rows are read and compared in. The leases are not copied
// (lease, engines, connection_leases: an engine holds the store it runs
// on), nor what the store derives from these: the per-state counts and
// the search index, rebuilt after.
var copyTables = []struct{ name, key string }{
	{"connections", "id"},
	{"settings", "key"},
	{"orders", "seq"},
	{"order_raw", "seq"},
	{"emissions", "order_id"},
	{"documents", "id"},
	{"events", "id"},
	{"controls", "id"},
	{"http_log", "id"},
}

// identityTables have an id sequence a copy with explicit ids must move on.
var identityTables = map[string]string{"connections": "id", "orders": "seq", "documents": "id", "events": "id",
	"controls": "id", "http_log": "id"}

// CopyProgress is how far a Copy is: rows of Table done out of Total.
type CopyProgress struct {
	Table       string
	Done, Total int64
}

// TableCopy is one table copied: its rows and their checksum, the same on
// both sides.
type TableCopy struct {
	Table    string `json:"table"`
	Rows     int64  `json:"rows"`
	Checksum string `json:"sha256"`
}

// ErrNotEmpty refuses a copy into a store that already holds data.
var ErrNotEmpty = errors.New("the destination store is not empty")

// Copy copies every row of src into dst, an empty store of the same
// schema (a SQLite file into PostgreSQL, or back), in one transaction of
// dst: a failure leaves dst as empty as it was. Each table is then read
// back inside that transaction and compared with src by row count and a
// SHA-256 of its rows in key order; any difference rolls the copy back.
// progress, when set, hears each table's advance.
func Copy(ctx context.Context, src, dst *Store, progress func(CopyProgress)) ([]TableCopy, error) {
	if src.version != LatestSchema() || dst.version != LatestSchema() {
		return nil, fmt.Errorf("copy: both stores must be at schema %d (from: %d, to: %d); open each once with this folio to upgrade it",
			LatestSchema(), src.version, dst.version)
	}
	if progress == nil {
		progress = func(CopyProgress) {}
	}
	// One snapshot of src: every table as of the same moment.
	snap, err := src.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelSnapshot})
	if err != nil && src.pg {
		snap, err = src.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	}
	if err != nil {
		snap, err = src.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		return nil, fmt.Errorf("copy: read %s: %w", src.path, err)
	}
	defer snap.Rollback()
	var out []TableCopy
	err = dst.Write(ctx, func(t *Tx) error {
		for _, tb := range copyTables {
			var n int64
			if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+tb.name).Scan(&n); err != nil {
				return fmt.Errorf("copy: count %s in %s: %w", tb.name, dst.path, err)
			}
			if n > 0 {
				return fmt.Errorf("copy: %w: %s has %d rows in %s; give a new, empty store", ErrNotEmpty, tb.name, n, dst.path)
			}
		}
		out = out[:0]
		for _, tb := range copyTables {
			c, err := copyTable(ctx, src.path, snap, t, tb.name, tb.key, progress)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rebuildDerived(ctx, t); err != nil {
			return err
		}
		for i, tb := range copyTables {
			rows, sum, err := tableSum(ctx, t.tx, tb.name, tb.key)
			if err != nil {
				return fmt.Errorf("copy: read back %s: %w", tb.name, err)
			}
			if rows != out[i].Rows || sum != out[i].Checksum {
				return fmt.Errorf("copy: %s differs after the copy (%d rows, sha256 %.12s… in %s; %d rows, sha256 %.12s… written): nothing was kept",
					tb.name, out[i].Rows, out[i].Checksum, src.path, rows, sum)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// copyTable streams one table from src into t, summing what it reads.
func copyTable(ctx context.Context, srcPath string, src *sql.Tx, t *Tx, table, key string, progress func(CopyProgress)) (TableCopy, error) {
	c := TableCopy{Table: table}
	var total int64
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&total); err != nil {
		return c, fmt.Errorf("copy: count %s in %s: %w", table, srcPath, err)
	}
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+key)
	if err != nil {
		return c, fmt.Errorf("copy: read %s from %s: %w", table, srcPath, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return c, fmt.Errorf("copy: columns of %s: %w", table, err)
	}
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = `"` + col + `"` // "user" is a reserved word in PostgreSQL
	}
	insert := `INSERT INTO ` + table + ` (` + strings.Join(quoted, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`
	h, order := sha256.New(), byName(cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	progress(CopyProgress{Table: table, Total: total})
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return c, fmt.Errorf("copy: read a row of %s: %w", table, err)
		}
		args := make([]any, len(vals))
		for i, v := range vals {
			args[i] = plain(v)
		}
		if _, err := t.exec(ctx, insert, args...); err != nil {
			return c, fmt.Errorf("copy: write %s row %v: %w", table, args[0], err)
		}
		sumRow(h, cols, order, args)
		c.Rows++
		if c.Rows%1000 == 0 || c.Rows == total {
			progress(CopyProgress{Table: table, Done: c.Rows, Total: max(total, c.Rows)})
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("copy: read %s from %s: %w", table, srcPath, err)
	}
	c.Checksum = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// rebuildDerived recomputes what triggers keep on single writes: the
// per-state counts, the search index (SQLite's; PostgreSQL's is an index
// on orders) and PostgreSQL's id sequences, which explicit ids do not move.
func rebuildDerived(ctx context.Context, t *Tx) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE order_counts SET n = (SELECT count(*) FROM orders o WHERE o.state = order_counts.state)`); err != nil {
		return fmt.Errorf("copy: recount orders by state: %w", err)
	}
	if !t.s.pg {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut)
			SELECT seq, code, buyer_name, buyer_rut FROM orders WHERE buyer_name <> '' OR buyer_rut <> ''`); err != nil {
			return fmt.Errorf("copy: index the orders for the filter: %w", err)
		}
		return nil
	}
	for table, col := range identityTables {
		q := `SELECT setval(pg_get_serial_sequence('` + table + `', '` + col + `'), COALESCE((SELECT max(` + col + `) FROM ` + table + `), 0) + 1, false)`
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("copy: move %s's id sequence past the copied rows: %w", table, err)
		}
	}
	return nil
}

// tableSum is a table's row count and checksum as read through q.
func tableSum(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, table, key string) (int64, string, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+key)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, "", err
	}
	h, order := sha256.New(), byName(cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		args := make([]any, len(vals))
		for i, v := range vals {
			args[i] = plain(v)
		}
		sumRow(h, cols, order, args)
		n++
	}
	return n, hex.EncodeToString(h.Sum(nil)), rows.Err()
}

// plain is a scanned value in the form both drivers read and write alike:
// text as a string, integers as int64 (a boolean as 0 or 1).
func plain(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

// byName is the order of cols by name: the two drivers' tables may list
// their columns in another order.
func byName(cols []string) []int {
	idx := make([]int, len(cols))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(cols[a], cols[b]) })
	return idx
}

// sumRow adds one row to h, its columns in the order given: each one's
// name, a type tag and its value, so that 1 and "1" or NULL and "" differ.
func sumRow(h hash.Hash, cols []string, order []int, vals []any) {
	for _, i := range order {
		v := vals[i]
		h.Write([]byte(cols[i]))
		switch x := v.(type) {
		case nil:
			h.Write([]byte{0, 'N'})
		case int64:
			h.Write([]byte{0, 'I'})
			h.Write([]byte(strconv.FormatInt(x, 10)))
		case float64:
			h.Write([]byte{0, 'F'})
			h.Write([]byte(strconv.FormatFloat(x, 'g', -1, 64)))
		case string:
			h.Write([]byte{0, 'S'})
			h.Write([]byte(strconv.Itoa(len(x))))
			h.Write([]byte{0})
			h.Write([]byte(x))
		default:
			fmt.Fprintf(h, "\x00?%T:%v", x, x)
		}
		h.Write([]byte{0x1f})
	}
	h.Write([]byte{0x1e})
}
