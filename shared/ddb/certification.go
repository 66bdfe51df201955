package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/shared/apperr"
	"etwin/shared/certification"
)

// certWindowItem is a stored certification round (CERTWINDOWS / WINDOW#<year>).
type certWindowItem struct {
	Year              int       `dynamodbav:"year"`
	AnnounceAt        time.Time `dynamodbav:"announceAt"`
	OpensAt           time.Time `dynamodbav:"opensAt"`
	ClosesAt          time.Time `dynamodbav:"closesAt"`
	Elements          []string  `dynamodbav:"elements"`
	RegisteredBefore  time.Time `dynamodbav:"registeredBefore"`
	ActiveSince       time.Time `dynamodbav:"activeSince"`
	LabelledFrom      time.Time `dynamodbav:"labelledFrom"`
	LabelledTo        time.Time `dynamodbav:"labelledTo"`
	MinActiveTeachers int       `dynamodbav:"minActiveTeachers"`
	EuropeanProject   bool      `dynamodbav:"europeanProject"`
	UpdatedAt         time.Time `dynamodbav:"updatedAt"`
	UpdatedBy         string    `dynamodbav:"updatedBy"`
	Version           int       `dynamodbav:"version"`
}

func (it *certWindowItem) versionField() (string, *int) { return "version", &it.Version }

func certWindowItemOf(w certification.Window) certWindowItem {
	c := w.Cutoffs
	return certWindowItem{Year: w.Year, AnnounceAt: w.AnnounceAt, OpensAt: w.OpensAt, ClosesAt: w.ClosesAt, Elements: w.Elements,
		RegisteredBefore: c.RegisteredBefore, ActiveSince: c.ActiveSince, LabelledFrom: c.LabelledFrom, LabelledTo: c.LabelledTo,
		MinActiveTeachers: c.MinActiveTeachers, EuropeanProject: c.EuropeanProject,
		UpdatedAt: w.UpdatedAt, UpdatedBy: w.UpdatedBy, Version: w.Version}
}

func (it certWindowItem) window() certification.Window {
	return certification.Window{Year: it.Year, AnnounceAt: it.AnnounceAt, OpensAt: it.OpensAt, ClosesAt: it.ClosesAt, Elements: it.Elements,
		Cutoffs: certification.Cutoffs{RegisteredBefore: it.RegisteredBefore, ActiveSince: it.ActiveSince,
			LabelledFrom: it.LabelledFrom, LabelledTo: it.LabelledTo, MinActiveTeachers: it.MinActiveTeachers, EuropeanProject: it.EuropeanProject},
		UpdatedAt: it.UpdatedAt, UpdatedBy: it.UpdatedBy, Version: it.Version}
}

// errWindowBusy: other writers kept replacing the same round.
var errWindowBusy = apperr.Busy("Someone else changed this certification round at the same moment; please try again.")

// PutWindow implements certification.Store: one strongly consistent GetItem of the year's
// item, decide, then one write conditioned on what was read (absent: the item must still
// be absent; present: its version unchanged), retried from the read when another write
// won. So a replacement is always decided on the round as stored, and a round that opened
// meanwhile keeps its cut-offs.
func (s *Store) PutWindow(ctx context.Context, year int, decide func(old *certification.Window) (certification.Window, error)) (certification.Window, error) {
	k := key(pkCertWindows, certWindowSK(year))
	return retryStale(ctx, versionedAttempts, errWindowBusy, func() (certification.Window, error) {
		var before certWindowItem
		found, err := s.get(ctx, k, &before)
		if err != nil {
			return certification.Window{}, err
		}
		var old *certification.Window
		if found {
			w := before.window()
			old = &w
		}
		w, err := decide(old)
		if err != nil {
			return certification.Window{}, err
		}
		w.Year = year
		after := certWindowItemOf(w)
		after.Version = before.Version + 1
		var write txItem
		if found {
			write, err = s.versionedUpdate(k, &before, &after, readVersion("version", before.Version), nil)
		} else {
			raw, ierr := item(pkCertWindows, certWindowSK(year), "certWindow", &after)
			if ierr != nil {
				return certification.Window{}, ierr
			}
			write = s.putNew(raw, fail(errStale))
		}
		if err != nil {
			return certification.Window{}, err
		}
		if err := s.transact(ctx, []txItem{write}); err != nil {
			return certification.Window{}, err
		}
		return after.window(), nil
	})
}

// EachWindow implements certification.Store: a Query of the rounds' partition, newest year
// first, page by page until each has had enough (one item per year: a page or two).
func (s *Store) EachWindow(ctx context.Context, each func(certification.Window) bool) error {
	in, err := partition{PK: pkCertWindows, Prefix: prefixCertWindowSK}.input(s, "")
	if err != nil {
		return err
	}
	return s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		ws, err := decode(out.Items, certWindowItem.window)
		if err != nil {
			return false, err
		}
		for _, w := range ws {
			if !each(w) {
				return false, nil
			}
		}
		return true, nil
	})
}
