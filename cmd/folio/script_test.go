package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	gossh "golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/testutil"
)

// -update rewrites the files a failing cmp compares against inside the
// .txtar transcripts (go test ./cmd/folio -run TestScripts -update).
var updateScripts = flag.Bool("update", false, "rewrite the cmp files inside testdata/script/*.txtar from what folio printed")

// TestMain lets the test binary be the folio binary: inside a transcript
// `exec folio ...` runs main in a child process, exit code and all.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) != "folio" { // the test binary, not folio: its flags are go test's
		waitingParallel()
	}
	testscript.Main(m, map[string]func(){"folio": main})
}

// waitingParallel runs up to 4 parallel tests at once, unless -parallel
// says otherwise: this package's parallel tests (transcripts, crash and
// freeze tests) mostly wait on child processes and simulated latency, and
// go test's default of GOMAXPROCS (2 here) left the cores idle.
func waitingParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < 4 {
		_ = flag.Set("test.parallel", "4")
	}
}

// TestScripts runs the transcripts of testdata/script: the real binary as
// a person types it, one isolated HOME each, in parallel.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *updateScripts || os.Getenv("FOLIO_UPDATE_SCRIPTS") == "1",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup:               scriptSetup,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"simstart":   cmdSimStart,
			"simfaults":  cmdSimFaults,
			"simcancel":  cmdSimCancel,
			"seedstore":  cmdSeedStore,
			"waitorders": cmdWaitOrders,
			"waitorder":  cmdWaitOrder,
			"freeport":   cmdFreePort,
			"waithttp":   cmdWaitHTTP,
			"bigfile":    cmdBigFile,
			"perm":       cmdPerm,
			"sshkey":     cmdSSHKey,
			"sshlogin":   cmdSSHLogin,
		},
	})
}

// scriptSetup gives each transcript its own home and XDG directories under
// $WORK and Spanish as the default language; a script sets LANG or FOLIO_*
// itself when it needs to. testscript starts from an empty environment, so
// nothing of the developer's own folio setup leaks in.
func scriptSetup(e *testscript.Env) error {
	home := filepath.Join(e.WorkDir, "home")
	e.Setenv("HOME", home)
	e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	e.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	e.Setenv("XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
	e.Setenv("LANG", "es_CL.UTF-8")
	e.Setenv("TZ", "UTC")
	e.Setenv("STORE", filepath.Join(home, ".local", "share", "folio", "folio.db"))
	e.Values[simsKey{}] = &sim.Sims{}
	e.Values[sshKeysKey{}] = &sshKeys{keys: map[string]gossh.Signer{}}
	return os.MkdirAll(home, 0o700)
}

// simstart [-orders N] [-seed S] [-sii-delay D] starts the Multivende,
// LibreDTE and OpenFactura simulators in the test process (on loopback,
// until the script ends) and sets $MV, $LD, $OF, $CLIENT_ID, $LD_HASH,
// $OF_KEY and $EMISOR. The client secret goes to $CLIENT_SECRET.
func cmdSimStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! simstart")
	}
	fs := flag.NewFlagSet("simstart", flag.ContinueOnError)
	orders := fs.Int("orders", 4, "orders present at start")
	seed := fs.Uint64("seed", 1, "seed")
	siiDelay := fs.Duration("sii-delay", 0, "SII answer delay")
	faultSpec := fs.String("faults", "none", "faults, as folio sim --faults")
	ts.Check(fs.Parse(args))
	sp, err := faults.Parse(*faultSpec)
	ts.Check(err)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := sim.Start(ctx, sim.Options{Orders: *orders, Seed: *seed, RateLimit: -1, SIIDelay: *siiDelay, OpenFacturaNoLimits: true, Faults: sp})
	if err != nil {
		cancel()
		ts.Fatalf("simstart: %v", err)
	}
	*ts.Value(simsKey{}).(*sim.Sims) = *s
	ts.Defer(func() {
		cancel()
		s.MV.Close()
		s.LD.Close()
		s.OF.Close()
	})
	for k, v := range map[string]string{"MV": s.Info.Multivende, "LD": s.Info.LibreDTE, "OF": s.Info.OpenFactura,
		"CLIENT_ID": s.Info.ClientID, "CLIENT_SECRET": s.Info.ClientSecret, "LD_HASH": s.Info.LibreDTEHash,
		"OF_KEY": s.Info.OpenFacturaKey, "EMISOR": s.Info.Emisor} {
		ts.Setenv(k, v)
	}
}

// simsKey holds, in each script's values, the simulators simstart started.
type simsKey struct{}

// simfaults SPEC changes the running simulators' faults (as POST
// /_sim/faults does), e.g. "none" once a rejection has happened.
func cmdSimFaults(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: simfaults SPEC")
	}
	s := ts.Value(simsKey{}).(*sim.Sims)
	if s.MV == nil {
		ts.Fatalf("simfaults: no simstart before it")
	}
	sp, err := faults.Parse(args[0])
	ts.Check(err)
	s.SetFaults(sp)
}

// simcancel ID [refunded] cancels (or refunds) the checkout ID in the
// Multivende simulator, as a marketplace would after the sale.
func cmdSimCancel(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 || (len(args) == 2 && args[1] != "refunded") {
		ts.Fatalf("usage: simcancel ID [refunded]")
	}
	s := ts.Value(simsKey{}).(*sim.Sims)
	if s.MV == nil {
		ts.Fatalf("simcancel: no simstart before it")
	}
	ts.Check(s.MV.Cancel(args[0], len(args) == 2))
}

// seedstore PATH N writes a store with a multivende connection "tienda"
// and N queued orders, ids 6650f1c2a9e4b1000000000I and codes MEL-0000000I,
// for the order commands that need orders but not an engine.
func cmdSeedStore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: seedstore PATH N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o700))
	ts.Check(writeOrders(path, n, func(i int) int64 { return int64(1000 + 990*i) }))
}

// waitorders PATH STATE N [TIMEOUT] waits until the store at PATH has at
// least N orders in STATE (a state, or "settled": at least N orders, none
// busy or retrying; the SII status of a done order may still be pending:
// folio run asks it every 30 s), failing after TIMEOUT (default 30s).
func cmdWaitOrders(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: waitorders PATH STATE N [TIMEOUT]")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	limit := 30 * time.Second
	if len(args) == 4 {
		limit, err = time.ParseDuration(args[3])
		ts.Check(err)
	}
	path := ts.MkAbs(args[0])
	ctx := context.Background()
	var last map[store.State]int
	// Every 100 ms: polling another process's store, no event to wait on.
	if !testutil.Until(limit, 100*time.Millisecond, func() bool {
		counts, ok := countOrders(ctx, path)
		if ok {
			last = counts
		}
		return ok && ordersReached(counts, args[1], n)
	}) {
		ts.Fatalf("waitorders: %s not reached in %s; orders by state: %v", strings.Join(args[1:3], " "), limit, last)
	}
}

// waitorder PATH KEY STATE [TIMEOUT] waits until the order KEY (its id or
// marketplace code) is in STATE in the store at PATH (default 30s).
func cmdWaitOrder(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: waitorder PATH KEY STATE [TIMEOUT]")
	}
	limit := 30 * time.Second
	if len(args) == 4 {
		var err error
		limit, err = time.ParseDuration(args[3])
		ts.Check(err)
	}
	path, ctx := ts.MkAbs(args[0]), context.Background()
	last := "not found"
	// Every 100 ms: polling another process's store, no event to wait on.
	if !testutil.Until(limit, 100*time.Millisecond, func() bool {
		st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
		if err != nil {
			return false
		}
		o, err := findOrder(ctx, st, args[1], i18n.EN)
		st.Close()
		if err != nil {
			return false
		}
		last = string(o.State) + " " + o.Reason
		return o.State == store.State(args[2])
	}) {
		ts.Fatalf("waitorder: %s not %s in %s (last: %s)", args[1], args[2], limit, last)
	}
}

func countOrders(ctx context.Context, path string) (map[store.State]int, bool) {
	if _, err := os.Stat(path); err != nil {
		return nil, false
	}
	st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		return nil, false
	}
	defer st.Close()
	counts, err := st.CountByState(ctx)
	return counts, err == nil
}

func ordersReached(counts map[store.State]int, state string, n int) bool {
	if state != "settled" {
		return counts[store.State(state)] >= n
	}
	total := 0
	for s, c := range counts {
		total += c
		if c > 0 && s != store.StateDone && s != store.StateAttention && s != store.StateWaiting {
			return false
		}
	}
	return total >= n
}

// freeport VAR sets $VAR to a loopback port free a moment ago, for a
// background folio sim whose address the script must know beforehand.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[0], strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	ts.Check(l.Close())
}

// waithttp URL waits (up to 30 s) until GET URL answers 200: a background
// server is listening.
func cmdWaitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waithttp URL")
	}
	var err error
	// Every 50 ms: another process starting, nothing to wait on.
	if !testutil.Until(30*time.Second, 50*time.Millisecond, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
		ts.Check(rerr)
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		ts.Fatalf("waithttp %s: no 200 in 30s (last: %v)", args[0], err)
	}
}

// bigfile PATH BYTES writes a JSON string literal of BYTES bytes, for the
// size limits of what folio reads.
func cmdBigFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigfile PATH BYTES")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b := bytes.Repeat([]byte("a"), n)
	b[0], b[n-1] = '"', '"'
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o600))
}

// perm PATH MODE fails unless PATH's permission bits are MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm PATH MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := fi.Mode().Perm(); (got == os.FileMode(want)) == neg {
		ts.Fatalf("%s: mode %03o (want %s%s)", args[0], got, map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}
