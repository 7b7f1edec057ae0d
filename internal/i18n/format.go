package i18n

import (
	"strconv"
	"strings"
	"time"
)

// FormatCLP writes an amount of Chilean pesos as Chile does, in both
// languages: "$29.970", "$0", "-$1.000" (dot thousands, no decimals).
func FormatCLP(n int64) string {
	if n < 0 {
		return "-$" + group(uabs(n), '.')
	}
	return "$" + group(uint64(n), '.')
}

// FormatCount writes a count with thousands separators: "1.284" in
// Spanish, "1,284" in English.
func FormatCount(lang Lang, n int64) string {
	sep := byte('.')
	if lang == EN {
		sep = ','
	}
	if n < 0 {
		return "-" + group(uabs(n), sep)
	}
	return group(uint64(n), sep)
}

// uabs is |n| without overflow at math.MinInt64.
func uabs(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

func group(u uint64, sep byte) string {
	s := strconv.FormatUint(u, 10)
	if len(s) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	first := len(s) % 3
	if first == 0 {
		first = 3
	}
	out = append(out, s[:first]...)
	for i := first; i < len(s); i += 3 {
		out = append(out, sep)
		out = append(out, s[i:i+3]...)
	}
	return string(out)
}

// Layouts of dates and times in each language.
const (
	layoutTimeES = "02-01-2006 15:04"
	layoutTimeEN = "2006-01-02 15:04"
	layoutDateES = "02-01-2006"
	layoutDateEN = "2006-01-02"
)

// FormatTime writes t in loc, the merchant's zone (one zone on every
// screen, whatever the host's): "24-11-2026 14:03" in es-CL, "2026-11-24
// 14:03" in English. The zero time is "–".
func FormatTime(lang Lang, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	if lang == EN {
		return t.In(loc).Format(layoutTimeEN)
	}
	return t.In(loc).Format(layoutTimeES)
}

// FormatDate writes t's date in loc: "24-11-2026" or "2026-11-24".
func FormatDate(lang Lang, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "–"
	}
	if lang == EN {
		return t.In(loc).Format(layoutDateEN)
	}
	return t.In(loc).Format(layoutDateES)
}

// ZoneName says which zone times are in, with its offset now, where a
// reader could take them for another zone: "America/Santiago, UTC−03:00".
func ZoneName(loc *time.Location, now time.Time) string {
	off := now.In(loc).Format("-07:00")
	return loc.String() + ", UTC" + strings.Replace(off, "-", "−", 1)
}

// FormatDuration writes d short, to its two largest units, for columns
// that count down or up: "38s", "4m5s", "5h12m", "3d4h". Sub-second
// durations are "0s"; negative ones get a leading "-".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		if d == time.Duration(-1<<63) {
			d++ // -d would overflow
		}
		return "-" + FormatDuration(-d)
	}
	s := int64(d / time.Second)
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
	)
	two := func(a int64, ua string, b int64, ub string) string {
		out := strconv.FormatInt(a, 10) + ua
		if b > 0 {
			out += strconv.FormatInt(b, 10) + ub
		}
		return out
	}
	switch {
	case s < minute:
		return strconv.FormatInt(s, 10) + "s"
	case s < hour:
		return two(s/minute, "m", s%minute, "s")
	case s < day:
		return two(s/hour, "h", s%hour/minute, "m")
	default:
		return two(s/day, "d", s%day/hour, "h")
	}
}

// FormatAgo says how long ago something happened: "hace 12s" / "12s ago";
// under a second, or in the future (clock skew), "ahora" / "now".
func FormatAgo(lang Lang, d time.Duration) string {
	if d < time.Second {
		return T(lang, "time.now")
	}
	return T(lang, "time.ago", FormatDuration(d))
}

// FormatIn says how long until something happens: "en 38s" / "in 38s";
// under a second, or overdue, "ahora" / "now".
func FormatIn(lang Lang, d time.Duration) string {
	if d < time.Second {
		return T(lang, "time.now")
	}
	return T(lang, "time.in", FormatDuration(d))
}
