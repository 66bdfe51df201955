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
