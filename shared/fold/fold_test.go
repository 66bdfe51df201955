package fold

import (
	"reflect"
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
