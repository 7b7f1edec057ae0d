package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// Issue 15: the store's failures and cobra's refusals were English under
// es; they are said from the catalog, and English stays as scripts read it.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, path := range []string{dir, notDB} {
		_, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
		if err == nil {
			t.Fatalf("opening %s as a store worked", path)
		}
		errs = append(errs, err)
	}
	for _, args := range [][]string{{"orders", "--bogus"}, {"order", "show"}, {"order", "retyr", "X"}, {"orders", "--limit"}} {
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SilenceErrors, root.SilenceUsage = true, true
		if _, err := root.ExecuteC(); err == nil {
			t.Fatalf("folio %v worked", args)
		} else {
			errs = append(errs, err)
		}
	}
	for _, err := range errs {
		es, en := errorText(i18n.ES, time.UTC, err), errorText(i18n.EN, time.UTC, err)
		oneLanguage(t, i18n.ES, "the error", names(es))
		oneLanguage(t, i18n.EN, "the error", names(en))
		if es == en {
			t.Errorf("the same words in both languages: %q", es)
		}
		if strings.Contains(err.Error(), "store") && en != err.Error() {
			t.Errorf("the English text changed:\n got %q\nwant %q", en, err.Error())
		}
	}
	if got := errorText(i18n.ES, time.UTC, errs[0]); !strings.Contains(got, "es un directorio") || !strings.Contains(got, filepath.Join(dir, "folio.db")) {
		t.Errorf("a directory given as the store: %q", got)
	}
	if got := errorText(i18n.ES, time.UTC, errs[4]); !strings.Contains(got, "¿Quiso decir esto?") || !strings.Contains(got, "retry") {
		t.Errorf("an unknown subcommand keeps its suggestion: %q", got)
	}
}

// names leaves out flag names and cobra's suggested command names: names
// in both languages.
func names(s string) string {
	var kept []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "\t") {
			kept = append(kept, flagName.ReplaceAllString(line, " "))
		}
	}
	return strings.Join(kept, "\n")
}

var flagName = regexp.MustCompile(`--\S+`)

func TestLangInArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want i18n.Lang
		ok   bool
	}{
		{[]string{"orders", "--lang", "en", "--bogus"}, i18n.EN, true},
		{[]string{"orders", "--bogus", "--lang=es"}, i18n.ES, true},
		{[]string{"orders", "--lang", "xx"}, "", false},
		{[]string{"orders", "--", "--lang", "en"}, "", false},
		{[]string{"orders"}, "", false},
	} {
		if got, ok := langInArgs(tc.args); got != tc.want || ok != tc.ok {
			t.Errorf("langInArgs(%v) = %q, %v; want %q, %v", tc.args, got, ok, tc.want, tc.ok)
		}
	}
}

// A service's failure a command returns is said as an order's reason
// says it: the catalog's words, the system's quoted, no code or Go text.
func TestServiceErrorInTheReadersLanguage(t *testing.T) {
	err := fmt.Errorf("catalog: %w", &invoicer.Error{Code: invoicer.CodeServer, Op: "items", Msg: i18n.M("call.no_reply"),
		Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")})
	es := errorText(i18n.ES, time.UTC, err)
	if !strings.Contains(es, "sin respuesta: «dial tcp 127.0.0.1:1: connect: connection refused»") || strings.Contains(es, "INV-SERVER") {
		t.Errorf("in Spanish: %q", es)
	}
}

// A store that cannot be opened names the step that failed in the
// reader's language and the system's words as they came; the English is
// the error's own text. Every step has its words.
func TestStoreOpenStepInTheReadersLanguage(t *testing.T) {
	for _, op := range store.Ops {
		id := i18n.ID("store.op." + string(op))
		if !i18n.Has(id) {
			t.Errorf("no words for the step %q (%s)", op, id)
		}
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A store whose folder is a file.
	_, err := store.Open(context.Background(), filepath.Join(blocker, "sub", "folio.db"), store.Options{})
	oe, ok := errors.AsType[*store.OpenError](err)
	if !ok || oe.Op == "" || oe.Cause == "" {
		t.Fatalf("err = %#v, want its step and cause", err)
	}
	step, _, _ := strings.Cut(oe.Detail, ": ") // the English step
	es, en := errorText(i18n.ES, time.UTC, err), errorText(i18n.EN, time.UTC, err)
	if en != err.Error() {
		t.Errorf("the English text changed:\n got %q\nwant %q", en, err.Error())
	}
	if !strings.Contains(es, i18n.ES.T(i18n.ID("store.op."+string(oe.Op)), oe.Cause)) || strings.Contains(es, "("+step+":") {
		t.Errorf("es: %q", es)
	}
	_, err = store.Open(context.Background(), "postgres://folio:s3cret@h:bad/db", store.Options{})
	if oe, ok := errors.AsType[*store.OpenError](err); !ok || oe.Case != store.CaseBadAddress {
		t.Fatalf("err = %v, want a bad address", err)
	}
	es = errorText(i18n.ES, time.UTC, err)
	if strings.Contains(es, "does not parse") || strings.Contains(es, "s3cret") || !strings.Contains(es, "la dirección no se entiende («") {
		t.Errorf("es: %q", es)
	}
}
