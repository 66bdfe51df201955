package ddb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/certification"
	"etwin/shared/notify"
	"etwin/shared/project"
	"etwin/shared/school"
)

// verdictItem is a school's stage-1 verdict in a round (SCHOOL#<id> / CERTVERDICT#<year>),
// written by the eligibility sweep.
type verdictItem struct {
	Year                    int       `dynamodbav:"year"`
	SchoolID                string    `dynamodbav:"schoolId"`
	Country                 string    `dynamodbav:"country"`
	Eligible                bool      `dynamodbav:"eligible"`
	RegisteredSince         time.Time `dynamodbav:"registeredSince"`
	ActiveTeachers          int       `dynamodbav:"activeTeachers"`
	QualityLabelledProjects int       `dynamodbav:"qualityLabelledProjects"`
	JudgedAt                time.Time `dynamodbav:"judgedAt"`
}

func verdictItemOf(v certification.Verdict) verdictItem {
	return verdictItem{Year: v.Year, SchoolID: v.SchoolID, Country: v.Country, Eligible: v.Eligible,
		RegisteredSince: v.Criteria.RegisteredSince, ActiveTeachers: v.Criteria.ActiveTeachers,
		QualityLabelledProjects: v.Criteria.QualityLabelledProjects, JudgedAt: v.JudgedAt}
}

func (it verdictItem) verdict() certification.Verdict {
	return certification.Verdict{Year: it.Year, SchoolID: it.SchoolID, Country: it.Country, Eligible: it.Eligible,
		Criteria: certification.Criteria{RegisteredSince: it.RegisteredSince, ActiveTeachers: it.ActiveTeachers,
			QualityLabelledProjects: it.QualityLabelledProjects}, JudgedAt: it.JudgedAt}
}

// Verdict is the school's stage-1 verdict in round year (found false: not judged yet), one
// consistent GetItem.
func (s *Store) Verdict(ctx context.Context, year int, schoolID string) (certification.Verdict, bool, error) {
	var it verdictItem
	found, err := s.get(ctx, key(schoolPK(schoolID), certVerdictSK(year)), &it)
	if err != nil || !found {
		return certification.Verdict{}, false, err
	}
	return it.verdict(), true, nil
}

// The school's summary (SCHOOL#<id> / ACTIVITYSUMMARY, kind "schoolSummary"): what the
// eligibility sweep judges (certification.Summary), one item per school. Facts about a
// teacher or a project are top-level attributes named by a prefix and the id, so that each
// write sets or adds its own fact in one update without reading the item first:
//
//	members          string set: the school's teachers
//	a#<memberId>     activityTime of the teacher's latest activity for the school
//	pm#<projectId>   string set: the school's teachers in the project (founders, partners)
//	pa#<projectId>   keyTime of the project's approval
//	pc#<projectId>   keyTime of its closing
//	pe#<projectId>   BOOL: a European project (schools of more than one country)
//	l#<projectId>#<kind>  "<keyTime>|<1 or 0>": a label awarded for the school, and
//	                 whether the project is European
//
// It also carries GSI1PK sweepShardPK(shard) and GSI1SK the school id, the sweep's segments.
const (
	sumMembers     = "members"
	sumActivity    = "a#"
	sumProjMembers = "pm#"
	sumProjAt      = "pa#"
	sumProjClosed  = "pc#"
	sumProjEU      = "pe#"
	sumLabel       = "l#"
)

// summaryChange is what one write changes in a school's summary.
type summaryChange struct {
	School  *school.School // the school itself (new, or imported): country, registration
	Join    []string       // teachers joining the school
	Leave   []string       // teachers leaving it
	Project *projectFact
	Label   *project.Label
	// LabelEuropean: the labelled project is a European one.
	LabelEuropean bool
}

// projectFact is a project of the school as approval, partnering and closing change it.
type projectFact struct {
	ProjectID string
	Members   []string // the school's teachers to add to the project's
	// ReplaceMembers: Members are all of them (an import says who the partners are)
	ReplaceMembers bool
	ApprovedAt     *time.Time
	ClosedAt       *time.Time
	European       bool
}

func summaryKey(schoolID string) map[string]types.AttributeValue {
	return key(schoolPK(schoolID), skActivitySummary)
}

// summaryExpr builds the update of ch (nil when it changes nothing).
func summaryExpr(schoolID string, ch summaryChange) expression.UpdateBuilder {
	n := expression.NameNoDotSplit // ids may hold '.'
	u := expression.Set(n("kind"), expression.Value("schoolSummary")).
		Set(n("schoolId"), expression.Value(schoolID)).
		Set(n("GSI1PK"), expression.Value(sweepShardPK(sweepShardOf(schoolID)))).
		Set(n("GSI1SK"), expression.Value(schoolID))
	if sc := ch.School; sc != nil {
		u = u.Set(n("country"), expression.Value(sc.Country)).
			Set(n("registeredAt"), expression.Value(sc.RegisteredAt.UTC().Format(keyTime)))
	}
	if len(ch.Join) > 0 {
		u = u.Add(n(sumMembers), expression.Value(&types.AttributeValueMemberSS{Value: ch.Join}))
	}
	if len(ch.Leave) > 0 {
		u = u.Delete(n(sumMembers), expression.Value(&types.AttributeValueMemberSS{Value: ch.Leave}))
	}
	if p := ch.Project; p != nil {
		if p.ReplaceMembers {
			u = u.Set(n(sumProjMembers+p.ProjectID), expression.Value(&types.AttributeValueMemberSS{Value: p.Members}))
		} else if len(p.Members) > 0 {
			u = u.Add(n(sumProjMembers+p.ProjectID), expression.Value(&types.AttributeValueMemberSS{Value: p.Members}))
		}
		if p.ApprovedAt != nil {
			u = u.Set(n(sumProjAt+p.ProjectID), expression.Value(p.ApprovedAt.UTC().Format(keyTime)))
		}
		if p.ClosedAt != nil {
			u = u.Set(n(sumProjClosed+p.ProjectID), expression.Value(p.ClosedAt.UTC().Format(keyTime)))
		}
		u = u.Set(n(sumProjEU+p.ProjectID), expression.Value(p.European))
	}
	if l := ch.Label; l != nil {
		eu := "0"
		if ch.LabelEuropean {
			eu = "1"
		}
		u = u.Set(n(sumLabel+l.ProjectID+"#"+l.Kind), expression.Value(l.AwardedAt.UTC().Format(keyTime)+"|"+eu))
	}
	return u
}

// summaryUpdate is ch as one transaction item of the write that causes it.
func (s *Store) summaryUpdate(schoolID string, ch summaryChange) (txItem, error) {
	return s.update(summaryKey(schoolID), expression.NewBuilder().WithUpdate(summaryExpr(schoolID, ch)), nil)
}

// applySummary applies ch on its own (the import's writes go in batches, which cannot
// update; every change is idempotent, so a re-run repeats it harmlessly).
func (s *Store) applySummary(ctx context.Context, schoolID string, ch summaryChange) error {
	_, err := s.updateItem(ctx, summaryKey(schoolID), expression.NewBuilder().WithUpdate(summaryExpr(schoolID, ch)), nil)
	return err
}

var errLaterActivity = errors.New("ddb: a later activity is already counted")

// summaryOf reads a stored summary item.
func summaryOf(it map[string]types.AttributeValue) (certification.Summary, error) {
	sum := certification.Summary{SchoolID: str(it, "schoolId"), Country: str(it, "country"),
		LastActive: map[string]time.Time{}, Projects: map[string]certification.ProjectFacts{}}
	var err error
	parse := func(layout, v string) time.Time {
		t, e := time.Parse(layout, v)
		if e != nil && err == nil {
			err = fmt.Errorf("ddb: summary of %s: %w", sum.SchoolID, e)
		}
		return t
	}
	if v := str(it, "registeredAt"); v != "" {
		sum.RegisteredAt = parse(keyTime, v)
	}
	for name, v := range it {
		switch {
		case name == sumMembers:
			if ss, ok := v.(*types.AttributeValueMemberSS); ok {
				sum.Members = ss.Value
			}
		case strings.HasPrefix(name, sumActivity):
			sum.LastActive[name[len(sumActivity):]] = parse(activityTime, str(it, name))
		case strings.HasPrefix(name, sumProjMembers), strings.HasPrefix(name, sumProjAt),
			strings.HasPrefix(name, sumProjClosed), strings.HasPrefix(name, sumProjEU):
			prefix, id, _ := strings.Cut(name, "#")
			p := sum.Projects[id]
			switch prefix + "#" {
			case sumProjMembers:
				if ss, ok := v.(*types.AttributeValueMemberSS); ok {
					p.Members = ss.Value
				}
			case sumProjAt:
				p.ApprovedAt = parse(keyTime, str(it, name))
			case sumProjClosed:
				t := parse(keyTime, str(it, name))
				p.ClosedAt = &t
			case sumProjEU:
				b, _ := v.(*types.AttributeValueMemberBOOL)
				p.European = b != nil && b.Value
			}
			sum.Projects[id] = p
		case strings.HasPrefix(name, sumLabel):
			rest := name[len(sumLabel):]
			i := strings.LastIndexByte(rest, '#')
			at, eu, _ := strings.Cut(str(it, name), "|")
			if i < 0 {
				continue
			}
			sum.Labels = append(sum.Labels, certification.LabelFacts{ProjectID: rest[:i], Kind: rest[i+1:],
				AwardedAt: parse(keyTime, at), European: eu == "1"})
		}
	}
	slices.Sort(sum.Members)
	slices.SortFunc(sum.Labels, func(a, b certification.LabelFacts) int {
		return strings.Compare(a.ProjectID+"#"+a.Kind, b.ProjectID+"#"+b.Kind)
	})
	return sum, err
}

// SchoolSummary reads one school's summary (found false: nothing recorded yet).
func (s *Store) SchoolSummary(ctx context.Context, schoolID string) (certification.Summary, bool, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: summaryKey(schoolID), ConsistentRead: aws.Bool(true)})
	if err != nil || res.Item == nil {
		return certification.Summary{SchoolID: schoolID}, false, err
	}
	sum, err := summaryOf(res.Item)
	return sum, true, err
}

// Shards implements certification.SweepStore.
func (s *Store) Shards() int { return SweepShards }

// SummaryPage implements certification.SweepStore: one page of a Query of GSI1 partition
// sweepShardPK(shard), in school-id order (eventually consistent: a summary written during
// the sweep may be judged at the next run).
func (s *Store) SummaryPage(ctx context.Context, shard int, after string, limit int) ([]certification.Summary, string, error) {
	pk := sweepShardPK(shard)
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("GSI1PK").Equal(expression.Value(pk))).Build()
	if err != nil {
		return nil, "", err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	if after != "" {
		in.ExclusiveStartKey = summaryKey(after)
		in.ExclusiveStartKey["GSI1PK"] = &types.AttributeValueMemberS{Value: pk}
		in.ExclusiveStartKey["GSI1SK"] = &types.AttributeValueMemberS{Value: after}
	}
	items, next, err := s.queryPage(ctx, in, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]certification.Summary, len(items))
	for i, it := range items {
		if out[i], err = summaryOf(it); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// checkpointItem is a segment's progress in a round's sweep (CERTWINDOWS /
// SWEEP#<year>#<shard>).
type checkpointItem struct {
	After    string `dynamodbav:"after"`
	Done     bool   `dynamodbav:"done"`
	Schools  int    `dynamodbav:"schools"`
	Eligible int    `dynamodbav:"eligible"`
	Invited  int    `dynamodbav:"invited"`
	Version  int    `dynamodbav:"version"`
}

// Checkpoint implements certification.SweepStore (one consistent GetItem; none yet: the
// segment's start).
func (s *Store) Checkpoint(ctx context.Context, year, shard int) (certification.Checkpoint, error) {
	var it checkpointItem
	_, err := s.get(ctx, key(pkCertWindows, sweepCheckpointSK(year, shard)), &it)
	return certification.Checkpoint(it), err
}

// Advance implements certification.SweepStore: one write conditioned on the version read.
func (s *Store) Advance(ctx context.Context, year, shard int, prev, next certification.Checkpoint) (bool, error) {
	next.Version = prev.Version + 1
	it, err := item(pkCertWindows, sweepCheckpointSK(year, shard), "sweepCheckpoint", checkpointItem(next))
	if err != nil {
		return false, err
	}
	cond := expression.AttributeNotExists(expression.Name("PK"))
	if prev.Version > 0 {
		cond = expression.Name("version").Equal(expression.Value(prev.Version))
	}
	e, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.tableName(), Item: it, ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, err
}

// PutVerdicts implements certification.SweepStore (batches of 25).
func (s *Store) PutVerdicts(ctx context.Context, vs []certification.Verdict) error {
	reqs := make([]types.WriteRequest, 0, len(vs))
	for _, v := range vs {
		it, err := item(schoolPK(v.SchoolID), certVerdictSK(v.Year), "certVerdict", verdictItemOf(v))
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	return s.batchWrite(ctx, reqs)
}

// Invited implements certification.SweepStore: one consistent Query of the school's
// CERTINVITE#<year># items, keys only.
func (s *Store) Invited(ctx context.Context, year int, schoolID string) (map[string]bool, error) {
	prefix := certInviteSK(year, "")
	in, err := partition{PK: schoolPK(schoolID), Prefix: prefix, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return nil, err
	}
	in.ProjectionExpression = aws.String("SK")
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(items))
	for _, it := range items {
		out[strings.TrimPrefix(str(it, "SK"), prefix)] = true
	}
	return out, nil
}

// Recipients implements certification.SweepStore (BatchGetItem of the members).
func (s *Store) Recipients(ctx context.Context, ids []string) (map[string]notify.Recipient, error) {
	ms, err := s.GetMembers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]notify.Recipient, len(ms))
	for id, m := range ms {
		out[id] = notify.RecipientOf(m)
	}
	return out, nil
}

// invitesPerTx: 3 items per invitation (the marker, the notification, its e-mail) within
// DynamoDB's 100 per transaction.
const invitesPerTx = 30

type inviteItem struct {
	SchoolID       string    `dynamodbav:"schoolId"`
	MemberID       string    `dynamodbav:"memberId"`
	Year           int       `dynamodbav:"year"`
	NotificationID string    `dynamodbav:"notificationId"`
	InvitedAt      time.Time `dynamodbav:"invitedAt"`
}

// Invite implements certification.SweepStore: the invitations in transactions of
// invitesPerTx, each invitation's marker (put only if absent), notification and e-mail
// together. When a chunk fails because another run recorded one of its invitations first,
// each of the chunk's invitations goes on its own, and those already recorded are skipped.
func (s *Store) Invite(ctx context.Context, year int, schoolID string, ns []notify.Notification) (int, error) {
	itemsOf := func(n notify.Notification) ([]txItem, error) {
		marker, err := item(schoolPK(schoolID), certInviteSK(year, n.RecipientID), "certInvite",
			inviteItem{SchoolID: schoolID, MemberID: n.RecipientID, Year: year, NotificationID: n.ID, InvitedAt: n.CreatedAt})
		if err != nil {
			return nil, err
		}
		notes, err := s.notificationItems(n)
		if err != nil {
			return nil, err
		}
		return append([]txItem{s.putNew(marker, fail(errInvited))}, notes...), nil
	}
	invited := 0
	for start := 0; start < len(ns); start += invitesPerTx {
		chunk := ns[start:min(start+invitesPerTx, len(ns))]
		var items []txItem
		for _, n := range chunk {
			its, err := itemsOf(n)
			if err != nil {
				return invited, err
			}
			items = append(items, its...)
		}
		err := s.transact(ctx, items)
		if err == nil {
			invited += len(chunk)
			continue
		}
		if !errors.Is(err, errInvited) {
			return invited, err
		}
		for _, n := range chunk {
			its, err := itemsOf(n)
			if err != nil {
				return invited, err
			}
			switch err := s.transact(ctx, its); {
			case err == nil:
				invited++
			case !errors.Is(err, errInvited):
				return invited, err
			}
		}
	}
	return invited, nil
}

var errInvited = errors.New("ddb: this teacher is invited already")

// TakeStep implements certification.JobStore: a put-if-absent of CERTWINDOWS /
// STEP#<year>#<step>.
func (s *Store) TakeStep(ctx context.Context, year int, step string, at time.Time) (bool, error) {
	it, err := item(pkCertWindows, certStepSK(year, step), "certStep", struct {
		Year int       `dynamodbav:"year"`
		Step string    `dynamodbav:"step"`
		At   time.Time `dynamodbav:"at"`
	}{year, step, at.UTC()})
	if err != nil {
		return false, err
	}
	err = s.putIfAbsent(ctx, it)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, err
}
