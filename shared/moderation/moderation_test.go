package moderation

import (
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
)

func TestCanModerate(t *testing.T) {
	css := principal.Principal{MemberID: "c", Role: member.RoleCSS}
	nsoRO := principal.Principal{MemberID: "n", Role: member.RoleNSO, Country: "RO"}
	nsoFR := principal.Principal{MemberID: "f", Role: member.RoleNSO, Country: "FR"}
	nsoNone := principal.Principal{MemberID: "x", Role: member.RoleNSO}
	teacher := principal.Principal{MemberID: "t", Role: member.RoleTeacher, Country: "RO"}
	for _, c := range []struct {
		name      string
		who       principal.Principal
		countries []string
		want      bool
	}{
		{"css, any author", css, []string{"RO"}, true},
		{"css, author without a school", css, nil, true},
		{"nso of the author's country", nsoRO, []string{"RO"}, true},
		{"nso of the author's second country", nsoFR, []string{"RO", "FR"}, true},
		{"nso of another country", nsoFR, []string{"RO"}, false},
		{"nso, author without a school", nsoRO, nil, false},
		{"nso without a country", nsoNone, []string{""}, false},
		{"teacher of the same country", teacher, []string{"RO"}, false},
		{"nobody", principal.Principal{}, []string{"RO"}, false},
	} {
		if got := CanModerate(c.who, c.countries); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	author := member.Member{Role: member.RoleTeacher, Schools: []member.SchoolRef{{Country: "RO"}, {Country: "FR"}, {Country: "RO"}}}
	if got := CountriesOf(author); strings.Join(got, ",") != "RO,FR" {
		t.Errorf("CountriesOf: %v", got)
	}
	// The room's creator moderates their room when no staff rule applies; recorded as such.
	if role, _, ok := Moderator(teacher, &author, true); !ok || role != ByRoomCreator {
		t.Errorf("creator: %q %v", role, ok)
	}
	if role, _, ok := Moderator(css, &author, true); !ok || role != ByCSS {
		t.Errorf("css creator: %q %v", role, ok)
	}
	if _, _, ok := Moderator(teacher, &author, false); ok {
		t.Error("a teacher moderates")
	}
	if role, c, ok := Moderator(nsoFR, &author, false); !ok || role != ByNSO || len(c) != 2 {
		t.Errorf("nso FR: %q %v %v", role, c, ok)
	}
	if _, _, ok := Moderator(nsoFR, nil, false); ok {
		t.Error("an NSO moderates a gone author")
	}
}

func decode(body string) (RemovalInput, error) {
	var in RemovalInput
	err := httpapi.DecodeBytes([]byte(body), &in)
	if err == nil {
		err = in.Validate()
	}
	return in, err
}

func TestDecodeRemoval(t *testing.T) {
	for _, c := range []struct {
		body, field string
	}{
		{`{"reason":"` + strings.Repeat("é", MaxReason+1) + `"}`, "reason"},
		{`{"reason":42}`, "reason"},
		{`{"reason":"x","why":"y"}`, "why"},
		{`{"reason":"bad\u0000"}`, "reason"},
		{`[]`, "body"},
	} {
		_, err := decode(c.body)
		if apperr.StatusOf(err) != 400 {
			t.Errorf("%.40s: %v", c.body, err)
			continue
		}
		if f := apperr.FieldNames(err); len(f) == 0 || f[0] != c.field {
			t.Errorf("%.40s: fields %v, want %s", c.body, f, c.field)
		}
	}
	for body, want := range map[string]string{
		`{}`:                            "",
		`{"reason":null}`:               "",
		`{"reason":"  Spam, twice.\n"}`: "Spam, twice.",
		`{"reason":"` + strings.Repeat("é", MaxReason) + `  "}`: strings.Repeat("é", MaxReason),
	} {
		in, err := decode(body)
		if err != nil || in.Text() != want {
			t.Errorf("%.40s: %q %v", body, in.Text(), err)
		}
	}
}

// FuzzDecodeRemoval: the optional body of the DELETE routes never panics and is refused
// with a 400 when it is refused.
func FuzzDecodeRemoval(f *testing.F) {
	f.Add(`{"reason":"Spam"}`)
	f.Add(`{"reason":null}`)
	f.Add(`{"reason":1}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, body string) {
		if _, err := decode(body); err != nil {
			if st := apperr.StatusOf(err); st < 400 || st > 499 {
				t.Fatalf("%q: %v", body, err)
			}
		}
	})
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("a", MaxExcerpt+10)
	if got := Excerpt(long); []rune(got)[MaxExcerpt] != '…' || len([]rune(got)) != MaxExcerpt+1 {
		t.Errorf("Excerpt: %q", got)
	}
	if got := Excerpt("  short  "); got != "short" {
		t.Errorf("Excerpt: %q", got)
	}
}

// The author's e-mail says what, where, when, why and who as a role, in their language,
// never the remover's name.
func TestRemovalNoticeMail(t *testing.T) {
	now := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	author := member.Member{MemberID: "m-1", FirstName: "Ana", Email: "ana@example.org", Language: "en", Country: "RO",
		Role: member.RoleTeacher, Schools: []member.SchoolRef{{Country: "RO"}}}
	nso := principal.Principal{MemberID: "m-nso", Role: member.RoleNSO, Country: "RO"}
	for _, c := range []struct {
		content Content
		role    string
		lang    string
		want    []string
	}{
		{Content{Kind: KindForumPost, ID: "p-1", Where: Where{AgeGroup: "7-11"}, Excerpt: "Apă curată"}, ByNSO, "en",
			[]string{"National Support Organisation", "forum for pupils aged 7-11", "Apă curată", "The reason given: Off topic", "15 January 2027"}},
		{Content{Kind: KindForumReply, ID: "r-1", Where: Where{AgeGroup: "7-11", PostID: "p-1"}, Excerpt: "Da"}, ByCSS, "ro",
			[]string{"Serviciul Central de Suport", "răspunsul", "Off topic", "15 ianuarie 2027"}},
		{Content{Kind: KindRoomPost, ID: "rp-1", Where: Where{RoomID: "rm-1"}, Excerpt: "Hello", Place: "Water"}, ByRoomCreator, "fr",
			[]string{"Le créateur de la salle", "« Water »", "Off topic"}},
	} {
		c.content.AuthorID, c.content.Countries = "m-1", []string{"RO"}
		a := author
		a.Language = c.lang
		rm := New(c.content, nso, c.role, "Off topic", &a, now)
		if rm.Notice == nil || rm.Notice.Email == nil || rm.Notice.Kind != notify.KindContentRemoved || rm.Notice.Subject.Type != c.content.Kind {
			t.Fatalf("%s: notice %+v", c.content.Kind, rm.Notice)
		}
		m, err := mail.Render(rm.Notice.Email.Envelope, mail.Links{Portal: "https://p.example"})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(m.Text, w) {
				t.Errorf("%s/%s: %q not in\n%s", c.content.Kind, c.lang, w, m.Text)
			}
		}
		if strings.Contains(m.Text, "Staff") || strings.Contains(m.Text, "m-nso") {
			t.Errorf("the e-mail names the remover:\n%s", m.Text)
		}
	}
	// No author (their account is gone): the record only.
	if rm := New(Content{Kind: KindForumPost, ID: "p-1"}, nso, ByCSS, "", nil, now); rm.Notice != nil || rm.Record.RemovedBy.Country != "" {
		t.Errorf("without an author: %+v", rm)
	}
}
