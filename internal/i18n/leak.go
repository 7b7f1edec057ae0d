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
	ownMu    sync.Mutex
	ownWords map[Lang]map[string]bool
	// moreTexts are folio's words kept outside the catalog, in both
	// languages (internal/dte's texts), added by AlsoWords.
	moreTexts []Msg
)

// AlsoWords counts ms (folio's own words kept outside the catalog, such
// as internal/dte's) with the catalog when telling the languages apart.
func AlsoWords(ms []Msg) {
	ownMu.Lock()
	defer ownMu.Unlock()
	moreTexts = append(moreTexts, ms...)
	ownWords = nil
}

// own is the word sets, built on first use after a change.
func own() map[Lang]map[string]bool {
	ownMu.Lock()
	defer ownMu.Unlock()
	if ownWords == nil {
		buildOwn()
	}
	return ownWords
}

// fmtVerbs are fmt verbs (%s, %[2]d, %q, %%); codeWords are catalog codes such
// as DTE-RUT-INVALID or MV_BAD and field paths such as Receptor.GiroRecep
// (names, in no language).
var (
	fmtVerbs  = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)
	codeWords = regexp.MustCompile(`\b[A-Z0-9]+(?:[-_][A-Z0-9]+)+\b|\b[A-Za-z]\w*(?:\[\d+\])?(?:\.[A-Za-z]\w*(?:\[\d+\])?)+`)
	cutWord   = regexp.MustCompile(`[\p{L}\p{N}]+…`)
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
	all := make([]Msg, 0, len(catalog)+len(moreTexts))
	for _, m := range catalog {
		all = append(all, m)
	}
	for _, m := range append(all, moreTexts...) {
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
	ow := own()[lang]
	out := make([]string, 0, len(ow))
	for w := range ow {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Foreign lists the words of text that belong to the catalog's other
// language only (Spanish ones in English text and the reverse), sorted
// and once each: what a screen in lang must not show. A word cut short
// by an ellipsis ("has…") is left out: it is no word of either.
func Foreign(lang Lang, text string) []string {
	other := ES
	if lang == ES {
		other = EN
	}
	ow := own()[other]
	found := map[string]bool{}
	for _, w := range words(cutWord.ReplaceAllString(text, " ")) {
		if ow[w] {
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
