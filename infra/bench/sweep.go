package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/notify"
)

// The eligibility sweep at scale (section 8): for each size, a fresh table from the
// template, N generated school summaries (ddb.Store.BulkSummaries: the items the writes
// keep) and the member items of the eligible schools' teachers (ddb.Store.BulkLoad), then
// certification.Sweeper.Sweep over one round, as the eligibility-sweep job runs it, on
// metered Stores: once to completion, then once more (the resume of a complete sweep).

// SweepScale is the sweep over one size of generated data set.
type SweepScale struct {
	Schools  int // summaries generated
	Teachers int // teachers in them
	Members  int // member items written: the eligible schools' teachers
	// SummaryBytes is the summaries' total size (DynamoDB's rules): what the pages read.
	SummaryBytes int
	LoadTime     time.Duration // generating and writing them
	// What the generator made: the schools it made eligible and their teachers.
	WantEligible, WantInvitations int
	First, Resume                 SweepRun
}

// SweepRun is one run of the sweep over a round.
type SweepRun struct {
	Wall   time.Duration
	Report certification.SweepReport
	// Judging is the summaries' pages, the verdicts and the checkpoints; Inviting what the
	// eligible schools add (the round's invitations so far, the recipients, the
	// invitations with their notifications and e-mails).
	Judging, Inviting SweepPart
	// Emails are the outbox items the run's transactions put.
	Emails int
}

// SweepPart is what one part of a run did with DynamoDB.
type SweepPart struct {
	Calls map[string]int
	Units map[string]float64 // as DynamoDB Local reported them, by operation
	// WriteAWS are the write units by AWS's rules: transactions recounted (txUnits), a
	// single-item write whose condition failed counted as 1.
	WriteAWS float64
	// ZeroReads are the reads DynamoDB Local reported at 0 units (an empty Query): AWS
	// bills at least 1 unit for a strongly consistent read, the sweep's only ones that
	// can come back empty.
	ZeroReads int
}

// ReadAWS is the part's read units by AWS's rules.
func (p SweepPart) ReadAWS() float64 { return p.Read() + float64(p.ZeroReads) }

// isRead tells the operations that consume read units.
func isRead(op string) bool {
	switch op {
	case "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems":
		return true
	}
	return false
}

// CallCount is the part's DynamoDB calls.
func (p SweepPart) CallCount() int {
	n := 0
	for _, c := range p.Calls {
		n += c
	}
	return n
}

// Read is the part's read units.
func (p SweepPart) Read() float64 {
	var u float64
	for op, x := range p.Units {
		if isRead(op) {
			u += x
		}
	}
	return u
}

// Write is the part's write units as DynamoDB Local reported them.
func (p SweepPart) Write() float64 {
	var u float64
	for op, x := range p.Units {
		if !isRead(op) {
			u += x
		}
	}
	return u
}

// Calls are the run's DynamoDB calls by operation.
func (r SweepRun) Calls() map[string]int {
	out := map[string]int{}
	for _, p := range []SweepPart{r.Judging, r.Inviting} {
		for op, n := range p.Calls {
			out[op] += n
		}
	}
	return out
}

// CallCount, Read, ReadAWS, Write and WriteAWS add both parts up.
func (r SweepRun) CallCount() int    { return r.Judging.CallCount() + r.Inviting.CallCount() }
func (r SweepRun) Read() float64     { return r.Judging.Read() + r.Inviting.Read() }
func (r SweepRun) ReadAWS() float64  { return r.Judging.ReadAWS() + r.Inviting.ReadAWS() }
func (r SweepRun) Write() float64    { return r.Judging.Write() + r.Inviting.Write() }
func (r SweepRun) WriteAWS() float64 { return r.Judging.WriteAWS + r.Inviting.WriteAWS }

// SweepCounts are read and write units (AWS's rules).
type SweepCounts struct{ Read, Write float64 }

// splitSweepStore is the Store the sweeper uses, on two metered Stores of the same table:
// judging's calls on one, inviting's on the other, so that each part is counted apart.
type splitSweepStore struct{ judge, invite *ddb.Store }

func (s splitSweepStore) Shards() int { return s.judge.Shards() }
func (s splitSweepStore) SummaryPage(ctx context.Context, shard int, after string, limit int) ([]certification.Summary, string, error) {
	return s.judge.SummaryPage(ctx, shard, after, limit)
}
func (s splitSweepStore) Checkpoint(ctx context.Context, year, shard int) (certification.Checkpoint, error) {
	return s.judge.Checkpoint(ctx, year, shard)
}
func (s splitSweepStore) Advance(ctx context.Context, year, shard int, prev, next certification.Checkpoint) (bool, error) {
	return s.judge.Advance(ctx, year, shard, prev, next)
}
func (s splitSweepStore) PutVerdicts(ctx context.Context, vs []certification.Verdict) error {
	return s.judge.PutVerdicts(ctx, vs)
}
func (s splitSweepStore) Invited(ctx context.Context, year int, schoolID string) (map[string]bool, error) {
	return s.invite.Invited(ctx, year, schoolID)
}
func (s splitSweepStore) Recipients(ctx context.Context, ids []string) (map[string]notify.Recipient, error) {
	return s.invite.Recipients(ctx, ids)
}
func (s splitSweepStore) Invite(ctx context.Context, year int, schoolID string, ns []notify.Notification) (int, error) {
	return s.invite.Invite(ctx, year, schoolID, ns)
}

// The generated schools: sweepEligiblePerCent of them eligible, the others failing one
// rule each, in turn.
const (
	sweepEligiblePerCent = 3
	sweepBatch           = 500 // schools per generating job
	sweepWarmup          = 2000
)

// The rule a generated school fails (sweepEligible: none).
const (
	sweepEligible = iota
	sweepLateRegistration
	sweepTooFewActive
	sweepLabelOutOfRange
	sweepNationalProject
	sweepNoLabel
	sweepOutcomes
)

var sweepCountries = []struct{ code, lang string }{{"RO", "ro"}, {"FR", "fr"}, {"DE", "de"}, {"PL", "pl"}, {"ES", "es"}, {"IT", "it"}}

// sweepOutcome is the rule school k fails.
func sweepOutcome(k int) int {
	if k%100 < sweepEligiblePerCent {
		return sweepEligible
	}
	return 1 + k%(sweepOutcomes-1)
}

// sweepSchool is school k of the generated data set for cut-offs c: 4 to 6 teachers (5 on
// average), each with a latest activity; one project of two of them, approved and closed
// before activeSince (so that it makes nobody active), with a national label for the
// school. An eligible school was registered by registeredBefore, has 3 teachers active
// since activeSince and its project is a European one labelled within the range; the
// others miss one of these (sweepOutcome).
func sweepSchool(k int, c certification.Cutoffs) certification.Summary {
	day := 24 * time.Hour
	outcome := sweepOutcome(k)
	id := fmt.Sprintf("sw-%07d", k)
	co := sweepCountries[k%len(sweepCountries)]
	s := certification.Summary{SchoolID: id, Country: co.code, RegisteredAt: c.RegisteredBefore.Add(-time.Duration(1+k%2000) * day),
		LastActive: map[string]time.Time{}, Projects: map[string]certification.ProjectFacts{}}
	if outcome == sweepLateRegistration {
		s.RegisteredAt = c.RegisteredBefore.Add(time.Duration(1+k%300) * day)
	}
	active := max(c.MinActiveTeachers, 1)
	if outcome == sweepTooFewActive {
		active--
	}
	for i := range 4 + k%3 {
		m := fmt.Sprintf("%s-t%d", id, i)
		s.Members = append(s.Members, m)
		if i < active {
			s.LastActive[m] = c.ActiveSince.Add(time.Duration(1+(7*k+i)%600) * day)
		} else {
			s.LastActive[m] = c.ActiveSince.Add(-time.Duration(1+(7*k+i)%600) * day)
		}
	}
	slices.Sort(s.Members)
	pid := id + "-p1"
	closed := c.ActiveSince.Add(-30 * day)
	european := outcome != sweepNationalProject
	s.Projects[pid] = certification.ProjectFacts{Members: slices.Clone(s.Members[:2]), ApprovedAt: closed.Add(-400 * day), ClosedAt: &closed, European: european}
	if outcome != sweepNoLabel {
		at := c.LabelledFrom.Add(time.Duration(k%500) * day)
		if outcome == sweepLabelOutOfRange {
			at = c.LabelledFrom.Add(-time.Duration(1+k%200) * day)
		}
		if at.After(c.LabelledTo) {
			at = c.LabelledTo
		}
		s.Labels = []certification.LabelFacts{{ProjectID: pid, Kind: certification.LabelKindNational, AwardedAt: at, European: european}}
	}
	return s
}

// sweepTeachers are the accounts of a generated school's teachers (no profile: they are
// not in the member search).
func sweepTeachers(s certification.Summary) []member.Member {
	lang := "en"
	for _, co := range sweepCountries {
		if co.code == s.Country {
			lang = co.lang
		}
	}
	ms := make([]member.Member, len(s.Members))
	for i, id := range s.Members {
		ms[i] = member.Member{MemberID: id, Username: id, FirstName: "Ana", LastName: "Popescu", Email: id + "@example.org",
			Language: lang, Role: member.RoleTeacher, Country: s.Country, CreatedAt: s.RegisteredAt, PasswordHash: "-",
			Schools: []member.SchoolRef{{SchoolID: s.SchoolID, Name: "School " + s.SchoolID, Country: s.Country, SchoolType: "primary"}}}
	}
	return ms
}

// sweepWindow is a round open now with the default cut-offs (certification.Input).
func sweepWindow(now time.Time) (certification.Window, error) {
	in := certification.Input{AnnounceAt: now.Add(-48 * time.Hour).Format(time.RFC3339), OpensAt: now.Add(-24 * time.Hour).Format(time.RFC3339),
		ClosesAt: now.Add(30 * 24 * time.Hour).Format(time.RFC3339)}
	return in.Window(now.Year())
}

// runSweepScale measures the sweep at each size of sizes, each on a fresh table named
// base-sweep<size>-<logical ID> (deleted after).
func runSweepScale(ctx context.Context, cfg Config, ddbURL, base string, progress func(string, ...any)) ([]SweepScale, error) {
	var out []SweepScale
	// A first, small sweep warms DynamoDB Local (its JIT) up: without it the first size's
	// times are twice what they would be.
	progress("sweep: warming up on %d schools", sweepWarmup)
	if _, err := sweepOnce(ctx, cfg, ddbURL, base+"-sweepwarmup", sweepWarmup, func(string, ...any) {}); err != nil {
		return nil, fmt.Errorf("bench: the sweep's warm-up: %w", err)
	}
	for _, n := range sweepSizes(cfg.SweepSizes) {
		sc, err := sweepOnce(ctx, cfg, ddbURL, fmt.Sprintf("%s-sweep%d", base, n), n, progress)
		if err != nil {
			return nil, fmt.Errorf("bench: the sweep at %d schools: %w", n, err)
		}
		out = append(out, sc)
	}
	return out, nil
}

// sweepSizes are the positive sizes in order, each once.
func sweepSizes(ns []int) []int {
	out := slices.DeleteFunc(slices.Clone(ns), func(n int) bool { return n < 1 })
	slices.Sort(out)
	return slices.Compact(out)
}

func sweepOnce(ctx context.Context, cfg Config, ddbURL, base string, n int, progress func(string, ...any)) (SweepScale, error) {
	sc := SweepScale{Schools: n}
	table, plain, drop, err := scratchTables(ctx, cfg, ddbURL, base)
	if err != nil {
		return sc, err
	}
	defer drop()
	now := time.Now()
	w, err := sweepWindow(now)
	if err != nil {
		return sc, err
	}

	// Generate and write, in parallel jobs.
	progress("sweep: generating %d school summaries", n)
	start := time.Now()
	store := ddb.New(plain, table)
	var teachers, members, bytes, eligible, invitations, done, last atomic.Int64
	last.Store(start.UnixNano())
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cfg.Concurrency, 1))
	for k0 := 0; k0 < n; k0 += sweepBatch {
		g.Go(func() error {
			var sums []certification.Summary
			var ms []member.Member
			for k := k0; k < min(k0+sweepBatch, n); k++ {
				s := sweepSchool(k, w.Cutoffs)
				sums = append(sums, s)
				teachers.Add(int64(len(s.Members)))
				if sweepOutcome(k) == sweepEligible {
					ms = append(ms, sweepTeachers(s)...)
					eligible.Add(1)
					invitations.Add(int64(len(s.Members)))
				}
			}
			b, err := store.BulkSummaries(gctx, sums)
			if err != nil {
				return err
			}
			bytes.Add(int64(b))
			members.Add(int64(len(ms)))
			if err := store.BulkLoad(gctx, ms, nil); err != nil {
				return err
			}
			if d := done.Add(int64(len(sums))); time.Since(time.Unix(0, last.Load())) > 30*time.Second {
				last.Store(time.Now().UnixNano())
				progress("sweep: %d of %d summaries written (%s)", d, n, time.Since(start).Round(time.Second))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return sc, err
	}
	sc.LoadTime = time.Since(start)
	sc.Teachers, sc.Members, sc.SummaryBytes = int(teachers.Load()), int(members.Load()), int(bytes.Load())
	sc.WantEligible, sc.WantInvitations = int(eligible.Load()), int(invitations.Load())
	progress("sweep: %d summaries (%d teachers) and %d members written in %s", n, sc.Teachers, sc.Members, sc.LoadTime.Round(time.Second))

	jm, im := &meter{}, &meter{}
	var jz, iz atomic.Int64 // zero-unit reads
	metered := func(m *meter, zero *atomic.Int64) *ddb.Store {
		return ddb.New(newMeteredClient(ddbURL, m), table).WithMeter(func(op string, u float64) {
			m.record(op, u)
			if u == 0 && isRead(op) {
				zero.Add(1)
			}
		})
	}
	split := splitSweepStore{judge: metered(jm, &jz), invite: metered(im, &iz)}
	sw := &certification.Sweeper{Store: split} // the job's settings (app.Deps.CertificationJobs)
	run := func(name string) (SweepRun, error) {
		jp, ip := newProbe(), newProbe()
		jm.cur.Store(jp)
		im.cur.Store(ip)
		jz.Store(0)
		iz.Store(0)
		t0 := time.Now()
		rep, err := sw.Sweep(ctx, w, time.Now().Add(24*time.Hour))
		r := SweepRun{Wall: time.Since(t0), Report: rep}
		jm.cur.Store(nil)
		im.cur.Store(nil)
		if err != nil {
			return r, err
		}
		if r.Judging, err = sweepPart(ctx, plain, jp, int(jz.Load())); err != nil {
			return r, err
		}
		if r.Inviting, err = sweepPart(ctx, plain, ip, int(iz.Load())); err != nil {
			return r, err
		}
		if r.Emails, err = outboxPuts(append(jp.txs, ip.txs...)); err != nil {
			return r, err
		}
		progress("sweep: %d schools, %s: %s, %d judged, %d eligible, %d invited; %d calls, %.1f read and %.1f write units (AWS rules)",
			n, name, fmtDur(r.Wall), rep.Schools, rep.Eligible, rep.Invited, r.CallCount(), r.ReadAWS(), r.WriteAWS())
		return r, nil
	}
	if sc.First, err = run("first run"); err != nil {
		return sc, err
	}
	if sc.Resume, err = run("resume of the complete sweep"); err != nil {
		return sc, err
	}
	return sc, nil
}

// sweepPart is what a probe saw, with the transactions recounted by AWS's rules.
func sweepPart(ctx context.Context, plain *dynamodb.Client, p *probe, zeroReads int) (SweepPart, error) {
	part := SweepPart{Calls: p.ops, Units: p.opUnits, ZeroReads: zeroReads}
	tx, err := txUnits(ctx, plain, p.txs)
	if err != nil {
		return part, err
	}
	part.WriteAWS = tx + float64(p.failedWrites)
	for op, u := range p.opUnits {
		if !isRead(op) && op != "TransactWriteItems" {
			part.WriteAWS += u
		}
	}
	return part, nil
}

// outboxPuts counts the outbox items (SK OUTBOX) put by TransactWriteItems request bodies.
func outboxPuts(bodies [][]byte) (int, error) {
	n := 0
	for _, b := range bodies {
		var tx struct {
			TransactItems []struct {
				Put *struct{ Item map[string]struct{ S string } }
			}
		}
		if err := json.Unmarshal(b, &tx); err != nil {
			return 0, err
		}
		for _, it := range tx.TransactItems {
			if it.Put != nil && it.Put.Item["SK"].S == "OUTBOX" && strings.HasPrefix(it.Put.Item["PK"].S, "OUTBOX#") {
				n++
			}
		}
	}
	return n, nil
}

// sweepGrowth is b's figure over a's (0 when a's is 0).
func sweepGrowth(a, b float64) float64 {
	if a == 0 {
		return 0
	}
	return b / a
}

// scratchTables creates the template's tables as base-<logical ID> without their streams
// (nothing reads them in a scale run, AWS does not bill their records, and DynamoDB Local
// appends one per write, ever slower as they pile up: the records of a deleted table's
// stream stay). It returns the main table's name, a client without metering, and drop,
// which deletes the tables.
func scratchTables(ctx context.Context, cfg Config, ddbURL, base string) (table string, plain *dynamodb.Client, drop func(), err error) {
	tableName := func(logicalID string) string { return base + "-" + logicalID }
	tmpl, err := gateway.LoadTemplate(cfg.Template, gateway.TemplateOptions{Parameters: localstack.LocalParameters, TableName: tableName})
	if err != nil {
		return "", nil, nil, err
	}
	table = functionEnv(tmpl.Functions)["TABLE_NAME"]
	if table == "" {
		return "", nil, nil, fmt.Errorf("no function of the template has TABLE_NAME")
	}
	plain = localstack.NewDynamoClient(ddbURL)
	if err := localstack.CreateTables(ctx, plain, cfg.Template, tableName); err != nil {
		return "", nil, nil, err
	}
	drop = func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, id := range tmpl.Tables {
			plain.DeleteTable(dctx, &dynamodb.DeleteTableInput{TableName: aws.String(tableName(id))})
		}
	}
	for _, id := range tmpl.Tables {
		name := aws.String(tableName(id))
		d, err := plain.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
		if err != nil {
			drop()
			return "", nil, nil, err
		}
		if ss := d.Table.StreamSpecification; ss != nil && aws.ToBool(ss.StreamEnabled) {
			if _, err := plain.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name,
				StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
				drop()
				return "", nil, nil, err
			}
		}
	}
	return table, plain, drop, nil
}
