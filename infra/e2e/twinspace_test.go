package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/project"
	"etwin/shared/token"
)

// tsActor is a signed-in teacher with their school.
type tsActor struct {
	Session, ID, SchoolID, Country string
}

func tsTeacher(t *testing.T, first, country string) tsActor {
	t.Helper()
	s, id, school := teacherAccount(t, first, country)
	return tsActor{Session: s, ID: id, SchoolID: school, Country: country}
}

func tsStore() *ddb.Store {
	return ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
}

// tsProject writes a project founded by a and b (role admin, founder true) with the given
// status, as the projects use cases leave it, and returns its id.
func tsProject(t *testing.T, a, b tsActor, status string) string {
	t.Helper()
	now := time.Now().UTC()
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: status, Title: "Water around us",
		Summary: "s", Language: "en", AgeRange: project.AgeRange{Min: 12, Max: 15}, Pupils: 40,
		Themes: []string{"stem"}, Tools: []string{"video"}, Objectives: "o", Methodology: "m", ExpectedResults: "r",
		Founders:  []project.Founder{{MemberID: a.ID, SchoolID: a.SchoolID, Country: a.Country}, {MemberID: b.ID, SchoolID: b.SchoolID, Country: b.Country}},
		FounderID: a.ID, CofounderID: b.ID, NSOCountries: tsUnique(a.Country, b.Country), Version: 3, CreatedAt: now, UpdatedAt: now}
	if status == project.Approved || status == project.Closed {
		p.ApprovedAt = &now
	}
	if status == project.Closed {
		p.ClosedAt = &now
	}
	var partners []project.Partner
	for _, x := range []tsActor{a, b} {
		partners = append(partners, project.Partner{MemberID: x.ID, Role: project.RoleAdmin, Founder: true, SchoolID: x.SchoolID,
			Country: x.Country, FirstName: "Founder", LastName: "Popescu", AddedAt: now})
	}
	if err := tsStore().PutProjectTree(context.Background(), p, partners); err != nil {
		t.Fatal(err)
	}
	return p.ProjectID
}

func tsUnique(cs ...string) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// tsContacts makes a and b contacts through the API.
func tsContacts(t *testing.T, a, b tsActor) {
	t.Helper()
	r := expect(t, call(t, "POST", "/v1/contacts/requests", a.Session, map[string]string{"memberId": b.ID}), 201)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+r.JSON["requestId"].(string)+"/accept", b.Session, nil), 200)
}

// tsRoles reads the TwinSpace as s and returns memberId → role.
func tsRoles(t *testing.T, s, pid string) map[string]string {
	t.Helper()
	r := expect(t, call(t, "GET", "/v1/projects/"+pid+"/twinspace", s, nil), 200)
	out := map[string]string{}
	for _, m := range r.JSON["members"].([]any) {
		mm := m.(map[string]any)
		out[mm["memberId"].(string)] = mm["role"].(string)
	}
	return out
}

func TestTwinSpaceMembersAndPages(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	c, d := tsTeacher(t, "Carla", "RO"), tsTeacher(t, "Dan", "IT")
	nso, _ := staffAccount(t, "nso", "RO")
	css, _ := staffAccount(t, "css", "")
	pid := tsProject(t, a, b, project.Approved)
	ts := "/v1/projects/" + pid + "/twinspace"
	members := "/v1/projects/" + pid + "/members"

	// Founders read it; a third teacher, an NSO of a founder country and the CSS do not.
	r := expect(t, call(t, "GET", ts, a.Session, nil), 200)
	if r.JSON["projectId"] != pid || r.JSON["status"] != "approved" || len(r.JSON["members"].([]any)) != 2 {
		t.Fatalf("twinspace: %s", r.Raw)
	}
	if got := tsRoles(t, b.Session, pid); got[a.ID] != "admin" || got[b.ID] != "admin" {
		t.Fatalf("roles %v", got)
	}
	for _, s := range []string{c.Session, nso, css} {
		expect(t, call(t, "GET", ts, s, nil), 404)
	}
	expect(t, call(t, "GET", ts, "", nil), 401)
	expect(t, call(t, "GET", "/v1/projects/p-unknown/twinspace", a.Session, nil), 404)

	// Only contacts may be added: c is not yet Ana's contact (422 naming memberId).
	r = expect(t, call(t, "POST", members, a.Session, map[string]string{"memberId": c.ID}), 422)
	if !slices.Contains(fieldsOf(r), "memberId") {
		t.Fatalf("fields %v", fieldsOf(r))
	}
	tsContacts(t, a, c)
	tsContacts(t, c, d)
	r = expect(t, call(t, "POST", members, a.Session, map[string]string{"memberId": c.ID}), 201)
	if r.JSON["memberId"] != c.ID || r.JSON["role"] != "member" {
		t.Fatalf("added: %s", r.Raw)
	}
	expect(t, call(t, "POST", members, a.Session, map[string]string{"memberId": c.ID}), 409)
	expect(t, call(t, "POST", members, b.Session, map[string]string{"memberId": a.ID}), 409)
	// Carla is notified (and e-mailed).
	notes := items(expect(t, call(t, "GET", "/v1/notifications", c.Session, nil), 200))
	found := false
	for _, n := range notes {
		if n["kind"] == "partner_added" && n["subject"].(map[string]any)["id"] == pid {
			found = true
		}
	}
	if !found {
		t.Fatalf("no partner_added notification: %v", notes)
	}
	roles := tsRoles(t, c.Session, pid)
	if roles[c.ID] != "member" {
		t.Fatalf("roles %v", roles)
	}

	// A member has limited rights: read and add pages, nothing else (403).
	expect(t, call(t, "POST", members, c.Session, map[string]string{"memberId": d.ID}), 403)
	expect(t, call(t, "DELETE", members+"/"+b.ID, c.Session, nil), 403)
	expect(t, call(t, "PUT", members+"/"+c.ID+"/role", c.Session, map[string]string{"role": "admin"}), 403)
	pg := expect(t, call(t, "POST", "/v1/projects/"+pid+"/pages", c.Session, map[string]string{"title": "Our classes", "body": "Hello from Iași."}), 201)
	pageID := pg.JSON["pageId"].(string)
	expect(t, call(t, "POST", "/v1/projects/"+pid+"/pages", a.Session, map[string]string{"title": "Plan", "body": "Week 1: meet."}), 201)
	r = expect(t, call(t, "GET", ts, b.Session, nil), 200)
	pages := r.JSON["pages"].([]any)
	if len(pages) != 2 || pages[0].(map[string]any)["pageId"] != pageID || pages[0].(map[string]any)["authorId"] != c.ID {
		t.Fatalf("pages: %s", r.Raw)
	}
	// A stranger may not add pages (404).
	expect(t, call(t, "POST", "/v1/projects/"+pid+"/pages", d.Session, map[string]string{"title": "x", "body": "y"}), 404)
	expect(t, call(t, "POST", members, d.Session, map[string]string{"memberId": c.ID}), 404)

	// An administrator raises Carla; she may then add her own contact Dan.
	r = expect(t, call(t, "PUT", members+"/"+c.ID+"/role", b.Session, map[string]string{"role": "admin"}), 200)
	if r.JSON["role"] != "admin" || r.JSON["memberId"] != c.ID {
		t.Fatalf("role: %s", r.Raw)
	}
	expect(t, call(t, "POST", members, c.Session, map[string]string{"memberId": d.ID}), 201)
	expect(t, call(t, "GET", ts, d.Session, nil), 200)

	// Founders cannot be removed or lowered, even by the other founder.
	expect(t, call(t, "DELETE", members+"/"+a.ID, b.Session, nil), 409)
	expect(t, call(t, "PUT", members+"/"+a.ID+"/role", c.Session, map[string]string{"role": "member"}), 409)
	expect(t, call(t, "PUT", members+"/"+a.ID+"/role", b.Session, map[string]string{"role": "admin"}), 200)

	// Lowered again, Carla loses her administrator rights at once; removed, she loses
	// access at once.
	expect(t, call(t, "PUT", members+"/"+c.ID+"/role", a.Session, map[string]string{"role": "member"}), 200)
	expect(t, call(t, "DELETE", members+"/"+d.ID, c.Session, nil), 403)
	expect(t, call(t, "DELETE", members+"/"+c.ID, a.Session, nil), 204)
	expect(t, call(t, "GET", ts, c.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/projects/"+pid+"/pages", c.Session, map[string]string{"title": "x", "body": "y"}), 404)
	expect(t, call(t, "DELETE", members+"/"+c.ID, a.Session, nil), 404)
	expect(t, call(t, "PUT", members+"/"+c.ID+"/role", a.Session, map[string]string{"role": "admin"}), 404)
	expect(t, call(t, "DELETE", members+"/m-nobody", a.Session, nil), 404)
	if got := tsRoles(t, a.Session, pid); len(got) != 3 || got[d.ID] != "member" {
		t.Fatalf("after removal: %v", got)
	}

	// Not yet approved: no TwinSpace for anyone; closed: read-only.
	pending := tsProject(t, a, b, project.AwaitingNSO)
	expect(t, call(t, "GET", "/v1/projects/"+pending+"/twinspace", a.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/projects/"+pending+"/pages", a.Session, map[string]string{"title": "x", "body": "y"}), 404)
	closed := tsProject(t, a, b, project.Closed)
	r = expect(t, call(t, "GET", "/v1/projects/"+closed+"/twinspace", a.Session, nil), 200)
	if r.JSON["status"] != "closed" {
		t.Fatalf("closed: %s", r.Raw)
	}
	expect(t, call(t, "POST", "/v1/projects/"+closed+"/pages", a.Session, map[string]string{"title": "x", "body": "y"}), 409)
	expect(t, call(t, "POST", "/v1/projects/"+closed+"/members", a.Session, map[string]string{"memberId": c.ID}), 409)
	expect(t, call(t, "PUT", "/v1/projects/"+closed+"/members/"+b.ID+"/role", a.Session, map[string]string{"role": "admin"}), 409)
}

func TestTwinSpaceLabels(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	nsoRO, _ := staffAccount(t, "nso", "RO")
	nsoFR, _ := staffAccount(t, "nso", "FR")
	nsoDE, _ := staffAccount(t, "nso", "DE")
	css, _ := staffAccount(t, "css", "")
	pid := tsProject(t, a, b, project.Approved)
	labels := "/v1/projects/" + pid + "/labels"
	national := func(school string) map[string]string {
		return map[string]string{"kind": "national", "schoolId": school}
	}
	european := func(school string) map[string]string {
		return map[string]string{"kind": "european", "schoolId": school}
	}

	// National: only the NSO of the school's country.
	expect(t, call(t, "POST", labels, nsoDE, national(a.SchoolID)), 404)
	expect(t, call(t, "POST", labels, nsoFR, national(a.SchoolID)), 403)
	expect(t, call(t, "POST", labels, a.Session, national(a.SchoolID)), 403)
	expect(t, call(t, "POST", labels, css, national(a.SchoolID)), 403)
	expect(t, call(t, "POST", labels, "", national(a.SchoolID)), 401)
	r := expect(t, call(t, "POST", labels, nsoRO, national("s-not-a-partner")), 422)
	if !slices.Contains(fieldsOf(r), "schoolId") {
		t.Fatalf("fields %v", fieldsOf(r))
	}
	// European before two countries are labelled: 409.
	r = expect(t, call(t, "POST", labels, nsoRO, national(a.SchoolID)), 201)
	if r.JSON["kind"] != "national" || r.JSON["schoolId"] != a.SchoolID || r.JSON["country"] != "RO" {
		t.Fatalf("label: %s", r.Raw)
	}
	expect(t, call(t, "POST", labels, nsoRO, national(a.SchoolID)), 409)
	// the award's transaction recorded the label in the school's summary, for stage 1
	sum, _, err := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName()).SchoolSummary(context.Background(), a.SchoolID)
	if err != nil || !slices.ContainsFunc(sum.Labels, func(l certification.LabelFacts) bool {
		return l.ProjectID == pid && l.Kind == "national" && l.European
	}) {
		t.Fatalf("summary of %s after the label: %+v %v", a.SchoolID, sum, err)
	}
	expect(t, call(t, "POST", labels, css, european(a.SchoolID)), 409)
	expect(t, call(t, "POST", labels, nsoRO, european(a.SchoolID)), 403)
	// The labelled school's partner teachers are notified.
	found := false
	for _, n := range items(expect(t, call(t, "GET", "/v1/notifications", a.Session, nil), 200)) {
		if n["kind"] == "label_awarded" && n["subject"].(map[string]any)["id"] == pid {
			found = true
		}
	}
	if !found {
		t.Fatal("no label_awarded notification")
	}
	expect(t, call(t, "POST", labels, nsoFR, national(b.SchoolID)), 201)
	// European: by the CSS once two countries are labelled.
	r = expect(t, call(t, "POST", labels, css, european(b.SchoolID)), 201)
	if r.JSON["kind"] != "european" || r.JSON["country"] != "FR" {
		t.Fatalf("european: %s", r.Raw)
	}
	expect(t, call(t, "POST", labels, css, european(b.SchoolID)), 409)
	r = expect(t, call(t, "GET", "/v1/projects/"+pid+"/twinspace", b.Session, nil), 200)
	if n := len(r.JSON["labels"].([]any)); n != 3 {
		t.Fatalf("%d labels: %s", n, r.Raw)
	}

	// A national project (both partner schools in one country): no national label.
	c := tsTeacher(t, "Carla", "RO")
	nat := tsProject(t, a, c, project.Approved)
	expect(t, call(t, "POST", "/v1/projects/"+nat+"/labels", nsoRO, national(a.SchoolID)), 409)
	// Not approved yet: 409 for the NSO who can see it, 404 for others.
	pending := tsProject(t, a, b, project.AwaitingNSO)
	expect(t, call(t, "POST", "/v1/projects/"+pending+"/labels", nsoRO, national(a.SchoolID)), 409)
	expect(t, call(t, "POST", "/v1/projects/"+pending+"/labels", nsoDE, national(a.SchoolID)), 404)
	// Closed projects keep earning labels.
	closed := tsProject(t, a, b, project.Closed)
	expect(t, call(t, "POST", "/v1/projects/"+closed+"/labels", nsoFR, national(b.SchoolID)), 201)
	expect(t, call(t, "POST", "/v1/projects/p-unknown/labels", css, european(b.SchoolID)), 404)
}

func TestTwinSpaceBadInput(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	nso, _ := staffAccount(t, "nso", "RO")
	pid := tsProject(t, a, b, project.Approved)
	p := "/v1/projects/" + pid
	endpoints := []struct {
		method, path, session string
		cases                 []badCase
	}{
		{"POST", p + "/members", a.Session, badBodies(`{"memberId":"not an id!"}`, "memberId", `{"memberId":7}`, "memberId", `{}`, "memberId")},
		{"PUT", p + "/members/" + b.ID + "/role", a.Session, badBodies(`{"role":"owner"}`, "role", `{"role":1}`, "role", `{}`, "role")},
		{"POST", p + "/pages", a.Session, badBodies(`{"title":"t","body":""}`, "body", `{"title":["t"],"body":"b"}`, "title", `{"body":"b"}`, "title")},
		{"POST", p + "/labels", nso, badBodies(`{"kind":"gold","schoolId":"s-1"}`, "kind", `{"kind":"national","schoolId":5}`, "schoolId", `{"kind":"national"}`, "schoolId")},
	}
	for _, ep := range endpoints {
		for _, c := range ep.cases {
			t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
				r := call(t, ep.method, ep.path, ep.session, c.body)
				if !slices.Contains(c.status, r.Status) {
					t.Fatalf("status %d, want %v: %s", r.Status, c.status, r.Raw)
				}
				if c.field != "" && !slices.Contains(fieldsOf(r), c.field) {
					t.Fatalf("the problem names %v, not %q: %s", fieldsOf(r), c.field, r.Raw)
				}
			})
		}
		expect(t, call(t, ep.method, ep.path, "", `{}`), 401)
		expect(t, call(t, ep.method, ep.path, "garbage", `{}`), 401)
	}
	// Text limits and control characters.
	long := make([]byte, 201)
	for i := range long {
		long[i] = 'x'
	}
	r := expect(t, call(t, "POST", p+"/pages", a.Session, map[string]string{"title": string(long), "body": "\x00"}), 422)
	if got := fieldsOf(r); !slices.Contains(got, "title") || !slices.Contains(got, "body") {
		t.Fatalf("fields %v", got)
	}
	// Odd path ids are 404s, never 5xx.
	for _, path := range []string{"/v1/projects/%20/twinspace", "/v1/projects/" + string(long) + "/twinspace"} {
		expect(t, call(t, "GET", path, a.Session, nil), 404)
	}
	expect(t, call(t, "DELETE", p+"/members/"+string(long), a.Session, nil), 404)
	expect(t, call(t, "PUT", p+"/members/"+string(long)+"/role", a.Session, map[string]string{"role": "admin"}), 404)
}
