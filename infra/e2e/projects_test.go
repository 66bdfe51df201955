package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"etwin/shared/token"
)

// makeContacts makes a and b contacts through the API (a invites, b accepts).
func makeContacts(t *testing.T, aSession, bSession, bID string) {
	t.Helper()
	r := expect(t, call(t, "POST", "/v1/contacts/requests", aSession, map[string]string{"memberId": bID}), 201)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+r.JSON["requestId"].(string)+"/accept", bSession, nil), 200)
}

// projectBody is a valid founding form with cofounderID.
func projectBody(cofounderID string) map[string]any {
	return map[string]any{"title": "Rivers of Europe " + unique(""), "summary": "Pupils compare the rivers of their towns.",
		"language": "en", "ageRange": map[string]int{"min": 10, "max": 12}, "pupils": 24,
		"themes": []string{"environment"}, "tools": []string{"twinspace_pages"}, "objectives": "Know the rivers.",
		"methodology": "Measurements, exchanges, a shared map.", "expectedResults": "A shared atlas.", "cofounderId": cofounderID}
}

func activeProjects(t *testing.T, country string) float64 {
	t.Helper()
	return expect(t, call(t, "GET", "/v1/stats?country="+country, "", nil), 200).JSON["activeProjects"].(float64)
}

func notificationKinds(t *testing.T, session, subjectID string) []string {
	t.Helper()
	var out []string
	for _, n := range items(expect(t, call(t, "GET", "/v1/notifications?limit=100", session, nil), 200)) {
		if n["subject"].(map[string]any)["id"] == subjectID {
			out = append(out, n["kind"].(string))
		}
	}
	return out
}

func queueIDs(t *testing.T, session string) []string {
	t.Helper()
	var ids []string
	cur := ""
	for {
		path := "/v1/nso/projects?status=awaiting_nso&limit=100"
		if cur != "" {
			path += "&cursor=" + cur
		}
		r := expect(t, call(t, "GET", path, session, nil), 200)
		for _, it := range items(r) {
			ids = append(ids, it["projectId"].(string))
		}
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			return ids
		}
		cur = next
	}
}

type founders struct {
	ana, anaID, jean, jeanID string
}

func foundersRO_FR(t *testing.T) founders {
	t.Helper()
	ana, anaID, _ := teacherAccount(t, "Ana", "RO")
	jean, jeanID, _ := teacherAccount(t, "Jean", "FR")
	makeContacts(t, ana, jean, jeanID)
	return founders{ana, anaID, jean, jeanID}
}

// The whole life of a project, with both orders of the NSO approvals.
func TestProjectJourney(t *testing.T) {
	f := foundersRO_FR(t)
	nsoRO, _ := staffAccount(t, "nso", "RO")
	nsoFR, _ := staffAccount(t, "nso", "FR")
	nsoDE, _ := staffAccount(t, "nso", "DE")
	css, _ := staffAccount(t, "css", "")
	stranger, _, _ := teacherAccount(t, "Eve", "RO")

	for round, order := range [][]string{{nsoRO, nsoFR}, {nsoFR, nsoRO}} {
		beforeRO, beforeFR := activeProjects(t, "RO"), activeProjects(t, "FR")
		r := expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201)
		id := r.JSON["projectId"].(string)
		if r.JSON["status"] != "awaiting_cofounder" || r.JSON["version"].(float64) != 1 {
			t.Fatalf("created: %s", r.Raw)
		}
		if k := notificationKinds(t, f.jean, id); !slices.Contains(k, "project_cofounder_request") {
			t.Fatalf("the co-founder's notifications: %v", k)
		}
		// Who sees it before the co-founder decided.
		expect(t, call(t, "GET", "/v1/projects/"+id, f.jean, nil), 200)
		expect(t, call(t, "GET", "/v1/projects/"+id, css, nil), 200)
		expect(t, call(t, "GET", "/v1/projects/"+id, stranger, nil), 404)
		expect(t, call(t, "GET", "/v1/projects/"+id, nsoRO, nil), 404)
		list := items(expect(t, call(t, "GET", "/v1/projects", f.jean, nil), 200))
		if len(list) == 0 || list[0]["projectId"] != id {
			t.Fatalf("the co-founder's list starts with %v", list)
		}

		// The founder edits while it waits; a stale version is refused.
		e := expect(t, call(t, "PATCH", "/v1/projects/"+id, f.ana, map[string]any{"title": "Rivers and seas", "version": 1}), 200)
		if e.JSON["title"] != "Rivers and seas" || e.JSON["version"].(float64) != 2 {
			t.Fatalf("edited: %s", e.Raw)
		}
		expect(t, call(t, "PATCH", "/v1/projects/"+id, f.ana, map[string]any{"pupils": 30, "version": 1}), 409)
		expect(t, call(t, "PATCH", "/v1/projects/"+id, f.jean, map[string]any{"pupils": 30}), 403)

		// The co-founder approves; a second decision is a 409.
		d := expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "approve"}), 200)
		if d.JSON["status"] != "awaiting_nso" || !slices.Equal(anyStrings(d.JSON["nsoCountries"]), []string{"FR", "RO"}) {
			t.Fatalf("after the co-founder: %s", d.Raw)
		}
		founders := d.JSON["founders"].([]any)
		if founders[1].(map[string]any)["country"] != "FR" {
			t.Fatalf("co-founder's school: %v", founders)
		}
		expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "reject"}), 409)
		if k := notificationKinds(t, f.ana, id); !slices.Contains(k, "project_cofounder_approved") {
			t.Fatalf("the founder's notifications: %v", k)
		}

		// Both NSOs see it in their queue; another country's NSO gets 404.
		for _, nso := range []string{nsoRO, nsoFR} {
			if !slices.Contains(queueIDs(t, nso), id) {
				t.Fatalf("round %d: not in a founder country's queue", round)
			}
			expect(t, call(t, "GET", "/v1/projects/"+id, nso, nil), 200)
		}
		if slices.Contains(queueIDs(t, nsoDE), id) {
			t.Fatal("in another country's queue")
		}
		expect(t, call(t, "GET", "/v1/projects/"+id, nsoDE, nil), 404)
		expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", nsoDE, map[string]any{"decision": "approve", "comment": ""}), 404)
		expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", f.ana, map[string]any{"decision": "approve", "comment": ""}), 403)

		first := expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", order[0], map[string]any{"decision": "approve", "comment": "Fine."}), 200)
		if first.JSON["status"] != "awaiting_nso" {
			t.Fatalf("after one NSO: %s", first.Raw)
		}
		expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", order[0], map[string]any{"decision": "approve", "comment": ""}), 409)
		if slices.Contains(queueIDs(t, order[0]), id) {
			t.Fatal("still in the queue of the NSO that decided")
		}
		last := expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", order[1], map[string]any{"decision": "approve", "comment": ""}), 200)
		if last.JSON["status"] != "approved" || last.JSON["approvedAt"] == nil {
			t.Fatalf("after both NSOs: %s", last.Raw)
		}
		if ro, fr := activeProjects(t, "RO"), activeProjects(t, "FR"); ro < beforeRO+1 || fr < beforeFR+1 {
			t.Fatalf("activeProjects RO %v → %v, FR %v → %v", beforeRO, ro, beforeFR, fr)
		}
		for _, s := range []string{f.ana, f.jean} {
			if k := notificationKinds(t, s, id); !slices.Contains(k, "project_approved") {
				t.Fatalf("a founder's notifications: %v", k)
			}
		}
		// Decided: no more edits, withdrawals or decisions.
		expect(t, call(t, "PATCH", "/v1/projects/"+id, f.ana, map[string]any{"pupils": 30}), 409)
		expect(t, call(t, "DELETE", "/v1/projects/"+id, f.ana, nil), 409)
		expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", order[1], map[string]any{"decision": "reject", "comment": "late"}), 409)
	}
}

func anyStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, x.(string))
	}
	return out
}

func TestProjectFoundingRefusals(t *testing.T) {
	f := foundersRO_FR(t)
	// Not a contact; a contact in the same country; oneself; a staff caller.
	_, deID, _ := teacherAccount(t, "Hans", "DE")
	ion, ionID, _ := teacherAccount(t, "Ion", "RO")
	makeContacts(t, f.ana, ion, ionID)
	for _, cof := range []string{deID, ionID, f.anaID, "m-nobody"} {
		r := expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(cof)), 422)
		if !slices.Contains(fieldsOf(r), "cofounderId") {
			t.Fatalf("co-founder %s: %s", cof, r.Raw)
		}
	}
	body := projectBody(f.jeanID)
	body["schoolId"] = "s-not-mine"
	if r := expect(t, call(t, "POST", "/v1/projects", f.ana, body), 422); !slices.Contains(fieldsOf(r), "schoolId") {
		t.Fatalf("someone else's school: %s", r.Raw)
	}
	css, _ := staffAccount(t, "css", "")
	expect(t, call(t, "POST", "/v1/projects", css, projectBody(f.jeanID)), 403)
}

func TestProjectWithdrawAndRejections(t *testing.T) {
	f := foundersRO_FR(t)
	nsoRO, _ := staffAccount(t, "nso", "RO")

	// Withdrawn while awaiting the NSOs: gone from everywhere.
	id := expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201).JSON["projectId"].(string)
	expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "approve"}), 200)
	expect(t, call(t, "DELETE", "/v1/projects/"+id, f.jean, nil), 403)
	expect(t, call(t, "DELETE", "/v1/projects/"+id, f.ana, nil), 204)
	expect(t, call(t, "GET", "/v1/projects/"+id, f.ana, nil), 404)
	expect(t, call(t, "DELETE", "/v1/projects/"+id, f.ana, nil), 404)
	if slices.Contains(queueIDs(t, nsoRO), id) {
		t.Fatal("a withdrawn project stays in the NSO queue")
	}
	for _, it := range items(expect(t, call(t, "GET", "/v1/projects", f.jean, nil), 200)) {
		if it["projectId"] == id {
			t.Fatal("a withdrawn project stays in the co-founder's list")
		}
	}

	// The co-founder rejects.
	id = expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201).JSON["projectId"].(string)
	r := expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "reject", "comment": "Not this year."}), 200)
	if r.JSON["status"] != "rejected" || r.JSON["comment"] != "Not this year." {
		t.Fatalf("rejected: %s", r.Raw)
	}
	if k := notificationKinds(t, f.ana, id); !slices.Contains(k, "project_rejected") {
		t.Fatalf("the founder's notifications: %v", k)
	}
	expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "approve"}), 409)
	expect(t, call(t, "DELETE", "/v1/projects/"+id, f.ana, nil), 409)

	// An NSO rejects: rejected with the comment, both founders told.
	id = expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201).JSON["projectId"].(string)
	expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "approve"}), 200)
	r = expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", nsoRO, map[string]any{"decision": "reject", "comment": "No European partner work."}), 200)
	if r.JSON["status"] != "rejected" || r.JSON["comment"] != "No European partner work." {
		t.Fatalf("NSO rejection: %s", r.Raw)
	}
	for _, s := range []string{f.ana, f.jean} {
		if k := notificationKinds(t, s, id); !slices.Contains(k, "project_rejected") {
			t.Fatalf("a founder's notifications: %v", k)
		}
	}
}

func TestProjectsBadInput(t *testing.T) {
	f := foundersRO_FR(t)
	nso, _ := staffAccount(t, "nso", "RO")
	id := expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201).JSON["projectId"].(string)
	form := func(change func(map[string]any)) string {
		b := projectBody(f.jeanID)
		change(b)
		raw, _ := json.Marshal(b)
		return string(raw)
	}
	endpoints := []struct {
		method, path, session string
		cases                 []badCase
	}{
		{"POST", "/v1/projects", f.ana, append(badBodies(
			form(func(b map[string]any) { b["themes"] = []string{"astrology"} }), "themes.0",
			form(func(b map[string]any) { b["pupils"] = "many" }), "pupils",
			form(func(b map[string]any) { delete(b, "methodology") }), "methodology"),
			badCase{"age range reversed", form(func(b map[string]any) { b["ageRange"] = map[string]int{"min": 12, "max": 10} }), []int{422}, "ageRange.max"},
			badCase{"unknown language", form(func(b map[string]any) { b["language"] = "xx" }), []int{422}, "language"},
			badCase{"no age range", form(func(b map[string]any) { delete(b, "ageRange") }), []int{422}, "ageRange"},
			badCase{"long title", form(func(b map[string]any) { b["title"] = strings.Repeat("t", 201) }), []int{422}, "title"},
		)},
		{"PATCH", "/v1/projects/" + id, f.ana, append(badBodies(
			`{"tools":["teleport"]}`, "tools.0",
			`{"ageRange":{"min":"ten","max":12}}`, "ageRange.min",
			`{}`, "title"),
			badCase{"co-founder change", `{"cofounderId":"` + f.anaID + `"}`, []int{400}, "cofounderId"},
			badCase{"bad version", `{"title":"x","version":0}`, []int{422}, "version"},
		)},
		{"POST", "/v1/projects/" + id + "/cofounder-decision", f.jean, badBodies(
			`{"decision":"maybe"}`, "decision",
			`{"decision":true}`, "decision",
			`{"schoolId":"s-1"}`, "decision")},
		{"POST", "/v1/projects/" + id + "/nso-decision", nso, append(badBodies(
			`{"decision":"perhaps","comment":""}`, "decision",
			`{"decision":"approve","comment":5}`, "comment",
			`{"decision":"approve"}`, "comment"),
			badCase{"rejection without a reason", `{"decision":"reject","comment":" "}`, []int{422}, "comment"},
		)},
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
	}
	// Query parameters and ids.
	expect(t, call(t, "GET", "/v1/projects?limit=101", f.ana, nil), 400)
	expect(t, call(t, "GET", "/v1/projects?cursor=forged", f.ana, nil), 400)
	expect(t, call(t, "GET", "/v1/nso/projects?status=approved", nso, nil), 400)
	expect(t, call(t, "GET", "/v1/nso/projects?limit=0", nso, nil), 400)
	expect(t, call(t, "GET", "/v1/nso/projects?cursor=forged", nso, nil), 400)
	expect(t, call(t, "GET", "/v1/projects/"+token.ID("p-"), f.ana, nil), 404)
	expect(t, call(t, "GET", "/v1/projects/bad%20id", f.ana, nil), 404)
}

// Paging through my projects and the NSO queue: cursors are bound to their member.
func TestProjectListsPaging(t *testing.T) {
	f := foundersRO_FR(t)
	for i := 0; i < 5; i++ {
		id := expect(t, call(t, "POST", "/v1/projects", f.ana, projectBody(f.jeanID)), 201).JSON["projectId"].(string)
		expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", f.jean, map[string]any{"decision": "approve"}), 200)
	}
	seen := map[string]bool{}
	cur := ""
	for {
		path := "/v1/projects?limit=2"
		if cur != "" {
			path += "&cursor=" + cur
		}
		r := expect(t, call(t, "GET", path, f.ana, nil), 200)
		for _, it := range items(r) {
			if seen[it["projectId"].(string)] {
				t.Fatal("listed twice")
			}
			seen[it["projectId"].(string)] = true
		}
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			break
		}
		if cur == "" {
			expect(t, call(t, "GET", "/v1/projects?limit=2&cursor="+next, f.jean, nil), 400)
		}
		cur = next
	}
	if len(seen) != 5 {
		t.Fatalf("%d projects listed, want 5", len(seen))
	}
	nso, _ := staffAccount(t, "nso", "FR")
	r := expect(t, call(t, "GET", "/v1/nso/projects?limit=1", nso, nil), 200)
	if next, _ := r.JSON["nextCursor"].(string); next != "" {
		other, _ := staffAccount(t, "nso", "FR")
		expect(t, call(t, "GET", "/v1/nso/projects?limit=1&cursor="+next, other, nil), 400)
	} else {
		t.Fatal("the FR queue has one page only")
	}
}
