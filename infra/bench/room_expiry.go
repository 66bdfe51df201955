package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/room"
)

// The room-expiry job at scale (section 9): a fresh table from the template, N generated
// rooms (room item and expiry entry each, ddb.Store.BulkRooms: BatchWriteItem) of which
// a known few are due, then room.Service.Expire in process on a metered Store, as the
// room-expiry job runs it, at two instants: first with expiryDueFirst rooms due, then a day
// later with expiryDueLater others due, each run repeated (the repeat finds nothing due).
// Its read units must follow the rooms due, not N.

// ExpiryFunction is the job's folder (what -only names).
const ExpiryFunction = "room-expiry"

// The due rooms: half to warn, half to close, at each instant.
const (
	expiryDueFirst   = 100
	expiryDueLater   = 1000
	expiryCreators   = 100
	expiryBatch      = 1000 // rooms per generating job
	expiryWarmupSize = 2000
)

// ExpiryScale is the job over one generated data set.
type ExpiryScale struct {
	Rooms    int
	LoadTime time.Duration
	Runs     []ExpiryRun
}

// ExpiryRun is one run of the job.
type ExpiryRun struct {
	Name    string
	WantDue int
	Wall    time.Duration
	Report  room.ExpiryReport
	Part    SweepPart // calls and units (AWS rules as for the sweep)
	Emails  int
}

// expiryRoom is generated room k of n at base: the first expiryDueFirst are due at base
// (half warned 6 days before their expiry, half expired an hour ago and warned), the next
// expiryDueLater are due a day later (not at base), the others not for days.
func expiryRoom(k int, base time.Time) room.Room {
	day := 24 * time.Hour
	creator := room.Person{MemberID: fmt.Sprintf("rx-m%03d", k%expiryCreators), FirstName: "Ana", LastName: "Popescu"}
	var exp time.Time
	var warned *time.Time
	switch {
	case k < expiryDueFirst && k%2 == 0: // warn at base
		exp = base.Add(6 * day)
	case k < expiryDueFirst: // close at base
		exp, warned = base.Add(-time.Hour), ptr(base.Add(-7*day))
	case k < expiryDueFirst+expiryDueLater && k%2 == 0: // warn a day later
		exp = base.Add(7*day + 12*time.Hour)
	case k < expiryDueFirst+expiryDueLater: // close a day later
		exp, warned = base.Add(12*time.Hour), ptr(base.Add(-6*day))
	default: // 10 to 60 days away
		exp = base.Add(10*day + time.Duration(k%(50*24))*time.Hour)
	}
	return room.Room{RoomID: fmt.Sprintf("rx-%07d", k), Title: fmt.Sprintf("Bench room %d", k), Description: "A generated room.",
		Language: "en", Tags: []string{"stem"}, Open: k%10 == 0, Creator: creator, CreatedAt: exp.AddDate(0, -room.Active, 0),
		ExpiresAt: exp, WarnedAt: warned, Participants: 1}
}

func ptr[T any](v T) *T { return &v }

// runExpiryScale measures the job on n rooms, on a fresh table named base-expiry<n>-<logical
// ID> (deleted after), after a small warm-up of its own.
func runExpiryScale(ctx context.Context, cfg Config, ddbURL, base string, n int, progress func(string, ...any)) (ExpiryScale, error) {
	progress("room-expiry: warming up on %d rooms", expiryWarmupSize)
	if _, err := expiryOnce(ctx, cfg, ddbURL, base+"-expirywarmup", expiryWarmupSize, func(string, ...any) {}); err != nil {
		return ExpiryScale{}, fmt.Errorf("bench: the room-expiry warm-up: %w", err)
	}
	sc, err := expiryOnce(ctx, cfg, ddbURL, fmt.Sprintf("%s-expiry%d", base, n), n, progress)
	if err != nil {
		return sc, fmt.Errorf("bench: room-expiry at %d rooms: %w", n, err)
	}
	return sc, nil
}

func expiryOnce(ctx context.Context, cfg Config, ddbURL, base string, n int, progress func(string, ...any)) (ExpiryScale, error) {
	sc := ExpiryScale{Rooms: n}
	table, plain, drop, err := scratchTables(ctx, cfg, ddbURL, base)
	if err != nil {
		return sc, err
	}
	defer drop()
	base0 := time.Now().UTC().Truncate(time.Second)
	store := ddb.New(plain, table)
	start := time.Now()
	ms := make([]member.Member, expiryCreators)
	for i := range ms {
		id := fmt.Sprintf("rx-m%03d", i)
		ms[i] = member.Member{MemberID: id, Username: id, FirstName: "Ana", LastName: "Popescu", Email: id + "@example.org",
			Language: "en", Role: member.RoleTeacher, Country: "RO", CreatedAt: base0, PasswordHash: "-"}
	}
	if err := store.BulkLoad(ctx, ms, nil); err != nil {
		return sc, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.Concurrency, 1))
	for k0 := 0; k0 < n; k0 += expiryBatch {
		g.Go(func() error {
			rooms := make([]room.Room, 0, expiryBatch)
			for k := k0; k < min(k0+expiryBatch, n); k++ {
				rooms = append(rooms, expiryRoom(k, base0))
			}
			return store.BulkRooms(gctx, rooms)
		})
	}
	if err := g.Wait(); err != nil {
		return sc, err
	}
	sc.LoadTime = time.Since(start)
	progress("room-expiry: %d rooms (room item and expiry entry each) written in %s", n, sc.LoadTime.Round(time.Second))

	m := &meter{}
	var zero int
	metered := ddb.New(newMeteredClient(ddbURL, m), table).WithMeter(func(op string, u float64) {
		m.record(op, u)
		if u == 0 && isRead(op) {
			zero++
		}
	})
	// The job logs a line per failed room only; keep the bench's output clean.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	svc := &room.Service{Store: metered}
	run := func(name string, at time.Time, want int) error {
		p := newProbe()
		m.cur.Store(p)
		zero = 0
		svc.Now = func() time.Time { return at }
		t0 := time.Now()
		rep, err := svc.Expire(ctx)
		r := ExpiryRun{Name: name, WantDue: want, Wall: time.Since(t0), Report: rep}
		m.cur.Store(nil)
		if err != nil {
			return err
		}
		if r.Part, err = sweepPart(ctx, plain, p, zero); err != nil {
			return err
		}
		if r.Emails, err = outboxPuts(p.txs); err != nil {
			return err
		}
		if rep.Due != want || rep.Failed != 0 || rep.Warned+rep.Closed != want {
			return fmt.Errorf("%s: report %+v, want %d due, all warned or closed", name, rep, want)
		}
		progress("room-expiry: %d rooms, %s: %s, %d due, %d warned, %d closed; %d calls (%s), %.1f read and %.1f write units (AWS rules)",
			n, name, fmtDur(r.Wall), rep.Due, rep.Warned, rep.Closed, r.Part.CallCount(), signature(r.Part.Calls), r.Part.ReadAWS(), r.Part.WriteAWS)
		sc.Runs = append(sc.Runs, r)
		return nil
	}
	later := base0.Add(24 * time.Hour)
	dueFirst, dueLater := min(expiryDueFirst, n), max(min(expiryDueLater, n-expiryDueFirst), 0)
	for _, x := range []struct {
		name string
		at   time.Time
		want int
	}{
		{fmt.Sprintf("%d due", dueFirst), base0, dueFirst},
		{"the same instant again", base0, 0},
		{fmt.Sprintf("a day later, %d due", dueLater), later, dueLater},
		{"a day later, again", later, 0},
	} {
		if err := run(x.name, x.at, x.want); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// expiryMarkdown writes section 9.
func (r *Report) expiryMarkdown(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## 9. The room-expiry job at scale\n\n")
	sc := r.Expiry
	if sc == nil {
		p("_Skipped (`-expiry-rooms 0`, or `-only` without `room-expiry`)._\n\n")
		return
	}
	p("A fresh table from `template.yaml`, %d generated rooms written with BatchWriteItem\n", sc.Rooms)
	p("(`ddb.Store.BulkRooms`: each room's item and its expiry entry on GSI1 `ROOMDUE`) in %s, and\n", sc.LoadTime.Round(time.Second))
	p("their %d creators. Then `room.Service.Expire`, as the hourly job runs it, in process on a\n", expiryCreators)
	p("metered `ddb.Store`: at an instant when %d rooms are due (half to warn, half to close), again\n", expiryDueFirst)
	p("at that instant, a day later when %d others are due, and again. Units by AWS's rules as in\n", expiryDueLater)
	p("section 8 (transactions recounted per item; an empty Query billed 1 read unit).\n\n")
	p("| Run | Due | Warned | Closed | E-mails queued | Wall time | DynamoDB calls | Read units, AWS rules | Read units per due room | Write units, AWS rules |\n")
	p("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	for _, x := range sc.Runs {
		per := "—"
		if x.Report.Due > 0 {
			per = fmt.Sprintf("%.2f", x.Part.ReadAWS()/float64(x.Report.Due))
		}
		p("| %s | %d | %d | %d | %d | %s | %s | %.1f | %s | %.1f |\n", x.Name, x.Report.Due, x.Report.Warned, x.Report.Closed, x.Emails,
			fmtDur(x.Wall), signature(x.Part.Calls), x.Part.ReadAWS(), per, x.Part.WriteAWS)
	}
	p("\nThe read units follow the rooms due (the Query reads only `ROOMDUE` entries with\n")
	p("`GSI1SK <= now`, then the due rooms by key), not the %d rooms of the table; a run with\n", sc.Rooms)
	p("nothing due is one Query.\n\n")
}
