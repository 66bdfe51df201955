package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"etwin/infra/testenv"
)

// importFile runs the real command (go run ./infra/cmd/import) against the test stack.
func importFile(t *testing.T, text string) (stderr string, code int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./infra/cmd/import", "-endpoint", testenv.DDBEndpoint(), "-table", testenv.TableName(), path)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// The command imports a file, says so, exits 0; the imported member logs in with the
// imported password and is found by GET /v1/members; the school by GET /v1/schools; a
// bad line makes it exit 1 naming the line, with the good lines stored.
func TestImportCommand(t *testing.T) {
	tag := unique("")
	user := "imp." + tag
	text := fmt.Sprintf(`{"type":"school","id":"s-%[1]s","name":"Colegiul Importat %[1]s","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"m-%[1]s","username":"%[2]s","email":"%[2]s@example.org","password":"local-only-secret","firstName":"Importa","lastName":"Vlad%[1]s","language":"ro","schoolIds":["s-%[1]s"],"registeredAt":"2021-03-02T00:00:00Z"}
`, tag, user)
	before := counts(t, "RO")
	out, code := importFile(t, text)
	if code != 0 || !strings.Contains(out, "2 imported, 0 rejected") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got := moved(before, counts(t, "RO")); got != [3]int{1, 1, 0} {
		t.Fatalf("RO moved by %v", got)
	}
	session := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": user, "password": "local-only-secret"}), 201).JSON["token"].(string)
	r := expect(t, call(t, "GET", "/v1/members?q="+url.QueryEscape("vlad"+tag), session, nil), 200)
	if items := r.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["memberId"] != "m-"+tag {
		t.Fatalf("member search: %s", r.Raw)
	}
	r = expect(t, call(t, "GET", "/v1/schools?q="+url.QueryEscape("importat "+tag), "", nil), 200)
	if items := r.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["schoolId"] != "s-"+tag {
		t.Fatalf("school search: %s", r.Raw)
	}

	// Again, with a bad line: exit 1, the line named, the rest unchanged.
	out, code = importFile(t, text+"{\"type\":\"member\",\"id\":\"x\"}\n")
	if code != 1 || !strings.Contains(out, "line 3: ") || !strings.Contains(out, "2 imported, 1 rejected") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got := moved(before, counts(t, "RO")); got != [3]int{1, 1, 0} {
		t.Fatalf("a re-import moved RO by %v", got)
	}
}

// A migration's ids (RO~1234, m-ana.pop) are imported as they are and reach the API
// afterwards: the school, the member (who signs in, the token holding the dotted id) and
// the project's TwinSpace over HTTP, under exactly those ids; '#' in a path is never found.
func TestImportMigrationIDs(t *testing.T) {
	tag := unique("")
	sid, mid, mid2, pid := "RO~"+tag, "m-ana.pop"+tag, "m~2."+tag, "p."+tag+"~1"
	user := "ana.pop" + tag
	text := fmt.Sprintf(`{"type":"school","id":"%[1]s","name":"Liceul Migrat %[5]s","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"school","id":"FR~%[5]s","name":"Lycée Migré %[5]s","country":"FR","city":"Lyon","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"%[2]s","username":"%[6]s","email":"%[6]s@example.org","password":"local-only-secret","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["%[1]s"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"member","id":"%[3]s","username":"jean.%[5]s","email":"jean.%[5]s@example.org","firstName":"Jean","lastName":"Dupont","language":"fr","schoolIds":["FR~%[5]s"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"project","id":"%[4]s","title":"Migrated project","founders":["%[2]s","%[3]s"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}
`, sid, mid, mid2, pid, tag, user)
	out, code := importFile(t, text)
	if code != 0 || !strings.Contains(out, "5 imported, 0 rejected") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	login := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": user, "password": "local-only-secret"}), 201)
	session := login.JSON["token"].(string)
	if login.JSON["memberId"] != mid || !strings.HasPrefix(session, mid+".") {
		t.Fatalf("session of %s: %s", mid, login.Raw)
	}
	r := expect(t, call(t, "GET", "/v1/schools/"+sid, session, nil), 200)
	if r.JSON["schoolId"] != sid {
		t.Fatalf("GET /v1/schools/%s: %s", sid, r.Raw)
	}
	expect(t, call(t, "GET", "/v1/schools/RO%23"+tag, session, nil), 404)
	r = expect(t, call(t, "GET", "/v1/members/"+mid2, session, nil), 200)
	if r.JSON["memberId"] != mid2 {
		t.Fatalf("GET /v1/members/%s: %s", mid2, r.Raw)
	}
	// (TestImportedProjectAgeRange reads GET /v1/projects/{id} of imported projects.)
	r = expect(t, call(t, "GET", "/v1/projects/"+pid+"/twinspace", session, nil), 200)
	if r.JSON["projectId"] != pid || len(r.JSON["members"].([]any)) != 2 {
		t.Fatalf("GET /v1/projects/%s/twinspace: %s", pid, r.Raw)
	}
}

// An imported project answers GET /v1/projects/{id} within the contract (call checks every
// answer against docs/openapi.yaml): a line without an age range has none (no ageRange in
// the answer, never the 0-0 the contract forbids); a line with one keeps it. Importing the
// same file again creates and updates nothing and leaves the answers and GET /v1/stats as
// they were.
func TestImportedProjectAgeRange(t *testing.T) {
	tag := unique("")
	user := "age." + tag
	text := fmt.Sprintf(`{"type":"school","id":"s-ro-%[1]s","name":"Liceul Vârstelor %[1]s","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"school","id":"s-fr-%[1]s","name":"Lycée des Âges %[1]s","country":"FR","city":"Lyon","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"m-ro-%[1]s","username":"%[2]s","email":"%[2]s@example.org","password":"local-only-secret","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s-ro-%[1]s"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"member","id":"m-fr-%[1]s","username":"jean.%[1]s","email":"jean.%[1]s@example.org","firstName":"Jean","lastName":"Dupont","language":"fr","schoolIds":["s-fr-%[1]s"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"project","id":"p-none-%[1]s","title":"Without an age range","founders":["m-ro-%[1]s","m-fr-%[1]s"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}
{"type":"project","id":"p-age-%[1]s","title":"With an age range","founders":["m-ro-%[1]s","m-fr-%[1]s"],"ageRange":{"min":10,"max":12},"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}
`, tag, user)
	out, code := importFile(t, text)
	if code != 0 || !strings.Contains(out, "6 imported, 0 rejected (6 created, 0 updated, 0 unchanged)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	session := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": user, "password": "local-only-secret"}), 201).JSON["token"].(string)
	check := func() (none, age string) {
		t.Helper()
		r := expect(t, call(t, "GET", "/v1/projects/p-none-"+tag, session, nil), 200)
		if _, has := r.JSON["ageRange"]; has {
			t.Errorf("a project imported without an age range answers one: %s", r.Raw)
		}
		none = string(r.Raw)
		r = expect(t, call(t, "GET", "/v1/projects/p-age-"+tag, session, nil), 200)
		if a, _ := r.JSON["ageRange"].(map[string]any); a["min"] != 10.0 || a["max"] != 12.0 {
			t.Errorf("the imported age range is not kept: %s", r.Raw)
		}
		return none, string(r.Raw)
	}
	none, age := check()
	all, ro, fr := counts(t, ""), counts(t, "RO"), counts(t, "FR")

	out, code = importFile(t, text)
	if code != 0 || !strings.Contains(out, "6 imported, 0 rejected (0 created, 0 updated, 6 unchanged)") {
		t.Fatalf("a re-import: exit %d:\n%s", code, out)
	}
	if none2, age2 := check(); none2 != none || age2 != age {
		t.Fatalf("a re-import changed the projects:\n%s\n%s\nwere\n%s\n%s", none2, age2, none, age)
	}
	if counts(t, "") != all || counts(t, "RO") != ro || counts(t, "FR") != fr {
		t.Fatalf("a re-import moved the statistics")
	}
}
