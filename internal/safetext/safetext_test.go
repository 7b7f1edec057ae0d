package safetext_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/safetext/safetexttest"
)

func TestTextEscapes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ana Pérez", "Ana Pérez"},
		{"Ana\x1b]0;pwned\x07", `Ana\x1b]0;pwned\x07`},
		{"\x1b]52;c;cm0=\x07", `\x1b]52;c;cm0=\x07`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"a\rb\nc\td", `a\rb\nc\td`},
		{"a\x00b\x7f", `a\x00b\x7f`},
		{"x\u202eabc", `x\u202eabc`},
		{"\u2066\u2069\u200e\u200f\u061c", `\u2066\u2069\u200e\u200f\u061c`},
		{"a\u009bb", `a\u009bb`},
		{"a\x9bb\xff", `a\x9bb\xff`},
		{"l\u2028m", `l\u2028m`},
		{`C:\x1b`, `C:\x1b`}, // a typed backslash stays
	} {
		if got := safetext.Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHostileTable(t *testing.T) {
	for name, s := range safetexttest.Hostile {
		got := safetext.Text(s)
		if bad := safetexttest.Raw(got, false); bad != "" || strings.Contains(got, "\n") {
			t.Errorf("%s: Text left %s (or LF) in %q", name, bad, got)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: not valid UTF-8", name)
		}
		if again := safetext.Text(got); again != got {
			t.Errorf("%s: Text is not idempotent", name)
		}
		if len(got) > 6*len(s) {
			t.Errorf("%s: %d bytes from %d", name, len(got), len(s))
		}
		cl, changed := safetext.Clean(s)
		if bad := safetexttest.Raw(cl, false); bad != "" || strings.Contains(cl, "\n") || !changed {
			t.Errorf("%s: Clean left %s (or LF), changed=%v: %q", name, bad, changed, cl)
		}
		ls := safetext.Lines(s)
		if bad := safetexttest.Raw(ls, false); bad != "" {
			t.Errorf("%s: Lines left %s in %q", name, bad, ls)
		}
	}
}

func TestCleanKeepsText(t *testing.T) {
	for in, want := range map[string]string{
		"Ana  Pérez ñ":         "Ana  Pérez ñ",
		"Av.\tSiempre\nViva\r": "Av. Siempre Viva ",
		"A\x00B\x07C\x1bD":     "ABCD",
		"x\u202eabc\u2066":     "xabc",
		"a\xffb":               "ab",
	} {
		got, changed := safetext.Clean(in)
		if got != want || changed != (in != want) {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

func TestLinesKeepsLF(t *testing.T) {
	if got := safetext.Lines("{\n  \"a\": \"b\x1b[2J\"\r\n}"); got != "{\n  \"a\": \"b\\x1b[2J\"\\r\n}" {
		t.Errorf("Lines = %q", got)
	}
}

func TestCleanTextDoesNotAllocate(t *testing.T) {
	s := strings.Repeat("Ana Pérez ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = safetext.Text(s) }); n != 0 {
		t.Errorf("%v allocations for clean text", n)
	}
}

func TestJSONEscapesWhatEncodingJSONLeaves(t *testing.T) {
	for name, s := range safetexttest.Hostile {
		b, err := json.Marshal(map[string]string{"v": s})
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		got := safetext.JSON(b)
		if bad := safetexttest.Raw(string(got), false); bad != "" {
			t.Errorf("%s: %s in %q", name, bad, got)
		}
		var back, want map[string]string
		_ = json.Unmarshal(b, &want)
		if err := json.Unmarshal(got, &back); err != nil || back["v"] != want["v"] {
			t.Errorf("%s: decodes to %q (%v), want %q", name, back["v"], err, want["v"])
		}
	}
}
