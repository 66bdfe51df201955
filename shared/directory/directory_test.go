package directory

import (
	"reflect"
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/member"
)

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(map[string]string{"q": "  Ștefănescu  ION ", "country": "RO", "subject": "mathematics", "limit": "5", "cursor": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q.Words, []string{"stefanescu", "ion"}) || q.Filters["country"] != "RO" || q.Filters["subject"] != "mathematics" {
		t.Fatalf("%+v", q)
	}
	if q.Key() != "stefanescu ion|subject=mathematics|country=RO" {
		t.Fatalf("key %q", q.Key())
	}
	for params, field := range map[string]map[string]string{
		"country":    {"country": "XX"},
		"ageGroup":   {"ageGroup": "adults"},
		"subject":    {"subject": ""},
		"language":   {"language": "EN"},
		"interest":   {"interest": "maths!"},
		"schoolType": {"schoolType": "x"},
		"sort":       {"sort": "name"},
		"q":          {"q": "a b c d e f g h i"},
	} {
		_, err := ParseQuery(field)
		if got := apperr.FieldNames(err); len(got) != 1 || got[0] != params || apperr.StatusOf(err) != 400 {
			t.Errorf("%v: %v %v", field, got, err)
		}
	}
	if _, err := ParseQuery(map[string]string{"q": "!!!"}); apperr.StatusOf(err) != 400 {
		t.Errorf("q without letters: %v", err)
	}
	if _, err := ParseQuery(map[string]string{"q": strings.Repeat("x", 201)}); apperr.StatusOf(err) != 400 {
		t.Errorf("long q: %v", err)
	}
	if q, err := ParseQuery(map[string]string{"q": "   "}); err != nil || len(q.Words) != 0 {
		t.Errorf("blank q: %v %+v", err, q)
	}
}

func TestPlan(t *testing.T) {
	cases := []struct {
		q    Query
		want Plan
	}{
		{Query{}, Plan{}},
		{Query{Words: []string{"ana", "popescu"}, Filters: map[string]string{"country": "RO", "ageGroup": "7-11"}},
			Plan{Word: "popescu", Words: []string{"ana"}, Filters: []Filter{{"country", "RO"}, {"ageGroup", "7-11"}}}},
		{Query{Filters: map[string]string{"ageGroup": "7-11", "language": "en", "subject": "ict"}},
			Plan{Filters: []Filter{{"subject", "ict"}, {"language", "en"}, {"ageGroup", "7-11"}}}},
		// A one-letter word cannot drive the word index.
		{Query{Words: []string{"a"}, Filters: map[string]string{"country": "FR"}}, Plan{Words: []string{"a"}, Filters: []Filter{{"country", "FR"}}}},
		{Query{Words: []string{"a", "b"}}, Plan{Words: []string{"a", "b"}}},
	}
	for _, c := range cases {
		if got := c.q.Plan(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: got %+v, want %+v", c.q, got, c.want)
		}
	}
	if !(Plan{}).Exact() || (Plan{Filters: []Filter{{"country", "RO"}}}).Exact() || (Plan{Word: "po"}).Exact() {
		t.Error("Exact")
	}
	p := Plan{Word: "po"}
	if p.Counts("popescu", []string{"pop", "popescu"}) || !p.Counts("pop", []string{"pop", "popescu"}) || !p.Counts("popa", []string{"ana", "popa"}) {
		t.Error("Counts must keep only the smallest own name word starting with the lead")
	}
	e, _ := EntryOf(teacher()) // Ana-Maria Ștefănescu of "Liceul „Ștefan cel Mare”" (s-1) and "Lycée Mare" (s-2)
	if !(Plan{Word: "stef"}).NamedBy(e) || (Plan{Word: "mare"}).NamedBy(e) {
		t.Error("NamedBy: own name words only")
	}
	if got := (Plan{Word: "mare"}).SchoolPosition(e); got != "mare#s-1" {
		t.Errorf("SchoolPosition(mare) = %q, want the smallest word#school", got)
	}
	if got := (Plan{Word: "ly"}).SchoolPosition(e); got != "lycee#s-2" {
		t.Errorf("SchoolPosition(ly) = %q", got)
	}
	if got := (Plan{Word: "xy"}).SchoolPosition(e); got != "" {
		t.Errorf("SchoolPosition(xy) = %q", got)
	}
	if !(Plan{Word: "mare", Words: []string{"ana", "ly"}, Filters: []Filter{{"country", "FR"}}}).Matches(e) ||
		(Plan{Words: []string{"ion"}}).Matches(e) || (Plan{Filters: []Filter{{"subject", "music"}}}).Matches(e) {
		t.Error("Matches")
	}
}

func teacher() member.Member {
	return member.Member{MemberID: "m-1", FirstName: "Ana-Maria", LastName: "Ștefănescu", Role: member.RoleTeacher,
		Profile: &member.Profile{Role: "head_teacher", Subjects: []string{"ict", "mathematics"}, AgeGroups: []string{"12-15"},
			Interests: []string{"stem"}, Languages: []string{"ro", "en"}},
		Schools: []member.SchoolRef{
			{SchoolID: "s-1", Name: "Liceul „Ștefan cel Mare”", Country: "RO", SchoolType: "upper_secondary"},
			{SchoolID: "s-2", Name: "Lycée Mare", Country: "FR", SchoolType: "upper_secondary"}}}
}

func TestEntryOf(t *testing.T) {
	m := teacher()
	e, ok := EntryOf(m)
	if !ok {
		t.Fatal("teacher not indexed")
	}
	if want := []string{"ana", "maria", "stefanescu", "liceul", "stefan", "cel", "mare", "lycee"}; !reflect.DeepEqual(e.Words, want) {
		t.Errorf("words %v", e.Words)
	}
	if e.WordsText() != " ana maria stefanescu liceul stefan cel mare lycee" {
		t.Errorf("wordsText %q", e.WordsText())
	}
	if e.SortName != "stefanescu ana maria" || e.Hit.Role != "head_teacher" || len(e.Hit.Schools) != 2 {
		t.Errorf("%+v", e)
	}
	want := map[string][]string{"country": {"FR", "RO"}, "schoolType": {"upper_secondary"}, "subject": {"ict", "mathematics"},
		"ageGroup": {"12-15"}, "interest": {"stem"}, "language": {"en", "ro"}}
	if !reflect.DeepEqual(e.Categories, want) {
		t.Errorf("categories %v", e.Categories)
	}
	m.HiddenFields = []string{"subjects", "languages"}
	e, _ = EntryOf(m)
	if _, ok := e.Categories["subject"]; ok {
		t.Error("hidden subjects indexed")
	}
	if _, ok := e.Categories["language"]; ok {
		t.Error("hidden languages indexed")
	}
	if len(e.Categories["interest"]) != 1 {
		t.Error("interests lost")
	}
	m.Role = member.RoleNSO
	if _, ok := EntryOf(m); ok {
		t.Error("staff indexed")
	}
}

func TestProfileOf(t *testing.T) {
	m := teacher()
	m.Email = "ana@example.org"
	m.HiddenFields = []string{"ageGroups"}
	p, ok := ProfileOf(m)
	if !ok || p.AgeGroups != nil || p.Subjects == nil || len(*p.Languages) != 2 {
		t.Fatalf("%+v", p)
	}
	m.Role = member.RoleCSS
	if _, ok := ProfileOf(m); ok {
		t.Error("staff profile")
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add("q", "Ștefănescu ion", "country", "RO")
	f.Add("subject", "ict", "limit", "0")
	f.Add("x", "\xff", "q", "   ")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		q, err := ParseQuery(map[string]string{k1: v1, k2: v2})
		if err != nil {
			if s := apperr.StatusOf(err); s != 400 {
				t.Fatalf("status %d", s)
			}
			return
		}
		if len(q.Words) > maxQWords {
			t.Fatalf("%d words", len(q.Words))
		}
		p := q.Plan()
		if p.Word != "" && len([]rune(p.Word)) < 2 {
			t.Fatalf("one-letter driver %q", p.Word)
		}
		n := len(p.Words) + len(p.Filters)
		if p.Word != "" {
			n++
		}
		if n != len(q.Words)+len(q.Filters) {
			t.Fatalf("plan %+v lost criteria of %+v", p, q)
		}
	})
}
