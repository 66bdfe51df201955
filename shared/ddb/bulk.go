package ddb

import (
	"context"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/certification"
	"etwin/shared/importer"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/school"
)

// The bulk import (docs/import.md, "Into a new table") writes each thing as plain,
// deterministic puts: the same line always gives the same items, so writing them again
// changes nothing. Its core items are written first, its search-index entries by the
// index pass after them.

// BulkSchoolItems are a school's items: core (the school and its duplicate guard) and its
// name-index entries. (Its summary and counters are written once, at the end.)
func (s *Store) BulkSchoolItems(sc school.School) (core, index []map[string]types.AttributeValue, err error) {
	si, guard, err := schoolCoreItems(sc)
	if err != nil {
		return nil, nil, err
	}
	entries, err := s.schoolIndexPuts(sc)
	if err != nil {
		return nil, nil, err
	}
	return []map[string]types.AttributeValue{si, guard}, putItems(entries), nil
}

// BulkMemberItems are a member's items (memberIndex's among them): core (the member item,
// recording the keys of its index items, its username and e-mail guards, its school
// links) and its name-word entries (BulkMemberIndex).
func (s *Store) BulkMemberItems(m member.Member) (core, index []map[string]types.AttributeValue, err error) {
	links, index, keys, err := memberIndexParts(m)
	if err != nil {
		return nil, nil, err
	}
	mi, err := newMemberItem(m, keys)
	if err != nil {
		return nil, nil, err
	}
	core = []map[string]types.AttributeValue{mi}
	if m.Email != "" { // (generated test members may have none)
		eg, err := item(emailPK(emailKey(m.Email)), skEmail, "email", emailGuard{MemberID: m.MemberID})
		if err != nil {
			return nil, nil, err
		}
		core = append(core, eg)
	}
	if m.Username != "" {
		ug, err := item(usernamePK(member.UsernameKey(m.Username)), skUsername, "username",
			usernameGuard{Username: m.Username, Holder: holderMember, MemberID: m.MemberID})
		if err != nil {
			return nil, nil, err
		}
		core = append(core, ug)
	}
	return append(core, links...), index, nil
}

// BulkMemberIndex is the name-word entries of a member (the index pass writes these; its
// school links went with the core items).
func BulkMemberIndex(m member.Member) ([]map[string]types.AttributeValue, error) {
	_, entries, _, err := memberIndexParts(m)
	return entries, err
}

// putItems are the items of transaction puts.
func putItems(txs []txItem) []map[string]types.AttributeValue {
	out := make([]map[string]types.AttributeValue, 0, len(txs))
	for _, t := range txs {
		if t.write.Put != nil {
			out = append(out, t.write.Put.Item)
		}
	}
	return out
}

// BulkPut writes items with plain puts (BatchWriteItem, 25 at a time, unprocessed items
// retried with the Store's backoff).
func (s *Store) BulkPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	return s.batchWrite(ctx, reqs)
}

// BulkLoad writes members and schools straight into the table (generated data sets for
// tests and benchmarks): each school's and member's core items and index entries (the
// bulk import's items, BulkSchoolItems and BulkMemberItems), without summaries or
// counters.
func (s *Store) BulkLoad(ctx context.Context, members []member.Member, schools []school.School) error {
	var all []map[string]types.AttributeValue
	for _, sc := range schools {
		core, index, err := s.BulkSchoolItems(sc)
		if err != nil {
			return err
		}
		all = append(append(all, core...), index...)
	}
	for _, m := range members {
		core, index, err := s.BulkMemberItems(m)
		if err != nil {
			return err
		}
		all = append(append(all, core...), index...)
	}
	// (generated schools may share a name in a city: their duplicate guards share a key,
	// which one BatchWriteItem refuses twice; one of them is kept)
	seen := make(map[string]bool, len(all))
	kept := make([]map[string]types.AttributeValue, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if ref := keyRef(str(all[i], "PK"), str(all[i], "SK")); !seen[ref] {
			seen[ref] = true
			kept = append(kept, all[i])
		}
	}
	return s.BulkPut(ctx, kept)
}

// batchWrite runs BatchWriteItem in batches of 25; unprocessed items are retried with the
// Store's retry policy (waitUnprocessed: bounded, and ended by ctx).
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		pending := map[string][]types.WriteRequest{s.table: reqs[:n]}
		reqs = reqs[n:]
		for attempt := 1; ; attempt++ {
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			if pending = out.UnprocessedItems; len(pending) == 0 {
				break
			}
			if err := s.db.waitUnprocessed(ctx, attempt); err != nil {
				return err
			}
		}
	}
	return nil
}

// BulkProjectItems are an imported project's items as ImportProject stores a new one: the
// project (with the countries it spans and whether it counts as active at now), its entry
// in the NSO queue of each country yet to decide, and its partners.
func (s *Store) BulkProjectItems(p project.Project, partners []project.Partner, countries []string, now time.Time) ([]map[string]types.AttributeValue, error) {
	p.Imported = true
	if p.Status == project.AwaitingNSO && p.SubmittedAt == nil {
		at := p.CreatedAt
		p.SubmittedAt = &at
	}
	next := importedProject{projectItem: newProjectItem(p), Countries: countries, CountedActive: p.Active(now)}
	it, err := item(projectPK(p.ProjectID), skProject, "project", next)
	if err != nil {
		return nil, err
	}
	out := []map[string]types.AttributeValue{it}
	for _, c := range undecided(next.toProject()) {
		q, err := s.queueEntryPut(next.toProject(), c)
		if err != nil {
			return nil, err
		}
		out = append(out, q.write.Put.Item)
	}
	for _, pt := range partners {
		it, err := s.partnerPut(p, pt)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// BulkProjectFacts are what an imported approved or closed project adds to the summary of
// each of its partners' schools (importedProjectSummaries), by school.
func BulkProjectFacts(p project.Project, partners []project.Partner, countries []string) map[string]certification.ProjectFacts {
	if p.Status != project.Approved && p.Status != project.Closed {
		return nil
	}
	out := map[string]certification.ProjectFacts{}
	for _, pt := range partners {
		if pt.SchoolID == "" {
			continue
		}
		f := approvedFact(p, pt.MemberID)
		pf := out[pt.SchoolID]
		pf.Members = append(pf.Members, pt.MemberID)
		pf.ApprovedAt, pf.ClosedAt, pf.European = *f.ApprovedAt, f.ClosedAt, len(countries) > 1
		out[pt.SchoolID] = pf
	}
	return out
}

// BulkLabelItems are a label's two items (under the project and under the school), as
// ImportLabels writes them.
func BulkLabelItems(l project.Label) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	for _, k := range []map[string]types.AttributeValue{
		key(projectPK(l.ProjectID), projectLabelSK(l.Kind, l.SchoolID)),
		key(schoolPK(l.SchoolID), schoolLabelSK(l.ProjectID, l.Kind)),
	} {
		it, err := item(str(k, "PK"), str(k, "SK"), "label", labelItem(l))
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// BulkActivityItem is an imported activity's item, as ImportActivity writes it.
func BulkActivityItem(a Activity) (map[string]types.AttributeValue, error) {
	at := a.At.UTC().Format(activityTime)
	return item(memberPK(a.MemberID), activitySK(at, a.Kind, a.SchoolID), "activity",
		activityItem{MemberID: a.MemberID, Kind: a.Kind, At: at, SchoolID: a.SchoolID})
}

// ActivityTime is an activity's time as the summaries keep it (to the nanosecond), for
// comparing latest activities.
func ActivityTime(t time.Time) time.Time {
	v, _ := time.Parse(activityTime, t.UTC().Format(activityTime))
	return v
}

// BulkSummaryItem is a school's whole summary as one item (the bulk import sums a school's
// facts in memory and writes them once).
func BulkSummaryItem(sum certification.Summary) map[string]types.AttributeValue {
	return summaryItem(sum)
}

// ImportState is the checkpoint of a bulk import of one file (IMPORTS / <digest>):
// whether the first run found the table empty (then the runs of that file write plain
// puts), how far the core passes and the index pass got, and whether it ended.
type ImportState struct {
	Digest string `dynamodbav:"digest"`
	Fresh  bool   `dynamodbav:"fresh"`
	// CoreDone: every core item, summary and counter is written.
	CoreDone bool `dynamodbav:"coreDone"`
	// IndexLine: every index entry of the lines up to this one is written.
	IndexLine int  `dynamodbav:"indexLine"`
	Done      bool `dynamodbav:"done"`
	// Empty: the first run found no item at all (no account either: no guard to look up).
	Empty bool `dynamodbav:"empty"`
}

// GetImportState reads the checkpoint of the import of the file digest (found false: none).
func (s *Store) GetImportState(ctx context.Context, digest string) (ImportState, bool, error) {
	var st ImportState
	found, err := s.get(ctx, key(importsPK, digest), &st)
	return st, found, err
}

// PutImportState writes the checkpoint.
func (s *Store) PutImportState(ctx context.Context, st ImportState) error {
	it, err := item(importsPK, st.Digest, "importState", st)
	if err != nil {
		return err
	}
	return s.BulkPut(ctx, []map[string]types.AttributeValue{it})
}

// BulkStaffItems are a staff account's items as CreateAccount writes them (the account,
// its guards, an NSO's entry in its country's list of NSO accounts), for an import into
// files (a table takes staff lines through ImportStaff).
func (s *Store) BulkStaffItems(m member.Member) ([]map[string]types.AttributeValue, error) {
	core, _, err := s.BulkMemberItems(m)
	if err != nil || m.Role != member.RoleNSO || m.Country == "" {
		return core, err
	}
	entry, err := item(nsoAccountsPK(m.Country), memberPK(m.MemberID), "nsoAccount", nsoAccountItem{MemberID: m.MemberID})
	return append(core, entry), err
}

// ImportGuardsTaken looks up the username and e-mail guards of member lines (one
// BatchGetItem per 50 lines) and returns "username:<id>" and "email:<id>" for each line
// whose username or address another account holds (the bulk import into a table that
// already had accounts).
func (s *Store) ImportGuardsTaken(ctx context.Context, ls []*importer.Member) (map[string]bool, error) {
	var keys []map[string]types.AttributeValue
	for _, l := range ls {
		keys = append(keys, key(usernamePK(member.UsernameKey(l.Username)), skUsername), key(emailPK(emailKey(l.Email)), skEmail))
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, l := range ls {
		if it, ok := found[keyRef(usernamePK(member.UsernameKey(l.Username)), skUsername)]; ok && str(it, "memberId") != l.ID {
			taken["username:"+l.ID] = true
		}
		if it, ok := found[keyRef(emailPK(emailKey(l.Email)), skEmail)]; ok && str(it, "memberId") != l.ID {
			taken["email:"+l.ID] = true
		}
	}
	return taken, nil
}

// BulkStored reports whether the table holds exactly items (one consistent BatchGetItem per
// 100 keys; sets compared in any order): a re-import's test that its lines are unchanged.
func (s *Store) BulkStored(ctx context.Context, items []map[string]types.AttributeValue) (bool, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		ref := keyRef(str(it, "PK"), str(it, "SK"))
		if !seen[ref] {
			seen[ref] = true
			keys = append(keys, key(str(it, "PK"), str(it, "SK")))
		}
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return false, err
	}
	for _, it := range items {
		stored, ok := found[keyRef(str(it, "PK"), str(it, "SK"))]
		if !ok || !reflect.DeepEqual(sortSets(&types.AttributeValueMemberM{Value: stored}), sortSets(&types.AttributeValueMemberM{Value: it})) {
			return false, nil
		}
	}
	return true, nil
}

// AnyImportState reports whether a bulk import of any file has begun in the table (one
// Query of one item).
func (s *Store) AnyImportState(ctx context.Context) (bool, error) {
	in, err := partition{PK: importsPK, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return false, err
	}
	in.Limit = aws.Int32(1)
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return false, err
	}
	return len(out.Items) > 0, nil
}

// TableEmpty reports whether the table holds no item at all: a Scan of one key, the bulk
// import's test of a new table (never on a request path).
func (s *Store) TableEmpty(ctx context.Context) (bool, error) {
	out, err := s.db.Scan(ctx, &dynamodb.ScanInput{TableName: s.tableName(), Limit: aws.Int32(1), ProjectionExpression: aws.String("PK")})
	if err != nil {
		return false, err
	}
	return len(out.Items) == 0, nil
}
