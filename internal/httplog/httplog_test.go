package httplog

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBodyRedactsBeforeCutting(t *testing.T) {
	secret := "s3cr3t-key-value"
	// The secret straddles BodyMax: cutting first would leave half of it.
	body := strings.Repeat("x", BodyMax-5) + secret + strings.Repeat("y", 100)
	got := Body([]byte(body), "application/json", Literal(secret))
	if strings.Contains(got, "s3cr") {
		t.Fatalf("part of the secret survived: …%s", got[len(got)-80:])
	}
	if !strings.HasSuffix(got, "bytes in all]") {
		t.Errorf("a cut body does not say how long it was: …%s", got[len(got)-40:])
	}
}

func TestBodySummarisesFiles(t *testing.T) {
	for _, tc := range []struct{ body, ct, want string }{
		{"%PDF-1.4 binary", "text/plain", "[15 bytes application/pdf]"},
		{"--b\r\nContent-Disposition: form-data", "multipart/form-data; boundary=b", "[35 bytes multipart/form-data]"},
		{"\x00\x01", "application/octet-stream", "[2 bytes application/octet-stream]"},
		{`{"ok":true}`, "application/json", `{"ok":true}`},
		{"", "application/json", ""},
	} {
		if got := Body([]byte(tc.body), tc.ct, nil); got != tc.want {
			t.Errorf("Body(%q, %q) = %q, want %q", tc.body, tc.ct, got, tc.want)
		}
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	for max := 0; max < 12; max++ {
		got := Truncate("ñandú ñandú", max)
		if !utf8.ValidString(got) {
			t.Fatalf("Truncate(…, %d) = %q: not valid UTF-8", max, got)
		}
		if len(strings.TrimSuffix(got, "…")) > max {
			t.Errorf("Truncate(…, %d) = %q: longer than %d", max, got, max)
		}
	}
	if got := Truncate("short", 10); got != "short" {
		t.Errorf("a short string was changed: %q", got)
	}
}

func TestBodyMakesInvalidUTF8Valid(t *testing.T) {
	if got := Body([]byte("a\xffb"), "text/plain", nil); !utf8.ValidString(got) {
		t.Errorf("%q is not valid UTF-8", got)
	}
}
