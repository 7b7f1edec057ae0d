package engine

import (
	"strings"
	"testing"
	"time"
)

// The reason warns as the 6-month window for returned goods nears its end
// (Ley 21.398), counted from the original's date, and says when it passed.
func TestCreditWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		today, issued, want string
	}{
		{"2026-06-01", "2026-05-15", "hasta el 2026-11-15"},
		{"2026-10-15", "2026-05-15", "hasta el 2026-11-15"},
		{"2026-10-16", "2026-05-15", "quedan 30 días"},
		{"2026-11-15", "2026-05-15", "quedan 0 días"},
		{"2026-11-16", "2026-05-15", "venció el plazo de 6 meses para devoluciones (Ley 21.398) el 2026-11-15"},
		{"2026-11-16", "no es fecha", ""},
	} {
		now, _ := time.Parse(time.DateOnly, c.today)
		e := &Engine{cfg: Config{Now: func() time.Time { return now.Add(15 * time.Hour) }, Location: time.UTC}}
		got := es(e.creditWindow(c.issued))
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("today %s, issued %s: %q, want %q", c.today, c.issued, got, c.want)
		}
	}
}
