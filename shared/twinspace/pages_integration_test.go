package twinspace_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

func ptr[T any](v T) *T { return &v }

// Two edits naming the same version at once: exactly one is written, the other gets 409;
// the page holds the winner's edit at the next version. Repeated, from both partners.
func TestConcurrentPageEdits(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR")
	pid := f.approved(t, a, b)
	made, err := f.svc.AddPage(ctx, a.who, pid, twinspace.PageInput{Title: "Plan", Body: "Week 1"})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 5; round++ {
		pg, err := f.svc.GetPage(ctx, a.who, pid, made.PageID)
		if err != nil || pg.Version != round+1 {
			t.Fatalf("round %d: %+v %v", round, pg, err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		titles := []string{fmt.Sprintf("Ana %d", round), fmt.Sprintf("Bob %d", round)}
		for i, p := range []person{a, b} {
			wg.Add(1)
			go func(i int, p person) {
				defer wg.Done()
				_, errs[i] = f.svc.UpdatePage(ctx, p.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(pg.Version), Title: ptr(titles[i])})
			}(i, p)
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch status(err) {
			case 0:
				if won >= 0 {
					t.Fatalf("round %d: both written", round)
				}
				won = i
			case 409:
				if e, _ := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "version" {
					t.Fatalf("round %d: %v", round, err)
				}
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: none written: %v", round, errs)
		}
		after, err := f.svc.GetPage(ctx, b.who, pid, made.PageID)
		if err != nil || after.Title != titles[won] || after.Version != pg.Version+1 || after.Body != "Week 1" {
			t.Fatalf("round %d: %+v %v, want %q at version %d", round, after, err, titles[won], pg.Version+1)
		}
	}
}

// The page's life through the use cases: read by partners and the project's pupils, edited
// with the version read, stale edits refused, deleted by an administrator only; the
// TwinSpace's pages follow every step; a closed TwinSpace is read-only.
func TestPageLifecycle(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c, d := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO"), f.addTeacher(t, "Dan", "RO")
	f.befriend(t, a, c)
	pid := f.approved(t, a, b)
	if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID}); err != nil {
		t.Fatal(err)
	}
	body := "Our call:\nhttps://youtu.be/dQw4w9WgXcQ\n/v1/projects/" + pid + "/files/f-1"
	made, err := f.svc.AddPage(ctx, c.who, pid, twinspace.PageInput{Title: "Call", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	pupil := principal.Principal{MemberID: "u-1", Role: principal.RolePupil, ProjectID: pid}
	for _, who := range []principal.Principal{a.who, c.who, pupil} {
		pg, err := f.svc.GetPage(ctx, who, pid, made.PageID)
		if err != nil || pg.Title != "Call" || pg.Version != 1 || pg.AuthorID != c.who.MemberID || len(pg.Embeds) != 2 ||
			pg.Embeds[0].Kind != "youtube" || pg.Embeds[1].Kind != "file" || pg.Embeds[1].ID != "f-1" || !pg.UpdatedAt.Equal(pg.CreatedAt) {
			t.Fatalf("%+v: %+v %v", who, pg, err)
		}
	}
	for name, who := range map[string]principal.Principal{
		"a stranger":                 d.who,
		"a pupil of another project": {MemberID: "u-2", Role: principal.RolePupil, ProjectID: "p-other"},
		"a pupil without a project":  {MemberID: "u-3", Role: principal.RolePupil},
	} {
		if _, err := f.svc.GetPage(ctx, who, pid, made.PageID); status(err) != 404 {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, id := range []string{"g-nope", "g-0000000000001x", "..", token.SortableID("g-", time.Now())} {
		if _, err := f.svc.GetPage(ctx, a.who, pid, id); status(err) != 404 {
			t.Errorf("page %q: %v", id, err)
		}
	}

	// an edit by a member; a stale one; one naming a file of another project
	pg, err := f.svc.UpdatePage(ctx, c.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(1), Title: ptr(" Call 1 ")})
	if err != nil || pg.Title != "Call 1" || pg.Version != 2 || pg.Body != body || !pg.UpdatedAt.After(pg.CreatedAt) || len(pg.Embeds) != 2 {
		t.Fatalf("edit: %+v %v", pg, err)
	}
	if _, err := f.svc.UpdatePage(ctx, a.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(1), Body: ptr("x")}); status(err) != 409 {
		t.Fatalf("stale: %v", err)
	}
	if _, err := f.svc.UpdatePage(ctx, a.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(2), Body: ptr("/v1/projects/p-other/files/f-1")}); status(err) != 422 {
		t.Fatalf("another project's file: %v", err)
	}
	if _, err := f.svc.UpdatePage(ctx, d.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(2), Body: ptr("x")}); status(err) != 404 {
		t.Fatalf("a stranger's edit: %v", err)
	}
	if _, err := f.svc.UpdatePage(ctx, a.who, pid, "g-nope", twinspace.PagePatch{Version: ptr(2), Body: ptr("x")}); status(err) != 404 {
		t.Fatalf("no such page: %v", err)
	}
	sp, err := f.svc.Get(ctx, a.who, pid)
	if err != nil || len(sp.Pages) != 1 || sp.Pages[0].Title != "Call 1" || sp.Pages[0].Version != 2 {
		t.Fatalf("the TwinSpace after the edit: %+v %v", sp.Pages, err)
	}

	// a second page; deleting: a member may not, an administrator may, once
	other, err := f.svc.AddPage(ctx, a.who, pid, twinspace.PageInput{Title: "Other", Body: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeletePage(ctx, c.who, pid, made.PageID); status(err) != 403 {
		t.Fatalf("a member deletes: %v", err)
	}
	if err := f.svc.DeletePage(ctx, d.who, pid, made.PageID); status(err) != 404 {
		t.Fatalf("a stranger deletes: %v", err)
	}
	if err := f.svc.DeletePage(ctx, b.who, pid, made.PageID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeletePage(ctx, b.who, pid, made.PageID); status(err) != 404 {
		t.Fatalf("deleted twice: %v", err)
	}
	if _, err := f.svc.GetPage(ctx, a.who, pid, made.PageID); status(err) != 404 {
		t.Fatalf("read after the delete: %v", err)
	}
	if _, err := f.svc.UpdatePage(ctx, a.who, pid, made.PageID, twinspace.PagePatch{Version: ptr(2), Body: ptr("x")}); status(err) != 404 {
		t.Fatalf("edit after the delete: %v", err)
	}
	sp, err = f.svc.Get(ctx, a.who, pid)
	if err != nil || len(sp.Pages) != 1 || sp.Pages[0].PageID != other.PageID {
		t.Fatalf("the TwinSpace after the delete: %+v %v", sp.Pages, err)
	}

	// closed: read-only
	p, _, _, err := f.store.GetProjectPartners(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	p.Status = project.Closed
	sp2, _, err := f.store.GetTwinSpace(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutProjectTree(ctx, p, sp2.Partners); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetPage(ctx, c.who, pid, other.PageID); err != nil {
		t.Fatalf("reading a closed TwinSpace: %v", err)
	}
	if _, err := f.svc.UpdatePage(ctx, a.who, pid, other.PageID, twinspace.PagePatch{Version: ptr(1), Title: ptr("x")}); status(err) != 409 {
		t.Fatalf("editing a closed TwinSpace: %v", err)
	}
	if err := f.svc.DeletePage(ctx, a.who, pid, other.PageID); status(err) != 409 {
		t.Fatalf("deleting in a closed TwinSpace: %v", err)
	}
	if err := f.svc.DeletePage(ctx, c.who, pid, other.PageID); status(err) != 403 {
		t.Fatalf("a member deleting in a closed TwinSpace: %v", err)
	}
}

// The store's own conditions hold when the checks before them are skipped, and a page
// written before pages had versions (version 0, no updatedAt) is read and edited.
func TestPageStoreConditions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO")
	f.befriend(t, a, c)
	pid := f.approved(t, a, b)
	if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := twinspace.Page{PageID: token.SortableID("g-", now), Title: "Old", Body: "b", AuthorID: a.who.MemberID, CreatedAt: now}
	if err := f.store.AddPage(ctx, pid, old); err != nil {
		t.Fatal(err)
	}
	pg, ok, err := f.store.GetPage(ctx, pid, old.PageID)
	if err != nil || !ok || pg.Version != 0 || !pg.UpdatedAt.Equal(now) {
		t.Fatalf("an old page: %+v %v %v", pg, ok, err)
	}
	keep := func(*twinspace.Page) error { return nil }
	for _, x := range []struct {
		name string
		err  error
		want error
	}{
		{"a stranger edits", func() error { _, err := f.store.UpdatePage(ctx, pid, old.PageID, "m-nobody", keep); return err }(), twinspace.ErrGone},
		{"an edit of no page", func() error { _, err := f.store.UpdatePage(ctx, pid, "g-nope", a.who.MemberID, keep); return err }(), twinspace.ErrNoPage},
		{"a member deletes", f.store.DeletePage(ctx, pid, old.PageID, c.who.MemberID), twinspace.ErrNotAdmin},
		{"a stranger deletes", f.store.DeletePage(ctx, pid, old.PageID, "m-nobody"), twinspace.ErrGone},
		{"a delete of no page", f.store.DeletePage(ctx, pid, token.SortableID("g-", now), a.who.MemberID), twinspace.ErrNoPage},
	} {
		if x.err != x.want {
			t.Errorf("%s: %v, want %v", x.name, x.err, x.want)
		}
	}
	got, err := f.svc.UpdatePage(ctx, c.who, pid, old.PageID, twinspace.PagePatch{Version: ptr(0), Body: ptr("new")})
	if err != nil || got.Version != 1 || got.Body != "new" || got.Title != "Old" {
		t.Fatalf("editing an old page: %+v %v", got, err)
	}
	// two pages in one second are told apart
	twin := twinspace.Page{PageID: token.SortableID("g-", now), Title: "Twin", Body: "b", AuthorID: a.who.MemberID, CreatedAt: now}
	if err := f.store.AddPage(ctx, pid, twin); err != nil {
		t.Fatal(err)
	}
	for id, title := range map[string]string{old.PageID: "Old", twin.PageID: "Twin"} {
		if pg, ok, err := f.store.GetPage(ctx, pid, id); err != nil || !ok || pg.Title != title {
			t.Errorf("%s: %+v %v %v", id, pg, ok, err)
		}
	}
}
