package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/demo"
	"etwin/infra/gateway"
	"etwin/infra/loader"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/staff"
)

// TestImportEquivalence is issue 12's last "done when": search, statistics and the
// certification sweep answer the same after a bulk import as after the same data entered
// through the API.
//
// Approach: HTTP on both sides, each side with a table of its own (the e2e stack's table
// is shared with the other tests, so its answers are polluted; with private tables every
// answer is compared whole, not as deltas). The test starts two more local gateways over
// the stack's DynamoDB Local and SES (with an SSM of its own for the cursor and
// unsubscribe keys), running the same function binaries as the stack:
//   - "api": a fresh table with the template's stream (the mail-sender delivers the
//     registration links from it). Everything is entered as people do it: registration
//     through the e-mailed link (new schools, joining one, a second school from /me),
//     contacts, a European project founded, approved by the co-founder and both NSOs,
//     partners added, a second project left awaiting its NSOs, event attendance
//     (activity), national labels by the NSOs. Staff accounts are made as the operator
//     command makes them (straight in the table).
//   - "import": the same history written as an import file (docs/import.md; the file
//     keeps its own ids, so both sides are compared by username and school key; times
//     are the ones the API side recorded: schools' registeredAt, the approval, the
//     labels' and the attendances' times), loaded with loader.Load into a fresh table
//     (testenv.NewTable): the bulk path (rep.Bulk).
//
// Then both get the same certification round (PUT by their CSS, open now) and the
// eligibility-sweep function runs once on each. Compared: 14 member searches (the items,
// ids mapped to usernames and school keys, as sets; paged 2 at a time so that cursors are
// followed), GET /v1/stats Europe-wide and for each country (and one without data), the
// sweep's report, and each school's stage-1 verdict from GET /v1/schools/{id}/certification
// (eligible and the three criteria). The API side is also checked against what the data
// implies, so that the comparison is never between two empty answers: S1 eligible (one
// teacher active through the project, one through an activity); S2 eligible with three
// active teachers (one through an activity of a teacher whose second school it is, counted
// for each of his schools); S3 labelled, two active teachers, but registered after the
// round's registeredBefore (and Élodie, whose activity came before she added S3, not
// active there).
func TestImportEquivalence(t *testing.T) {
	ctx := context.Background()
	tag := unique("")
	start := time.Now().UTC().Truncate(time.Second)
	keys := startKeys(t)

	apiTable := streamTable(t)
	api := startSide(t, "api", apiTable, keys, true)

	// ---- the API side ----
	for _, st := range equivStaff {
		in := staff.Input{Username: st.username(tag), Email: st.username(tag) + "@staff.example.org", FirstName: st.first,
			LastName: st.last, Role: st.role, Country: st.country, Language: "en"}
		if _, err := demo.CreateStaff(ctx, ddb.New(testenv.DDB(), apiTable), in, demo.Password); err != nil {
			t.Fatalf("staff %s: %v", st.key, err)
		}
	}
	apiStaff := api.staffSessions(t, tag)
	h := equivHistory{tag: tag, schoolAt: map[string]time.Time{}, memberAt: map[string]time.Time{}}
	apiIDs := ids{members: map[string]string{}, schools: map[string]string{}}
	sess := map[string]string{}
	var lateFrom time.Time // S3 registers from this second on, after S1 and S2: the round's registeredBefore
	for _, p := range equivPeople {
		if p.key == "jurgen" {
			lateFrom = time.Now().UTC().Truncate(time.Second).Add(time.Second)
			time.Sleep(time.Until(lateFrom))
		}
		id, schoolID, at := api.register(t, tag, p, apiIDs.schools[p.school])
		apiIDs.members[id] = p.key
		if _, ok := apiIDs.schools[p.school]; !ok {
			apiIDs.schools[p.school] = schoolID
		}
		h.memberAt[p.key] = at
		sess[p.key] = api.login(t, p.username(tag), equivPassword)
	}
	for key, id := range apiIDs.schools {
		r := api.expect(t, "GET", "/v1/schools/"+id, apiStaff["css"], nil, 200)
		h.schoolAt[key] = timeOf(t, r.JSON["registeredAt"])
	}
	idOf := func(key string) string { return apiIDs.memberID(key) }
	api.contacts(t, sess["ana"], sess["jeanluc"], idOf("jeanluc"))
	api.contacts(t, sess["ana"], sess["stefan"], idOf("stefan"))
	api.contacts(t, sess["jurgen"], sess["ana"], idOf("ana"))

	// P1: European, approved by the co-founder and both NSOs, two partners added.
	r := api.expect(t, "POST", "/v1/projects", sess["ana"], equivProjectBody("Rivers of Europe", idOf("jeanluc")), 201)
	p1 := r.JSON["projectId"].(string)
	h.p1Created = timeOf(t, r.JSON["createdAt"])
	api.expect(t, "POST", "/v1/projects/"+p1+"/cofounder-decision", sess["jeanluc"], map[string]any{"decision": "approve"}, 200)
	api.expect(t, "POST", "/v1/projects/"+p1+"/nso-decision", apiStaff["nso-ro"], map[string]any{"decision": "approve", "comment": ""}, 200)
	r = api.expect(t, "POST", "/v1/projects/"+p1+"/nso-decision", apiStaff["nso-fr"], map[string]any{"decision": "approve", "comment": ""}, 200)
	if r.JSON["status"] != "approved" {
		t.Fatalf("P1 after both NSOs: %s", r.Raw)
	}
	h.p1Approved = timeOf(t, r.JSON["approvedAt"])
	api.expect(t, "POST", "/v1/projects/"+p1+"/members", sess["ana"], map[string]string{"memberId": idOf("stefan")}, 201)
	api.expect(t, "POST", "/v1/projects/"+p1+"/members", sess["ana"], map[string]string{"memberId": idOf("jurgen")}, 201)

	// P2: founded in DE with a co-founder in RO, approved by her, waiting for the NSOs.
	r = api.expect(t, "POST", "/v1/projects", sess["jurgen"], equivProjectBody("Energy at school", idOf("ana")), 201)
	p2 := r.JSON["projectId"].(string)
	h.p2Created = timeOf(t, r.JSON["createdAt"])
	r = api.expect(t, "POST", "/v1/projects/"+p2+"/cofounder-decision", sess["ana"], map[string]any{"decision": "approve"}, 200)
	if r.JSON["status"] != "awaiting_nso" {
		t.Fatalf("P2 after its co-founder: %s", r.Raw)
	}

	// Activities: Élodie attends while her one school is S2 (then adds S3); Ștefan adds S2,
	// then attends (for both his schools); Zoë attends.
	ev := api.expect(t, "POST", "/v1/events", apiStaff["css"], eventBody("webinar", "Safer Internet Day", time.Now().Add(48*time.Hour), nil), 201).JSON["eventId"].(string)
	r = api.expect(t, "POST", "/v1/events/"+ev+"/attendance", sess["elodie"], nil, 201)
	h.elodieActive = timeOf(t, r.JSON["registeredAt"])
	api.expect(t, "POST", "/v1/me/schools", sess["elodie"], map[string]string{"existingSchoolId": apiIDs.schools["S3"]}, 201)
	api.expect(t, "POST", "/v1/me/schools", sess["stefan"], map[string]string{"existingSchoolId": apiIDs.schools["S2"]}, 201)
	r = api.expect(t, "POST", "/v1/events/"+ev+"/attendance", sess["stefan"], nil, 201)
	h.stefanActive = timeOf(t, r.JSON["registeredAt"])
	r = api.expect(t, "POST", "/v1/events/"+ev+"/attendance", sess["zoe"], nil, 201)
	h.zoeActive = timeOf(t, r.JSON["registeredAt"])

	// National labels on P1 by each country's NSO, for its school.
	h.labelAt = map[string]time.Time{}
	for _, l := range []struct{ nso, school string }{{"nso-ro", "S1"}, {"nso-fr", "S2"}, {"nso-de", "S3"}} {
		r = api.expect(t, "POST", "/v1/projects/"+p1+"/labels", apiStaff[l.nso], map[string]string{"kind": "national", "schoolId": apiIDs.schools[l.school]}, 201)
		h.labelAt[l.school] = timeOf(t, r.JSON["awardedAt"])
	}

	// ---- the import side: the same history as a file, into a fresh table ----
	file := h.file()
	impTable := testenv.NewTable(t)
	rep, err := loader.Load(ctx, ddb.New(testenv.DDB(), impTable), bytes.NewReader([]byte(file)), loader.Options{Workers: 2})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !rep.Bulk || len(rep.Rejected) > 0 || rep.Imported != strings.Count(file, "\n") {
		t.Fatalf("import: bulk %v, %d imported of %d lines, rejected %v\n%s", rep.Bulk, rep.Imported, strings.Count(file, "\n"), rep.Rejected, file)
	}
	imp := startSide(t, "import", impTable, keys, false)
	impStaff := imp.staffSessions(t, tag)
	impIDs := ids{members: map[string]string{}, schools: map[string]string{}}
	for _, p := range equivPeople {
		impIDs.members[h.fileID(p.key)] = p.key
	}
	for _, s := range equivSchools {
		impIDs.schools[s.key] = h.fileID(s.key)
	}
	sides := []*side{api, imp}
	sideIDs := []ids{apiIDs, impIDs}
	sideStaff := []map[string]string{apiStaff, impStaff}

	// ---- member search ----
	for _, q := range []struct {
		query string
		want  []string
	}{
		{"", []string{"ana", "elodie", "jeanluc", "jurgen", "stefan", "zoe"}},
		{"q=ana", []string{"ana"}},
		{"q=" + url.QueryEscape("LEFÈVRE"), []string{"jeanluc"}},
		{"q=stef", []string{"ana", "stefan"}},                                        // Ștefan's first name, and S1's name "Ștefan cel Mare"
		{"q=" + url.QueryEscape("molière"), []string{"elodie", "jeanluc", "stefan"}}, // Ștefan through his second school
		{"q=" + url.QueryEscape("köln gymn"), []string{"elodie", "jurgen", "zoe"}},   // Élodie through her second school
		{"q=" + url.QueryEscape("elodie bénard"), []string{"elodie"}},
		{"q=mul", []string{"jurgen"}},
		{"country=DE", nil},
		{"subject=history", []string{"jeanluc", "stefan"}},
		{"language=de&ageGroup=16-19", []string{"jeanluc", "jurgen"}},
		{"q=jean&country=FR", []string{"jeanluc"}},
		{"schoolType=lower_secondary", nil},
		{"interest=stem", []string{"ana", "jurgen"}},
	} {
		var got [2][]string
		for i, s := range sides {
			got[i] = s.search(t, sideStaff[i]["css"], q.query, sideIDs[i])
		}
		if !slices.Equal(got[0], got[1]) {
			t.Errorf("GET /v1/members?%s differs:\n  api:    %v\n  import: %v", q.query, got[0], got[1])
		}
		if len(got[0]) == 0 {
			t.Errorf("GET /v1/members?%s found nobody through the API", q.query)
		}
		if q.want != nil && !slices.Equal(usernamesOf(got[0]), q.want) {
			t.Errorf("GET /v1/members?%s through the API found %v, want %v", q.query, usernamesOf(got[0]), q.want)
		}
	}

	// ---- statistics ----
	for _, c := range []string{"", "RO", "FR", "DE", "IT"} {
		var got [2][3]int
		for i, s := range sides {
			path := "/v1/stats"
			if c != "" {
				path += "?country=" + c
			}
			r := s.expect(t, "GET", path, "", nil, 200)
			got[i] = [3]int{int(r.JSON["teachers"].(float64)), int(r.JSON["schools"].(float64)), int(r.JSON["activeProjects"].(float64))}
		}
		want := map[string][3]int{"": {6, 3, 1}, "RO": {2, 1, 1}, "FR": {2, 1, 1}, "DE": {2, 1, 0}, "IT": {}}[c]
		if got[0] != got[1] || got[0] != want {
			t.Errorf("GET /v1/stats?country=%s: api %v, import %v (want %v)", c, got[0], got[1], want)
		}
	}

	// ---- the certification sweep (stage 1) ----
	opens := time.Now().UTC().Truncate(time.Second)
	for _, at := range h.labelAt {
		if !opens.After(at) {
			time.Sleep(time.Until(at.Add(time.Second)))
			opens = time.Now().UTC().Truncate(time.Second)
		}
	}
	round := map[string]any{"announceAt": rfc(opens.Add(-time.Hour)), "opensAt": rfc(opens), "closesAt": rfc(opens.Add(30 * 24 * time.Hour)),
		"cutoffs": map[string]any{"registeredBefore": rfc(lateFrom), "activeSince": rfc(start.Add(-time.Hour)),
			"labelledFrom": rfc(start.Add(-time.Hour)), "labelledTo": rfc(opens), "minActiveTeachers": 2, "europeanProject": true}}
	var sweeps [2]certification.SweepReport
	for i, s := range sides {
		s.expect(t, "PUT", fmt.Sprintf("/v1/certification/windows/%d", equivYear), sideStaff[i]["css"], round, 200)
		sweeps[i] = s.sweep(t)
	}
	if sweeps[0] != sweeps[1] || !sweeps[0].Complete || sweeps[0].Schools != 3 || sweeps[0].Eligible != 2 || sweeps[0].Invited != 5 {
		t.Errorf("the sweeps' reports: api %+v, import %+v (want 3 schools judged, 2 eligible, 5 invited)", sweeps[0], sweeps[1])
	}
	type verdict struct {
		Eligible bool
		Criteria certification.Criteria
	}
	// (the school summary keeps times to the millisecond, as the verdict shows them)
	since := func(key string) time.Time { return h.schoolAt[key].Truncate(time.Millisecond) }
	wantVerdict := map[string]verdict{
		"S1": {true, certification.Criteria{RegisteredSince: since("S1"), ActiveTeachers: 2, QualityLabelledProjects: 1}},
		"S2": {true, certification.Criteria{RegisteredSince: since("S2"), ActiveTeachers: 3, QualityLabelledProjects: 1}},
		"S3": {false, certification.Criteria{RegisteredSince: since("S3"), ActiveTeachers: 2, QualityLabelledProjects: 1}},
	}
	reader := map[string]string{"S1": "ana", "S2": "jeanluc", "S3": "zoe"}
	for _, s := range equivSchools {
		var got [2]verdict
		var raw [2][]byte
		for i, sd := range sides {
			tok := sd.login(t, equivPerson(reader[s.key]).username(tag), equivPassword)
			r := sd.expect(t, "GET", "/v1/schools/"+sideIDs[i].schools[s.key]+"/certification", tok, nil, 200)
			raw[i] = r.Raw
			var v struct {
				Round    struct{ Year int }
				Eligible bool
				Criteria *certification.Criteria
			}
			if err := json.Unmarshal(r.Raw, &v); err != nil || v.Criteria == nil || v.Round.Year != equivYear {
				t.Fatalf("%s: %s's verdict: %s (%v)", sd.name, s.key, r.Raw, err)
			}
			got[i] = verdict{v.Eligible, *v.Criteria}
		}
		same := func(a, b verdict) bool {
			return a.Eligible == b.Eligible && a.Criteria.RegisteredSince.Equal(b.Criteria.RegisteredSince) &&
				a.Criteria.ActiveTeachers == b.Criteria.ActiveTeachers && a.Criteria.QualityLabelledProjects == b.Criteria.QualityLabelledProjects
		}
		if !same(got[0], got[1]) {
			t.Errorf("%s's stage-1 verdict differs:\n  api:    %+v\n  import: %+v", s.key, got[0], got[1])
		}
		if w := wantVerdict[s.key]; !same(got[0], w) {
			t.Errorf("%s's verdict through the API: %s, want %+v", s.key, raw[0], w)
		}
	}
}

// equivYear is this test's round (its tables are its own).
const equivYear = 2073

const equivPassword = "a long and private passphrase"

type equivSchool struct {
	key, name, country, city, schoolType string
}

var equivSchools = []equivSchool{
	{"S1", "Liceul Teoretic „Ștefan cel Mare”", "RO", "Iași", "upper_secondary"},
	{"S2", "Collège Molière", "FR", "Lyon", "lower_secondary"},
	{"S3", "Städtisches Gymnasium Köln-Süd", "DE", "Köln", "upper_secondary"},
}

type equivMember struct {
	key, first, last, lang, school string
	profile                        map[string]any
}

func (p equivMember) username(tag string) string { return p.key + "." + tag }

func prof(role string, subjects, ages []string, exp string, interests, langs []string) map[string]any {
	return map[string]any{"role": role, "subjects": subjects, "ageGroups": ages, "projectExperience": exp,
		"interests": interests, "languages": langs, "projectIdeas": "Pupils write to each other."}
}

// The teachers in registration order: the first of a school registers it, the others join
// it (Élodie adds S3 later from /me).
var equivPeople = []equivMember{
	{"ana", "Ana", "Popescu", "ro", "S1", prof("teacher", []string{"mathematics", "ict"}, []string{"12-15"}, "some", []string{"stem"}, []string{"ro", "en"})},
	{"stefan", "Ștefan", "Munteanu", "ro", "S1", prof("head_teacher", []string{"history", "geography"}, []string{"16-19"}, "none", []string{"cultural_heritage"}, []string{"ro", "fr"})},
	{"jeanluc", "Jean-Luc", "Lefèvre", "fr", "S2", prof("teacher", []string{"foreign_languages", "history"}, []string{"12-15", "16-19"}, "experienced", []string{"language_learning"}, []string{"fr", "en", "de"})},
	{"elodie", "Élodie", "Bénard", "fr", "S2", prof("teacher", []string{"art", "music"}, []string{"7-11"}, "some", []string{"creativity"}, []string{"fr", "en"})},
	{"jurgen", "Jürgen", "Müller", "de", "S3", prof("teacher", []string{"physics", "mathematics"}, []string{"16-19"}, "experienced", []string{"stem", "robotics"}, []string{"de", "en"})},
	{"zoe", "Zoë", "Schäfer", "de", "S3", prof("other", []string{"biology"}, []string{"12-15"}, "none", []string{"environment"}, []string{"de", "fr"})},
}

func equivPerson(key string) equivMember {
	for _, p := range equivPeople {
		if p.key == key {
			return p
		}
	}
	panic("no person " + key)
}

func equivSchoolOf(key string) equivSchool {
	for _, s := range equivSchools {
		if s.key == key {
			return s
		}
	}
	panic("no school " + key)
}

type equivStaffAccount struct{ key, role, country, first, last string }

func (s equivStaffAccount) username(tag string) string { return s.key + "." + tag }

var equivStaff = []equivStaffAccount{
	{"css", "css", "", "Clara", "Central"},
	{"nso-ro", "nso", "RO", "Ioana", "Marin"},
	{"nso-fr", "nso", "FR", "Louise", "Girard"},
	{"nso-de", "nso", "DE", "Katrin", "Wolf"},
}

func equivSchoolBody(s equivSchool) map[string]any {
	return map[string]any{"name": s.name, "country": s.country, "city": s.city, "address": "Strada Arcu 4", "postalCode": "700125",
		"schoolType": s.schoolType, "phone": "+40 232 000 000", "email": "office@example.org", "headTeacher": "Maria Ionescu", "pupils": 850}
}

func equivProjectBody(title, cofounderID string) map[string]any {
	return map[string]any{"title": title, "summary": "Pupils compare their towns.", "language": "en",
		"ageRange": map[string]int{"min": 10, "max": 15}, "pupils": 24, "themes": []string{"environment"}, "tools": []string{"twinspace_pages"},
		"objectives": "Know each other.", "methodology": "Exchanges.", "expectedResults": "A shared atlas.", "cofounderId": cofounderID}
}

// equivHistory is what the API side recorded, to write the same data as an import file.
type equivHistory struct {
	tag                                   string
	schoolAt, memberAt, labelAt           map[string]time.Time
	p1Created, p1Approved, p2Created      time.Time
	elodieActive, stefanActive, zoeActive time.Time
}

// fileID is the import file's id of a person or school key (not the API's).
func (h equivHistory) fileID(key string) string { return "imp-" + key + "." + h.tag }

func (h equivHistory) file() string {
	var b strings.Builder
	line := func(v map[string]any) {
		raw, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		b.Write(raw)
		b.WriteByte('\n')
	}
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	for _, st := range equivStaff {
		v := map[string]any{"type": "staff", "id": h.fileID(st.key), "username": st.username(h.tag), "email": st.username(h.tag) + "@staff.example.org",
			"password": demo.Password, "role": st.role, "firstName": st.first, "lastName": st.last, "language": "en"}
		if st.country != "" {
			v["country"] = st.country
		}
		line(v)
	}
	for _, s := range equivSchools {
		v := equivSchoolBody(s)
		v["type"], v["id"], v["registeredAt"] = "school", h.fileID(s.key), at(h.schoolAt[s.key])
		line(v)
	}
	for _, p := range equivPeople {
		schools := []string{h.fileID(p.school)}
		switch p.key {
		case "elodie":
			schools = append(schools, h.fileID("S3"))
		case "stefan":
			schools = append(schools, h.fileID("S2"))
		}
		line(map[string]any{"type": "member", "id": h.fileID(p.key), "username": p.username(h.tag), "email": p.username(h.tag) + "@example.org",
			"password": equivPassword, "firstName": p.first, "lastName": p.last, "role": "teacher", "language": p.lang, "schoolIds": schools,
			"registeredAt": at(h.memberAt[p.key]), "profile": p.profile})
	}
	line(map[string]any{"type": "project", "id": h.fileID("P1"), "title": "Rivers of Europe", "summary": "Pupils compare their towns.",
		"language": "en", "ageRange": map[string]int{"min": 10, "max": 15}, "founders": []string{h.fileID("ana"), h.fileID("jeanluc")},
		"partners": []string{h.fileID("stefan"), h.fileID("jurgen")}, "status": "approved", "createdAt": at(h.p1Created), "approvedAt": at(h.p1Approved)})
	line(map[string]any{"type": "project", "id": h.fileID("P2"), "title": "Energy at school", "summary": "Pupils compare their towns.",
		"language": "en", "ageRange": map[string]int{"min": 10, "max": 15}, "founders": []string{h.fileID("jurgen"), h.fileID("ana")},
		"status": "awaiting_nso", "createdAt": at(h.p2Created)})
	for _, s := range []string{"S1", "S2", "S3"} {
		line(map[string]any{"type": "label", "projectId": h.fileID("P1"), "kind": "national", "schoolId": h.fileID(s), "awardedAt": at(h.labelAt[s])})
	}
	// Élodie's attendance counted for her one school then (S2); Ștefan's and Zoë's for each
	// of theirs (no schoolId).
	line(map[string]any{"type": "activity", "memberId": h.fileID("elodie"), "kind": "professional_development", "at": at(h.elodieActive), "schoolId": h.fileID("S2")})
	line(map[string]any{"type": "activity", "memberId": h.fileID("stefan"), "kind": "professional_development", "at": at(h.stefanActive)})
	line(map[string]any{"type": "activity", "memberId": h.fileID("zoe"), "kind": "professional_development", "at": at(h.zoeActive)})
	return b.String()
}

// ids maps a side's ids to the test's keys.
type ids struct {
	members map[string]string // member id → person key
	schools map[string]string // school key → school id
}

func (x ids) memberID(key string) string {
	for id, k := range x.members {
		if k == key {
			return id
		}
	}
	return ""
}

// normalize replaces a side's member and school ids in a decoded answer by the test's keys.
func (x ids) normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if s, ok := e.(string); ok && k == "memberId" {
				if key, ok := x.members[s]; ok {
					e = "member:" + key
				}
			}
			if s, ok := e.(string); ok && k == "schoolId" {
				for key, id := range x.schools {
					if id == s {
						e = "school:" + key
					}
				}
			}
			out[k] = x.normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = x.normalize(e)
		}
		return out
	}
	return v
}

// usernamesOf are the person keys of normalized search hits.
func usernamesOf(hits []string) []string {
	var out []string
	for _, h := range hits {
		var v map[string]any
		json.Unmarshal([]byte(h), &v)
		out = append(out, strings.TrimPrefix(fmt.Sprint(v["memberId"]), "member:"))
	}
	sort.Strings(out)
	return out
}

// side is one local gateway over one table.
type side struct {
	name string
	base string
	gw   *gateway.Gateway
}

// startKeys serves a local SSM holding the two keys the functions read.
func startKeys(t *testing.T) *localstack.SSM {
	t.Helper()
	s, err := localstack.StartSSM("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	s.Put(localstack.CursorKeyParameter, "SecureString", localstack.NewCursorKey())
	s.Put(localstack.UnsubscribeKeyParameter, "SecureString", localstack.NewCursorKey())
	return s
}

// streamTable creates a copy of the template's Table with its stream (the mail-sender
// reads the outbox from it) and deletes it when the test ends.
func streamTable(t *testing.T) string {
	t.Helper()
	root, err := localstack.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := localstack.ReadTables(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	name := "t_equiv_api_" + hex.EncodeToString(b)
	for _, s := range specs {
		if s.LogicalID == "Table" {
			if s.Create.StreamSpecification == nil {
				t.Fatal("the template's Table has no stream")
			}
			if err := localstack.CreateTable(context.Background(), testenv.DDB(), s, name); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				testenv.DDB().DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			})
			return name
		}
	}
	t.Fatal("template.yaml has no Table")
	return ""
}

// logTail keeps a gateway's function log, shown when the test fails.
type logTail struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// startSide starts a local gateway over table, with the stack's DynamoDB Local and SES and
// the given SSM; streams: it also polls the table's stream (the mail-sender).
func startSide(t *testing.T, name, table string, keys *localstack.SSM, streams bool) *side {
	t.Helper()
	testenv.APIURL() // builds the functions when the test started its own stack
	root, err := localstack.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	params := maps.Clone(localstack.LocalParameters)
	params["ConfirmUrl"] = "http://" + ln.Addr().String()
	logs := &logTail{}
	opts := gateway.Options{
		TemplatePath: filepath.Join(root, "template.yaml"),
		BinDir:       testenv.BinDir(),
		Parameters:   params,
		TableName:    func(string) string { return table },
		ExtraEnv: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": testenv.DDBEndpoint(),
			"AWS_ENDPOINT_URL_SESV2":    testenv.SESURL(),
			"AWS_ENDPOINT_URL_SES":      testenv.SESURL(),
			"AWS_ENDPOINT_URL_SSM":      keys.URL,
		},
		FunctionLog:             logs,
		MaxInstancesPerFunction: 2,
		TimeoutScale:            testenv.TimeoutScale,
	}
	if streams {
		opts.DynamoEndpoint = testenv.DDBEndpoint()
	}
	gw, err := gateway.New(opts)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	go gw.Serve(ln)
	t.Cleanup(func() {
		gw.Close()
		if t.Failed() {
			logs.mu.Lock()
			out := logs.buf.String()
			logs.mu.Unlock()
			if len(out) > 8000 {
				out = "…" + out[len(out)-8000:]
			}
			t.Logf("the %s side's function log:\n%s", name, out)
		}
	})
	return &side{name: name, base: "http://" + ln.Addr().String(), gw: gw}
}

// call sends a request to the side's gateway and checks the answer against the OpenAPI
// contract, as the package's call does for the stack's.
func (s *side) call(t *testing.T, method, path, tok string, body any) reply {
	t.Helper()
	return callAt(t, s.base, method, path, tok, body, nil)
}

func (s *side) expect(t *testing.T, method, path, tok string, body any, status int) reply {
	t.Helper()
	r := s.call(t, method, path, tok, body)
	if r.Status != status {
		t.Fatalf("%s: %s %s → %d, want %d: %s", s.name, method, path, r.Status, status, r.Raw)
	}
	return r
}

func (s *side) login(t *testing.T, username, pw string) string {
	t.Helper()
	return s.expect(t, "POST", "/v1/sessions", "", map[string]string{"username": username, "password": pw}, 201).JSON["token"].(string)
}

// staffSessions signs in the staff accounts, by key.
func (s *side) staffSessions(t *testing.T, tag string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, st := range equivStaff {
		out[st.key] = s.login(t, st.username(tag), demo.Password)
	}
	return out
}

// register registers p as a person does (pre-registration, the e-mailed link, the form),
// with a new school, or joining existingSchool when it is given; it returns the member's
// and school's ids and when the registration completed.
func (s *side) register(t *testing.T, tag string, p equivMember, existingSchool string) (memberID, schoolID string, at time.Time) {
	t.Helper()
	since := time.Now()
	addr := p.username(tag) + "@example.org"
	s.expect(t, "POST", "/v1/registrations", "", map[string]string{"firstName": p.first, "lastName": p.last, "email": addr,
		"username": p.username(tag), "password": equivPassword, "language": p.lang}, 202)
	_, tok := linkToken(t, addr, since)
	var school any = map[string]string{"existingSchoolId": existingSchool}
	if existingSchool == "" {
		school = equivSchoolBody(equivSchoolOf(p.school))
	}
	r := s.expect(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{"profile": p.profile, "school": school}, 201)
	return r.JSON["memberId"].(string), r.JSON["schoolId"].(string), time.Now().UTC()
}

// contacts makes a and b contacts (a invites, b accepts).
func (s *side) contacts(t *testing.T, a, b, bID string) {
	t.Helper()
	r := s.expect(t, "POST", "/v1/contacts/requests", a, map[string]string{"memberId": bID}, 201)
	s.expect(t, "POST", "/v1/contacts/requests/"+r.JSON["requestId"].(string)+"/accept", b, nil, 200)
}

// search reads every page of GET /v1/members?query (2 a page) and returns the hits with
// the side's ids replaced by the test's keys, as sorted JSON texts.
func (s *side) search(t *testing.T, tok, query string, x ids) []string {
	t.Helper()
	var out []string
	cur := ""
	for range 50 {
		path := "/v1/members?limit=2"
		if query != "" {
			path += "&" + query
		}
		if cur != "" {
			path += "&cursor=" + url.QueryEscape(cur)
		}
		r := s.expect(t, "GET", path, tok, nil, 200)
		for _, it := range r.JSON["items"].([]any) {
			raw, _ := json.Marshal(x.normalize(it))
			out = append(out, string(raw))
		}
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			sort.Strings(out)
			return out
		}
		cur = next
	}
	t.Fatalf("%s: GET /v1/members?%s: more than 50 pages", s.name, query)
	return nil
}

// sweep runs the side's eligibility-sweep function once, as its schedule does, and returns
// its report of this test's round.
func (s *side) sweep(t *testing.T) certification.SweepReport {
	t.Helper()
	def := s.gw.Template().FunctionByName("eligibility-sweep")
	if def == nil || len(def.Schedules) == 0 {
		t.Fatal("eligibility-sweep has no schedule in template.yaml")
	}
	reply, err := s.gw.Invoke(t.Context(), def.LogicalID, gateway.ScheduledEvent(def, time.Now()))
	if err != nil {
		t.Fatalf("%s: the sweep: %v", s.name, err)
	}
	var reps []certification.SweepReport
	if err := json.Unmarshal(reply, &reps); err != nil {
		t.Fatalf("%s: the sweep's reply %s: %v", s.name, reply, err)
	}
	for _, r := range reps {
		if r.Year == equivYear {
			return r
		}
	}
	t.Fatalf("%s: the sweep did not sweep round %d: %s", s.name, equivYear, reply)
	return certification.SweepReport{}
}
