package mail

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of what a field can do to an e-mail.
const (
	MaxSubject      = 200 // runes of a Subject line
	maxSubjectField = 80  // runes of one field in a Subject line
	maxBodyField    = 200 // runes of one field in the body
)

// oneLine makes s a single line of visible text: control characters (CR, LF, tab, the
// other C0 and C1 codes, DEL), line and paragraph separators and other white space
// become one space (no-break spaces stay); bidirectional controls (U+202A–U+202E,
// U+2066–U+2069, LRM, RLM, ALM) and the other invisible format characters are dropped
// (zero-width joiners, which scripts and emoji need, stay); invalid UTF-8 becomes
// U+FFFD. Leading and trailing spaces go.
func oneLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u00a0' || r == '\u202f':
			// no-break spaces are one line's (French puts one before a colon)
		case unicode.IsControl(r) || unicode.IsSpace(r) || unicode.In(r, unicode.Zl, unicode.Zp):
			space = true
			continue
		case unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d':
			continue // bidi controls, soft hyphen, BOM, tags
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// bound cuts s to at most n runes, marking the cut with "…".
func bound(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}
