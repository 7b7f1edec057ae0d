package i18n

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetectPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		flag, config string
		env          map[string]string
		want         Lang
	}{
		{"nothing set", "", "", nil, ES},
		{"flag wins over all", "en", "es", map[string]string{"LANG": "es_CL.UTF-8"}, EN},
		{"flag es wins over english env", "es", "", map[string]string{"LC_ALL": "en_US.UTF-8"}, ES},
		{"config over env", "", "en", map[string]string{"LANG": "es_CL.UTF-8"}, EN},
		{"config es over english env", "", "es", map[string]string{"LANG": "en_US.UTF-8"}, ES},
		{"LANG english", "", "", map[string]string{"LANG": "en_US.UTF-8"}, EN},
		{"LANG spanish", "", "", map[string]string{"LANG": "es_CL.UTF-8"}, ES},
		{"LANG C is es-CL", "", "", map[string]string{"LANG": "C.UTF-8"}, ES},
		{"LANG other language is es-CL", "", "", map[string]string{"LANG": "fr_FR.UTF-8"}, ES},
		{"LC_ALL over LANG", "", "", map[string]string{"LC_ALL": "es_CL.UTF-8", "LANG": "en_US.UTF-8"}, ES},
		{"LC_MESSAGES over LANG", "", "", map[string]string{"LC_MESSAGES": "en_GB.UTF-8", "LANG": "es_CL.UTF-8"}, EN},
		{"LC_ALL over LC_MESSAGES", "", "", map[string]string{"LC_ALL": "en_US", "LC_MESSAGES": "es_CL"}, EN},
		{"unknown flag passed over", "fr", "en", nil, EN},
		{"locale spelling in config", "", "en_US.UTF-8", nil, EN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Detect(tt.flag, tt.config, env(tt.env)); got != tt.want {
				t.Errorf("Detect(%q, %q, %v) = %s, want %s", tt.flag, tt.config, tt.env, got, tt.want)
			}
		})
	}
	if Detect("", "", nil) != ES {
		t.Error("nil env must give es")
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Lang{"es": ES, "en": EN, "es-CL": ES, "EN": EN, "en_US.UTF-8": EN, " es ": ES} {
		if got, err := ParseLang(in); err != nil || got != want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fr", "english", "e"} {
		if _, err := ParseLang(in); err == nil || !strings.Contains(err.Error(), "es or en") {
			t.Errorf("ParseLang(%q) error = %v, want one naming es or en", in, err)
		}
	}
}

// verbRE matches fmt verbs, with optional explicit argument index.
var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\d+|\*)?(\.(\d+|\*))?[a-zA-Z%]`)

// verbs returns a message's fmt verbs in a comparable form: in order when
// arguments are implicit, keyed by index when they are explicit.
func verbs(s string) []string {
	var out []string
	implicit := 0
	for _, m := range verbRE.FindAllStringSubmatch(s, -1) {
		v := m[0]
		if strings.HasSuffix(v, "%") && len(v) == 2 {
			continue // %%
		}
		verb := v[len(v)-1:]
		if m[1] != "" {
			out = append(out, m[1]+verb)
			continue
		}
		implicit++
		out = append(out, "["+strconv.Itoa(implicit)+"]"+verb)
	}
	slices.Sort(out)
	return out
}

func TestCatalogComplete(t *testing.T) {
	t.Parallel()
	if len(IDs()) == 0 {
		t.Fatal("empty catalog")
	}
	for _, id := range IDs() {
		m, _ := Lookup(id)
		if strings.TrimSpace(m.ES) == "" || strings.TrimSpace(m.EN) == "" {
			t.Errorf("%s: missing a language: es=%q en=%q", id, m.ES, m.EN)
		}
		if es, en := verbs(m.ES), verbs(m.EN); !slices.Equal(es, en) {
			t.Errorf("%s: format verbs differ: es %v, en %v", id, es, en)
		}
	}
}

func TestVerbsComparison(t *testing.T) {
	t.Parallel()
	// The completeness test is only as good as this comparison.
	same := [][2]string{{"hace %s", "%s ago"}, {"%[2]d de %[1]s", "%[1]s %[2]d"}, {"100%% %d", "%d 100%%"}}
	diff := [][2]string{{"%s", "%d"}, {"%s %s", "%s"}, {"%[1]s", "%[2]s"}, {"x", "%v"}}
	for _, p := range same {
		if !slices.Equal(verbs(p[0]), verbs(p[1])) {
			t.Errorf("%q and %q should match", p[0], p[1])
		}
	}
	for _, p := range diff {
		if slices.Equal(verbs(p[0]), verbs(p[1])) {
			t.Errorf("%q and %q should differ", p[0], p[1])
		}
	}
}

func TestConsoleWords(t *testing.T) {
	t.Parallel()
	// The words console.md fixes, and the public pane titles of `folio demo`.
	tests := []struct {
		id     ID
		es, en string
	}{
		{"pane.connections", "Conexiones", "Connections"},
		{"pane.orders", "Pedidos", "Orders"},
		{"pane.queue", "Cola", "Queue"},
		{"pane.errors", "Errores", "Errors"},
		{"conn.ok", "Conexión OK", "Connection OK"},
		{"word.paused", "en pausa", "paused"},
		{"action.resume", "reanudar", "resume"},
		{"action.retry", "reintentar", "retry"},
		{"action.skip", "omitir", "skip"},
		{"word.needs_attention", "requiere atención", "needs attention"},
		{"action.reconnect", "reconectar", "reconnect"},
		{"word.credit_note", "nota de crédito", "credit note"},
		{"word.payment_received", "pago recibido", "payment received"},
		{"word.boleta", "boleta", "boleta"},
		{"word.factura", "factura", "factura"},
	}
	for _, tt := range tests {
		if got := T(ES, tt.id); got != tt.es {
			t.Errorf("T(es, %s) = %q, want %q", tt.id, got, tt.es)
		}
		if got := EN.T(tt.id); got != tt.en {
			t.Errorf("T(en, %s) = %q, want %q", tt.id, got, tt.en)
		}
	}
}

func TestStates(t *testing.T) {
	t.Parallel()
	states := []string{"waiting", "queued", "building", "issuing", "issued", "attaching", "done", "retrying", "attention"}
	seen := map[string]string{}
	for _, s := range states {
		for _, l := range Langs() {
			name := StateName(l, s)
			if name == "" || name == s && l == ES {
				t.Errorf("StateName(%s, %s) = %q, want a translation", l, s, name)
			}
			if len([]rune(name)) > 10 {
				t.Errorf("StateName(%s, %s) = %q: longer than the 10-column State field", l, s, name)
			}
			if other, dup := seen[string(l)+name]; dup {
				t.Errorf("%s: %s and %s both display as %q", l, s, other, name)
			}
			seen[string(l)+name] = s
		}
	}
	if got := StateName(EN, "exploded"); got != "exploded" {
		t.Errorf("unknown state shown as %q", got)
	}
}

func TestTMissingAndArgs(t *testing.T) {
	t.Parallel()
	if got := T(EN, "no.such.id"); got != "!no.such.id" {
		t.Errorf("missing id = %q", got)
	}
	if Has("no.such.id") || !Has("pane.orders") {
		t.Error("Has is wrong")
	}
	if got := T(ES, "time.ago", "12s"); got != "hace 12s" {
		t.Errorf("T(es, time.ago) = %q", got)
	}
}

func TestFormatCLP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int64
		want string
	}{
		{0, "$0"},
		{1, "$1"},
		{990, "$990"},
		{1000, "$1.000"},
		{29970, "$29.970"},
		{100000, "$100.000"},
		{1234567, "$1.234.567"},
		{-1, "-$1"},
		{-1000, "-$1.000"},
		{-29970, "-$29.970"},
		{math.MaxInt64, "$9.223.372.036.854.775.807"},
		{math.MinInt64, "-$9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		if got := FormatCLP(tt.in); got != tt.want {
			t.Errorf("FormatCLP(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang Lang
		in   int64
		want string
	}{
		{ES, 1284, "1.284"}, {EN, 1284, "1,284"}, {ES, 7, "7"}, {EN, -1000000, "-1,000,000"},
	}
	for _, tt := range tests {
		if got := FormatCount(tt.lang, tt.in); got != tt.want {
			t.Errorf("FormatCount(%s, %d) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	scl, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	at := time.Date(2026, 11, 24, 17, 3, 59, 0, time.UTC) // 14:03 in Santiago (UTC−3 in summer)
	tests := []struct {
		lang       Lang
		t          time.Time
		time, date string
	}{
		{ES, at, "24-11-2026 14:03", "24-11-2026"},
		{EN, at, "2026-11-24 14:03", "2026-11-24"},
		// Whatever zone a time carries, it is shown in the merchant's.
		{ES, at.In(time.FixedZone("X", 5*3600+1800)), "24-11-2026 14:03", "24-11-2026"},
		{EN, at.Add(10 * time.Hour), "2026-11-25 00:03", "2026-11-25"},
		{ES, time.Time{}, "–", "–"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.lang, tt.t, scl); got != tt.time {
			t.Errorf("FormatTime(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.time)
		}
		if got := FormatDate(tt.lang, tt.t, scl); got != tt.date {
			t.Errorf("FormatDate(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.date)
		}
	}
	if got := ZoneName(scl, at); got != "America/Santiago, UTC−03:00" {
		t.Errorf("ZoneName = %q", got)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{900 * time.Millisecond, "0s"},
		{38 * time.Second, "38s"},
		{60 * time.Second, "1m"},
		{4*time.Minute + 5*time.Second, "4m5s"},
		{5*time.Hour + 12*time.Minute + 59*time.Second, "5h12m"},
		{2 * time.Hour, "2h"},
		{27 * time.Hour, "1d3h"},
		{72 * time.Hour, "3d"},
		{-90 * time.Second, "-1m30s"},
		{time.Duration(math.MinInt64), "-106751d23h"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatAgoIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang    Lang
		d       time.Duration
		ago, in string
	}{
		{ES, 12 * time.Second, "hace 12s", "en 12s"},
		{EN, 12 * time.Second, "12s ago", "in 12s"},
		{EN, 5*time.Hour + 12*time.Minute, "5h12m ago", "in 5h12m"},
		{ES, 0, "ahora", "ahora"},
		{EN, -3 * time.Second, "now", "now"},
	}
	for _, tt := range tests {
		if got := FormatAgo(tt.lang, tt.d); got != tt.ago {
			t.Errorf("FormatAgo(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.ago)
		}
		if got := FormatIn(tt.lang, tt.d); got != tt.in {
			t.Errorf("FormatIn(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.in)
		}
	}
}

func TestNoMessageDefinedTwice(t *testing.T) {
	if len(redefined) > 0 {
		t.Errorf("messages defined in two catalog files: %v", redefined)
	}
}
