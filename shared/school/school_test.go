package school

import (
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/httpapi"
)

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery("  Liceul Ștefan  ", "RO")
	if err != nil || q.Lead != "liceul" || len(q.Words) != 2 || q.Words[1] != "stefan" {
		t.Fatalf("ParseQuery: %+v %v", q, err)
	}
	for _, c := range []struct{ q, country, field string }{
		{"", "", "q"}, {"a b", "", "q"}, {"liceul", "XX", "country"}, {"a b c d e f g h i", "", "q"},
	} {
		_, err := ParseQuery(c.q, c.country)
		e, ok := apperr.As(err)
		if !ok || e.Status != 400 || e.Fields[0].Field != c.field {
			t.Errorf("ParseQuery(%q,%q) = %v, want 400 on %s", c.q, c.country, err, c.field)
		}
	}
}

func TestCountsEachSchoolOnce(t *testing.T) {
	q, _ := ParseQuery("lic", "")
	words := fold.Words("Liceul de Liceu Lic")
	n := 0
	for _, w := range words {
		if len(w) >= 3 && w[:3] == "lic" && q.Counts(w, words) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("school counted %d times, want once", n)
	}
	q2, _ := ParseQuery("liceul iasi", "")
	if q2.Counts("liceul", fold.Words("Liceul Teoretic Cluj")) {
		t.Fatal("a school without every query word was counted")
	}
	if !q2.Counts("liceul", fold.Words("Liceul Teoretic Iași")) {
		t.Fatal("a matching school was not counted")
	}
}

func TestDuplicateKeyFolds(t *testing.T) {
	a := School{Country: "RO", City: "Iași", Name: "Liceul Teoretic „Ion Creangă”"}
	b := School{Country: "RO", City: "IASI", Name: "liceul teoretic ion creanga"}
	ac, aci, an := a.DuplicateKey()
	bc, bci, bn := b.DuplicateKey()
	if ac != bc || aci != bci || an != bn {
		t.Fatalf("%q/%q/%q vs %q/%q/%q", ac, aci, an, bc, bci, bn)
	}
}

// FuzzDecodeForm: the school form decoder with validation never panics and refuses with
// a 4xx.
func FuzzDecodeForm(f *testing.F) {
	f.Add(`{"name":"Școala 1","country":"RO","city":"Iași","address":"x","postalCode":"700","schoolType":"primary","phone":"0232 000","email":"a@b.ro","headTeacher":"X","pupils":10}`)
	f.Add(`{"existingSchoolId":"s-1"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in Form
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err == nil {
			var fs apperr.Fields
			in.Validate(&fs, "school")
			err = fs.Err()
		}
		if err != nil {
			if st := apperr.StatusOf(err); st < 400 || st > 499 {
				t.Fatalf("%q: %v", body, err)
			}
		}
	})
}

// Ids take the shapes a migrating platform brings (docs/import.md "Ids"), and nothing that
// would break a table key or a URL path.
func TestValidID(t *testing.T) {
	for _, ok := range []string{"s-ro-1", "m-ana.pop", "RO~1234", "1234", "a", "A_b-c.d~e", "~", "...", ".x", strings.Repeat("x", 128)} {
		if !ValidID(ok) {
			t.Errorf("ValidID(%q) = false, want true", ok)
		}
	}
	for _, bad := range []string{"", ".", "..", strings.Repeat("x", 129), "a#b", "a/b", "a|b", "a b", "a%2F", "a?b", "a+b", "a:b",
		"a@b", "a\\b", "é", "a\x00", "a\n", "a*b", "a'b", "a\"b", "a,b", "a;b", "a=b", "a&b", "a!b", "a$b", "(a)"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true, want false", bad)
		}
	}
}
