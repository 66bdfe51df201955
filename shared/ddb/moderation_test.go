package ddb

import (
	"context"
	"slices"
	"testing"
	"time"

	"etwin/shared/forum"
	"etwin/shared/member"
	"etwin/shared/moderation"
	"etwin/shared/notify"
	"etwin/shared/principal"
)

// A moderator's removal of a forum post goes in the post's transaction: the post and its
// index entries go, the record is listed under each of the author's countries (once in
// the all-countries list, which pages), and the author has the notification.
func TestModerationRemovalOfAForumPost(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	author := member.Member{MemberID: "m-1", FirstName: "Ana", Email: "ana@example.org", Language: "en",
		Role: member.RoleTeacher, Schools: []member.SchoolRef{{SchoolID: "s-1", Country: "RO"}, {SchoolID: "s-2", Country: "FR"}}}
	nso := principal.Principal{MemberID: "m-nso", Role: member.RoleNSO, Country: "FR"}
	var ids []string
	for i := range 3 {
		at := now.Add(time.Duration(i) * time.Millisecond)
		p := newPost("7-11", "Apă curată", "Proiect despre natură", at)
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		err := s.DeletePost(ctx, "7-11", p.PostID, func(p *forum.Post) (*moderation.Removal, error) {
			rm := moderation.New(moderation.Content{Kind: moderation.KindForumPost, ID: p.PostID, Where: moderation.Where{AgeGroup: "7-11"},
				Excerpt: p.Title, AuthorID: p.Author.MemberID, Countries: moderation.CountriesOf(author)}, nso, moderation.ByNSO, "spam", &author, at)
			ids = append(ids, rm.Record.ID)
			return &rm, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.GetPost(ctx, "7-11", p.PostID); ok {
			t.Fatal("the post is still there")
		}
		if n := entriesOf(t, s, p, p.IndexWords); n != 0 {
			t.Fatalf("%d index entries left", n)
		}
	}
	slices.Reverse(ids) // newest first
	for _, c := range []string{"RO", "FR"} {
		recs, next, err := s.ListRemovals(ctx, c, "", 10)
		if err != nil || next != "" || len(recs) != 3 {
			t.Fatalf("%s: %d records, next %q, %v", c, len(recs), next, err)
		}
		r := recs[0]
		if r.ID != ids[0] || r.Kind != "forum_post" || r.Excerpt != "Apă curată" || r.Reason != "spam" || r.AuthorID != "m-1" ||
			r.RemovedBy != (moderation.Remover{MemberID: "m-nso", Role: "nso", Country: "FR"}) || !slices.Equal(r.Countries, []string{"RO", "FR"}) {
			t.Fatalf("%s: record %+v", c, r)
		}
	}
	var all []string
	after := ""
	for page := 0; page < 5; page++ {
		recs, next, err := s.ListRemovals(ctx, "", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			all = append(all, r.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(all, ids) {
		t.Fatalf("all countries: %v, want %v (each once, newest first)", all, ids)
	}
	ns, _, err := s.ListNotifications(ctx, "m-1", "", 10)
	if err != nil || len(ns) != 3 || ns[0].Kind != notify.KindContentRemoved || ns[0].Subject.Type != "forum_post" || ns[0].Actor != nil {
		t.Fatalf("notifications: %+v %v", ns, err)
	}
}
