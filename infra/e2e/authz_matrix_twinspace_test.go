package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"etwin/shared/project"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

// The authorization matrix of the TwinSpace routes: every route × every actor, with the
// status each must get. Actors (names shared with the projects matrix):
//
//	anonymous            no session
//	stranger             a teacher who is no partner
//	member               a partner with role member
//	admin                a partner raised to administrator (not a founder)
//	cofounder            the co-founder (administrator, founder)
//	nso_founder_country  the NSO of the founder's country (RO)
//	nso_other_country    the NSO of a country no partner school is in (DE)
//	css                  the central support service
//
// Each row runs against a fresh approved project (founder RO, co-founder FR, admin RO,
// member IT, a second member "target" FR) with national labels already awarded to the
// co-founder's school (FR) and the admin's school (RO). Placeholders in Path and Body:
// {projectId}; {newPartnerId} (a teacher who is a contact of every partner, not yet one);
// {memberId} (the second member); {schoolId} (the founder's school, unlabelled);
// {labelledSchoolId} (the co-founder's school, nationally labelled); {pageId} (a page
// the founder wrote, at version 1).
var twinspaceMatrix = []matrixCase{}

func init() {
	type route struct {
		method, path, body string
		want               map[string]int
	}
	notPartner := func(m map[string]int) map[string]int {
		for _, a := range []string{"stranger", "nso_founder_country", "nso_other_country", "css"} {
			if _, ok := m[a]; !ok {
				m[a] = 404
			}
		}
		m["anonymous"] = 401
		return m
	}
	routes := []route{
		{"GET", "/v1/projects/{projectId}/twinspace", "", notPartner(map[string]int{"member": 200, "admin": 200, "cofounder": 200})},
		{"POST", "/v1/projects/{projectId}/members", `{"memberId":"{newPartnerId}"}`, notPartner(map[string]int{"member": 403, "admin": 201, "cofounder": 201})},
		{"DELETE", "/v1/projects/{projectId}/members/{memberId}", "", notPartner(map[string]int{"member": 403, "admin": 204, "cofounder": 204})},
		{"PUT", "/v1/projects/{projectId}/members/{memberId}/role", `{"role":"admin"}`, notPartner(map[string]int{"member": 403, "admin": 200, "cofounder": 200})},
		{"POST", "/v1/projects/{projectId}/pages", `{"title":"Plan","body":"Week 1"}`, notPartner(map[string]int{"member": 201, "admin": 201, "cofounder": 201})},
		{"POST", "/v1/projects/{projectId}/labels", `{"kind":"national","schoolId":"{schoolId}"}`,
			notPartner(map[string]int{"member": 403, "admin": 403, "cofounder": 403, "nso_founder_country": 201, "css": 403})},
		{"POST", "/v1/projects/{projectId}/labels", `{"kind":"european","schoolId":"{labelledSchoolId}"}`,
			notPartner(map[string]int{"member": 403, "admin": 403, "cofounder": 403, "nso_founder_country": 403, "css": 201})},
		{"GET", "/v1/projects/{projectId}/pages/{pageId}", "", notPartner(map[string]int{"member": 200, "admin": 200, "cofounder": 200})},
		{"PATCH", "/v1/projects/{projectId}/pages/{pageId}", `{"version":1,"title":"New"}`, notPartner(map[string]int{"member": 200, "admin": 200, "cofounder": 200})},
		{"DELETE", "/v1/projects/{projectId}/pages/{pageId}", "", notPartner(map[string]int{"member": 403, "admin": 204, "cofounder": 204})},
	}
	for _, r := range routes {
		for _, actor := range matrixActors {
			twinspaceMatrix = append(twinspaceMatrix, matrixCase{Method: r.method, Path: r.path, Body: r.body, Actor: actor, Want: r.want[actor]})
		}
	}
}

// twinWorld is who the TwinSpace matrix runs with.
type twinWorld struct {
	founder, cofounder, admin, member, target, newPartner, stranger tsActor
	nsoFounder, nsoOther, css                                       string
	pages                                                           map[string]string // projectId → its page
}

func newTwinWorld(t *testing.T) twinWorld {
	w := twinWorld{founder: tsTeacher(t, "Ana", "RO"), cofounder: tsTeacher(t, "Bruno", "FR"), admin: tsTeacher(t, "Carla", "RO"),
		member: tsTeacher(t, "Dario", "IT"), target: tsTeacher(t, "Elise", "FR"), newPartner: tsTeacher(t, "Nora", "RO"),
		stranger: tsTeacher(t, "Sven", "RO")}
	w.pages = map[string]string{}
	w.nsoFounder, _ = staffAccount(t, "nso", "RO")
	w.nsoOther, _ = staffAccount(t, "nso", "DE")
	w.css, _ = staffAccount(t, "css", "")
	for _, x := range []tsActor{w.founder, w.cofounder, w.admin, w.member} {
		tsContacts(t, x, w.newPartner)
	}
	return w
}

func (w twinWorld) session(actor string) string {
	switch actor {
	case "stranger":
		return w.stranger.Session
	case "member":
		return w.member.Session
	case "admin":
		return w.admin.Session
	case "cofounder":
		return w.cofounder.Session
	case "nso_founder_country":
		return w.nsoFounder
	case "nso_other_country":
		return w.nsoOther
	case "css":
		return w.css
	}
	return ""
}

// project writes a fresh approved project of the world and returns its id.
func (w twinWorld) project(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: project.Approved, Title: "Matrix",
		Founders:  []project.Founder{{MemberID: w.founder.ID, SchoolID: w.founder.SchoolID, Country: "RO"}, {MemberID: w.cofounder.ID, SchoolID: w.cofounder.SchoolID, Country: "FR"}},
		FounderID: w.founder.ID, CofounderID: w.cofounder.ID, NSOCountries: []string{"FR", "RO"}, Version: 3, CreatedAt: now, UpdatedAt: now, ApprovedAt: &now}
	partner := func(x tsActor, role string, founder bool) project.Partner {
		return project.Partner{MemberID: x.ID, Role: role, Founder: founder, SchoolID: x.SchoolID, Country: x.Country, FirstName: "P", LastName: "Q", AddedAt: now}
	}
	st := tsStore()
	if err := st.PutProjectTree(ctx, p, []project.Partner{partner(w.founder, project.RoleAdmin, true), partner(w.cofounder, project.RoleAdmin, true),
		partner(w.admin, project.RoleAdmin, false), partner(w.member, project.RoleMember, false), partner(w.target, project.RoleMember, false)}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []tsActor{w.cofounder, w.admin} {
		l := project.Label{ProjectID: p.ProjectID, Kind: project.LabelNational, SchoolID: x.SchoolID, Country: x.Country, AwardedAt: now}
		if err := st.AwardLabel(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
	}
	pg := twinspace.Page{PageID: token.SortableID("g-", now), Title: "Plan", Body: "Week 1", AuthorID: w.founder.ID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := st.AddPage(ctx, p.ProjectID, pg); err != nil {
		t.Fatal(err)
	}
	w.pages[p.ProjectID] = pg.PageID
	return p.ProjectID
}

func (w twinWorld) fill(s, projectID string) string {
	return strings.NewReplacer("{projectId}", projectID, "{pageId}", w.pages[projectID], "{newPartnerId}", w.newPartner.ID, "{memberId}", w.target.ID,
		"{schoolId}", w.founder.SchoolID, "{labelledSchoolId}", w.cofounder.SchoolID).Replace(s)
}

// runTwinspaceMatrix runs every row against a fresh project.
func runTwinspaceMatrix(t *testing.T, rows []matrixCase) {
	w := newTwinWorld(t)
	for _, c := range rows {
		t.Run(c.Method+" "+c.Path+" "+c.Body+" as "+c.Actor, func(t *testing.T) {
			pid := w.project(t)
			var body any
			if c.Body != "" {
				body = w.fill(c.Body, pid)
			}
			r := call(t, c.Method, w.fill(c.Path, pid), w.session(c.Actor), body)
			if r.Status != c.Want {
				t.Fatalf("status %d, want %d: %s", r.Status, c.Want, r.Raw)
			}
		})
	}
}

func TestAuthzMatrixTwinSpace(t *testing.T) {
	if len(twinspaceMatrix) != 10*len(matrixActors) {
		t.Fatalf("%d rows", len(twinspaceMatrix))
	}
	runTwinspaceMatrix(t, twinspaceMatrix)
}
