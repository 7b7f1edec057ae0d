package engine_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
)

// BenchmarkPipelinePages measures what BenchmarkPipeline's commits cost
// the disk, which the machine's load does not blur: the WAL frames (pages)
// written per commit and per finished order. Checkpoints are off on the
// store's connections so the WAL only grows; its size before and after
// the run gives the frames.
func BenchmarkPipelinePages(b *testing.B) {
	const orders = 150
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var commits atomic.Int64
		r := setup(b, opts{sim: &sim.Options{Orders: orders, Seed: uint64(100 + i), RateLimit: -1}, mvRate: -1, sockets: true,
			workers: 2, noStart: true,
			watch: func(h sqlite.HookRegisterer) {
				if e, ok := h.(driver.ExecerContext); ok {
					if _, err := e.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = 0", nil); err != nil {
						b.Error(err)
					}
				}
				h.RegisterCommitHook(func() int32 { commits.Add(1); return 0 })
			},
			tune: func(c *engine.Config) {
				c.PollInterval, c.SIIInterval, c.LeaseTTL = 10*time.Second, 30*time.Second, 20*time.Second
				c.Retry = engine.RetryPolicy{}
			}})
		wal := r.st.Path() + "-wal"
		size := func() int64 {
			fi, err := os.Stat(wal)
			if err != nil {
				b.Fatal(err)
			}
			return fi.Size()
		}
		before, c0 := size(), commits.Load()
		b.StartTimer()
		r.start()
		counts := r.drained(5 * time.Minute)
		b.StopTimer()
		frames := float64(size()-before) / (4096 + 24)
		if os.Getenv("FOLIO_PAGES_BY_TABLE") != "" {
			pagesByTable(b, r.st.Path(), before)
		}
		n := counts[store.StateDone] + counts[store.StateAttention]
		c := commits.Load() - c0
		if err := r.stop(); err != nil {
			b.Fatal(err)
		}
		if n == 0 || c == 0 {
			b.Fatal("nothing finished")
		}
		b.ReportMetric(frames/float64(c), "pages/commit")
		b.ReportMetric(frames/float64(n), "pages/order")
		b.ReportMetric(float64(c)/float64(n), "commits/order")
	}
}

// pagesByTable logs which tables and indexes the WAL frames after offset
// from belong to (FOLIO_PAGES_BY_TABLE=1): the pages of each commit are
// read from the frame headers, their owners from dbstat.
func pagesByTable(b *testing.B, path string, from int64) {
	walb, err := os.ReadFile(path + "-wal")
	if err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	owner := map[uint32]string{}
	rows, err := db.Query(`SELECT name, pageno FROM dbstat`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var name string
		var pg uint32
		if err := rows.Scan(&name, &pg); err != nil {
			b.Fatal(err)
		}
		owner[pg] = name
	}
	rows.Close()
	const fsz = 4096 + 24
	by := map[string]int{}
	commits, frames := 0, 0
	for off := from; off+fsz <= int64(len(walb)); off += fsz {
		pg := binary.BigEndian.Uint32(walb[off:])
		frames++
		name := owner[pg]
		if name == "" {
			name = fmt.Sprintf("?(%d)", pg)
			if pg == 1 {
				name = "header"
			}
		}
		by[name]++
		if binary.BigEndian.Uint32(walb[off+4:]) != 0 {
			commits++
		}
	}
	var names []string
	for n := range by {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return by[names[i]] > by[names[j]] })
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%s %.2f; ", n, float64(by[n])/float64(commits))
	}
	b.Logf("%d commits, %d frames; per commit: %s", commits, frames, sb.String())
}
