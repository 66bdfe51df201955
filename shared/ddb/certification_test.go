package ddb_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/principal"
)

var css = principal.Principal{MemberID: "m-css", Role: "css"}

func windowInput(open time.Time, activeSince string) certification.Input {
	in := certification.Input{AnnounceAt: open.Add(-30 * 24 * time.Hour).Format(time.RFC3339), OpensAt: open.Format(time.RFC3339),
		ClosesAt: open.Add(60 * 24 * time.Hour).Format(time.RFC3339)}
	if activeSince != "" {
		in.Cutoffs = &certification.CutoffsInput{ActiveSince: activeSince}
	}
	return in
}

// A round is stored whole under its year, replaced while it has not opened, and listed
// newest year first; "current" is the announced or open one.
func TestCertificationWindowStore(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Date(2026, 9, 15, 12, 0, 0, 0, time.UTC)
	svc := &certification.Service{Store: s, Now: func() time.Time { return now }}

	if _, err := svc.Current(ctx); apperr.StatusOf(err) != http.StatusNotFound {
		t.Fatalf("none yet: %v", err)
	}
	open := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	w, err := svc.PutWindow(ctx, css, "2026", windowInput(open, ""))
	if err != nil || w.Version != 1 || w.Status != certification.StatusAnnounced || w.Year != 2026 {
		t.Fatalf("create: %+v %v", w, err)
	}
	// an old round (closed) and a later one (not announced yet) are not current
	if _, err := svc.PutWindow(ctx, css, "2025", windowInput(open.AddDate(-1, 0, 0), "")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutWindow(ctx, css, "2027", windowInput(open.AddDate(1, 0, 0), "")); err != nil {
		t.Fatal(err)
	}
	// replaced before opening: the cut-offs move
	w, err = svc.PutWindow(ctx, css, "2026", windowInput(open, "2025-01-01T00:00:00Z"))
	if err != nil || w.Version != 2 || !w.Cutoffs.ActiveSince.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("replace: %+v %v", w, err)
	}
	cur, err := svc.Current(ctx)
	if err != nil || cur.Year != 2026 || cur.Version != 2 || !cur.Cutoffs.ActiveSince.Equal(w.Cutoffs.ActiveSince) ||
		cur.Cutoffs.MinActiveTeachers != 3 || !cur.Cutoffs.EuropeanProject || !slices.Equal(cur.Elements, certification.DefaultElements) {
		t.Fatalf("current: %+v %v", cur, err)
	}
	var years []int
	if err := s.EachWindow(ctx, func(w certification.Window) bool { years = append(years, w.Year); return true }); err != nil || !slices.Equal(years, []int{2027, 2026, 2025}) {
		t.Fatalf("order: %v %v", years, err)
	}

	// once open, the cut-offs stay; the close may still move
	now = open
	if _, err := svc.PutWindow(ctx, css, "2026", windowInput(open, "2025-02-01T00:00:00Z")); apperr.StatusOf(err) != http.StatusConflict ||
		!slices.Equal(apperr.FieldNames(err), []string{"cutoffs.activeSince"}) {
		t.Fatalf("moved after opening: %v", err)
	}
	later := windowInput(open, "2025-01-01T00:00:00Z")
	later.ClosesAt = open.Add(90 * 24 * time.Hour).Format(time.RFC3339)
	if w, err := svc.PutWindow(ctx, css, "2026", later); err != nil || w.Version != 3 || w.Status != certification.StatusOpen {
		t.Fatalf("same cut-offs after opening: %+v %v", w, err)
	}

	// the stored names
	out, err := testenv.DDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "CERTWINDOWS"}, "SK": &types.AttributeValueMemberS{Value: "WINDOW#2026"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range out.Item {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"PK", "SK", "activeSince", "announceAt", "closesAt", "elements", "europeanProject", "kind", "labelledFrom", "labelledTo",
		"minActiveTeachers", "opensAt", "registeredBefore", "updatedAt", "updatedBy", "version", "year"}
	if !slices.Equal(names, want) {
		t.Fatalf("stored names %v", names)
	}
}

// Two CSS accounts replace a round that has not opened, each opening it with its own
// cut-offs, at once: exactly one wins; the other, decided again on the round as written
// (opened now), is a 409. Eight at once the same way.
func TestCertificationWindowConcurrentReplace(t *testing.T) {
	ctx := context.Background()
	s := ddb.New(testenv.DDB(), testenv.NewTable(t))
	now := time.Date(2026, 9, 15, 12, 0, 0, 0, time.UTC)
	svc := &certification.Service{Store: s, Now: func() time.Time { return now }}
	for round, n := range []int{2, 2, 2, 8} {
		year := fmt.Sprint(2030 + round)
		if _, err := svc.PutWindow(ctx, css, year, windowInput(now.Add(time.Hour), "")); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.PutWindow(ctx, css, year, windowInput(now.Add(-time.Hour), fmt.Sprintf("2025-01-%02dT00:00:00Z", i+1)))
			}()
		}
		wg.Wait()
		won, lost := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case apperr.StatusOf(err) == http.StatusConflict:
				lost++
			default:
				t.Fatalf("%s: %v", year, err)
			}
		}
		if won != 1 || lost != n-1 {
			t.Fatalf("%s: %d won, %d lost: %v", year, won, lost, errs)
		}
	}
}
