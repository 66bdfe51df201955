package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/token"
)

// teacher is a registered, signed-in member.
type teacher = signedUp

// newTeacher registers a teacher through the API and signs them in.
func newTeacher(t *testing.T, first, lang string) teacher {
	t.Helper()
	return signUp(t, applicant{First: first, Lang: lang, School: "Școala Contactelor " + unique("")})
}

func items(r reply) []map[string]any {
	var out []map[string]any
	for _, it := range r.JSON["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func memberIDs(list []map[string]any) []string {
	var out []string
	for _, it := range list {
		out = append(out, it["memberId"].(string))
	}
	return out
}

func TestContactsJourney(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "ro")
	eve := newTeacher(t, "Eve", "en")

	// Ana invites Ion: Ion is notified, and e-mailed in Romanian.
	since := time.Now()
	r := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201)
	reqID := r.JSON["requestId"].(string)
	m := testenv.WaitMail(t, ion.Email, since)
	if !strings.Contains(m.Subject, "vă invită") || !strings.Contains(m.Text, "Ana Popescu") || !strings.Contains(m.HTML, "Ana Popescu") {
		t.Errorf("the invitee's e-mail (language ro): %q\n%s", m.Subject, m.Text)
	}
	notes := items(expect(t, call(t, "GET", "/v1/notifications", ion.Session, nil), 200))
	if len(notes) != 1 || notes[0]["kind"] != "contact_request" || notes[0]["read"] != false {
		t.Fatalf("Ion's notifications: %v", notes)
	}
	subject := notes[0]["subject"].(map[string]any)
	if subject["type"] != "contact_request" || subject["id"] != reqID {
		t.Fatalf("subject: %v", subject)
	}
	noteID := notes[0]["id"].(string)

	// The pending request in both lists (incoming is the default).
	in := items(expect(t, call(t, "GET", "/v1/contacts/requests", ion.Session, nil), 200))
	if len(in) != 1 || in[0]["requestId"] != reqID || in[0]["from"].(map[string]any)["memberId"] != ana.ID ||
		in[0]["from"].(map[string]any)["firstName"] != "Ana" || in[0]["to"].(map[string]any)["country"] != "RO" {
		t.Fatalf("incoming: %v", in)
	}
	out := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=outgoing", ana.Session, nil), 200))
	if len(out) != 1 || out[0]["requestId"] != reqID {
		t.Fatalf("outgoing: %v", out)
	}
	if len(items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", ana.Session, nil), 200))) != 0 {
		t.Fatal("the sender sees her own request as incoming")
	}

	// Forbidden paths.
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", eve.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ana.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/reject", ana.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 409)
	expect(t, call(t, "POST", "/v1/contacts/requests", ion.Session, map[string]string{"memberId": ana.ID}), 409)
	self := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ana.ID}), 409)
	if !slices.Contains(fieldsOf(self), "memberId") {
		t.Errorf("a request to oneself names %v", fieldsOf(self))
	}
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": "m-" + strings.Repeat("x", 16)}), 404)

	// Ion accepts; a second answer is 409.
	r = expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ion.Session, nil), 200)
	if r.JSON["status"] != "accepted" || r.JSON["requestId"] != reqID {
		t.Fatalf("accept: %s", r.Raw)
	}
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ion.Session, nil), 409)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/reject", ion.Session, nil), 409)
	if len(items(expect(t, call(t, "GET", "/v1/contacts/requests", ion.Session, nil), 200))) != 0 {
		t.Fatal("an accepted request is still pending")
	}
	// Both contact lists, with names and countries.
	for _, c := range []struct {
		who         teacher
		other, name string
	}{{ana, ion.ID, "Ion"}, {ion, ana.ID, "Ana"}} {
		list := items(expect(t, call(t, "GET", "/v1/contacts", c.who.Session, nil), 200))
		if len(list) != 1 || list[0]["memberId"] != c.other || list[0]["firstName"] != c.name ||
			list[0]["lastName"] != "Popescu" || list[0]["country"] != "RO" {
			t.Fatalf("contacts of %s: %v", c.who.ID, list)
		}
	}
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 409)
	expect(t, call(t, "POST", "/v1/contacts/requests", ion.Session, map[string]string{"memberId": ana.ID}), 409)
	// Ana is told, in English.
	anaNotes := items(expect(t, call(t, "GET", "/v1/notifications", ana.Session, nil), 200))
	if len(anaNotes) != 1 || anaNotes[0]["kind"] != "contact_accepted" || anaNotes[0]["subject"].(map[string]any)["id"] != ion.ID {
		t.Fatalf("Ana's notifications: %v", anaNotes)
	}
	if m := testenv.WaitMail(t, ana.Email, since); !strings.Contains(m.Subject, "accepted") {
		t.Errorf("Ana's e-mail: %q", m.Subject)
	}

	// Mark read: the owner (twice, same answer); anyone else or an unknown id: 404.
	for i := 0; i < 2; i++ {
		r = expect(t, call(t, "POST", "/v1/notifications/"+noteID+"/read", ion.Session, nil), 200)
		if r.JSON["read"] != true || r.JSON["id"] != noteID {
			t.Fatalf("read: %s", r.Raw)
		}
	}
	expect(t, call(t, "POST", "/v1/notifications/"+noteID+"/read", ana.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/notifications/n-nothing/read", ion.Session, nil), 404)

	// Eve invites Ion: newest first, paged; Ion rejects, Eve may ask again.
	r = expect(t, call(t, "POST", "/v1/contacts/requests", eve.Session, map[string]string{"memberId": ion.ID}), 201)
	eveReq := r.JSON["requestId"].(string)
	page := expect(t, call(t, "GET", "/v1/notifications?limit=1", ion.Session, nil), 200)
	first := items(page)
	if len(first) != 1 || first[0]["subject"].(map[string]any)["id"] != eveReq || first[0]["read"] != false {
		t.Fatalf("newest first: %s", page.Raw)
	}
	next, _ := page.JSON["nextCursor"].(string)
	if next == "" {
		t.Fatalf("no next page: %s", page.Raw)
	}
	expect(t, call(t, "GET", "/v1/notifications?limit=1&cursor="+next, ana.Session, nil), 400)
	expect(t, call(t, "GET", "/v1/contacts?limit=1&cursor="+next, ion.Session, nil), 400)
	second := expect(t, call(t, "GET", "/v1/notifications?limit=1&cursor="+next, ion.Session, nil), 200)
	if s := items(second); len(s) != 1 || s[0]["id"] != noteID || s[0]["read"] != true {
		t.Fatalf("second page: %s", second.Raw)
	}
	if _, more := second.JSON["nextCursor"]; more {
		t.Fatalf("a third page: %s", second.Raw)
	}
	r = expect(t, call(t, "POST", "/v1/contacts/requests/"+eveReq+"/reject", ion.Session, nil), 200)
	if r.JSON["status"] != "rejected" {
		t.Fatalf("reject: %s", r.Raw)
	}
	if len(items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=outgoing", eve.Session, nil), 200))) != 0 {
		t.Fatal("a rejected request is still outgoing")
	}
	if len(items(expect(t, call(t, "GET", "/v1/contacts", eve.Session, nil), 200))) != 0 {
		t.Fatal("a rejected request made contacts")
	}
	expect(t, call(t, "POST", "/v1/contacts/requests", eve.Session, map[string]string{"memberId": ion.ID}), 201)

	// Delete: both sides go; again 404; a new request may follow.
	expect(t, call(t, "DELETE", "/v1/contacts/"+ion.ID, ana.Session, nil), 204)
	expect(t, call(t, "DELETE", "/v1/contacts/"+ion.ID, ana.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/contacts/"+ana.ID, ion.Session, nil), 404)
	if ids := memberIDs(items(expect(t, call(t, "GET", "/v1/contacts", ion.Session, nil), 200))); len(ids) != 0 {
		t.Fatalf("Ion still lists %v", ids)
	}
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201)
}

func TestContactsBadInput(t *testing.T) {
	me := newTeacher(t, "Bad", "en")
	for _, c := range badBodies(
		`{"memberId":"not an id!"}`, "memberId",
		`{"memberId":5}`, "memberId",
		`{}`, "memberId") {
		t.Run("POST /v1/contacts/requests "+c.name, func(t *testing.T) {
			r := call(t, "POST", "/v1/contacts/requests", me.Session, c.body)
			if !slices.Contains(c.status, r.Status) {
				t.Fatalf("status %d, want %v: %s", r.Status, c.status, r.Raw)
			}
			if c.field != "" && !slices.Contains(fieldsOf(r), c.field) {
				t.Fatalf("the problem names %v, not %q: %s", fieldsOf(r), c.field, r.Raw)
			}
		})
	}
	r := call(t, "POST", "/v1/contacts/requests", me.Session, `{"memberId":"m-1"}`)
	if r.Status != 404 {
		t.Fatalf("unknown member: %d %s", r.Status, r.Raw)
	}

	// Every new route refuses a missing or unusable session.
	routes := [][2]string{
		{"POST", "/v1/contacts/requests"}, {"GET", "/v1/contacts/requests"},
		{"POST", "/v1/contacts/requests/r-1/accept"}, {"POST", "/v1/contacts/requests/r-1/reject"},
		{"GET", "/v1/contacts"}, {"DELETE", "/v1/contacts/m-1"},
		{"GET", "/v1/notifications"}, {"POST", "/v1/notifications/n-1/read"},
	}
	for _, rt := range routes {
		for _, tok := range []string{"", "m-x." + token.New(), "garbage"} {
			expect(t, call(t, rt[0], rt[1], tok, nil), 401)
		}
	}

	// Query parameters.
	for _, q := range []struct{ path, field string }{
		{"/v1/contacts/requests?direction=sideways", "direction"},
		{"/v1/contacts/requests?direction=INCOMING", "direction"},
		{"/v1/contacts/requests?limit=0", "limit"},
		{"/v1/contacts/requests?limit=101", "limit"},
		{"/v1/contacts/requests?cursor=forged.cursor", "cursor"},
		{"/v1/contacts?limit=ten", "limit"},
		{"/v1/contacts?cursor=forged.cursor", "cursor"},
		{"/v1/notifications?limit=-1", "limit"},
		{"/v1/notifications?cursor=forged.cursor", "cursor"},
	} {
		r := expect(t, call(t, "GET", q.path, me.Session, nil), 400)
		if !slices.Contains(fieldsOf(r), q.field) {
			t.Errorf("GET %s names %v, want %s", q.path, fieldsOf(r), q.field)
		}
	}

	// Unknown or malformed ids in paths.
	long := strings.Repeat("x", 80)
	for _, p := range []string{"/v1/contacts/requests/r-nope/accept", "/v1/contacts/requests/r-nope/reject",
		"/v1/contacts/requests/" + long + "/accept", "/v1/notifications/" + long + "/read", "/v1/notifications/n-nope/read"} {
		expect(t, call(t, "POST", p, me.Session, nil), 404)
	}
	expect(t, call(t, "DELETE", "/v1/contacts/m-nope", me.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/contacts/"+me.ID, me.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/contacts/"+long, me.Session, nil), 404)
}

// The sender may take back a pending request: it leaves both lists, the invitee can no
// longer answer it, and a new request may be sent; nobody else may withdraw it.
func TestWithdrawContactRequest(t *testing.T) {
	ana, ion, eve := newTeacher(t, "Ana", "en"), newTeacher(t, "Ion", "en"), newTeacher(t, "Eve", "en")
	reqID := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201).JSON["requestId"].(string)
	expect(t, call(t, "DELETE", "/v1/contacts/requests/"+reqID, ion.Session, nil), 404) // the invitee answers instead
	expect(t, call(t, "DELETE", "/v1/contacts/requests/"+reqID, eve.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/contacts/requests/"+reqID, "", nil), 401)
	expect(t, call(t, "DELETE", "/v1/contacts/requests/r-unknown", ana.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/contacts/requests/"+reqID, ana.Session, nil), 204)
	expect(t, call(t, "DELETE", "/v1/contacts/requests/"+reqID, ana.Session, nil), 409)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ion.Session, nil), 409)
	if in := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", ion.Session, nil), 200)); len(in) != 0 {
		t.Fatalf("a withdrawn request is still incoming: %v", in)
	}
	if out := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=outgoing", ana.Session, nil), 200)); len(out) != 0 {
		t.Fatalf("a withdrawn request is still outgoing: %v", out)
	}
	// The pair is free again, in either direction.
	again := expect(t, call(t, "POST", "/v1/contacts/requests", ion.Session, map[string]string{"memberId": ana.ID}), 201).JSON["requestId"].(string)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+again+"/accept", ana.Session, nil), 200)
}
