package ddb

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/importer"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/staff"
	"etwin/shared/stats"
)

// The bulk import (infra/loader, docs/import.md) writes through these methods. Every thing
// is keyed by its imported id; a thing that is new is created with conditional writes
// that also move the statistics (so counters count each thing once, however often the
// file is imported); a thing already stored is compared with the line and rewritten only
// when it differs (never renamed: another username, e-mail or school name is a line
// error). Writes that need no condition (search-index entries, school links, partners,
// labels) go through BatchWriteItem.

// ImportOutcome says what an import of one thing did.
type ImportOutcome int

const (
	Unchanged ImportOutcome = iota
	Created
	Updated
)

// GetMembers reads accounts by id (BatchGetItem, consistent; ids may repeat); absent ids
// are not in the map.
func (s *Store) GetMembers(ctx context.Context, ids []string) (map[string]member.Member, error) {
	keys := keysOf(ids, func(id string) map[string]types.AttributeValue { return key(memberPK(id), skProfile) })
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]member.Member, len(found))
	for _, it := range found {
		var mi memberItem
		if err := attributevalue.UnmarshalMap(it, &mi); err != nil {
			return nil, err
		}
		out[mi.MemberID] = mi.toMember()
	}
	return out, nil
}

// mergeStored is the imported account m as it replaces stored: the identity must not
// change; what the member chose since (password when the line has none, preferences) and
// the failed-login window stay.
func mergeStored(stored, m member.Member) (member.Member, error) {
	if member.UsernameKey(stored.Username) != member.UsernameKey(m.Username) ||
		member.NormalizeEmail(stored.Email) != member.NormalizeEmail(m.Email) || stored.Role != m.Role {
		return m, importer.ErrIdentityChanged
	}
	if m.PasswordHash == "" {
		m.PasswordHash = stored.PasswordHash
	}
	m.FailedLogins, m.FailedLoginWindow = stored.FailedLogins, stored.FailedLoginWindow
	m.EmailNotifications, m.HiddenFields, m.MutedEmailKinds = stored.EmailNotifications, stored.HiddenFields, stored.MutedEmailKinds
	return m, nil
}

// same reports whether a and b are stored the same (sets in any order).
func same(a, b any) bool {
	ma, err1 := attributevalue.MarshalMap(a)
	mb, err2 := attributevalue.MarshalMap(b)
	return err1 == nil && err2 == nil && reflect.DeepEqual(sortSets(&types.AttributeValueMemberM{Value: ma}), sortSets(&types.AttributeValueMemberM{Value: mb}))
}

// sortSets orders the string sets inside v (DynamoDB returns sets in any order).
func sortSets(v types.AttributeValue) types.AttributeValue {
	switch t := v.(type) {
	case *types.AttributeValueMemberSS:
		ss := append([]string{}, t.Value...)
		sort.Strings(ss)
		return &types.AttributeValueMemberSS{Value: ss}
	case *types.AttributeValueMemberM:
		m := make(map[string]types.AttributeValue, len(t.Value))
		for k, x := range t.Value {
			m[k] = sortSets(x)
		}
		return &types.AttributeValueMemberM{Value: m}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(t.Value))
		for i, x := range t.Value {
			l[i] = sortSets(x)
		}
		return &types.AttributeValueMemberL{Value: l}
	}
	return v
}

// ImportStaff stores a staff account (as CreateAccount when new; no statistics, no
// search index).
func (s *Store) ImportStaff(ctx context.Context, m member.Member) (ImportOutcome, error) {
	return retryStale(ctx, 3, importer.ErrCreatedMeanwhile, func() (ImportOutcome, error) {
		var cur memberItem
		found, err := s.get(ctx, key(memberPK(m.MemberID), skProfile), &cur)
		if err != nil {
			return Unchanged, err
		}
		if !found {
			err := s.CreateAccount(ctx, m)
			switch {
			case err == nil:
				return Created, nil
			case errors.Is(err, registration.ErrLinkSpent):
				return Unchanged, errStale // created meanwhile: compare with it
			case errors.Is(err, staff.ErrUsernameTaken):
				return Unchanged, importer.ErrUsernameTaken
			case errors.Is(err, staff.ErrEmailTaken):
				return Unchanged, importer.ErrEmailTaken
			}
			return Unchanged, err
		}
		merged, err := mergeStored(cur.toMember(), m)
		if err != nil {
			return Unchanged, err
		}
		if same(memberItemOf(merged), memberItemOf(cur.toMember())) {
			return Unchanged, nil
		}
		it, err := item(memberPK(m.MemberID), skProfile, "member", memberItemOf(merged))
		if err != nil {
			return Unchanged, err
		}
		return Updated, s.transact(ctx, []txItem{s.put(it)})
	})
}

// ImportNewMembers creates teachers that are not stored yet: their member items, username
// and e-mail guards and the teacher counters, several members to a transaction (all or
// nothing; when one of them clashes, the chunk is retried member by member so that only
// that line fails), then the created ones' search-index entries and school links in
// batches. errs[i] is the error of ms[i] (a guard held by another account); err is a
// failure of the batch.
func (s *Store) ImportNewMembers(ctx context.Context, ms []member.Member) (errs []error, err error) {
	errs = make([]error, len(ms))
	var reqs []types.WriteRequest
	created := func(m member.Member, idx []map[string]types.AttributeValue) error {
		for _, it := range idx { // (its school links among them)
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		return nil
	}
	for start := 0; start < len(ms); start += membersPerTx {
		chunk := ms[start:min(start+membersPerTx, len(ms))]
		var items []txItem
		idxs := make([][]map[string]types.AttributeValue, len(chunk))
		perCountry := map[string]int64{}
		for i, m := range chunk {
			var its []txItem
			if its, idxs[i], err = s.newTeacherItems(m); err != nil {
				return nil, err
			}
			items = append(items, its...)
			perCountry[m.Country]++
		}
		counters, err := s.teacherCounters(perCountry)
		if err != nil {
			return nil, err
		}
		err = s.transact(ctx, append(items, counters...))
		if apperrConflict(err) {
			return nil, err
		}
		if err == nil {
			for i, m := range chunk {
				if err := created(m, idxs[i]); err != nil {
					return nil, err
				}
			}
			continue
		}
		// One of them clashes: find which, one by one.
		for i, m := range chunk {
			its, _, err := s.newTeacherItems(m)
			if err != nil {
				return nil, err
			}
			counters, err := s.teacherCounters(map[string]int64{m.Country: 1})
			if err != nil {
				return nil, err
			}
			if errs[start+i] = s.transact(ctx, append(its, counters...)); errs[start+i] != nil {
				if apperrConflict(errs[start+i]) {
					return nil, errs[start+i]
				}
				continue
			}
			if err := created(m, idxs[i]); err != nil {
				return nil, err
			}
		}
	}
	// the schools' summaries learn their new teachers before the links are written: a run
	// killed in between leaves a link missing, which ImportRepairMembers writes again with
	// the (idempotent) summary update
	for i, m := range ms {
		if errs[i] != nil {
			continue
		}
		for _, r := range m.Schools {
			if err := s.applySummary(ctx, r.SchoolID, summaryChange{Join: []string{m.MemberID}}); err != nil {
				return errs, err
			}
		}
	}
	return errs, s.batchWrite(ctx, reqs)
}

// membersPerTx: members created per transaction by the import: 3 items each plus the
// counters (one per country of the chunk and "ALL"): 24×3 + 24 + 1 = 97, within
// DynamoDB's 100 items per transaction.
const membersPerTx = 24

// newTeacherItems are the conditional writes that create an imported teacher (member,
// e-mail guard, username guard) and the member's search-index items (written after).
func (s *Store) newTeacherItems(m member.Member) ([]txItem, []map[string]types.AttributeValue, error) {
	idx, keys, err := memberIndex(m)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.newMemberItems(m, keys)
	if err != nil {
		return nil, nil, err
	}
	items[0].onFail = fail(importer.ErrEmailTaken)
	items[1].onFail = fail(importer.ErrCreatedMeanwhile)
	guard, err := item(usernamePK(member.UsernameKey(m.Username)), skUsername, "username",
		usernameGuard{Username: m.Username, Holder: holderMember, MemberID: m.MemberID})
	if err != nil {
		return nil, nil, err
	}
	return append(items, s.putNew(guard, fail(importer.ErrUsernameTaken))), idx, nil
}

// teacherCounters adds perCountry's teachers to their countries and their sum to "ALL",
// one counter item per scope (a transaction may not touch an item twice).
func (s *Store) teacherCounters(perCountry map[string]int64) ([]txItem, error) {
	var total int64
	var items []txItem
	for c, n := range perCountry {
		total += n
		if c == "" || c == stats.All {
			continue
		}
		it, err := s.statsUpdate(c, stats.Delta{Teachers: n})
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	all, err := s.statsUpdate(stats.All, stats.Delta{Teachers: total})
	return append(items, all), err
}

// apperrConflict reports the store's "busy" error (not a line's fault).
func apperrConflict(err error) bool { return errors.Is(err, errBusy) }

// ImportExistingMember rewrites a stored teacher from the line when it differs: the
// member item, its search index (commitMember) and its school links, in the member's
// usual versioned way. The statistics do not move (the teacher is counted already).
func (s *Store) ImportExistingMember(ctx context.Context, m member.Member) (ImportOutcome, error) {
	return retryStale(ctx, 5, errBusy, func() (ImportOutcome, error) {
		var cur memberItem
		found, err := s.get(ctx, key(memberPK(m.MemberID), skProfile), &cur)
		if err != nil {
			return Unchanged, err
		}
		if !found {
			return Unchanged, importer.ErrCreatedMeanwhile
		}
		merged, err := mergeStored(cur.toMember(), m)
		if err != nil {
			return Unchanged, err
		}
		if same(memberItemOf(merged), memberItemOf(cur.toMember())) {
			return Unchanged, nil
		}
		was := cur.toMember()
		err = s.commitMember(ctx, &was, merged, cur.IndexVersion, cur.IndexKeys, func(indexKeys []string) ([]txItem, error) {
			mi, err := newMemberItem(merged, indexKeys)
			if err != nil {
				return nil, err
			}
			mi["indexVersion"] = &types.AttributeValueMemberN{Value: strconv.Itoa(cur.IndexVersion + 1)}
			e, err := expression.NewBuilder().WithCondition(versionIs(cur.IndexVersion)).Build()
			if err != nil {
				return nil, err
			}
			items := []txItem{{write: types.TransactWriteItem{Put: &types.Put{TableName: s.tableName(), Item: mi,
				ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}},
				onFail: fail(errStale)}}
			for _, r := range merged.Schools {
				if !cur.hasSchool(r.SchoolID) { // (commitMember writes the link, an index item)
					sum, err := s.summaryUpdate(r.SchoolID, summaryChange{Join: []string{m.MemberID}})
					if err != nil {
						return nil, err
					}
					items = append(items, sum)
				}
			}
			for _, r := range cur.Schools {
				if !merged.HasSchool(r.SchoolID) {
					sum, err := s.summaryUpdate(r.SchoolID, summaryChange{Leave: []string{m.MemberID}})
					if err != nil {
						return nil, err
					}
					items = append(items, sum) // (and commitMember deletes the link)
				}
			}
			return items, nil
		})
		if err != nil {
			return Unchanged, err
		}
		return Updated, nil
	})
}

// ImportSchool stores a school: when new, with its duplicate guard, its name index and +1
// school in its country, in one transaction (schoolItems, as registration does); when
// stored under the same name, city and country, rewritten if it differs.
func (s *Store) ImportSchool(ctx context.Context, sc school.School) (ImportOutcome, error) {
	return retryStale(ctx, 3, importer.ErrCreatedMeanwhile, func() (ImportOutcome, error) {
		var cur schoolItem
		found, err := s.get(ctx, key(schoolPK(sc.SchoolID), skSchool), &cur)
		if err != nil {
			return Unchanged, err
		}
		if !found {
			items, err := s.schoolItems(&sc, sc.SchoolID, func(id string) error { return &importer.DuplicateSchoolError{SchoolID: id} },
				importer.ErrCreatedMeanwhile)
			if err != nil {
				return Unchanged, err
			}
			counters, err := s.statsUpdates(stats.Delta{Schools: 1}, sc.Country)
			if err != nil {
				return Unchanged, err
			}
			sum, err := s.summaryUpdate(sc.SchoolID, summaryChange{School: &sc})
			if err != nil {
				return Unchanged, err
			}
			err = s.transact(ctx, append(append(items, counters...), sum))
			if errors.Is(err, importer.ErrCreatedMeanwhile) {
				return Unchanged, errStale // created meanwhile: compare with it
			}
			if err != nil {
				return Unchanged, err
			}
			return Created, nil
		}
		stored := cur.school()
		c1, t1, n1 := stored.DuplicateKey()
		c2, t2, n2 := sc.DuplicateKey()
		if c1 != c2 || t1 != t2 || n1 != n2 {
			return Unchanged, importer.ErrIdentityChanged
		}
		if same(cur.schoolFields, schoolFields(sc)) {
			return Unchanged, nil
		}
		// Same folded name: the same index keys, rewritten with the new display fields.
		items, err := s.schoolItems(&sc, sc.SchoolID, nil, nil)
		if err != nil {
			return Unchanged, err
		}
		for i := range items {
			if p := items[i].write.Put; p != nil {
				items[i] = s.put(p.Item)
			}
		}
		sum, err := s.summaryUpdate(sc.SchoolID, summaryChange{School: &sc})
		if err != nil {
			return Unchanged, err
		}
		return Updated, s.transact(ctx, append(items, sum))
	})
}

// ErrNotImported: the project id belongs to a project made through the API.
var ErrNotImported = errors.New("a project with this id was created through the API; the import does not replace it")

// importedProject is an imported project: the countries of its founders' and partners'
// schools and whether it was counted as active when imported.
type importedProject struct {
	projectItem            // the project, and its reminder entry while one is due
	Countries     []string `dynamodbav:"countries,stringset,omitempty"`
	CountedActive bool     `dynamodbav:"countedActive"`
}

// ImportProject stores a project and its partners. The project item carries the countries
// it spans and whether it counts as active (now); the activeProjects counters of those
// countries move in the same transaction as the project item, by the difference with
// what the stored item counted, so re-imports count a project once. Partners are (re)put
// in batches every time (idempotent).
func (s *Store) ImportProject(ctx context.Context, p project.Project, partners []project.Partner, countries []string, now time.Time) (ImportOutcome, error) {
	p.Imported = true
	if p.Status == project.AwaitingNSO && p.SubmittedAt == nil {
		at := p.CreatedAt // it reached the NSOs no later than that, for the queue's order
		p.SubmittedAt = &at
	}
	next := importedProject{projectItem: newProjectItem(p), Countries: countries, CountedActive: p.Active(now)}
	outcome, err := retryStale(ctx, 3, errBusy, func() (ImportOutcome, error) {
		outcome := Unchanged
		var cur importedProject
		found, err := s.get(ctx, key(projectPK(p.ProjectID), skProject), &cur)
		if err != nil {
			return Unchanged, err
		}
		if found && !cur.Imported {
			return Unchanged, ErrNotImported
		}
		if found && same(cur, next) {
			return Unchanged, nil
		}
		it, err := item(projectPK(p.ProjectID), skProject, "project", next)
		if err != nil {
			return Unchanged, err
		}
		var items []txItem
		if found {
			// replace exactly what was read
			e, err := expression.NewBuilder().WithCondition(expression.Name("version").Equal(expression.Value(cur.Version)).
				And(expression.Name("updatedAt").Equal(expression.Value(cur.UpdatedAt)))).Build()
			if err != nil {
				return Unchanged, err
			}
			items = append(items, txItem{write: types.TransactWriteItem{Put: &types.Put{TableName: s.tableName(), Item: it,
				ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}},
				onFail: fail(errStale)})
			outcome = Updated
		} else {
			items = append(items, s.putNew(it, fail(errStale)))
			outcome = Created
		}
		switch {
		case next.CountedActive && !(found && cur.CountedActive):
			// counted in its founders' countries, as the NSO approval counts it
			c, err := s.statsUpdates(stats.Delta{ActiveProjects: 1}, p.NSOCountries...)
			if err != nil {
				return Unchanged, err
			}
			items = append(items, c...)
		case found && cur.CountedActive && !next.CountedActive:
			c, err := s.statsUpdates(stats.Delta{ActiveProjects: -1}, cur.NSOCountries...)
			if err != nil {
				return Unchanged, err
			}
			items = append(items, c...)
		}
		// A project awaiting the NSOs waits in the queue of each country yet to decide; a
		// re-import that moves it on takes it out.
		queued := map[string]bool{}
		for _, c := range undecided(next.toProject()) {
			q, err := s.queueEntryPut(next.toProject(), c)
			if err != nil {
				return Unchanged, err
			}
			items = append(items, q)
			queued[c+next.SubmittedAt.String()] = true
		}
		if found {
			for _, c := range undecided(cur.toProject()) {
				if cur.SubmittedAt != nil && queued[c+cur.SubmittedAt.String()] {
					continue // the put above replaces it
				}
				q, err := s.queueEntryDelete(cur.toProject(), c)
				if err != nil {
					return Unchanged, err
				}
				items = append(items, q)
			}
		}
		if err := s.transact(ctx, items); err != nil {
			return Unchanged, err
		}
		return outcome, nil
	})
	if err != nil {
		return Unchanged, err
	}
	var reqs []types.WriteRequest
	listed := map[string]bool{}
	for _, pt := range partners {
		it, err := s.partnerPut(p, pt)
		if err != nil {
			return Unchanged, err
		}
		listed[projectMemberSK(pt.MemberID)] = true
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	if outcome != Created {
		// a re-import: the partners the line no longer lists go (a new project has none)
		stored, err := s.projectPartnerKeys(ctx, p.ProjectID)
		if err != nil {
			return Unchanged, err
		}
		for _, sk := range stored {
			if !listed[sk] {
				reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(projectPK(p.ProjectID), sk)}})
			}
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return Unchanged, err
	}
	return outcome, s.importedProjectSummaries(ctx, p, partners, countries)
}

// importedProjectSummaries record an imported approved or closed project in the summary
// of each of its partners' schools, with that school's partners (idempotent updates after
// the partner items: a run killed between them is completed by importing again).
func (s *Store) importedProjectSummaries(ctx context.Context, p project.Project, partners []project.Partner, countries []string) error {
	if p.Status != project.Approved && p.Status != project.Closed {
		return nil
	}
	bySchool := map[string][]string{}
	for _, pt := range partners {
		if pt.SchoolID != "" {
			bySchool[pt.SchoolID] = append(bySchool[pt.SchoolID], pt.MemberID)
		}
	}
	for sid, members := range bySchool {
		f := approvedFact(p, members...)
		f.European, f.ReplaceMembers = len(countries) > 1, true
		if err := s.applySummary(ctx, sid, summaryChange{Project: f}); err != nil {
			return err
		}
	}
	return nil
}

// projectPartnerKeys lists the sort keys of a project's partner items (one consistent
// Query of the project's partition, keys only).
func (s *Store) projectPartnerKeys(ctx context.Context, projectID string) ([]string, error) {
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(projectPK(projectID))).
		And(expression.Key("SK").BeginsWith(prefixProjectMember))).
		WithProjection(expression.NamesList(expression.Name("SK"))).Build()
	if err != nil {
		return nil, err
	}
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	sks := make([]string, len(items))
	for i, it := range items {
		sks[i] = str(it, "SK")
	}
	return sks, nil
}

// ImportLabels stores quality labels, each under the project and under the school (keyed
// by project, kind and school: importing again rewrites the same two items), in batches.
func (s *Store) ImportLabels(ctx context.Context, ls []project.Label) error {
	var reqs []types.WriteRequest
	for _, l := range ls {
		for _, k := range []map[string]types.AttributeValue{
			key(projectPK(l.ProjectID), projectLabelSK(l.Kind, l.SchoolID)),
			key(schoolPK(l.SchoolID), schoolLabelSK(l.ProjectID, l.Kind)),
		} {
			// the same item shape as AwardLabel writes
			it, err := item(str(k, "PK"), str(k, "SK"), "label", labelItem(l))
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return err
	}
	// the schools' summaries: whether a project is European is the import's to say (its
	// countries), as history may hold national projects with labels
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ProjectID
	}
	countries, err := s.LookupProjects(ctx, ids)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if err := s.applySummary(ctx, l.SchoolID, summaryChange{Label: &l, LabelEuropean: len(countries[l.ProjectID]) > 1}); err != nil {
			return err
		}
	}
	return nil
}

// keysOf is the keys of the ids, each once (BatchGetItem refuses a key twice).
func keysOf(ids []string, keyOf func(string) map[string]types.AttributeValue) []map[string]types.AttributeValue {
	seen := make(map[string]bool, len(ids))
	keys := make([]map[string]types.AttributeValue, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			keys = append(keys, keyOf(id))
		}
	}
	return keys
}

// GetSchools reads schools by id (BatchGetItem, consistent; ids may repeat); absent ids
// are not in the map.
func (s *Store) GetSchools(ctx context.Context, ids []string) (map[string]school.School, error) {
	keys := keysOf(ids, func(id string) map[string]types.AttributeValue { return key(schoolPK(id), skSchool) })
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]school.School, len(found))
	for _, it := range found {
		var si schoolItem
		if err := attributevalue.UnmarshalMap(it, &si); err != nil {
			return nil, err
		}
		out[si.SchoolID] = si.school()
	}
	return out, nil
}

// LookupProjects is LookupProject for several projects at once (BatchGetItem, consistent):
// the countries each stored project spans; absent ids are not in the map.
func (s *Store) LookupProjects(ctx context.Context, ids []string) (map[string][]string, error) {
	keys := keysOf(ids, func(id string) map[string]types.AttributeValue { return key(projectPK(id), skProject) })
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(found))
	for _, it := range found {
		var p importedProject
		if err := attributevalue.UnmarshalMap(it, &p); err != nil {
			return nil, err
		}
		countries := p.Countries
		if len(countries) == 0 {
			countries = p.NSOCountries
		}
		out[p.ProjectID] = countries
	}
	return out, nil
}

// ImportRepairMembers completes what an interrupted import left out of stored teachers:
// ImportNewMembers writes a member's search-index entries and school links in batches after
// the transaction that creates the member, so a run killed between the two leaves a member
// without some of them, and importing the file again finds the member unchanged. This
// reads the members and those items (BatchGetItem) and puts the missing ones: the index
// entries whose keys the member item records, and a link to each of the member's schools.
// It returns how many members missed some.
func (s *Store) ImportRepairMembers(ctx context.Context, ids []string) (int, error) {
	keys := keysOf(ids, func(id string) map[string]types.AttributeValue { return key(memberPK(id), skProfile) })
	members, err := s.batchGet(ctx, keys)
	if err != nil {
		return 0, err
	}
	want := map[string]map[string]types.AttributeValue{} // keyRef → the item that should be there
	owner := map[string]string{}                         // keyRef → member id
	var refs []map[string]types.AttributeValue
	add := func(memberID string, it map[string]types.AttributeValue) {
		ref := keyRef(str(it, "PK"), str(it, "SK"))
		if _, dup := want[ref]; dup {
			return
		}
		want[ref], owner[ref] = it, memberID
		refs = append(refs, key(str(it, "PK"), str(it, "SK")))
	}
	for _, raw := range members {
		var mi memberItem
		if err := attributevalue.UnmarshalMap(raw, &mi); err != nil {
			return 0, err
		}
		if mi.Role != member.RoleTeacher {
			continue
		}
		m := mi.toMember()
		recorded := make(map[string]bool, len(mi.IndexKeys))
		for _, k := range mi.IndexKeys {
			recorded[k] = true
		}
		idx, idxKeys, err := memberIndex(m)
		if err != nil {
			return 0, err
		}
		for i, it := range idx { // (the school links among them)
			if recorded[idxKeys[i]] {
				add(m.MemberID, it)
			}
		}
	}
	found, err := s.batchGet(ctx, refs)
	if err != nil {
		return 0, err
	}
	var reqs []types.WriteRequest
	repaired := map[string]bool{}
	for _, k := range refs {
		ref := keyRef(str(k, "PK"), str(k, "SK"))
		if _, ok := found[ref]; ok {
			continue
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: want[ref]}})
		repaired[owner[ref]] = true
		if str(want[ref], "kind") == "schoolMember" { // and the school's summary, as ImportNewMembers does
			if err := s.applySummary(ctx, str(want[ref], "schoolId"), summaryChange{Join: []string{owner[ref]}}); err != nil {
				return len(repaired), err
			}
		}
	}
	return len(repaired), s.batchWrite(ctx, reqs)
}
