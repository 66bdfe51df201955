package certification

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"etwin/shared/clock"
	"etwin/shared/notify"
)

// SweepStore is what the eligibility sweep needs (shared/ddb implements it). Summaries are
// spread over Shards segments; each is read in pages, in school-id order.
type SweepStore interface {
	// Shards is the number of segments the summaries are spread over.
	Shards() int
	// SummaryPage returns up to limit summaries of segment shard after the school id
	// after ("" from the start), and the id to go on after ("" when the segment is done).
	SummaryPage(ctx context.Context, shard int, after string, limit int) (page []Summary, next string, err error)
	// Checkpoint is how far the sweep of round year has come in segment shard.
	Checkpoint(ctx context.Context, year, shard int) (Checkpoint, error)
	// Advance moves the checkpoint from prev to next; false when another run moved it
	// meanwhile (that run goes on with the segment).
	Advance(ctx context.Context, year, shard int, prev, next Checkpoint) (bool, error)
	// PutVerdicts stores the verdicts (a re-judgement overwrites).
	PutVerdicts(ctx context.Context, vs []Verdict) error
	// Invited are the school's teachers already invited in round year.
	Invited(ctx context.Context, year int, schoolID string) (map[string]bool, error)
	// Recipients are the members as notifications see them (unknown ids are left out).
	Recipients(ctx context.Context, memberIDs []string) (map[string]notify.Recipient, error)
	// Invite records each invitation (once per school, round and teacher: an invitation
	// already recorded is left alone, with its notification and e-mail not written) with
	// its notification and the notification's e-mail, atomically per invitation.
	Invite(ctx context.Context, year int, schoolID string, ns []notify.Notification) (invited int, err error)
}

// Checkpoint is a segment's progress in a round's sweep.
type Checkpoint struct {
	After    string // the last school id judged
	Done     bool
	Schools  int // judged so far
	Eligible int
	Invited  int
	Version  int
}

// SweepReport sums a sweep run.
type SweepReport struct {
	Year         int  `json:"year"`
	Segments     int  `json:"segments"`
	SegmentsDone int  `json:"segmentsDone"` // by any run, at the end of this one
	Schools      int  `json:"schools"`      // judged by this run
	Eligible     int  `json:"eligible"`     // found eligible by this run
	Invited      int  `json:"invited"`      // invitations this run recorded
	Complete     bool `json:"complete"`     // every segment is done
}

// Sweeper is stage 1 at scale: it judges every school's summary at a round's cut-offs,
// stores the verdicts and invites every eTwinner of each eligible school, once.
type Sweeper struct {
	Store SweepStore
	Now   func() time.Time
	// PageSize is the summaries judged between two checkpoints (0: 100).
	PageSize int
	// Parallel bounds the segments swept at once (0: 4).
	Parallel int
}

// sweepMargin is the time kept back before the deadline: a page in flight finishes and its
// checkpoint is written.
const sweepMargin = 20 * time.Second

// Sweep sweeps round w until every segment is done or the deadline (less a margin) comes;
// a later run resumes at the checkpoints. Overlapping runs share the work: a segment whose
// checkpoint another run moved is left to that run.
func (sw *Sweeper) Sweep(ctx context.Context, w Window, deadline time.Time) (SweepReport, error) {
	shards := sw.Store.Shards()
	rep := SweepReport{Year: w.Year, Segments: shards}
	var mu sync.Mutex
	done := make([]bool, shards) // by this run's reading
	g, gctx := errgroup.WithContext(ctx)
	parallel := sw.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	g.SetLimit(parallel)
	for shard := range shards {
		g.Go(func() error {
			r, err := sw.segment(gctx, w, shard, deadline)
			mu.Lock()
			defer mu.Unlock()
			rep.Schools += r.Schools
			rep.Eligible += r.Eligible
			rep.Invited += r.Invited
			done[shard] = r.SegmentsDone > 0
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	// segments left to an overlapping run may be done by now
	rep.SegmentsDone = 0
	for shard := range shards {
		if !done[shard] {
			cp, err := sw.Store.Checkpoint(ctx, w.Year, shard)
			if err != nil {
				return rep, err
			}
			done[shard] = cp.Done
		}
		if done[shard] {
			rep.SegmentsDone++
		}
	}
	rep.Complete = rep.SegmentsDone == shards
	return rep, nil
}

func (sw *Sweeper) segment(ctx context.Context, w Window, shard int, deadline time.Time) (SweepReport, error) {
	var rep SweepReport
	cp, err := sw.Store.Checkpoint(ctx, w.Year, shard)
	if err != nil {
		return rep, err
	}
	limit := sw.PageSize
	if limit <= 0 {
		limit = 100
	}
	for !cp.Done {
		if clock.Now(sw.Now).After(deadline.Add(-sweepMargin)) {
			return rep, nil
		}
		page, next, err := sw.Store.SummaryPage(ctx, shard, cp.After, limit)
		if err != nil {
			return rep, err
		}
		now := clock.Now(sw.Now)
		verdicts := make([]Verdict, len(page))
		for i, s := range page {
			verdicts[i] = Judge(s, w, now)
		}
		if err := sw.Store.PutVerdicts(ctx, verdicts); err != nil {
			return rep, err
		}
		step := Checkpoint{After: cp.After, Done: next == "", Schools: cp.Schools + len(page), Eligible: cp.Eligible, Invited: cp.Invited}
		if len(page) > 0 {
			step.After = page[len(page)-1].SchoolID
		}
		for i, v := range verdicts {
			if !v.Eligible {
				continue
			}
			n, err := sw.invite(ctx, w, page[i], now)
			if err != nil {
				return rep, err
			}
			step.Eligible++
			step.Invited += n
			rep.Eligible++
			rep.Invited += n
		}
		rep.Schools += len(page)
		ok, err := sw.Store.Advance(ctx, w.Year, shard, cp, step)
		if err != nil {
			return rep, err
		}
		if !ok {
			return rep, nil // overtaken: the other run goes on with the segment
		}
		step.Version = cp.Version + 1
		cp = step
	}
	rep.SegmentsDone = 1
	return rep, nil
}

// invite invites the school's teachers not invited yet in the round, each with a platform
// notification and its e-mail in their language.
func (sw *Sweeper) invite(ctx context.Context, w Window, s Summary, now time.Time) (int, error) {
	done, err := sw.Store.Invited(ctx, w.Year, s.SchoolID)
	if err != nil {
		return 0, err
	}
	var todo []string
	for _, m := range s.Members {
		if !done[m] {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	rs, err := sw.Store.Recipients(ctx, todo)
	if err != nil {
		return 0, err
	}
	var ns []notify.Notification
	for _, m := range todo {
		r, ok := rs[m]
		if !ok {
			continue // the account is gone
		}
		ns = append(ns, notify.New(r, notify.KindCertificationInvitation,
			notify.Subject{Type: notify.SubjectSchoolCertification, ID: s.SchoolID}, nil, now))
	}
	return sw.Store.Invite(ctx, w.Year, s.SchoolID, ns)
}
