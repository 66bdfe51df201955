package certification

import (
	"context"
	"fmt"
	"time"

	"etwin/shared/clock"
	"etwin/shared/notify"
)

// Steps of a round that the certification-window job takes once each.
const (
	StepAnnounced = "announced"
	StepClosed    = "closed"
)

// JobStore is what the certification-window job needs beyond the rounds (shared/ddb).
type JobStore interface {
	EachWindow(ctx context.Context, each func(Window) (more bool)) error
	// TakeStep records that round year took step (once: false when it was taken before).
	TakeStep(ctx context.Context, year int, step string, at time.Time) (first bool, err error)
}

// Announcer posts a round's announcement as a platform notification to every teacher
// (posting the same round again changes nothing).
type Announcer interface {
	Announce(ctx context.Context, w Window, now time.Time) error
}

// Announcements announce rounds as one broadcast notification to every teacher, dated
// at the round's announceAt (the same round again writes nothing).
type Announcements struct{ Store notify.Broadcaster }

// Announce implements Announcer.
func (a Announcements) Announce(ctx context.Context, w Window, _ time.Time) error {
	_, err := a.Store.PostBroadcast(ctx, notify.CertificationAnnouncement(w.Year, w.AnnounceAt))
	return err
}

// Reminder reminds the schools and NSOs of a round's applications when due (each reminder
// once, however often it runs).
type Reminder interface {
	Remind(ctx context.Context, w Window, now time.Time) (sent int, err error)
}

// Jobs is the certification-window job: run at any moment, any number of times, it takes
// each round through its dates, each step once.
type Jobs struct {
	Store     JobStore
	Sweeper   *Sweeper
	Announcer Announcer // nil: no announcement
	Reminder  Reminder  // nil: no reminders
	Now       func() time.Time
}

// DeadlineOf is the time a job has: its context's deadline (Lambda's), less nothing (the
// sweep keeps its own margin); without one, 14 minutes.
func DeadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(14 * time.Minute)
}

// RoundReport is what a run did to one round.
type RoundReport struct {
	Year      int          `json:"year"`
	Status    string       `json:"status"`
	Announced bool         `json:"announced,omitempty"` // by this run
	Sweep     *SweepReport `json:"sweep,omitempty"`
	Reminded  int          `json:"reminded,omitempty"`
	Closed    bool         `json:"closed,omitempty"` // by this run
}

// recentlyClosed bounds the rounds a run looks at: those closed within it still get their
// closing step (a job that did not run for a while catches up).
const recentlyClosed = 30 * 24 * time.Hour

// Run takes every round announced by now and not closed for long through its steps:
//   - from announceAt: the announcement, once (a notification, not an e-mail);
//   - while open: the eligibility sweep, resumed from its checkpoints until complete;
//   - while open: the reminders that are due (Reminder);
//   - from closesAt: the closing step, once (submitting then answers 409: the round is
//     closed; drafts stay readable).
//
// deadline bounds the sweep (the function's own deadline).
func (j *Jobs) Run(ctx context.Context, deadline time.Time) ([]RoundReport, error) {
	now := clock.Now(j.Now)
	var rounds []Window
	if err := j.Store.EachWindow(ctx, func(w Window) bool {
		if !now.Before(w.AnnounceAt) && now.Sub(w.ClosesAt) < recentlyClosed {
			rounds = append(rounds, w)
		}
		return len(rounds) < 3
	}); err != nil {
		return nil, err
	}
	out := []RoundReport{} // none: [] in the report, not null
	for _, w := range rounds {
		rep, err := j.round(ctx, w, now, deadline)
		out = append(out, rep)
		if err != nil {
			return out, fmt.Errorf("round %d: %w", w.Year, err)
		}
	}
	return out, nil
}

func (j *Jobs) round(ctx context.Context, w Window, now, deadline time.Time) (RoundReport, error) {
	rep := RoundReport{Year: w.Year, Status: w.StatusAt(now)}
	if rep.Status != StatusClosed && j.Announcer != nil {
		// the announcement is posted before its step is recorded: a run that fails in
		// between posts again, which changes nothing
		if err := j.Announcer.Announce(ctx, w, now); err != nil {
			return rep, err
		}
		first, err := j.Store.TakeStep(ctx, w.Year, StepAnnounced, now)
		if err != nil {
			return rep, err
		}
		rep.Announced = first
	}
	if rep.Status == StatusOpen {
		s, err := j.Sweeper.Sweep(ctx, w, deadline)
		rep.Sweep = &s
		if err != nil {
			return rep, err
		}
		if j.Reminder != nil {
			if rep.Reminded, err = j.Reminder.Remind(ctx, w, now); err != nil {
				return rep, err
			}
		}
	}
	if rep.Status == StatusClosed {
		first, err := j.Store.TakeStep(ctx, w.Year, StepClosed, now)
		if err != nil {
			return rep, err
		}
		rep.Closed = first
	}
	return rep, nil
}

// SweepOpen is the eligibility-sweep job: it sweeps every open round, resuming each from
// its checkpoints (run it on a schedule: a run cut short by its deadline is continued by
// the next; a complete sweep costs one checkpoint read per segment).
func (j *Jobs) SweepOpen(ctx context.Context, deadline time.Time) ([]SweepReport, error) {
	now := clock.Now(j.Now)
	var open []Window
	if err := j.Store.EachWindow(ctx, func(w Window) bool {
		if w.StatusAt(now) == StatusOpen {
			open = append(open, w)
		}
		return !w.ClosesAt.Before(now.Add(-recentlyClosed))
	}); err != nil {
		return nil, err
	}
	out := []SweepReport{}
	for _, w := range open {
		rep, err := j.Sweeper.Sweep(ctx, w, deadline)
		out = append(out, rep)
		if err != nil {
			return out, fmt.Errorf("round %d: %w", w.Year, err)
		}
	}
	return out, nil
}
