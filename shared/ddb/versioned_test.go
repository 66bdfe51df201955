package ddb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"etwin/shared/forum"
	"etwin/shared/project"
	"etwin/shared/token"
)

// n writers deciding on the same item at once: each decision is written exactly once
// (every writer gets through: n ≤ versionedAttempts), none is lost, and the version
// counts them.
func TestVersionedUpdatesLoseNothing(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	const n = 8
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: project.Approved, Title: "Water", Summary: "",
		FounderID: "m-1", CofounderID: "m-2", Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.PutProjectTree(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	post := forum.Post{PostID: token.TimeID("p-", now), AgeGroup: "7-11", Title: "Apă", Body: "", Author: forum.Author{MemberID: "m-1"}, CreatedAt: now}
	if err := s.CreatePost(ctx, post); err != nil {
		t.Fatal(err)
	}
	var decisions atomic.Int32
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[i] = s.UpdateProject(ctx, p.ProjectID, func(p *project.Project) (project.Effects, error) {
				decisions.Add(1)
				p.Summary += fmt.Sprintf("[w%d]", i)
				return project.Effects{}, nil
			})
		}()
		go func() {
			defer wg.Done()
			_, errs[n+i] = s.UpdatePost(ctx, post.AgeGroup, post.PostID, func(p *forum.Post) error {
				p.Body += fmt.Sprintf("[w%d]", i)
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got, _, err := s.GetProject(ctx, p.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	gotPost, _, err := s.GetPost(ctx, post.AgeGroup, post.PostID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1+n || gotPost.Version != n {
		t.Errorf("versions: project %d, post %d; want %d and %d", got.Version, gotPost.Version, 1+n, n)
	}
	for i := range n {
		w := fmt.Sprintf("[w%d]", i)
		if strings.Count(got.Summary, w) != 1 || strings.Count(gotPost.Body, w) != 1 {
			t.Errorf("writer %d's decision: in project %q, in post %q", i, got.Summary, gotPost.Body)
		}
	}
	if d := decisions.Load(); d < n {
		t.Errorf("%d project decisions for %d writers", d, n)
	}
}

// A writer that always loses gives up after versionedAttempts decisions with the busy
// error; one whose context ends stops at once; a refusing decide writes nothing.
func TestVersionedUpdateBounds(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	post := forum.Post{PostID: token.TimeID("p-", now), AgeGroup: "12-15", Title: "Apă", Body: "b", Author: forum.Author{MemberID: "m-1"}, CreatedAt: now}
	if err := s.CreatePost(ctx, post); err != nil {
		t.Fatal(err)
	}
	// interfere writes another edit of the post, so that the decision in progress is stale.
	interfere := func(ctx context.Context) {
		if _, err := s.UpdatePost(ctx, post.AgeGroup, post.PostID, func(p *forum.Post) error { p.Body += "+"; return nil }); err != nil {
			t.Error(err)
		}
	}
	calls := 0
	_, err := s.UpdatePost(ctx, post.AgeGroup, post.PostID, func(p *forum.Post) error {
		calls++
		interfere(ctx)
		p.Title = "lost"
		return nil
	})
	if !errors.Is(err, forum.ErrBusy) || calls != versionedAttempts {
		t.Fatalf("always losing: %v after %d decisions, want ErrBusy after %d", err, calls, versionedAttempts)
	}
	cur, _, _ := s.GetPost(ctx, post.AgeGroup, post.PostID)
	if cur.Title != post.Title || cur.Version != versionedAttempts || cur.Body != "b"+strings.Repeat("+", versionedAttempts) {
		t.Fatalf("after the lost decisions: %+v", cur)
	}

	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	_, err = s.UpdatePost(cctx, post.AgeGroup, post.PostID, func(p *forum.Post) error {
		calls++
		interfere(ctx)
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("cancelled: %v after %d decisions", err, calls)
	}

	refused := errors.New("refused")
	_, err = s.UpdateProject(ctx, "p-missing", func(*project.Project) (project.Effects, error) { return project.Effects{}, refused })
	if !errors.Is(err, project.ErrNoProject) {
		t.Fatalf("a missing project: %v", err)
	}
	before, _, _ := s.GetPost(ctx, post.AgeGroup, post.PostID)
	if _, err := s.UpdatePost(ctx, post.AgeGroup, post.PostID, func(p *forum.Post) error { p.Body = "x"; return refused }); !errors.Is(err, refused) {
		t.Fatalf("refused: %v", err)
	}
	if after, _, _ := s.GetPost(ctx, post.AgeGroup, post.PostID); after.Version != before.Version || after.Body != before.Body {
		t.Fatalf("a refused decision was written: %+v", after)
	}
}
