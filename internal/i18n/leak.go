package i18n

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Words of one language only, for tests that hold a screen or a command's
// output to one language: a word is lang's own when it occurs in lang's
// side of some catalog entry and in no entry's other side. Format verbs,
// words with digits and codes (DTE-RUT-INVALID) are left out, and so is
// every word both sides use (boleta, factura, folio, total, SII).

var (
	ownOnce  sync.Once
	ownWords map[Lang]map[string]bool
)

// fmtVerbs are fmt verbs (%s, %[2]d, %q, %%); codeWords are catalog codes such
// as DTE-RUT-INVALID or MV_BAD (names, in no language).
var (
	fmtVerbs  = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)
	codeWords = regexp.MustCompile(`\b[A-Z0-9]+(?:[-_][A-Z0-9]+)+\b`)
)

// words splits s into lowercase words of two letters or more, leaving out
// format verbs, codes and words with digits.
func words(s string) []string {
	s = codeWords.ReplaceAllString(fmtVerbs.ReplaceAllString(s, " "), " ")
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 2 || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue
		}
		out = append(out, strings.ToLower(w))
	}
	return out
}

func buildOwn() {
	seen := map[Lang]map[string]bool{ES: {}, EN: {}}
	for _, m := range catalog {
		for _, w := range words(m.ES) {
			seen[ES][w] = true
		}
		for _, w := range words(m.EN) {
			seen[EN][w] = true
		}
	}
	ownWords = map[Lang]map[string]bool{ES: {}, EN: {}}
	for w := range seen[ES] {
		if !seen[EN][w] {
			ownWords[ES][w] = true
		}
	}
	for w := range seen[EN] {
		if !seen[ES][w] {
			ownWords[EN][w] = true
		}
	}
}

// OwnWords lists the words only lang's side of the catalog uses, sorted.
func OwnWords(lang Lang) []string {
	ownOnce.Do(buildOwn)
	out := make([]string, 0, len(ownWords[lang]))
	for w := range ownWords[lang] {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Foreign lists the words of text that belong to the catalog's other
// language only (Spanish ones in English text and the reverse), sorted
// and once each: what a screen in lang must not show.
func Foreign(lang Lang, text string) []string {
	ownOnce.Do(buildOwn)
	other := ES
	if lang == ES {
		other = EN
	}
	found := map[string]bool{}
	for _, w := range words(text) {
		if ownWords[other][w] {
			found[w] = true
		}
	}
	out := make([]string, 0, len(found))
	for w := range found {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}
