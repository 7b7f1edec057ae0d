package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/engine"
)

// crashKills is how many times the crash test kills the engine; the
// default suite does 8, FOLIO_SOAK=1 does 40 over more orders.
func crashKills() (kills, orders int) { return soak(8, 40, 40, 200) }

// TestCrashExactlyOnce kills `folio run` with SIGKILL at random moments
// while it works against `folio sim` with faults, restarts it, lets it
// settle, and checks both simulators' ledgers: every folio consumed is
// attached to exactly one order, no order has two documents nor a PDF
// uploaded twice, every paid order has a document or waits in Errors with
// a reason, and no unpaid or cancelled order has one.
func TestCrashExactlyOnce(t *testing.T) {
	bin := processTest(t)
	kills, orders := crashKills()
	// Mix without SII rejections: a rejected document may rightly stay
	// unattached, which would blur the ledger check.
	info := startSim(t, bin, orders, "5xx=0.03,429=0.02,latency=2ms..40ms,reset=0.01,reset-after-generar=0.05")
	r := newRunner(t, bin, info)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	// Odd rounds die at a failpoint: right after a call succeeded at the
	// service and before its result is committed, the moment a crash hurts
	// most; even rounds are killed at a random moment.
	points := []string{engine.FailAfterPrepare, engine.FailAfterIssue, engine.FailAfterAttach, engine.FailAfterUpload}
	for i := 0; i < kills; i++ {
		fp := ""
		if i%2 == 1 {
			fp = fmt.Sprintf("%s:%d", points[(i/2)%len(points)], 1+rng.IntN(3))
		}
		wait := time.Duration(300+rng.IntN(1500)) * time.Millisecond
		if fp != "" {
			wait = 10 * time.Second // time to reach the failpoint
		}
		r.killAfter(wait, fp)
	}
	if log := r.log(); !strings.Contains(log, "failpoint") {
		t.Error("no run reached its failpoint: the worst moments were not tested")
	} else {
		t.Logf("%d runs died at a failpoint", strings.Count(log, "failpoint"))
	}
	// A stop while the engine is still starting is a clean stop too.
	early := r.start("")
	waitOpens(t, early.Process.Pid, r.storePath)
	early.Process.Signal(syscall.SIGTERM)
	if err := early.Wait(); err != nil {
		t.Errorf("folio run stopped while starting did not exit 0: %v", err)
	}
	st := r.settleLast(time.Duration(orders) * 3 * time.Second)
	checkCrashLedgers(t, st, info)
}
