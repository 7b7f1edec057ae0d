package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/doctor"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
	"github.com/folio-cl/folio/internal/testutil"
	"github.com/folio-cl/folio/internal/tui"
	"github.com/folio-cl/folio/internal/tui/tuitest"
)

// The command tests' one rig, in four parts:
//   - commands run in-process (isolate, runFolio, startFolio) and the
//     fixtures of testdata/;
//   - stores made for a test (ordersStore, seedStore) and their controls;
//   - an engine in-process over the simulators (startEngine), and the
//     console over its store through the one console driver (tuitest);
//   - `folio run` and `folio sim` as processes (runner, startSim,
//     waitSettled, checkCrashLedgers), for the crash and freeze tests.
// Every wait polls through testutil.

// ---- commands in-process

// isolate points every XDG location at a fresh directory and clears the
// FOLIO_* variables, so that a test sees only what it sets up.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(dir, strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(v, "XDG_"), "_HOME"))))
	}
	for _, k := range config.Keys {
		if k.Env != "" {
			t.Setenv(k.Env, "")
		}
	}
	t.Setenv("FOLIO_CONFIG", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "C.UTF-8")
	return dir
}

// runFolio runs the root command in-process with stdin and returns stdout,
// stderr and the error main would print.
func runFolio(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errb bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errb.String(), err
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syncBuf is an output buffer a test can read while the command writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a folio command started in the background.
type running struct {
	out, err *syncBuf
	done     chan error
}

// startFolio runs folio with args in the background, stdin from in.
func startFolio(t *testing.T, in io.Reader, args ...string) *running {
	t.Helper()
	return startRoot(t, newRootCmd(), in, args...)
}

// startRoot is startFolio with a root command of the test's making.
func startRoot(t *testing.T, cmd *cobra.Command, in io.Reader, args ...string) *running {
	t.Helper()
	return startCtx(context.Background(), cmd, in, args...)
}

// startUntil runs a long-lived folio command (run, serve) in the
// background until ctx ends, stdin empty.
func startUntil(ctx context.Context, args ...string) *running {
	return startCtx(ctx, newRootCmd(), strings.NewReader(""), args...)
}

func startCtx(ctx context.Context, cmd *cobra.Command, in io.Reader, args ...string) *running {
	r := &running{out: &syncBuf{}, err: &syncBuf{}, done: make(chan error, 1)}
	cmd.SetIn(in)
	cmd.SetOut(r.out)
	cmd.SetErr(r.err)
	cmd.SetArgs(args)
	go func() { r.done <- cmd.ExecuteContext(ctx) }()
	return r
}

// wait returns the command's error, failing the test if it hangs.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("command still running\nstdout:\n%s\nstderr:\n%s", r.out, r.err)
		return nil
	}
}

var linkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/apps/authorize\?\S+`)

// link waits for the consent link in the command's output.
func (r *running) link(t *testing.T) string {
	t.Helper()
	var m string
	if !testutil.Until(5*time.Second, 10*time.Millisecond, func() bool {
		if m = linkRE.FindString(r.out.String()); m != "" {
			return true
		}
		select {
		case err := <-r.done:
			t.Fatalf("command ended before printing the link: %v\n%s%s", err, r.out, r.err)
		default:
		}
		return false
	}) {
		t.Fatalf("no link printed:\n%s", r.out)
	}
	return m
}

// ---- stores

// ordersStore makes a store holding n orders (writeOrders, totals
// 1000 + i%50000).
func ordersStore(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "folio.db")
	if err := writeOrders(path, n, func(i int) int64 { return int64(1000 + i%50000) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeOrders writes a store at path with a multivende connection "tienda"
// and n queued orders: ids 6650f1c2a9e4b1000000000I, codes MEL-0000000I,
// the total total(I). The transcripts' seedstore writes it too.
func writeOrders(path string, n int, total func(i int) int64) error {
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	var id int64
	if err := st.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende})
		return err
	}); err != nil {
		return err
	}
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i += 5000 {
		var batch []store.OrderUpsert
		for j := i; j < min(n, i+5000); j++ {
			batch = append(batch, store.OrderUpsert{ID: fmt.Sprintf("6650f1c2a9e4b1%010d", j), ConnectionID: id, Code: fmt.Sprintf("MEL-%08d", j),
				Marketplace: "MercadoLibre", PaymentStatus: "completed", Status: "completed", Total: total(j),
				SoldAt: at, RemoteUpdatedAt: at, Light: `{"_id":"x"}`, InitialState: store.StateQueued})
		}
		if _, err := st.UpsertOrders(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// seedStore is ordersStore(t, n) with write run on it (ids: the orders,
// newest first, as the store lists them).
func seedStore(t *testing.T, n int, write func(ctx context.Context, tx *store.Tx, ids []string) error) string {
	t.Helper()
	ctx := context.Background()
	path := ordersStore(t, n)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.ListOrders(ctx, store.OrderQuery{Limit: n})
	if err != nil || len(rows) != n {
		t.Fatalf("orders: %v %v", rows, err)
	}
	ids := make([]string, len(rows))
	for i, o := range rows {
		ids[i] = o.ID
	}
	if err := st.Write(ctx, func(tx *store.Tx) error { return write(ctx, tx, ids) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// controls are the pending controls of the store at path (of the given
// kinds; none given: all).
func controls(t *testing.T, path string, kinds ...string) []store.Control {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.PendingControls(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) == 0 {
		return cs
	}
	var out []store.Control
	for _, c := range cs {
		for _, k := range kinds {
			if c.Kind == k {
				out = append(out, c)
			}
		}
	}
	return out
}

// ---- an engine in-process

// engineRig is an engine running in this process over the simulators,
// on a store connected to them as `folio run --sim` connects it.
type engineRig struct {
	sims *sim.Sims
	st   *store.Store
	env  *app.Env
}

type engineOpts struct {
	orders    int
	seed      uint64
	faults    faults.Spec
	invoicers []string     // the invoicers connected, in this order (none: LibreDTE)
	log       *slog.Logger // the engine's log (nil: discarded)
}

// startEngine starts the simulators (no rate limit, a 50 ms SII), connects
// a fresh store to them and runs an engine with fast timings until the
// test ends.
func startEngine(t *testing.T, o engineOpts) *engineRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sims, err := sim.Start(ctx, sim.Options{Orders: o.orders, Seed: o.seed, RateLimit: -1, SIIDelay: 50 * time.Millisecond, Faults: o.faults})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	r := &engineRig{sims: sims, st: st, env: app.New(os.Getenv)}
	if len(o.invoicers) == 0 {
		o.invoicers = []string{store.KindLibreDTE}
	}
	for _, kind := range o.invoicers {
		if _, err := r.env.ConnectSim(ctx, st, sims.Info.Multivende, kind); err != nil {
			t.Fatal(err)
		}
	}
	eng, err := r.env.NewEngine(ctx, st, app.EngineSpec{RateLimit: -1, Config: engine.Config{PollInterval: 200 * time.Millisecond, Workers: 2,
		Retry:  engine.RetryPolicy{MaxAttempts: 8, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Emisor: sims.LD.Emisor(), SIIInterval: 100 * time.Millisecond, Log: o.log}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	return r
}

// settle waits (up to limit) until every simulated order is in the store,
// none is mid-pipeline and every document has the SII's final word.
func (r *engineRig) settle(t *testing.T, limit time.Duration, failure string) {
	t.Helper()
	ctx := context.Background()
	var counts map[store.State]int
	if !testutil.Until(limit, 100*time.Millisecond, func() bool {
		counts, _ = r.st.CountByState(ctx)
		return isSettled(ctx, r.st, counts, len(r.sims.MV.State().Checkouts))
	}) {
		t.Fatalf("%s: %v", failure, counts)
	}
}

// console is the console over the rig's store at w×h, in lang, driven by
// the one console driver.
func (r *engineRig) console(t *testing.T, lang i18n.Lang, w, h int) (*tui.Model, *tuitest.Driver) {
	t.Helper()
	m, err := tui.New(tui.Options{Store: r.st, Lang: lang, By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	d := &tuitest.Driver{T: t, M: m}
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return m, d
}

// ---- folio run and folio sim as processes

// soak returns the short sizes of a fault test, or the long ones under
// FOLIO_SOAK=1.
func soak(rounds, orders, soakRounds, soakOrders int) (int, int) {
	if os.Getenv("FOLIO_SOAK") != "" {
		return soakRounds, soakOrders
	}
	return rounds, orders
}

// processTest begins a test that runs folio as processes: skipped under
// -short, parallel (its own simulator and stores; it mostly waits), and
// the program to run.
func processTest(t *testing.T) (bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	return buildFolio(t)
}

// buildFolio is this command as a program, for tests that run it as a
// process: the test binary itself, which testscript.Main (TestMain) put in
// $PATH as "folio" and which runs main when called so. No `go build` per
// test (5–10 s each on a loaded machine); it falls back to one if the
// test binary is not in $PATH.
func buildFolio(t *testing.T) string {
	t.Helper()
	if bin, err := exec.LookPath("folio"); err == nil && strings.Contains(bin, "testscript-main") {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "folio")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runner starts `folio run` processes on one store against one simulator,
// all logging to one file whose last lines a failing test prints.
type runner struct {
	t                            *testing.T
	bin, dir, storePath, logPath string
	info                         sim.Info
	logs                         *os.File
}

func newRunner(t *testing.T, bin string, info sim.Info) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{t: t, bin: bin, dir: dir, info: info, storePath: filepath.Join(dir, "folio.db"), logPath: filepath.Join(dir, "run.log")}
	// O_APPEND: the engines share this file (their stderr); without it two
	// writing at once share one offset and one line overwrites another (the
	// zombie test then counted fewer "lease lost" lines than fenced engines).
	logs, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	r.logs = logs
	t.Cleanup(func() {
		logs.Close()
		if t.Failed() {
			b, _ := os.ReadFile(r.logPath)
			if len(b) > 6000 {
				b = b[len(b)-6000:]
			}
			t.Logf("last lines of folio run:\n%s", b)
		}
	})
	return r
}

// start runs one engine; failpoint is FOLIO_FAILPOINT ("" for none).
func (r *runner) start(failpoint string, args ...string) *exec.Cmd {
	r.t.Helper()
	c := exec.Command(r.bin, append([]string{"run", "--store", r.storePath, "--sim", r.info.Multivende}, args...)...)
	// The simulator has no rate limit here, and retries come quickly:
	// the tests are about crashes and freezes, not waiting.
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+r.dir, "FOLIO_FAILPOINT="+failpoint,
		"FOLIO_RATE_LIMIT=50", "FOLIO_RETRY_BASE_DELAY=200ms", "FOLIO_RETRY_MAX_DELAY=2s")
	c.Stderr = r.logs
	if err := c.Start(); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// killAfter runs one engine (failpoint and args as start) and kills it
// with SIGKILL after wait, unless it ended before.
func (r *runner) killAfter(wait time.Duration, failpoint string, args ...string) {
	r.t.Helper()
	c := r.start(failpoint, args...)
	done := waitCh(c)
	select {
	case <-done:
	case <-time.After(wait):
		c.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// log is what the engines have written so far.
func (r *runner) log() string {
	b, _ := os.ReadFile(r.logPath)
	return string(b)
}

// settleLast turns the simulators' faults off, runs one last engine until
// the store settles (within limit), stops it with SIGTERM, which must end
// it with 0, and returns the store, open.
func (r *runner) settleLast(limit time.Duration, args ...string) *store.Store {
	r.t.Helper()
	calmSim(r.t, r.info)
	final := r.start("", args...)
	st := waitSettled(r.t, r.storePath, r.info, limit)
	r.t.Cleanup(func() { st.Close() })
	final.Process.Signal(syscall.SIGTERM)
	if err := final.Wait(); err != nil {
		r.t.Errorf("folio run did not exit 0 on SIGTERM: %v", err)
	}
	return st
}

// waitOpens waits until process pid has opened path (Linux: its
// /proc/PID/fd links), which folio run does from its command, after main
// installed its signal handlers: a signal that comes before the Go runtime
// reaches main kills any Go program, which is not what a stop "while
// starting" means. Elsewhere it waits a moment instead.
func waitOpens(t *testing.T, pid int, path string) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	if _, err := os.Stat(fds); err != nil {
		time.Sleep(300 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && target == path {
				return
			}
		}
	}
	t.Fatalf("process %d never opened %s", pid, path)
}

// startSim runs `folio sim --json` for the test's life and returns what it
// printed: its URLs and credentials.
func startSim(t *testing.T, bin string, orders int, faults string) sim.Info {
	t.Helper()
	return startSimWith(t, bin, []string{"--orders", strconv.Itoa(orders), "--faults", faults})
}

// startSimWith is startSim with folio sim's flags given.
func startSimWith(t *testing.T, bin string, args []string) sim.Info {
	t.Helper()
	simCmd := exec.Command(bin, append([]string{"sim", "--json", "--rate-limit", "-1", "--seed", "42"}, args...)...)
	simOut, err := simCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := simCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { simCmd.Process.Signal(syscall.SIGTERM); simCmd.Wait() })
	var info sim.Info
	line, err := bufio.NewReader(simOut).ReadString('\n')
	if err != nil || json.Unmarshal([]byte(line), &info) != nil {
		t.Fatalf("folio sim --json printed %q: %v", line, err)
	}
	return info
}

// calmSim turns the simulators' faults off (POST /_sim/faults), for the
// last engine of a crash or freeze test: the faults did their work while
// engines died; what is left only needs finishing, and the ledgers are
// checked all the same.
func calmSim(t *testing.T, info sim.Info) {
	t.Helper()
	for _, base := range []string{info.Multivende, strings.TrimSuffix(info.LibreDTE, "/api"), info.OpenFactura} {
		resp, err := http.Post(base+"/_sim/faults", "text/plain", strings.NewReader("none"))
		if err != nil {
			t.Fatalf("turning the simulator's faults off: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("turning the simulator's faults off at %s: %s", base, resp.Status)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// waitSettled waits until the store at path holds every order of the
// simulator and none is busy, and returns it open.
func waitSettled(t *testing.T, path string, info sim.Info, limit time.Duration) *store.Store {
	t.Helper()
	var st *store.Store
	var counts map[store.State]int
	// Every 300 ms: it opens the store another process writes.
	if !testutil.Until(limit, 300*time.Millisecond, func() bool {
		var mv mvsim.State
		getJSON(t, info.Multivende+"/_sim/state", &mv)
		s, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
		if err != nil {
			return false
		}
		counts, _ = s.CountByState(context.Background())
		total, busy := 0, 0
		for s, n := range counts {
			total += n
			if s.Busy() {
				busy += n
			}
		}
		if total >= len(mv.Checkouts) && busy == 0 {
			st = s
			return true
		}
		s.Close()
		return false
	}) {
		t.Fatalf("did not settle: %v", counts)
	}
	return st
}

func checkCrashLedgers(t *testing.T, st *store.Store, info sim.Info) {
	t.Helper()
	var mv mvsim.State
	var ld ldsim.State
	getJSON(t, info.Multivende+"/_sim/state", &mv)
	getJSON(t, info.LibreDTE[:len(info.LibreDTE)-len("/api")]+"/_sim/state", &ld)
	attached := attachedDocuments(t, mv)
	for _, c := range mv.Checkouts {
		paid := c.PaymentStatus == "completed" && c.Status != "cancelled"
		o, err := st.GetOrder(context.Background(), c.ID)
		switch {
		case err != nil:
			t.Errorf("order %s not in the store: %v", c.ID, err)
		case !paid && len(c.Documents) > 0:
			t.Errorf("unpaid or cancelled order %s has a document", c.ID)
		case paid && len(c.Documents) == 0 && !(o.State == store.StateAttention && o.Reason != ""):
			t.Errorf("paid order %s has no document and is %s", c.ID, o.State)
		}
		for _, d := range c.Documents {
			if d.Uploads > 1 {
				t.Errorf("order %s: the PDF of document %s was uploaded %d times", c.ID, d.DocID, d.Uploads)
			}
		}
	}
	explained := explainedFolios(t, st)
	seen := map[string]bool{}
	for _, e := range ld.Emitted {
		key := fmt.Sprintf("%d/%d", e.DTE, e.Folio)
		if seen[key] {
			t.Errorf("folio %s consumed twice", key)
		}
		seen[key] = true
		n := attached[mvType(e.DTE)+"/"+strconv.FormatInt(e.Folio, 10)]
		switch {
		case n == 0 && explained[key]:
			t.Logf("folio %s is not attached; an order in Errors names it as uncertain", key)
		case n != 1:
			t.Errorf("folio %d (type %d) is attached to %d orders", e.Folio, e.DTE, n)
		}
	}
	t.Logf("%d orders, %d folios consumed, %d temporary documents left", len(mv.Checkouts), len(ld.Emitted), ld.Tmps)
}

// explainedFolios lists the folios ("TYPE/FOLIO") that orders waiting in
// Errors as uncertain name: issued, not attached, and put before a person.
func explainedFolios(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	orders, err := st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if o.ReasonCode != "UNCERTAIN" {
			continue
		}
		for _, f := range doctor.FoliosNamedIn(o.Reason) {
			out[fmt.Sprintf("%d/%d", o.DocType, f)] = true
		}
	}
	return out
}

// mvType is the Multivende document type a DTE type is attached as.
func mvType(dteType int) string {
	if dteType == 33 || dteType == 34 {
		return multivende.DocTypeFactura
	}
	return multivende.DocTypeBoleta
}

// attachedDocuments counts the orders each document ("TYPE/FOLIO") is
// attached to at Multivende, failing for an order with more than one.
func attachedDocuments(t *testing.T, mv mvsim.State) map[string]int {
	t.Helper()
	attached := map[string]int{}
	for _, c := range mv.Checkouts {
		if len(c.Documents) > 1 {
			t.Errorf("order %s has %d documents", c.ID, len(c.Documents))
		}
		for _, d := range c.Documents {
			attached[d.Type+"/"+d.DocID]++
		}
	}
	return attached
}

// waitHolds waits until the engine of process pid holds the store's lease.
func waitHolds(t *testing.T, path string, pid int) {
	t.Helper()
	takesLease(t, path, pid, nil)
}

// takesLease waits until the engine pid holds the store's lease (true), or
// exits first (false, with its exit; never, with exited nil).
func takesLease(t *testing.T, path string, pid int, exited <-chan error) (bool, error) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(60 * time.Second); ; {
		if st, err := store.Open(ctx, path, store.Options{ReadOnly: true}); err == nil {
			h, live, err := st.LeaseHolder(ctx)
			st.Close()
			if err == nil && live && h.PID == pid {
				return true, nil
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine %d never took the lease", pid)
		}
		select {
		case err := <-exited:
			return false, err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitCh waits for c once and hands its exit on a channel.
func waitCh(c *exec.Cmd) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- c.Wait() }()
	return ch
}
