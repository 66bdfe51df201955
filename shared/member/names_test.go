package member

import (
	"testing"
	"unicode"

	"etwin/shared/apperr"
)

// TestCheckPersonName: line breaks, controls, invisible format characters and every
// bidirectional control are refused in a person's name, naming the field; names in
// Latin, Cyrillic, Greek, Persian (with ZWNJ) and Devanagari (with ZWJ) pass.
func TestCheckPersonName(t *testing.T) {
	for _, ok := range []string{"Ana", "Ana-Maria", "O'Brien", "Ștefan Ionescu", "Łukasz", "Ελένη", "Светлана",
		"مهر\u200cناز", "क्\u200dष", "José  Luis", "李小龍"} {
		var f apperr.Fields
		CheckPersonName(&f, "lastName", ok, 100)
		if len(f) != 0 {
			t.Errorf("%q refused: %v", ok, f)
		}
	}
	bad := map[string]string{
		"LF": "Pop\nDear user, click here", "CR": "Pop\r", "CRLF": "Pop\r\nBcc: x@example.org", "tab": "Pop\tx",
		"NUL": "Po\x00p", "NEL": "Pop\u0085x", "line separator": "Pop\u2028x", "paragraph separator": "Pop\u2029x",
		"LRE": "\u202aPop", "RLE": "\u202bPop", "PDF": "Pop\u202c", "LRO": "\u202dPop", "RLO": "Pop\u202egpj.exe",
		"LRI": "\u2066Pop", "RLI": "\u2067Pop", "FSI": "\u2068Pop", "PDI": "Pop\u2069",
		"LRM": "Pop\u200e", "RLM": "Pop\u200f", "ALM": "Pop\u061c",
		"zero-width space": "Po\u200bp", "word joiner": "Po\u2060p", "BOM": "\ufeffPop", "soft hyphen": "Po\u00adp",
		"tag": "Pop\U000e0041", "DEL": "Pop\x7f", "C1 control": "Pop\u009b",
	}
	for name, v := range bad {
		var f apperr.Fields
		CheckPersonName(&f, "lastName", v, 100)
		if len(f) != 1 || f[0].Field != "lastName" {
			t.Errorf("%s (%q): want one problem naming lastName, got %v", name, v, f)
		}
		if apperr.StatusOf(f.Err()) != 422 {
			t.Errorf("%s: status %d, want 422", name, apperr.StatusOf(f.Err()))
		}
	}
	// The other rules of CheckName still apply, with their own message only.
	for _, v := range []string{"", "   ", string(make([]rune, 101))} {
		var f apperr.Fields
		CheckPersonName(&f, "firstName", v, 100)
		if len(f) != 1 || f[0].Field != "firstName" {
			t.Errorf("%q: want one problem naming firstName, got %v", v, f)
		}
	}
}

// TestNameRunesRefused: the line breaks and each bidirectional control by code point,
// and every code point of Unicode's Bidi_Control property.
func TestNameRunesRefused(t *testing.T) {
	for _, r := range []rune{0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c,
		'\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029} {
		if NameRuneAllowed(r) {
			t.Errorf("U+%04X allowed", r)
		}
	}
	for _, rg := range unicode.Bidi_Control.R16 {
		for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
			if NameRuneAllowed(r) {
				t.Errorf("bidi control U+%04X allowed", r)
			}
		}
	}
	for _, r := range []rune{'a', 'Ș', 'ß', ' ', '\'', '-', '.', 0x0301 /* combining acute */, 0x00a0 /* no-break space */} {
		if !NameRuneAllowed(r) {
			t.Errorf("U+%04X refused", r)
		}
	}
}
