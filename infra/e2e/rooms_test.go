package e2e

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/apicontract"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/room"
)

func roomStore() *ddb.Store {
	return ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
}

// roomBody is a valid new room, tagged with tag.
func roomBody(title, tag string, open bool) map[string]any {
	b := map[string]any{"title": title, "description": "Let us talk about " + title, "language": "en", "tags": []string{tag, "stem"}}
	if open {
		b["open"] = true
	}
	return b
}

func newRoom(t *testing.T, session string, tag string, open bool) string {
	t.Helper()
	r := expect(t, call(t, "POST", "/v1/rooms", session, roomBody("Room "+unique(""), tag, open)), 201)
	return r.JSON["roomId"].(string)
}

// expireRoom moves a room's expiry into the past through the store, as if two months had
// gone by.
func expireRoom(t *testing.T, roomID string) {
	t.Helper()
	_, err := roomStore().UpdateRoom(context.Background(), roomID, func(r *room.Room) error {
		r.ExpiresAt = time.Now().Add(-time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// roomTag is a new tag of its own (tags are lowercase words of letters, digits and '-').
func roomTag(prefix string) string {
	return strings.ReplaceAll(strings.ToLower(unique(prefix)), "_", "-")
}

func roomIDs(r reply) []string { return itemIDs(r, "roomId") }

// The whole life of a private room: create, invite (API and the e-mailed link), join, post,
// moderate, extend once; outsiders never see it.
func TestRoomsJourney(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "ro")
	eva := newTeacher(t, "Eva", "fr")
	out := newTeacher(t, "Outsider", "en")
	tag := roomTag("t")

	created := expect(t, call(t, "POST", "/v1/rooms", ana.Session, roomBody("Water in schools", tag, false)), 201)
	roomID := created.JSON["roomId"].(string)
	createdAt, _ := time.Parse(time.RFC3339, created.JSON["createdAt"].(string))
	expiresAt, _ := time.Parse(time.RFC3339, created.JSON["expiresAt"].(string))
	if !expiresAt.Equal(createdAt.AddDate(0, 2, 0)) || created.JSON["membership"] != "creator" || created.JSON["open"] != false {
		t.Fatalf("created: %s", created.Raw)
	}
	// An outsider cannot read it, nor join it, nor list it.
	expect(t, call(t, "GET", "/v1/rooms/"+roomID, out.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/join", out.Session, nil), 404)
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", out.Session, nil), 404)
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, out.Session, nil), 200)); len(ids) != 0 {
		t.Fatalf("an outsider lists %v", ids)
	}
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, ana.Session, nil), 200)); !slices.Equal(ids, []string{roomID}) {
		t.Fatalf("the creator lists %v", ids)
	}

	// Invitations: unknown member 404 naming memberId; the creator themself 409.
	r := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": "m-nobody"}), 404)
	if !slices.Contains(fieldsOf(r), "memberId") {
		t.Fatalf("unknown invitee: %s", r.Raw)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ana.ID}), 409)

	// Ion: invited, joins through the API.
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 201)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 409)
	got := expect(t, call(t, "GET", "/v1/rooms/"+roomID, ion.Session, nil), 200)
	if got.JSON["membership"] != "invited" {
		t.Fatalf("the invitee sees %s", got.Raw)
	}
	if k := notificationKinds(t, ion.Session, roomID); countKind(k, "room_invitation") != 1 {
		t.Fatalf("Ion's notifications of the room: %v", k)
	}
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", ion.Session, nil), 403)
	// Two joins at once: exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", "/v1/rooms/"+roomID+"/join", ion.Session, nil).Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 409}) {
		t.Fatalf("two joins at once: %v", statuses)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 409)

	// Eva: invited, joins from the e-mail's link (the confirmation page, in her language).
	since := time.Now().Add(-time.Second)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": eva.ID}), 201)
	m, tok := decisionMail(t, eva.Email, "Water in schools", since)
	if !strings.Contains(m.Text, "Water in schools") {
		t.Errorf("the invitation e-mail does not name the room:\n%s", m.Text)
	}
	look := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
	if look.Status != 200 || !strings.Contains(look.Body, "Water in schools") || !strings.Contains(look.Body, `value="join"`) || !strings.Contains(look.Body, `value="decline"`) {
		t.Fatalf("confirmation page %d:\n%s", look.Status, look.Body)
	}
	pageHeaders(t, look)
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", eva.Session, nil), 403) // the look changed nothing
	decided := pageCall(t, "POST", "/confirm/"+tok, formType, form("join"), nil)
	if decided.Status != 200 {
		t.Fatalf("join from the link: %d\n%s", decided.Status, decided.Body)
	}
	again := pageCall(t, "POST", "/confirm/"+tok, formType, form("decline"), nil)
	if again.Status != 200 || !strings.Contains(again.Body, "déjà été utilisé") || !strings.Contains(again.Body, "Vous avez rejoint la salle") {
		t.Errorf("a second POST of the link shows the first outcome: %d\n%s", again.Status, again.Body)
	}
	if g := expect(t, call(t, "GET", "/v1/rooms/"+roomID, eva.Session, nil), 200); g.JSON["membership"] != "participant" || g.JSON["participantCount"] != float64(3) {
		t.Fatalf("after joining from the link: %s", g.Raw)
	}

	// Posts: participants write and read, oldest first; the outsider 404.
	p1 := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", ion.Session, map[string]string{"body": "Salut!"}), 201).JSON["postId"].(string)
	p2 := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", eva.Session, map[string]string{"body": "Bonjour!"}), 201).JSON["postId"].(string)
	p3 := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", ion.Session, map[string]string{"body": "Spam"}), 201).JSON["postId"].(string)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", out.Session, map[string]string{"body": "x"}), 404)
	page1 := expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts?limit=2", eva.Session, nil), 200)
	if ids := itemIDs(page1, "postId"); !slices.Equal(ids, []string{p1, p2}) {
		t.Fatalf("first page %v", ids)
	}
	page2 := expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts?limit=2&cursor="+page1.JSON["nextCursor"].(string), eva.Session, nil), 200)
	if ids := itemIDs(page2, "postId"); !slices.Equal(ids, []string{p3}) || page2.JSON["nextCursor"] != nil {
		t.Fatalf("second page %s", page2.Raw)
	}
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts?cursor="+page1.JSON["nextCursor"].(string), ion.Session, nil), 400) // another member's cursor

	// Moderation: Eva may not remove Ion's post; the creator may; the author may remove theirs.
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+p3, eva.Session, nil), 403)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+p3, ana.Session, nil), 204)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+p3, ana.Session, nil), 404)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+p2, eva.Session, nil), 204)
	if ids := itemIDs(expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", ana.Session, nil), 200), "postId"); !slices.Equal(ids, []string{p1}) {
		t.Fatalf("after the removals %v", ids)
	}
	// Removing participants: not the creator, not by another participant; a removed
	// participant loses the room and may be invited again.
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/participants/"+ana.ID, ana.Session, nil), 409)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/participants/"+eva.ID, ion.Session, nil), 403)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/participants/"+ion.ID, ana.Session, nil), 204)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/participants/"+ion.ID, ana.Session, nil), 404)
	expect(t, call(t, "GET", "/v1/rooms/"+roomID, ion.Session, nil), 404)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", ion.Session, map[string]string{"body": "still here?"}), 404)
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, ion.Session, nil), 200)); len(ids) != 0 {
		t.Fatalf("a removed participant lists %v", ids)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 201)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/decline", ion.Session, nil), 200)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/decline", ion.Session, nil), 404) // no longer visible
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 201)

	// Extend: the creator only, once; two at once → exactly one wins.
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/extend", eva.Session, nil), 403)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/extend", out.Session, nil), 404)
	bodies := make([]reply, 2)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = call(t, "POST", "/v1/rooms/"+roomID+"/extend", ana.Session, nil)
		}()
	}
	wg.Wait()
	statuses = []int{bodies[0].Status, bodies[1].Status}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 409}) {
		t.Fatalf("two extends at once: %v", statuses)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/extend", ana.Session, nil), 409)
	g := expect(t, call(t, "GET", "/v1/rooms/"+roomID, ana.Session, nil), 200)
	if e, _ := time.Parse(time.RFC3339, g.JSON["expiresAt"].(string)); !e.Equal(expiresAt.AddDate(0, 2, 0)) || g.JSON["extendedAt"] == nil {
		t.Fatalf("after the extension: %s", g.Raw)
	}
	// Expired: read-only.
	expireRoom(t, roomID)
	if g := expect(t, call(t, "GET", "/v1/rooms/"+roomID, eva.Session, nil), 200); g.JSON["expired"] != true {
		t.Fatalf("expired room: %s", g.Raw)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", eva.Session, map[string]string{"body": "too late"}), 409)
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", eva.Session, nil), 200)
}

// The CSS opens a room that a stranger finds in the list and joins; only the CSS opens
// rooms; the list merges the caller's rooms and the open ones, newest first, with filters.
func TestRoomsOpen(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	nso, _ := staffAccount(t, "nso", "RO")
	ana := newTeacher(t, "Ana", "en")
	stranger := newTeacher(t, "Stranger", "en")
	tag := roomTag("o")

	expect(t, call(t, "POST", "/v1/rooms", ana.Session, roomBody("Not allowed", tag, true)), 403)
	expect(t, call(t, "POST", "/v1/rooms", nso, roomBody("Not allowed", tag, true)), 403)
	nsoRoom := newRoom(t, nso, tag, false)
	mine := newRoom(t, ana.Session, tag, false)
	open := newRoom(t, css, tag, true)
	expect(t, call(t, "GET", "/v1/rooms/"+open, stranger.Session, nil), 200)
	expect(t, call(t, "GET", "/v1/rooms/"+open+"/posts", stranger.Session, nil), 403)
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/posts", stranger.Session, map[string]string{"body": "hi"}), 403)
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, ana.Session, nil), 200)); !slices.Equal(ids, []string{open, mine}) {
		t.Fatalf("Ana lists %v, want the open room then hers", ids)
	}
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, nso, nil), 200)); !slices.Equal(ids, []string{open, nsoRoom}) {
		t.Fatalf("the NSO lists %v", ids)
	}
	// A stranger joins the open room (once), then posts.
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/join", stranger.Session, nil), 200)
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/join", stranger.Session, nil), 409)
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/posts", stranger.Session, map[string]string{"body": "hi"}), 201)
	// The joined open room shows once, with paging of one room at a time.
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/invitations", css, map[string]string{"memberId": ana.ID}), 201)
	expect(t, call(t, "POST", "/v1/rooms/"+open+"/join", ana.Session, nil), 200)
	var ids []string
	cur := ""
	for range 5 {
		path := "/v1/rooms?limit=1&tag=" + tag
		if cur != "" {
			path += "&cursor=" + cur
		}
		p := expect(t, call(t, "GET", path, ana.Session, nil), 200)
		ids = append(ids, roomIDs(p)...)
		next, _ := p.JSON["nextCursor"].(string)
		if cur = next; cur == "" {
			break
		}
	}
	if !slices.Equal(ids, []string{open, mine}) {
		t.Fatalf("paged one by one: %v", ids)
	}
	// Filters: language and tag.
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?language=fr&tag="+tag, ana.Session, nil), 200)); len(ids) != 0 {
		t.Fatalf("language=fr lists %v", ids)
	}
	expect(t, call(t, "GET", "/v1/rooms?language=xx", ana.Session, nil), 400)
	expect(t, call(t, "GET", "/v1/rooms?tag=Not%20A%20Tag", ana.Session, nil), 400)
	expect(t, call(t, "GET", "/v1/rooms?tag="+tag+"&cursor=forged", ana.Session, nil), 400)
}

// Every room decoder refuses bad input naming the field.
func TestRoomsBadInput(t *testing.T) {
	ana := newTeacher(t, "Bad", "en")
	roomID := newRoom(t, ana.Session, "bad", false)
	endpoints := []struct {
		method, path string
		cases        []badCase
	}{
		{"POST", "/v1/rooms", badBodies(
			`{"title":"Room","description":"","language":"zz","tags":["a"]}`, "language",
			`{"title":"Room","description":"","language":"en","tags":"a"}`, "tags",
			`{"description":"","language":"en","tags":["a"]}`, "title")},
		{"POST", "/v1/rooms/" + roomID + "/invitations", badBodies(
			`{"memberId":""}`, "memberId",
			`{"memberId":7}`, "memberId",
			`{}`, "memberId")},
		{"POST", "/v1/rooms/" + roomID + "/posts", badBodies(
			`{"body":"`+strings.Repeat("x", 5001)+`"}`, "body",
			`{"body":["x"]}`, "body",
			`{}`, "body")},
	}
	for _, ep := range endpoints {
		for _, c := range ep.cases {
			t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
				r := call(t, ep.method, ep.path, ana.Session, c.body)
				if !slices.Contains(c.status, r.Status) {
					t.Fatalf("status %d, want %v: %s", r.Status, c.status, r.Raw)
				}
				if c.field != "" && !slices.Contains(fieldsOf(r), c.field) {
					t.Fatalf("the problem names %v, not %q: %s", fieldsOf(r), c.field, r.Raw)
				}
			})
		}
	}
	// Every bad field of a room is named at once.
	r := expect(t, call(t, "POST", "/v1/rooms", ana.Session, map[string]any{"title": "ab", "description": strings.Repeat("d", 2001),
		"language": "zz", "tags": []string{"Upper", "ok", "ok", strings.Repeat("t", 31)}}), 422)
	for _, f := range []string{"title", "description", "language", "tags.0", "tags.2", "tags.3"} {
		if !slices.Contains(fieldsOf(r), f) {
			t.Errorf("the problem does not name %s: %s", f, r.Raw)
		}
	}
	if f := fieldsOf(expect(t, call(t, "POST", "/v1/rooms", ana.Session, map[string]any{"title": "Room", "description": "",
		"language": "en", "tags": []string{}}), 422)); !slices.Contains(f, "tags") {
		t.Errorf("no tags: %v", f)
	}
	if f := fieldsOf(expect(t, call(t, "POST", "/v1/rooms", ana.Session, map[string]any{"title": "Room", "description": "",
		"language": "en", "tags": strings.Split("a b c d e f g h i j k", " ")}), 422)); !slices.Contains(f, "tags") {
		t.Errorf("11 tags: %v", f)
	}
}

// The authorization matrix of every room route: anonymous, a stranger, an invitee, a
// participant, the creator, an NSO and the CSS (neither in the room), on a private room.
func TestRoomsAuthzMatrix(t *testing.T) {
	roles := []string{"anonymous", "stranger", "invitee", "participant", "creator", "nso", "css"}
	type row struct {
		body   func(w map[string]string) any
		path   string // {roomId}, {postId} (a post of the participant), {memberId} (the participant)
		fresh  bool   // a new room for every cell (the call changes the room)
		expect map[string]int
	}
	post := func(map[string]string) any { return map[string]string{"body": "hi"} }
	rows := map[string]row{
		"GET /v1/rooms":          {expect: map[string]int{"anonymous": 401, "stranger": 200, "invitee": 200, "participant": 200, "creator": 200, "nso": 200, "css": 200}},
		"POST /v1/rooms":         {body: func(map[string]string) any { return roomBody("Matrix", "matrix", false) }, expect: map[string]int{"anonymous": 401, "stranger": 201, "invitee": 201, "participant": 201, "creator": 201, "nso": 201, "css": 201}},
		"GET /v1/rooms/{roomId}": {expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 200, "participant": 200, "creator": 200, "nso": 404, "css": 404}},
		"POST /v1/rooms/{roomId}/invitations": {fresh: true, body: func(w map[string]string) any { return map[string]string{"memberId": w["target"]} },
			expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 403, "creator": 201, "nso": 404, "css": 404}},
		"POST /v1/rooms/{roomId}/join":    {fresh: true, expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 200, "participant": 409, "creator": 409, "nso": 404, "css": 404}},
		"POST /v1/rooms/{roomId}/decline": {fresh: true, expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 200, "participant": 409, "creator": 409, "nso": 404, "css": 404}},
		"POST /v1/rooms/{roomId}/extend":  {fresh: true, expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 403, "creator": 200, "nso": 404, "css": 404}},
		"GET /v1/rooms/{roomId}/posts":    {expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 200, "creator": 200, "nso": 404, "css": 404}},
		"POST /v1/rooms/{roomId}/posts":   {body: post, expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 201, "creator": 201, "nso": 404, "css": 404}},
		// The NSO (RO, the author's country) and the CSS moderate without being in the room
		// (another country's NSO: TestModerationOfRooms).
		"DELETE /v1/rooms/{roomId}/posts/{postId}": {fresh: true,
			expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 204, "creator": 204, "nso": 204, "css": 204}},
		"DELETE /v1/rooms/{roomId}/participants/{memberId}": {fresh: true,
			expect: map[string]int{"anonymous": 401, "stranger": 404, "invitee": 403, "participant": 403, "creator": 204, "nso": 404, "css": 404}},
	}
	contract, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range contract.Routes() {
		if _, path, _ := strings.Cut(r, " "); path == "/v1/rooms" || strings.HasPrefix(path, "/v1/rooms/") {
			if _, ok := rows[r]; !ok {
				t.Errorf("%s has no row in the rooms authorization matrix", r)
			}
		}
	}
	for r, rw := range rows {
		for _, role := range roles {
			if _, ok := rw.expect[role]; !ok {
				t.Errorf("%s has no status for %s", r, role)
			}
		}
	}
	if t.Failed() {
		return
	}
	w := map[string]string{"anonymous": ""}
	ids := map[string]string{}
	for _, role := range []string{"stranger", "invitee", "participant", "creator", "target"} {
		m := newTeacher(t, "Matrix", "en")
		w[role], ids[role] = m.Session, m.ID
	}
	w["nso"], ids["nso"] = staffAccount(t, "nso", "RO")
	w["css"], ids["css"] = staffAccount(t, "css", "")
	w["target"] = ids["target"]
	type fixture struct{ roomID, postID string }
	newFixture := func(t *testing.T) fixture {
		id := newRoom(t, w["creator"], "matrix", false)
		expect(t, call(t, "POST", "/v1/rooms/"+id+"/invitations", w["creator"], map[string]string{"memberId": ids["participant"]}), 201)
		expect(t, call(t, "POST", "/v1/rooms/"+id+"/join", w["participant"], nil), 200)
		expect(t, call(t, "POST", "/v1/rooms/"+id+"/invitations", w["creator"], map[string]string{"memberId": ids["invitee"]}), 201)
		p := expect(t, call(t, "POST", "/v1/rooms/"+id+"/posts", w["participant"], map[string]string{"body": "a post"}), 201)
		return fixture{id, p.JSON["postId"].(string)}
	}
	var shared *fixture
	names := make([]string, 0, len(rows))
	for r := range rows {
		names = append(names, r)
	}
	slices.Sort(names)
	for _, r := range names {
		rw := rows[r]
		method, tmpl, _ := strings.Cut(r, " ")
		for _, role := range roles {
			t.Run(r+" as "+role, func(t *testing.T) {
				var fx fixture
				if rw.fresh {
					fx = newFixture(t)
				} else {
					if shared == nil {
						f := newFixture(t)
						shared = &f
					}
					fx = *shared
				}
				path := strings.NewReplacer("{roomId}", fx.roomID, "{postId}", fx.postID, "{memberId}", ids["participant"]).Replace(tmpl)
				var body any
				if rw.body != nil {
					body = rw.body(w)
				}
				if got := call(t, method, path, w[role], body); got.Status != rw.expect[role] {
					t.Errorf("%s %s as %s: %d, want %d: %s", method, path, role, got.Status, rw.expect[role], got.Raw)
				}
			})
		}
	}
}
