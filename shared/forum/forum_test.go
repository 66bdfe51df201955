package forum

import (
	"context"
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/moderation"
	"etwin/shared/principal"
)

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", MaxBody+1)
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"missing title", (&NewPost{Body: "b"}).Validate(), "title"},
		{"blank body", (&NewPost{Title: "t", Body: "  \n"}).Validate(), "body"},
		{"long title", (&NewPost{Title: strings.Repeat("é", MaxTitle+1), Body: "b"}).Validate(), "title"},
		{"long body", (&NewPost{Title: "t", Body: long}).Validate(), "body"},
		{"control char", (&NewPost{Title: "t\x00", Body: "b"}).Validate(), "title"},
		{"empty patch", (&PostPatch{}).Validate(), "body"},
		{"blank patched title", (&PostPatch{Title: new(string)}).Validate(), "title"},
		{"long reply", (&ReplyInput{Body: long}).Validate(), "body"},
		{"empty reply", (&ReplyInput{}).Validate(), "body"},
	}
	for _, c := range cases {
		if st := apperr.StatusOf(c.err); st != 422 {
			t.Errorf("%s: status %d (%v)", c.name, st, c.err)
			continue
		}
		if f := apperr.FieldNames(c.err); len(f) == 0 || f[0] != c.field {
			t.Errorf("%s: fields %v, want %s", c.name, f, c.field)
		}
	}
	ok := []error{
		(&NewPost{Title: "Proiect", Body: strings.Repeat("é", MaxBody)}).Validate(),
		(&NewPost{Title: "Proiect", Body: "line\nline\ttab"}).Validate(),
		(&ReplyInput{Body: "Da"}).Validate(),
	}
	for i, err := range ok {
		if err != nil {
			t.Errorf("valid input %d refused: %v", i, err)
		}
	}
}

func TestApplyReindexes(t *testing.T) {
	p := Post{Title: "Apă curată", Body: "Proiect", IndexWords: indexWords("Apă curată", "Proiect")}
	title := "  Natură  "
	q := p.Apply(PostPatch{Title: &title}, time.Now())
	if q.Title != "Natură" || q.UpdatedAt == nil || strings.Join(q.IndexWords, " ") != "natura proiect" {
		t.Fatalf("Apply: %+v", q)
	}
	if strings.Join(p.IndexWords, " ") != "apa curata proiect" {
		t.Fatal("Apply changed the original")
	}
}

// FuzzDecodeForum: the forum request decoders with validation never panic and refuse
// with a 4xx.
func FuzzDecodeForum(f *testing.F) {
	f.Add(`{"title":"Proiect","body":"Căutăm parteneri"}`)
	f.Add(`{"title":null,"body":"x"}`)
	f.Add(`{"body":"Da"}`)
	f.Fuzz(func(t *testing.T, body string) {
		check := func(err error) {
			if err != nil {
				if st := apperr.StatusOf(err); st < 400 || st > 499 {
					t.Fatalf("%q: %v", body, err)
				}
			}
		}
		var n NewPost
		err := httpapi.DecodeBytes([]byte(body), &n)
		if err == nil {
			err = n.Validate()
		}
		check(err)
		var p PostPatch
		err = httpapi.DecodeBytes([]byte(body), &p)
		if err == nil {
			err = p.Validate()
		}
		check(err)
		var r ReplyInput
		err = httpapi.DecodeBytes([]byte(body), &r)
		if err == nil {
			err = r.Validate()
		}
		check(err)
	})
}

// The use cases refuse an age group that has no forum themselves (the HTTP route checks it
// first too, but the rule is the domain's): nothing is read or written.
func TestUseCasesRefuseUnknownAgeGroup(t *testing.T) {
	s := &Service{} // no store: a use case that got past the check would panic
	ctx := context.Background()
	who := principal.Principal{MemberID: "m-1", Role: "teacher"}
	for name, err := range map[string]error{
		"create": func() error { _, err := s.CreatePost(ctx, who, "99-100", NewPost{}); return err }(),
		"list":   func() error { _, err := s.ListPosts(ctx, who, "99-100", "", "", 20); return err }(),
		"get":    func() error { _, err := s.GetPost(ctx, who, "99-100", "p-1", "", 20); return err }(),
		"delete": s.DeletePost(ctx, who, "99-100", "p-1", moderation.RemovalInput{}),
		"reply":  func() error { _, err := s.CreateReply(ctx, who, "99-100", "p-1", ReplyInput{}); return err }(),
	} {
		if apperr.StatusOf(err) != 404 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
