package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// peakWriter discards what it is given and samples the heap every so
// many writes, keeping the largest figure seen.
type peakWriter struct {
	writes, lines int
	peak          uint64
	bytes         int
}

func (w *peakWriter) Write(p []byte) (int, error) {
	w.writes++
	w.bytes += len(p)
	w.lines += strings.Count(string(p), "\n")
	if w.writes%500 == 0 {
		w.sample()
	}
	return len(p), nil
}

func (w *peakWriter) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.peak = max(w.peak, m.HeapInuse)
}

// `folio orders` streams: its heap stays flat however many orders the
// store holds (it held every row, 174 MB at 100 000 orders).
func TestOrdersStreamInConstantMemory(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	path := ordersStore(t, n)
	for _, args := range [][]string{{"orders"}, {"orders", "--json"}} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		w := &peakWriter{}
		cmd := newRootCmd()
		cmd.SetOut(w)
		cmd.SetArgs(append(args, "--store", path))
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		w.sample()
		grew := int64(w.peak) - int64(base.HeapInuse)
		t.Logf("%v at %d orders: heap in use grew by %.1f MB at most (%d bytes written)", args, n, float64(grew)/(1<<20), w.bytes)
		if grew > 24<<20 {
			t.Errorf("%v: the heap grew by %.1f MB for %d orders; want a flat figure", args, float64(grew)/(1<<20), n)
		}
		if args[len(args)-1] != "--json" && w.lines != n+1 {
			t.Errorf("table: %d lines for %d orders", w.lines, n)
		}
	}
}

// The streamed JSON is the array writeJSON would have written.
func TestOrdersJSONUnchanged(t *testing.T) {
	t.Parallel()
	path := ordersStore(t, 1203)
	out, _, err := runFolio(t, "", "orders", "--json", "--store", path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []orderJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1203 {
		t.Fatalf("%d rows: %v", len(rows), err)
	}
	var want strings.Builder
	writeJSON(&want, rows)
	if out != want.String() {
		t.Error("the streamed JSON differs from the array's encoding")
	}
	out, _, _ = runFolio(t, "", "orders", "--json", "--store", path, "--limit", "3")
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 || rows[0].Code != "MEL-00001202" {
		t.Fatalf("--limit 3: %d rows %v", len(rows), err)
	}
	out, _, _ = runFolio(t, "", "orders", "--json", "--store", path, "--state", "done")
	if out != "[]\n" {
		t.Fatalf("no orders: %q", out)
	}
}
