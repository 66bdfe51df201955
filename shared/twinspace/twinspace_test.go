package twinspace

import (
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/member"
	"etwin/shared/project"
)

var now = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// space: founders a (RO, school sa, admin) and b (FR, school sb, admin), member c (RO, sa).
func space(status string) Space {
	return Space{
		Project: project.Project{ProjectID: "p-1", Status: status, Title: "T",
			Founders: []project.Founder{{MemberID: "a", SchoolID: "sa", Country: "RO"}, {MemberID: "b", SchoolID: "sb", Country: "FR"}}},
		Partners: []project.Partner{
			{MemberID: "a", Role: project.RoleAdmin, Founder: true, SchoolID: "sa", Country: "RO"},
			{MemberID: "b", Role: project.RoleAdmin, Founder: true, SchoolID: "sb", Country: "FR"},
			{MemberID: "c", Role: project.RoleMember, SchoolID: "sa", Country: "RO"},
		},
	}
}

func status(err error) int {
	if err == nil {
		return 0
	}
	return apperr.StatusOf(err)
}

func TestReaderRights(t *testing.T) {
	for _, c := range []struct {
		status, who string
		found       bool
		want        int
	}{
		{project.Approved, "a", true, 0},
		{project.Approved, "c", true, 0},
		{project.Closed, "c", true, 0},
		{project.Approved, "stranger", true, 404},
		{project.AwaitingNSO, "a", true, 404},
		{project.Rejected, "a", true, 404},
		{project.Approved, "a", false, 404},
	} {
		_, err := Reader(space(c.status), c.found, c.who)
		if got := status(err); got != c.want {
			t.Errorf("%s %s found=%v: %d, want %d", c.status, c.who, c.found, got, c.want)
		}
	}
}

func TestWriterRights(t *testing.T) {
	sp := space(project.Approved)
	admin, _ := sp.Partner("a")
	mem, _ := sp.Partner("c")
	past := now.Add(-time.Hour)
	closedByTime := sp.Project
	closedByTime.ClosedAt = &past
	closedP := space(project.Closed).Project
	for _, c := range []struct {
		name      string
		p         project.Project
		caller    *project.Partner
		needAdmin bool
		want      int
	}{
		{"admin writes", sp.Project, &admin, true, 0},
		{"member adds a page", sp.Project, &mem, false, 0},
		{"member manages partners", sp.Project, &mem, true, 403},
		{"stranger", sp.Project, nil, false, 404},
		{"stranger as admin", sp.Project, nil, true, 404},
		{"closed", closedP, &admin, true, 409},
		{"closed for a member page", closedP, &mem, false, 409},
		{"past its closing time", closedByTime, &admin, false, 409},
		{"not approved", space(project.AwaitingNSO).Project, &admin, false, 404},
	} {
		if got := status(Writer(c.p, true, c.caller, c.needAdmin, now)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if got := status(Writer(project.Project{}, false, &admin, false, now)); got != 404 {
		t.Errorf("unknown project: %d", got)
	}
}

func TestLabelRules(t *testing.T) {
	nsoRO := Staff{MemberID: "n1", Role: member.RoleNSO, Country: "RO"}
	nsoFR := Staff{MemberID: "n2", Role: member.RoleNSO, Country: "FR"}
	nsoDE := Staff{MemberID: "n3", Role: member.RoleNSO, Country: "DE"}
	css := Staff{MemberID: "c1", Role: member.RoleCSS}
	partner := Staff{MemberID: "c", Role: member.RoleTeacher}
	stranger := Staff{MemberID: "z", Role: member.RoleTeacher}
	national := func(school string) LabelInput { return LabelInput{Kind: project.LabelNational, SchoolID: school} }
	european := func(school string) LabelInput { return LabelInput{Kind: project.LabelEuropean, SchoolID: school} }

	withLabels := func(ls ...project.Label) Space {
		sp := space(project.Approved)
		sp.Labels = ls
		return sp
	}
	natRO := project.Label{Kind: project.LabelNational, SchoolID: "sa", Country: "RO"}
	natFR := project.Label{Kind: project.LabelNational, SchoolID: "sb", Country: "FR"}
	nationalOnly := space(project.Approved)
	nationalOnly.Partners = nationalOnly.Partners[:1]
	nationalOnly.Partners = append(nationalOnly.Partners, project.Partner{MemberID: "b", Role: project.RoleAdmin, Founder: true, SchoolID: "sc", Country: "RO"})
	nationalOnly.Project.Founders = []project.Founder{{MemberID: "a", Country: "RO"}, {MemberID: "b", Country: "RO"}}

	for _, c := range []struct {
		name string
		sp   Space
		who  Staff
		in   LabelInput
		want int
	}{
		{"NSO of the school's country", space(project.Approved), nsoRO, national("sa"), 0},
		{"closed project", space(project.Closed), nsoRO, national("sa"), 0},
		{"NSO of the other founder country", space(project.Approved), nsoFR, national("sa"), 403},
		{"NSO of an unrelated country", space(project.Approved), nsoDE, national("sa"), 404},
		{"CSS, national", space(project.Approved), css, national("sa"), 403},
		{"partner teacher", space(project.Approved), partner, national("sa"), 403},
		{"stranger", space(project.Approved), stranger, national("sa"), 404},
		{"not a partner school", space(project.Approved), nsoRO, national("zz"), 422},
		{"national project", nationalOnly, nsoRO, national("sa"), 409},
		{"not approved", space(project.AwaitingNSO), nsoRO, national("sa"), 409},
		{"again", withLabels(natRO), nsoRO, national("sa"), 409},
		{"european, one country labelled", withLabels(natRO), css, european("sa"), 409},
		{"european, two countries", withLabels(natRO, natFR), css, european("sa"), 0},
		{"european, school without national label", func() Space {
			sp := withLabels(natRO, natFR)
			sp.Partners = append(sp.Partners, project.Partner{MemberID: "d", SchoolID: "sd", Country: "FR"})
			return sp
		}(), css, european("sd"), 409},
		{"european by an NSO", withLabels(natRO, natFR), nsoRO, european("sa"), 403},
		{"european again", withLabels(natRO, natFR, project.Label{Kind: project.LabelEuropean, SchoolID: "sa", Country: "RO"}), css, european("sa"), 409},
	} {
		l, err := CheckLabel(c.sp, true, c.who, c.in, now)
		if got := status(err); got != c.want {
			t.Errorf("%s: %d (%v), want %d", c.name, got, err, c.want)
			continue
		}
		if err == nil && (l.SchoolID != c.in.SchoolID || l.Kind != c.in.Kind || l.Country == "" || l.AwardedBy != c.who.MemberID) {
			t.Errorf("%s: label %+v", c.name, l)
		}
	}
	if _, err := CheckLabel(Space{}, false, css, national("sa"), now); status(err) != 404 {
		t.Errorf("unknown project: %v", err)
	}
}

func TestLabelRecipientsAndCountries(t *testing.T) {
	sp := space(project.Approved)
	got := LabelRecipients(sp, "sa")
	if len(got) != 2 || got[0].MemberID != "a" || got[1].MemberID != "c" {
		t.Errorf("recipients %+v", got)
	}
	if c := Countries(sp); len(c) != 2 {
		t.Errorf("countries %v", c)
	}
}

func TestViewHidesNothingNil(t *testing.T) {
	v := ViewOf(Space{Project: project.Project{ProjectID: "p", Status: project.Approved}})
	if v.Members == nil || v.Pages == nil || v.Labels == nil {
		t.Fatalf("nil lists: %+v", v)
	}
}

func TestInputs(t *testing.T) {
	fields := func(err error) []string {
		e, ok := apperr.As(err)
		if !ok {
			return nil
		}
		var out []string
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
		return out
	}
	for _, c := range []struct {
		v    interface{ Validate() error }
		want string
	}{
		{&MemberInput{}, "memberId"},
		{&MemberInput{MemberID: "a b"}, "memberId"},
		{&RoleInput{Role: "owner"}, "role"},
		{&RoleInput{}, "role"},
		{&PageInput{Title: " ", Body: "x"}, "title"},
		{&PageInput{Title: "t"}, "body"},
		{&LabelInput{Kind: "gold", SchoolID: "s"}, "kind"},
		{&LabelInput{Kind: "national"}, "schoolId"},
	} {
		err := c.v.Validate()
		if f := fields(err); len(f) != 1 || f[0] != c.want || apperr.StatusOf(err) != 422 {
			t.Errorf("%+v: %v, want 422 naming %s", c.v, err, c.want)
		}
	}
	for _, v := range []interface{ Validate() error }{&MemberInput{MemberID: "m-1"}, &RoleInput{Role: "admin"},
		&PageInput{Title: "t", Body: "b"}, &LabelInput{Kind: "european", SchoolID: "s-1"}} {
		if err := v.Validate(); err != nil {
			t.Errorf("%+v: %v", v, err)
		}
	}
}

// FuzzDecodeTwinSpace: the TwinSpace decoders with validation never panic and refuse
// with a 4xx naming a field.
func FuzzDecodeTwinSpace(f *testing.F) {
	f.Add(0, `{"memberId":"m-abc"}`)
	f.Add(1, `{"role":"admin"}`)
	f.Add(2, `{"title":"t","body":"b"}`)
	f.Add(3, `{"kind":"national","schoolId":"s-1"}`)
	f.Add(3, `{"kind":"national","kind":"european"}`)
	f.Fuzz(func(t *testing.T, which int, body string) {
		var v interface{ Validate() error }
		switch ((which % 4) + 4) % 4 {
		case 0:
			v = &MemberInput{}
		case 1:
			v = &RoleInput{}
		case 2:
			v = &PageInput{}
		default:
			v = &LabelInput{}
		}
		err := httpapi.DecodeBytes([]byte(body), v)
		if err == nil {
			err = v.Validate()
		}
		if err == nil {
			return
		}
		e, ok := apperr.As(err)
		if !ok || e.Status < 400 || e.Status > 499 || (e.Status != 413 && len(e.Fields) == 0) {
			t.Fatalf("%q: %v", body, err)
		}
	})
}
