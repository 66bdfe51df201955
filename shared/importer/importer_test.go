package importer

import (
	"reflect"
	"strings"
	"testing"

	"etwin/shared/project"
)

// The example lines of docs/import.md parse.
const example = `{"type":"school","id":"s-ro-1","name":"Liceul Teoretic Ion Creangă","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"m-1","username":"ana.pop","email":"ana.pop@example.org","password":"local-only-secret","firstName":"Ana","lastName":"Pop","role":"teacher","language":"ro","schoolIds":["s-ro-1"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"staff","id":"nso-ro","username":"nso-ro","email":"nso@example.ro","password":"local-only-secret","role":"nso","country":"RO"}
{"type":"project","id":"p-1","title":"Water around us","founders":["m-1","m-9"],"partners":["m-3"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z","closedAt":null}
{"type":"label","projectId":"p-1","kind":"national","schoolId":"s-ro-1","awardedAt":"2025-09-15T00:00:00Z"}
{"type":"activity","memberId":"m-2","kind":"professional_development","at":"2025-05-20T00:00:00Z","schoolId":"s-ro-1"}`

func TestExampleParses(t *testing.T) {
	keys := map[string]bool{}
	for i, line := range strings.Split(example, "\n") {
		r, err := Parse([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if keys[r.Key()] {
			t.Fatalf("line %d: key %s repeats", i+1, r.Key())
		}
		keys[r.Key()] = true
	}
	r, _ := Parse([]byte(strings.Split(example, "\n")[3]))
	created, approved, closed := r.Project.Times()
	if !created.Equal(approved) || approved.IsZero() || !closed.IsZero() {
		t.Fatalf("project times %v %v %v", created, approved, closed)
	}
	in := mustParse(t, strings.Split(example, "\n")[2]).Staff.Input()
	if in.FirstName != "nso-ro" || in.LastName != "NSO" || in.Language != "en" {
		t.Fatalf("staff defaults %+v", in)
	}
}

func mustParse(t *testing.T, line string) Record {
	t.Helper()
	r, err := Parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBadLines(t *testing.T) {
	const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	cases := []struct{ line, want string }{
		{`not json`, "not a JSON object"},
		{`[1,2]`, "not a JSON object"},
		{`{"id":"x"}`, "type: required"},
		{`{"type":7}`, "type: required"},
		{`{"type":"teacher"}`, `unknown type "teacher"`},
		{`{"type":"school","id":"s-1","name":"A","country":"RO","city":"B","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z","colour":"red"}`, "colour"},
		{`{"type":"school","id":"s 1","name":"A","country":"XX","city":"B","schoolType":"x","registeredAt":"yesterday"}`, "id: must be"},
		{`{"type":"school","id":"s-1","name":"A","country":"XX","city":"B","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}`, "country: unknown"},
		{`{"type":"school","id":"s-1","name":"A","country":"RO","city":"B","schoolType":"upper_secondary","registeredAt":"yesterday"}`, "registeredAt: must be an RFC 3339"},
		{`{"type":"school","id":"s-1","name":"A","country":"RO","city":"B","schoolType":"upper_secondary"}`, "registeredAt: required"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","registeredAt":"2021-03-02T00:00:00Z"}`, "schoolIds: required"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s","s"],"registeredAt":"2021-03-02T00:00:00Z"}`, "schoolIds.1: repeats"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"role":"nso","registeredAt":"2021-03-02T00:00:00Z"}`, "role: must be teacher"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"password":"short","registeredAt":"2021-03-02T00:00:00Z"}`, "password: must be at least"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"passwordHash":"md5:abc","registeredAt":"2021-03-02T00:00:00Z"}`, "passwordHash: must be an argon2id"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"password":"a long passphrase","passwordHash":"` + strings.ReplaceAll(hash, "$", "$") + `","registeredAt":"2021-03-02T00:00:00Z"}`, "either password or passwordHash"},
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"schoolIds":["t"],"registeredAt":"2021-03-02T00:00:00Z"}`, "schoolIds"},
		{`{"type":"staff","id":"n","username":"nso-x","email":"n@example.org","role":"nso"}`, "country: required"},
		{`{"type":"staff","id":"n","username":"css-x","email":"n@example.org","role":"css","country":"RO"}`, "country: only NSO"},
		{`{"type":"project","id":"p","title":"T","founders":["a"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "founders: must list exactly 2"},
		{`{"type":"project","id":"p","title":"T","founders":["a","a"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "founders.1: repeats"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"status":"approved"}`, "approvedAt: required"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"status":"done","createdAt":"2024-10-01T00:00:00Z"}`, "status: must be one of"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"status":"closed","approvedAt":"2024-10-01T00:00:00Z","closedAt":"2024-01-01T00:00:00Z"}`, "closedAt: must not be before"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"ageRange":{"min":2,"max":12},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "ageRange.min: must be between 3 and 25"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"ageRange":{"min":12,"max":10},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "ageRange.max: must not be below ageRange.min"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"ageRange":{},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "ageRange.min: must be between"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"ageRange":{"min":10,"max":12,"mean":11},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "mean"},
		{`{"type":"label","projectId":"p","kind":"gold","schoolId":"s","awardedAt":"2025-09-15T00:00:00Z"}`, "kind: must be national or european"},
		{`{"type":"activity","memberId":"m","kind":"x","at":"2025-05-20T00:00:00Z"}`, "kind: must be project"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  got %v, want a reason containing %q", c.line, err, c.want)
		}
	}
	// An age range is optional and, when given, kept.
	for line, want := range map[string]*project.AgeRange{
		`{"type":"project","id":"p","title":"T","founders":["a","b"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`:                                nil,
		`{"type":"project","id":"p","title":"T","founders":["a","b"],"ageRange":{"min":10,"max":12},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`: {Min: 10, Max: 12},
	} {
		if got := mustParse(t, line).Project.AgeRange; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: age range %v, want %v", line, got, want)
		}
	}
	// A well-formed hash is accepted.
	if _, err := Parse([]byte(`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"passwordHash":"` + hash + `","registeredAt":"2021-03-02T00:00:00Z"}`)); err != nil {
		t.Fatal(err)
	}
}

// Labels and activities are keyed by their natural keys.
func TestKeys(t *testing.T) {
	a := mustParse(t, `{"type":"label","projectId":"p","kind":"national","schoolId":"s","awardedAt":"2025-09-15T00:00:00Z"}`)
	b := mustParse(t, `{"type":"label","projectId":"p","kind":"national","schoolId":"s","awardedAt":"2025-10-15T00:00:00Z"}`)
	if a.Key() != b.Key() {
		t.Fatal("labels of the same project, kind and school have different keys")
	}
	s := mustParse(t, `{"type":"staff","id":"x1","username":"nso-x","email":"n@example.org","role":"css"}`)
	m := mustParse(t, `{"type":"member","id":"x1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"registeredAt":"2021-03-02T00:00:00Z"}`)
	if s.Key() != m.Key() {
		t.Fatal("a staff account and a member with the same id must clash")
	}
}

// Ids come in the migrating platform's shapes (docs/import.md "Ids"): 1-128 letters, digits,
// '.', '_', '-', '~', kept exactly; every field holding an id follows the same rule.
func TestIDShapes(t *testing.T) {
	school := func(id string) string {
		return `{"type":"school","id":"` + id + `","name":"A","country":"RO","city":"B","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}`
	}
	for _, id := range []string{"RO~1234", "m-ana.pop", "1234", "Case.Sensitive~_-", strings.Repeat("z", 128)} {
		r, err := Parse([]byte(school(id)))
		if err != nil {
			t.Errorf("id %q: %v", id, err)
			continue
		}
		if r.School.School().SchoolID != id || r.Key() != "school:"+id {
			t.Errorf("id %q not kept exactly: %q %q", id, r.School.School().SchoolID, r.Key())
		}
	}
	for _, id := range []string{"RO#1234", "a/b", "a b", "a|b", "a%20b", "é", ".", "..", strings.Repeat("z", 129)} {
		_, err := Parse([]byte(school(id)))
		if err == nil || !strings.Contains(err.Error(), "id: must be 1-128") {
			t.Errorf("id %q: got %v, want it refused", id, err)
		}
	}
	m := mustParse(t, `{"type":"member","id":"m-ana.pop","username":"ana.pop","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["RO~1234"],"registeredAt":"2021-03-02T00:00:00Z"}`)
	if m.Member.SchoolIDs[0] != "RO~1234" {
		t.Fatal(m.Member.SchoolIDs)
	}
	for _, c := range []struct{ line, want string }{
		{`{"type":"member","id":"m-1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["RO#1"],"registeredAt":"2021-03-02T00:00:00Z"}`, "schoolIds.0: must be 1-128"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b/c"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "founders.1: must be 1-128"},
		{`{"type":"project","id":"p","title":"T","founders":["a","b"],"partners":["x#y"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`, "partners.0: must be 1-128"},
		{`{"type":"label","projectId":"p/1","kind":"national","schoolId":"s","awardedAt":"2025-09-15T00:00:00Z"}`, "projectId: must be 1-128"},
		{`{"type":"label","projectId":"p","kind":"national","schoolId":"..","awardedAt":"2025-09-15T00:00:00Z"}`, "schoolId: must be 1-128"},
		{`{"type":"activity","memberId":"m#1","kind":"other","at":"2025-05-20T00:00:00Z"}`, "memberId: must be 1-128"},
		{`{"type":"activity","memberId":"m","kind":"other","at":"2025-05-20T00:00:00Z","schoolId":"a b"}`, "schoolId: must be 1-128"},
		{`{"type":"staff","id":"n|1","username":"css-x","email":"n@example.org","role":"css"}`, "id: must be 1-128"},
	} {
		if _, err := Parse([]byte(c.line)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  got %v, want %q", c.line, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, line := range strings.Split(example, "\n") {
		f.Add([]byte(line))
	}
	f.Add([]byte(`{"type":"member","profile":{"role":"teacher"},"schoolIds":[1]}`))
	f.Add([]byte(`{"type":"project","founders":null,"closedAt":5}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := Parse(line)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty reason")
			}
			return
		}
		if r.Key() == "" {
			t.Fatalf("accepted record without a key: %q", line)
		}
		switch r.Type {
		case TypeSchool:
			sc := r.School.School()
			if sc.SchoolID == "" || sc.RegisteredAt.IsZero() {
				t.Fatalf("accepted school without id or time: %q", line)
			}
		case TypeMember:
			if len(r.Member.SchoolIDs) == 0 || r.Member.RegisteredAtTime().IsZero() {
				t.Fatalf("accepted member without schools or time: %q", line)
			}
		case TypeProject:
			if len(r.Project.Founders) != 2 {
				t.Fatalf("accepted project without 2 founders: %q", line)
			}
		}
	})
}
