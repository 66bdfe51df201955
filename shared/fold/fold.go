// Package fold normalises text for matching: case and diacritics folding (ș/ş, ț/ţ, ă, î,
// â, é, ü ... all match their base letters) and splitting into words.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// letters that carry no combining mark to strip but still have a plain base letter.
var special = strings.NewReplacer("ß", "ss", "ø", "o", "ł", "l", "đ", "d", "ð", "d", "æ", "ae", "œ", "oe", "ħ", "h", "ı", "i", "þ", "th")

// Text folds case and removes diacritics: "Liceul Ștefan cel Mare" → "liceul stefan cel mare".
func Text(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return special.Replace(cases.Fold().String(out))
}

// Case folds case only (for usernames: "Ana" and "ana" are the same name, "Ană" is not).
func Case(s string) string {
	return cases.Fold().String(norm.NFC.String(s))
}

// Words returns the distinct folded words of s, in order of first appearance.
func Words(s string) []string {
	parts := strings.FieldsFunc(Text(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	seen := make(map[string]bool, len(parts))
	out := parts[:0]
	for _, p := range parts {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// MatchesPrefixes reports whether every query word is the prefix of some word in words.
func MatchesPrefixes(words, query []string) bool {
	for _, q := range query {
		found := false
		for _, w := range words {
			if strings.HasPrefix(w, q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Search is a parsed word search: every word must be the prefix of a word of the text
// searched; the index is read under Lead, the longest word (the most selective).
type Search struct {
	Words []string // folded query words
	Lead  string   // the word the index is queried by
}

// Search limits: at most MaxQueryWords words in at most MaxQueryLen bytes, and a lead
// word of at least 2 letters (the index partitions are 2-letter stems).
const (
	MaxQueryWords = 8
	MaxQueryLen   = 200
)

// ParseSearch parses a query; problem says what is wrong with it ("" when fine).
func ParseSearch(q string) (s Search, problem string) {
	words := Words(q)
	lead := ""
	for _, w := range words {
		if len([]rune(w)) > len([]rune(lead)) {
			lead = w
		}
	}
	switch {
	case len(words) == 0:
		return Search{}, "required"
	case len(words) > MaxQueryWords || len(q) > MaxQueryLen:
		return Search{}, "must be at most 8 words"
	case len([]rune(lead)) < 2:
		return Search{}, "needs a word of at least 2 letters"
	}
	return Search{Words: words, Lead: lead}, ""
}

// Counts reports whether an index entry is a result: the thing has the folded words
// words, is indexed under indexed, and the entry is the one for its word entryWord. A
// thing with two indexed words starting with the lead is counted only under the smaller,
// so that it appears once across pages.
func (s Search) Counts(entryWord string, indexed, words []string) bool {
	if !MatchesPrefixes(words, s.Words) {
		return false
	}
	for _, w := range indexed {
		if w < entryWord && strings.HasPrefix(w, s.Lead) {
			return false
		}
	}
	return true
}

// IndexWords returns the words a thing is indexed under: the distinct folded words of
// texts (in order, the first text's words first) of at least 2 letters, at most max.
func IndexWords(max int, texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, w := range Words(t) {
			if len(out) == max {
				return out
			}
			if len([]rune(w)) >= 2 && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
