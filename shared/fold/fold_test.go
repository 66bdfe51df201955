package fold

import (
	"reflect"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	cases := map[string]string{
		"Liceul Ștefan cel Mare": "liceul stefan cel mare",
		"Şcoala Ţării":           "scoala tarii", // cedilla forms
		"Școala Țării":           "scoala tarii", // comma-below forms
		"ĂÂÎ ăâî":                "aai aai",
		"Élève Müller Straße":    "eleve muller strasse",
		"Łódź":                   "lodz",
		"ALREADY plain":          "already plain",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCaseKeepsDiacritics(t *testing.T) {
	if Case("Ana") != Case("aNA") {
		t.Fatal("case must fold")
	}
	if Case("Ană") == Case("Ana") {
		t.Fatal("diacritics must not fold in usernames")
	}
}

func TestWords(t *testing.T) {
	got := Words("Liceul Teoretic „Ion Creangă” - Iași, liceul")
	want := []string{"liceul", "teoretic", "ion", "creanga", "iasi"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
	if !MatchesPrefixes(got, []string{"cre", "lic"}) || MatchesPrefixes(got, []string{"cre", "x"}) {
		t.Fatal("prefix matching wrong")
	}
}

func TestParseSearch(t *testing.T) {
	s, p := ParseSearch("  Apă Ștefan  ")
	if p != "" || s.Lead != "stefan" || !reflect.DeepEqual(s.Words, []string{"apa", "stefan"}) {
		t.Fatalf("ParseSearch: %+v %q", s, p)
	}
	for _, q := range []string{"", "  ,. ", "a b", "a b c d e f g h i"} {
		if _, p := ParseSearch(q); p == "" {
			t.Errorf("ParseSearch(%q) accepted", q)
		}
	}
}

func TestCountsOnceAndNeedsEveryWord(t *testing.T) {
	s, _ := ParseSearch("lic")
	words := Words("Liceul de Liceu Lic")
	n := 0
	for _, w := range words {
		if strings.HasPrefix(w, "lic") && s.Counts(w, words, words) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("counted %d times, want once", n)
	}
	s2, _ := ParseSearch("water iasi")
	all := Words("Water projects in Iași and beyond")
	if !s2.Counts("water", []string{"water"}, all) {
		t.Fatal("a word outside the indexed ones must still match as an other word")
	}
	if s2.Counts("water", all, Words("Water in Cluj")) {
		t.Fatal("counted without every word")
	}
}

func TestIndexWords(t *testing.T) {
	got := IndexWords(4, "Apă și pământ", "a pământ b Ştiinţe natura")
	want := []string{"apa", "si", "pamant", "stiinte"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("IndexWords = %q, want %q", got, want)
	}
}
