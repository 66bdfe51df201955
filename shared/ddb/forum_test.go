package ddb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/testenv"
	"etwin/shared/fold"
	"etwin/shared/forum"
	"etwin/shared/moderation"
	"etwin/shared/resource"
	"etwin/shared/token"
)

func internalStore(t *testing.T) *Store { return New(testenv.DDB(), testenv.NewTable(t)) }

func newPost(ag, title, body string, at time.Time) forum.Post {
	p := forum.Post{PostID: token.TimeID("p-", at), AgeGroup: ag, Title: title, Body: body,
		Author: forum.Author{MemberID: "m-1", FirstName: "Ana", LastName: "Pop"}, CreatedAt: at}
	p.IndexWords = fold.IndexWords(forum.MaxIndexWords, title, body)
	return p
}

// entriesOf counts the word-index entries of a post in every partition its words could use.
func entriesOf(t *testing.T, s *Store, p forum.Post, words []string) int {
	t.Helper()
	n := 0
	for _, w := range words {
		kc := expression.Key("PK").Equal(expression.Value(postWords.pk(p.AgeGroup, w))).And(expression.Key("SK").Equal(expression.Value(postWords.sk(w, postOrder(p)))))
		e, _ := expression.NewBuilder().WithKeyCondition(kc).Build()
		out, err := s.db.Query(context.Background(), &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Items)
	}
	return n
}

func search(t *testing.T, s *Store, ag, q string) []forum.Post {
	t.Helper()
	sq, problem := fold.ParseSearch(q)
	if problem != "" {
		t.Fatal(problem)
	}
	posts, _, err := s.SearchPosts(context.Background(), ag, sq, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return posts
}

func TestPostEditMovesIndexAndDeleteRemovesIt(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	p := newPost("7-11", "Proiect despre apă", "Căutăm parteneri pentru ştiinţe", now)
	if err := s.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	other := newPost("12-15", "Proiect despre apă", "în alt forum", now)
	if err := s.CreatePost(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got := search(t, s, "7-11", "stiinte apa"); len(got) != 1 || got[0].PostID != p.PostID {
		t.Fatalf("search before the edit: %+v", got)
	}
	title := "Proiect despre natură"
	edited, err := s.UpdatePost(ctx, "7-11", p.PostID, func(p *forum.Post) error {
		*p = p.Apply(forum.PostPatch{Title: &title}, now.Add(time.Minute))
		return nil
	})
	if err != nil || edited.Version != 1 || edited.Title != title {
		t.Fatal(err, edited)
	}
	if got := search(t, s, "7-11", "apa"); len(got) != 0 {
		t.Fatalf("an old word still finds the post: %+v", got)
	}
	if n := entriesOf(t, s, p, []string{"apa"}); n != 0 {
		t.Fatalf("%d entries left for a removed word", n)
	}
	if got := search(t, s, "7-11", "natura proiect"); len(got) != 1 || got[0].Title != title {
		t.Fatalf("a new word does not find the post: %+v", got)
	}
	// A decision that refuses writes nothing.
	refused := errors.New("refused")
	if _, err := s.UpdatePost(ctx, "7-11", p.PostID, func(p *forum.Post) error {
		p.Title = "Not written"
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused update: %v", err)
	}
	if err := s.DeletePost(ctx, "7-11", p.PostID, func(*forum.Post) (*moderation.Removal, error) { return nil, refused }); !errors.Is(err, refused) {
		t.Fatalf("refused delete: %v", err)
	}
	if cur, ok, _ := s.GetPost(ctx, "7-11", p.PostID); !ok || cur.Version != 1 || cur.Title != title {
		t.Fatalf("after refused decisions: %v %+v", ok, cur)
	}
	if _, err := s.UpdatePost(ctx, "7-11", "p-none", func(*forum.Post) error { return nil }); !errors.Is(err, forum.ErrNoPost) {
		t.Fatalf("update of a missing post: %v", err)
	}
	// Replies are counted, and go with the post.
	r := forum.Reply{ReplyID: token.TimeID("r-", now), PostID: p.PostID, Body: "Da!", Author: forum.Author{MemberID: "m-2"}, CreatedAt: now}
	if err := s.CreateReply(ctx, "7-11", r); err != nil {
		t.Fatal(err)
	}
	current, _, _ := s.GetPost(ctx, "7-11", p.PostID)
	if current.ReplyCount != 1 || current.Version != 1 {
		t.Fatalf("after a reply: count %d version %d", current.ReplyCount, current.Version)
	}
	if err := s.DeletePost(ctx, "7-11", p.PostID, func(*forum.Post) (*moderation.Removal, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if got := search(t, s, "7-11", "natura"); len(got) != 0 {
		t.Fatalf("a deleted post is still found: %+v", got)
	}
	if n := entriesOf(t, s, p, current.IndexWords); n != 0 {
		t.Fatalf("%d index entries left after delete", n)
	}
	if _, ok, _ := s.GetReply(ctx, p.PostID, r.ReplyID); ok {
		t.Fatal("the reply outlived its post")
	}
	if err := s.CreateReply(ctx, "7-11", r); !errors.Is(err, forum.ErrNoPost) {
		t.Fatalf("reply to a deleted post: %v", err)
	}
	if got := search(t, s, "12-15", "apa"); len(got) != 1 {
		t.Fatalf("the other forum's post: %+v", got)
	}
}

// TestEditWhileDeleting: the author edits while deleting, many times over; the delete
// always goes through (after the edit, or before it: then the edit finds no post), and
// no index entry outlives the post.
func TestEditWhileDeleting(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	for i := 0; i < 8; i++ {
		p := newPost("16-19", fmt.Sprintf("Titlu vechi %d", i), "cuvinte vechi", now.Add(time.Duration(i)*time.Millisecond))
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		body := "cuvinte complet diferite"
		var wg sync.WaitGroup
		var editErr, delErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, editErr = s.UpdatePost(ctx, "16-19", p.PostID, func(p *forum.Post) error {
				*p = p.Apply(forum.PostPatch{Body: &body}, now)
				return nil
			})
		}()
		go func() {
			defer wg.Done()
			delErr = s.DeletePost(ctx, "16-19", p.PostID, func(*forum.Post) (*moderation.Removal, error) { return nil, nil })
		}()
		wg.Wait()
		all := append(append([]string{}, p.IndexWords...), "complet", "diferite")
		_, exists, err := s.GetPost(ctx, "16-19", p.PostID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case delErr != nil:
			t.Fatalf("round %d: delete: %v", i, delErr)
		case editErr != nil && !errors.Is(editErr, forum.ErrNoPost):
			t.Fatalf("round %d: edit: %v", i, editErr)
		case exists:
			t.Fatalf("round %d: the post outlived its delete", i)
		}
		if n := entriesOf(t, s, p, all); n != 0 {
			t.Fatalf("round %d: %d orphan index entries (edit %v)", i, n, editErr)
		}
	}
}

func TestLongPostIndexesAtMostItsCapAndEditsInOneTransaction(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	words := func(prefix string) string {
		out := ""
		for i := 0; i < 200; i++ {
			out += fmt.Sprintf("%s%c%c ", prefix, 'a'+i%26, 'a'+i/26)
		}
		return out
	}
	p := newPost("vet", "Titlu", words("x"), now)
	if len(p.IndexWords) != forum.MaxIndexWords {
		t.Fatalf("indexed %d words", len(p.IndexWords))
	}
	if err := s.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	title, body := "Alt", words("y")
	if _, err := s.UpdatePost(ctx, "vet", p.PostID, func(p *forum.Post) error {
		*p = p.Apply(forum.PostPatch{Title: &title, Body: &body}, now)
		return nil
	}); err != nil {
		t.Fatalf("an edit replacing every word: %v", err)
	}
	if got := search(t, s, "vet", "yaa"); len(got) != 1 {
		t.Fatalf("found %d", len(got))
	}
}

func TestPostListNewestFirstAndPages(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	var ids []string
	for i := 0; i < 5; i++ {
		p := newPost("up-to-6", fmt.Sprintf("Post %d", i), "corp", now.Add(time.Duration(i)*time.Second))
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append([]string{p.PostID}, ids...)
	}
	var got []string
	after := ""
	for {
		posts, next, err := s.ListPosts(ctx, "up-to-6", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			got = append(got, p.PostID)
		}
		if next == "" {
			break
		}
		after = next
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("order %v, want %v", got, ids)
	}
}

func TestResourceListsAndSearch(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := internalStore(t)
	now := time.Now().UTC()
	mk := func(i int, title, theme, lang string) resource.Resource {
		n := resource.New{Title: title, Description: "Fişe de lucru", Theme: theme, Language: lang, URL: "https://example.org"}
		r := n.Make(token.TimeID("res-", now.Add(time.Duration(i)*time.Second)), resource.Author{MemberID: "m-1"}, now.Add(time.Duration(i)*time.Second))
		if err := s.CreateResource(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := mk(0, "Ciclul apei", "environment", "ro")
	b := mk(1, "Water cycle", "environment", "en")
	c := mk(2, "Apă şi artă", "art", "ro")
	list := func(f resource.Filter) []string {
		rs, _, err := s.ListResources(ctx, f, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ResourceID)
		}
		return ids
	}
	if got := list(resource.Filter{}); fmt.Sprint(got) != fmt.Sprint([]string{c.ResourceID, b.ResourceID, a.ResourceID}) {
		t.Fatalf("all: %v", got)
	}
	if got := list(resource.Filter{Theme: "environment", Language: "ro"}); fmt.Sprint(got) != fmt.Sprint([]string{a.ResourceID}) {
		t.Fatalf("environment+ro: %v", got)
	}
	if got := list(resource.Filter{Language: "ro"}); len(got) != 2 {
		t.Fatalf("ro: %v", got)
	}
	q, _ := fold.ParseSearch("apa fise")
	rs, _, err := s.SearchResources(ctx, resource.Filter{Theme: "art"}, q, "", 10)
	if err != nil || len(rs) != 1 || rs[0].ResourceID != c.ResourceID {
		t.Fatalf("search: %v %+v", err, rs)
	}
}
