package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// Issue 15: one language per command.

// internal/dte's texts are folio's words too, in both languages.
func init() {
	var ms []i18n.Msg
	for _, code := range dte.Codes() {
		e, _ := dte.Lookup(code)
		for _, t := range []dte.Text{e.Title, e.Explain, e.Fix} {
			ms = append(ms, i18n.Msg{ES: t.ES, EN: t.EN})
		}
	}
	i18n.AlsoWords(ms)
}

var (
	quotedText = regexp.MustCompile(`«[^»]*»|“[^”]*”`)
	pathLike   = regexp.MustCompile(`\S*/\S*`)
)

// oneLanguage fails for any word of the other language in out (words
// from outside folio are quoted, and left out; "tienda" is a connection
// name, and the document types keep their Chilean names in both).
func oneLanguage(t *testing.T, lang i18n.Lang, what, out string) {
	t.Helper()
	s := quotedText.ReplaceAllString(strings.ReplaceAll(out, "tienda", " "), " ")
	s = pathLike.ReplaceAllString(s, " ") // file paths are names
	for _, d := range []dte.DocType{dte.Factura, dte.FacturaExenta, dte.Boleta, dte.BoletaExenta, dte.NotaCredito} {
		s = strings.ReplaceAll(s, d.Name(), " ")
	}
	if f := i18n.Foreign(lang, s); len(f) > 0 {
		t.Errorf("%s in %s holds words of the other language %v:\n%s", what, lang, f, out)
	}
}

// acceptedArgs finds arguments c takes (its Args check passes), so that
// running it reaches the flag checks.
func acceptedArgs(c *cobra.Command) ([]string, bool) {
	tries := [][]string{nil, {"x"}, {"x", "y"}, {"x", "y", "z"}}
	if len(c.ValidArgs) > 0 {
		tries = append(tries, c.ValidArgs[:1])
	}
	for _, args := range tries {
		if c.ValidateArgs(args) == nil {
			return args, true
		}
	}
	return nil, false
}

// `--lang xx` is refused by every command, naming es and en, before it
// does anything: no store, config or state file appears.
func TestLangFlagOnEveryCommand(t *testing.T) {
	home := isolate(t)
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" {
			return
		}
		if c.Flags().Lookup("lang") == nil && c.InheritedFlags().Lookup("lang") == nil {
			t.Errorf("%s has no --lang", c.CommandPath())
		}
		args, ok := acceptedArgs(c)
		if !ok {
			t.Errorf("%s: no arguments found that it takes", c.CommandPath())
			return
		}
		path := append(strings.Fields(strings.TrimPrefix(c.CommandPath(), "folio")), args...)
		_, _, err := runFolio(t, "", append(path, "--lang", "xx")...)
		if err == nil || !strings.Contains(err.Error(), `"xx"`) || !strings.Contains(err.Error(), "es o en") {
			t.Errorf("%v --lang xx: %v", path, err)
		}
		n++
	}
	walk(newRootCmd())
	if n < 20 {
		t.Fatalf("only %d commands tried", n)
	}
	var made []string
	_ = filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			made = append(made, p)
		}
		return nil
	})
	if len(made) > 0 {
		t.Errorf("a refused --lang still wrote %v", made)
	}
	// In English when the locale is.
	t.Setenv("LANG", "en_US.UTF-8")
	if _, _, err := runFolio(t, "", "orders", "--lang", "fr"); err == nil || err.Error() != `--lang "fr" is not a folio language: use es or en` {
		t.Errorf("orders --lang fr under LANG=en_US: %v", err)
	}
}

// langStore is a store with an order in Errors for an SII rejection (its
// reason a catalog message quoting the SII), one skipped by a person and
// one with a reason written before schema 12.
func langStore(t *testing.T) (path, rejected, skipped string) {
	t.Helper()
	sii := i18n.M("reason.sii_rejected", "RCH", i18n.Quote("(CAF-3-517) El CAF que contiene el folio se encuentra vencido"), 41)
	skip := i18n.M("reason.skipped", i18n.Quote("pedido duplicado"))
	ctl := i18n.M("event.control_applied", i18n.M("ctl.skip"), "ana (cli)", i18n.M("control.skipped"))
	path = seedStore(t, 3, func(ctx context.Context, tx *store.Tx, ids []string) error {
		rejected, skipped = ids[0], ids[1]
		if err := tx.MoveOrder(ctx, rejected, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, ReasonCode: "SII-RCH",
			Reason: sii.Plain(i18n.ES), ReasonMsg: sii.Encode(), DocType: 39, Folio: 41,
			Event: store.Event{Kind: "sii", Message: sii.Plain(i18n.ES), MsgJSON: sii.Encode()}}); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, rejected, store.Event{Kind: "sii", Message: "SII: rechazado (RCH)", MsgID: "event.sii", MsgArgs: []string{"rechazado", "RCH"},
			MsgJSON: i18n.M("event.sii", i18n.M("sii.rejected"), "RCH").Encode()}); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, skipped, store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeSkipped,
			Reason: skip.Plain(i18n.ES), ReasonMsg: skip.Encode(), Event: store.Event{Kind: "control", Message: ctl.Plain(i18n.ES), MsgJSON: ctl.Encode()}})
	})
	return path, rejected, skipped
}

// `folio order show` printed Spanish under LANG=en_US; `folio orders`
// had English headers and states under a Spanish locale.
func TestOrderCommandsFollowTheLanguage(t *testing.T) {
	isolate(t)
	path, rejected, skipped := langStore(t)
	for _, tc := range []struct {
		env  string
		args []string
		lang i18n.Lang
	}{
		{"en_US.UTF-8", nil, i18n.EN},
		{"C.UTF-8", nil, i18n.ES},
		{"C.UTF-8", []string{"--lang", "en"}, i18n.EN},
		{"en_US.UTF-8", []string{"--lang", "es"}, i18n.ES},
	} {
		t.Setenv("LANG", tc.env)
		for _, id := range []string{rejected, skipped} {
			out, _, err := runFolio(t, "", append([]string{"order", "show", id, "--store", path}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			oneLanguage(t, tc.lang, "order show "+id, out)
			if id == rejected && !strings.Contains(out, "CAF-3-517") {
				t.Errorf("the SII's words are gone:\n%s", out)
			}
			out, _, err = runFolio(t, "", append([]string{"order", "show", id, "--store", path, "--json"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			var j struct {
				Reason     string `json:"reason"`
				ReasonText string `json:"reason_text"`
				Fix        string `json:"fix"`
				Events     []struct {
					Message string `json:"message"`
					Text    string `json:"text"`
				} `json:"events"`
			}
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatal(err)
			}
			people := j.ReasonText + "\n" + j.Fix
			for _, e := range j.Events {
				people += "\n" + e.Text
			}
			oneLanguage(t, tc.lang, "order show --json "+id, people)
			// reason stays the words the store keeps, whatever the language.
			if !strings.HasPrefix(j.Reason, "rechazado por el SII") && !strings.HasPrefix(j.Reason, "omitido: ") {
				t.Errorf("--json reason %q is not the stored Spanish", j.Reason)
			}
		}
		for _, cmd := range [][]string{{"info"}, {"config", "show"}, {"backup", filepath.Join(t.TempDir(), "copy.db"), "--store", path}} {
			out, _, err := runFolio(t, "", append(cmd, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if cmd[0] == "config" { // keys and values are names: the header and FROM are words
				lines := strings.Split(out, "\n")
				for i, line := range lines {
					if f := strings.Fields(line); i > 1 && len(f) > 2 {
						lines[i] = strings.Join(f[2:], " ")
					}
				}
				out = strings.Join(lines, "\n")
			}
			oneLanguage(t, tc.lang, cmd[0], out)
		}
		out, _, err := runFolio(t, "", append([]string{"orders", "--store", path}, tc.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		oneLanguage(t, tc.lang, "orders", out)
		if !strings.Contains(out, tc.lang.T("cli.col.reason")) || !strings.Contains(out, i18n.StateName(tc.lang, "attention")) {
			t.Errorf("orders in %s:\n%s", tc.lang, out)
		}
	}
}

// `folio pause` said "done: en pausa: todo" under an English locale: the
// engine's outcome is shown in the command's language.
func TestControlReportInTheCommandsLanguage(t *testing.T) {
	isolate(t)
	path, _, _ := langStore(t)
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	host, _ := os.Hostname()
	if _, err := st.AcquireLease(ctx, store.Holder{PID: os.Getpid(), Host: host, StartedAt: time.Now()}, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Stands in for the engine (its side is TestReasonsAndOutcomesAreMessages
	// in internal/engine): it records the outcome as the engine does.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			cs, _ := st.PendingControls(ctx, 10)
			for _, c := range cs {
				out := i18n.M("control.paused", i18n.M("control.everything"))
				_ = st.Write(ctx, func(tx *store.Tx) error {
					return tx.CompleteControlMsg(ctx, c.ID, store.CtlApplied, out.Plain(i18n.ES), out.Encode())
				})
			}
		}
	}()
	t.Setenv("LANG", "en_US.UTF-8")
	out, _, err := runFolio(t, "", "pause", "--store", path)
	if err != nil || strings.TrimSpace(out) != "done: paused: everything" {
		t.Fatalf("pause under LANG=en_US: %q %v", out, err)
	}
	t.Setenv("LANG", "es_CL.UTF-8")
	out, _, err = runFolio(t, "", "pause", "--store", path)
	if err != nil || strings.TrimSpace(out) != "listo: en pausa: todo" {
		t.Fatalf("pause under LANG=es_CL: %q %v", out, err)
	}
}
