package project

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func pending() Project {
	return Project{ProjectID: "p-1", Status: AwaitingCofounder, Title: "Water", Version: 1, CreatedAt: t0, UpdatedAt: t0,
		FounderID: "m-ana", CofounderID: "m-jean",
		Founders: []Founder{{MemberID: "m-ana", SchoolID: "s-ro", Country: "RO"}, {MemberID: "m-jean"}}}
}

var (
	ana      = Caller{MemberID: "m-ana", Role: member.RoleTeacher}
	jean     = Caller{MemberID: "m-jean", Role: member.RoleTeacher}
	partner  = Caller{MemberID: "m-pat", Role: member.RoleTeacher, Partner: true}
	stranger = Caller{MemberID: "m-x", Role: member.RoleTeacher}
	nsoRO    = Caller{MemberID: "m-nro", Role: member.RoleNSO, Country: "RO"}
	nsoFR    = Caller{MemberID: "m-nfr", Role: member.RoleNSO, Country: "FR"}
	nsoDE    = Caller{MemberID: "m-nde", Role: member.RoleNSO, Country: "DE"}
	css      = Caller{MemberID: "m-css", Role: member.RoleCSS}
	frSchool = member.SchoolRef{SchoolID: "s-fr", Country: "FR"}
)

func status(t *testing.T, err error, want int) {
	t.Helper()
	if got := apperr.StatusOf(err); err == nil || got != want {
		t.Fatalf("error %v (status %d), want %d", err, got, want)
	}
}

func awaitingNSO(t *testing.T) Project {
	t.Helper()
	p, err := CofounderDecide(pending(), jean, Approve, frSchool, "", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCofounderApproveSendsToBothNSOs(t *testing.T) {
	p := awaitingNSO(t)
	if p.Status != AwaitingNSO || p.Version != 2 || !slices.Equal(p.NSOCountries, []string{"FR", "RO"}) || p.SubmittedAt == nil {
		t.Fatalf("after approval: %+v", p)
	}
	if f := p.Founders[1]; f.SchoolID != "s-fr" || f.Country != "FR" {
		t.Fatalf("co-founder: %+v", f)
	}
	if pending().Founders[1].SchoolID != "" {
		t.Fatal("the decision changed the project it was given")
	}
}

func TestCofounderRejects(t *testing.T) {
	p, err := CofounderDecide(pending(), jean, Reject, member.SchoolRef{}, "not now", t0)
	if err != nil || p.Status != Rejected || p.Comment != "not now" || len(p.NSOCountries) != 0 {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestWhoMayDecideAsCofounder(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Caller
		want int
	}{
		{"founder", ana, http.StatusForbidden},
		{"partner", partner, http.StatusForbidden},
		{"stranger", stranger, http.StatusNotFound},
		{"nso before it reached them", nsoRO, http.StatusNotFound},
		{"css", css, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CofounderDecide(pending(), tc.c, Approve, frSchool, "", t0)
			status(t, err, tc.want)
		})
	}
	// A second decision: 409.
	_, err := CofounderDecide(awaitingNSO(t), jean, Reject, member.SchoolRef{}, "", t0)
	status(t, err, http.StatusConflict)
	// Same country as the founder: 422.
	_, err = CofounderDecide(pending(), jean, Approve, member.SchoolRef{SchoolID: "s-ro2", Country: "RO"}, "", t0)
	status(t, err, http.StatusUnprocessableEntity)
}

func TestChooseCofounderSchool(t *testing.T) {
	schools := []member.SchoolRef{{SchoolID: "a", Country: "RO"}, {SchoolID: "b", Country: "FR"}, {SchoolID: "c", Country: "DE"}}
	if s, err := ChooseCofounderSchool(schools, "RO", ""); err != nil || s.SchoolID != "b" {
		t.Fatalf("default: %v %v", s, err)
	}
	if s, err := ChooseCofounderSchool(schools, "RO", "c"); err != nil || s.SchoolID != "c" {
		t.Fatalf("chosen: %v %v", s, err)
	}
	_, err := ChooseCofounderSchool(schools, "RO", "a")
	status(t, err, http.StatusUnprocessableEntity)
	_, err = ChooseCofounderSchool(schools[:1], "RO", "")
	status(t, err, http.StatusUnprocessableEntity)
}

func TestNSOApprovalsInEitherOrder(t *testing.T) {
	for _, order := range [][]Caller{{nsoRO, nsoFR}, {nsoFR, nsoRO}} {
		p := awaitingNSO(t)
		p1, out, err := NSODecide(p, order[0], Approve, "", t0.Add(2*time.Hour))
		if err != nil || p1.Status != AwaitingNSO || out.Final || !slices.Equal(out.DoneCountries, []string{order[0].Country}) {
			t.Fatalf("first approval: %+v %+v %v", p1, out, err)
		}
		// The same country again: 409.
		_, _, err = NSODecide(p1, order[0], Approve, "", t0)
		status(t, err, http.StatusConflict)
		p2, out, err := NSODecide(p1, order[1], Approve, "", t0.Add(3*time.Hour))
		if err != nil || p2.Status != Approved || p2.ApprovedAt == nil || !out.Final || len(out.DoneCountries) != 2 || p2.Version != 4 {
			t.Fatalf("second approval: %+v %+v %v", p2, out, err)
		}
		if !p2.Active(t0.Add(4 * time.Hour)) {
			t.Fatal("approved project is not active")
		}
		// After the approval: 409 for anyone who could decide.
		_, _, err = NSODecide(p2, order[0], Reject, "late", t0)
		status(t, err, http.StatusConflict)
	}
}

func TestNSORejectionEndsIt(t *testing.T) {
	p, out, err := NSODecide(awaitingNSO(t), nsoFR, Reject, "not European enough", t0)
	if err != nil || p.Status != Rejected || p.Comment != "not European enough" || !out.Final || !slices.Equal(out.DoneCountries, []string{"FR", "RO"}) {
		t.Fatalf("%+v %+v %v", p, out, err)
	}
}

func TestWhoMayDecideAsNSO(t *testing.T) {
	p := awaitingNSO(t)
	for _, tc := range []struct {
		name string
		p    Project
		c    Caller
		want int
	}{
		{"teacher", p, ana, http.StatusForbidden},
		{"css", p, css, http.StatusForbidden},
		{"nso of another country", p, nsoDE, http.StatusNotFound},
		{"nso before the co-founder decided", pending(), nsoRO, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NSODecide(tc.p, tc.c, Approve, "", t0)
			status(t, err, tc.want)
		})
	}
}

func TestCanRead(t *testing.T) {
	p := pending()
	n := awaitingNSO(t)
	for _, tc := range []struct {
		p    Project
		c    Caller
		want bool
	}{
		{p, ana, true}, {p, jean, true}, {p, partner, true}, {p, stranger, false}, {p, css, true},
		{p, nsoRO, false}, {n, nsoRO, true}, {n, nsoFR, true}, {n, nsoDE, false},
	} {
		if got := CanRead(&tc.p, tc.c); got != tc.want {
			t.Errorf("CanRead(%s, %+v) = %v", tc.p.Status, tc.c, got)
		}
	}
}

func TestEdit(t *testing.T) {
	title := "Rivers"
	v := 1
	p, err := Edit(pending(), ana, PatchInput{Title: &title, Version: &v}, t0)
	if err != nil || p.Title != "Rivers" || p.Version != 2 {
		t.Fatalf("%+v %v", p, err)
	}
	_, err = Edit(p, ana, PatchInput{Title: &title, Version: &v}, t0)
	status(t, err, http.StatusConflict) // stale version
	_, err = Edit(pending(), jean, PatchInput{Title: &title}, t0)
	status(t, err, http.StatusForbidden)
	_, err = Edit(pending(), stranger, PatchInput{Title: &title}, t0)
	status(t, err, http.StatusNotFound)
	// While awaiting the NSOs the founder still edits; once decided, 409.
	if _, err := Edit(awaitingNSO(t), ana, PatchInput{Title: &title}, t0); err != nil {
		t.Fatal(err)
	}
	rejected, _, _ := NSODecide(awaitingNSO(t), nsoRO, Reject, "no", t0)
	_, err = Edit(rejected, ana, PatchInput{Title: &title}, t0)
	status(t, err, http.StatusConflict)
	status(t, CheckEdit(&rejected, ana), http.StatusConflict)
}

func TestReminders(t *testing.T) {
	p := pending()
	if r := DueReminders(&p, t0.Add(CofounderReminderAfter-time.Second)); !r.Empty() {
		t.Fatalf("early: %+v", r)
	}
	r := DueReminders(&p, t0.Add(CofounderReminderAfter))
	if !r.Cofounder || len(r.NSO) != 0 {
		t.Fatalf("co-founder due: %+v", r)
	}
	p = MarkReminded(p, r, t0.Add(CofounderReminderAfter))
	if ReminderDueAt(&p) != nil || !DueReminders(&p, t0.Add(30*24*time.Hour)).Empty() {
		t.Fatal("reminded twice")
	}
	// The NSO step: both countries after 14 days; a decided one is not reminded.
	n := awaitingNSO(t)
	n, _, _ = NSODecide(n, nsoRO, Approve, "", t0.Add(2*time.Hour))
	at := n.SubmittedAt.Add(NSOReminderAfter)
	if due := ReminderDueAt(&n); due == nil || !due.Equal(at) {
		t.Fatalf("due at %v, want %v", due, at)
	}
	r = DueReminders(&n, at)
	if r.Cofounder || !slices.Equal(r.NSO, []string{"FR"}) {
		t.Fatalf("NSO due: %+v", r)
	}
	n = MarkReminded(n, r, at)
	if ReminderDueAt(&n) != nil {
		t.Fatal("NSO reminded twice")
	}
	// Final projects have no reminders.
	done, _, _ := NSODecide(awaitingNSO(t), nsoRO, Reject, "no", t0)
	if ReminderDueAt(&done) != nil {
		t.Fatal("rejected project has a reminder")
	}
}
