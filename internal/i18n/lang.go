// Package i18n holds folio's two languages (es-CL and en): choosing one, the
// single message catalog every user-facing string comes from, and the
// Chilean formats for amounts, dates and durations.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a language folio speaks.
type Lang string

// The languages. ES is Chilean Spanish (es-CL), the default.
const (
	ES Lang = "es"
	EN Lang = "en"
)

// Langs lists the languages in the order they are offered.
func Langs() []Lang { return []Lang{ES, EN} }

// String returns the code, "es" or "en".
func (l Lang) String() string { return string(l) }

// Tag returns the BCP 47 tag: "es-CL" or "en".
func (l Lang) Tag() string {
	if l == EN {
		return "en"
	}
	return "es-CL"
}

// ParseLang reads "es", "en" and locale-like spellings of them ("es-CL",
// "es_CL.UTF-8", "en_US", "EN"). Anything else is an error saying what is
// accepted.
func ParseLang(s string) (Lang, error) {
	if l, ok := fromLocale(s); ok {
		return l, nil
	}
	return "", fmt.Errorf("language %q is not es or en (es-CL and en_US style spellings work too)", s)
}

// fromLocale maps a language tag or POSIX locale to a Lang.
func fromLocale(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	base, _, _ := strings.Cut(s, ".") // drop the encoding: es_CL.UTF-8
	base, _, _ = strings.Cut(base, "@")
	base = strings.ReplaceAll(base, "_", "-")
	primary, _, _ := strings.Cut(base, "-")
	switch primary {
	case "es":
		return ES, true
	case "en":
		return EN, true
	}
	return "", false
}

// Detect picks the language: the --lang flag, else the config's language,
// else the locale (the first set of LC_ALL, LC_MESSAGES, LANG, as POSIX
// orders them) when it is English, else es-CL. Values that are not es or
// en are passed over here; commands validate their flag with ParseLang so
// that a typo is an error rather than a silent fallback.
func Detect(flag, config string, env func(string) string) Lang {
	for _, v := range []string{flag, config} {
		if l, ok := fromLocale(v); ok {
			return l
		}
	}
	if env == nil {
		return ES
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := env(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "en") {
				return EN
			}
			return ES
		}
	}
	return ES
}
