package i18n

import (
	"testing"
)

func TestMessageRoundTripAndLanguages(t *testing.T) {
	t.Parallel()
	m := M("reason.max_attempts", 5, M("reason.detail", Both("Sin respuesta", "No answer"), Quote("upstream\x1b[31m down")))
	back, ok := ParseMessage(m.Encode())
	if !ok {
		t.Fatalf("ParseMessage(%s) failed", m.Encode())
	}
	if got, want := back.In(EN), `too many attempts (5): No answer: “upstream\x1b[31m down”`; got != want {
		t.Errorf("EN = %q, want %q", got, want)
	}
	if got, want := back.In(ES), `demasiados intentos (5): Sin respuesta: «upstream\x1b[31m down»`; got != want {
		t.Errorf("ES = %q, want %q", got, want)
	}
	if got, want := back.Plain(ES), "demasiados intentos (5): Sin respuesta: upstream\x1b[31m down"; got != want {
		t.Errorf("Plain = %q, want %q", got, want)
	}
	if !back.Known() {
		t.Error("a message of catalog ids must be Known")
	}
}

func TestMessageIntVerbTakesText(t *testing.T) {
	t.Parallel()
	// reissue.refuse_retry has %d: arguments kept as text must still fill it.
	m := M("reissue.refuse_retry", int64(42), "e", "o-1")
	if got := m.In(EN); got != T(EN, "reissue.refuse_retry", 42, "e", "o-1") {
		t.Errorf("In = %q", got)
	}
}

func TestParseMessageOldEventForm(t *testing.T) {
	t.Parallel()
	m, ok := ParseMessage(`{"id":"event.sii","args":["aceptado","00"]}`)
	if !ok || m.In(EN) != "SII: aceptado (00)" {
		t.Errorf("old form = %+v %v", m, ok)
	}
	for _, bad := range []string{"", "x", `""`, `{"id":""}`, `{"args":[]}`} {
		if _, ok := ParseMessage(bad); ok {
			t.Errorf("ParseMessage(%q) ok", bad)
		}
	}
	if (Message{ID: "no.such.id"}).Known() {
		t.Error("unknown id reported Known")
	}
	// A reason of internal/dte's own words, in both languages, stands alone.
	both := Both("Receptor.GiroRecep: falta", "Receptor.GiroRecep: missing")
	if m, ok := ParseMessage(both.Encode()); !ok || !m.Known() || m.In(EN) != "Receptor.GiroRecep: missing" {
		t.Errorf("words in both languages: %+v %v", m, ok)
	}
}

func TestForeignWords(t *testing.T) {
	t.Parallel()
	if got := Foreign(EN, "done: en pausa: todo"); len(got) == 0 {
		t.Error("the issue's mixed line passed as English")
	}
	if got := Foreign(ES, "listo: paused: everything"); len(got) == 0 {
		t.Error("English words passed as Spanish")
	}
	for _, lang := range Langs() {
		for _, id := range IDs() {
			m, _ := Lookup(id)
			text := m.ES
			if lang == EN {
				text = m.EN
			}
			if f := Foreign(lang, text); len(f) > 0 {
				t.Fatalf("%s's own %s text %q counts as foreign: %v", id, lang, text, f)
			}
		}
	}
	for _, w := range []string{"boleta", "factura", "folio", "sii"} {
		for _, lang := range Langs() {
			if len(Foreign(lang, w)) > 0 {
				t.Errorf("%q is foreign in %s", w, lang)
			}
		}
	}
}
