package loader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/importer"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/staff"
	"etwin/shared/stats"
)

// The bulk path (docs/import.md, "Into a new table"). When the first run of a file finds
// the table empty (no teacher, school or project counted), that file's runs write plain,
// deterministic batch puts instead of conditional transactions: the same line always
// gives the same items, so a run cut short is completed by running it again. What makes
// that safe is checked without the table: references resolve to lines of the file (kept
// in memory: a few dozen bytes a school and a teacher), uniqueness of ids, usernames,
// e-mail addresses and school names within the file (the check). The counters and the
// schools' summaries are summed in memory and written once, at the end of the core
// passes. Then the index pass writes the search-index entries, with a checkpoint.

// Sink takes the bulk path's items: the table (plain puts) or DynamoDB JSON files for
// ImportTable (infra/loader/ddbjson).
type Sink interface {
	Put(ctx context.Context, items []map[string]types.AttributeValue) error
}

// tableSink writes to the store's table.
type tableSink struct{ store *ddb.Store }

func (t tableSink) Put(ctx context.Context, items []map[string]types.AttributeValue) error {
	return t.store.BulkPut(ctx, items)
}

// discard drops the items (a resumed run past its core passes only rebuilds its memory).
type discard struct{}

func (discard) Put(context.Context, []map[string]types.AttributeValue) error { return nil }

// teacherRef is what the bulk path keeps of a written teacher.
type teacherRef struct {
	first, last string
	schools     []string // ids, the first is their home school
}

// bulk is the state of a bulk load.
type bulk struct {
	rn    *run
	sink  Sink
	state ddb.ImportState // (no table: a zero state, never written)
	// checkGuards: the table held accounts before (staff): each member's username and
	// e-mail address are looked up in it too.
	checkGuards bool
	// verify: a re-import of a file whose bulk runs ended (see emit); the sink is discard.
	verify bool

	mu       sync.Mutex
	schools  map[string]member.SchoolRef
	staff    map[string]bool
	teachers map[string]teacherRef
	projects map[string][]string // the countries each project spans
	sums     map[string]*certification.Summary
	counts   map[string]*stats.Counts
}

// Digest is the SHA-256 of src's content, the identity of an import's checkpoint.
func Digest(src io.ReadSeeker) (string, error) {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, src); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func newBulk(rn *run, sink Sink, state ddb.ImportState) *bulk {
	return &bulk{rn: rn, sink: sink, state: state, schools: map[string]member.SchoolRef{}, staff: map[string]bool{},
		teachers: map[string]teacherRef{}, projects: map[string][]string{}, sums: map[string]*certification.Summary{},
		counts: map[string]*stats.Counts{stats.All: {}}}
}

// count adds d to "ALL" and once to each country (as statsUpdates does).
func (b *bulk) count(d stats.Counts, countries ...string) {
	scopes := []string{stats.All}
	for _, c := range countries {
		if c != "" && !slices.Contains(scopes, c) {
			scopes = append(scopes, c)
		}
	}
	for _, scope := range scopes {
		c := b.counts[scope]
		if c == nil {
			c = &stats.Counts{}
			b.counts[scope] = c
		}
		c.Teachers += d.Teachers
		c.Schools += d.Schools
		c.ActiveProjects += d.ActiveProjects
	}
}

func (b *bulk) summary(schoolID string) *certification.Summary {
	sum := b.sums[schoolID]
	if sum == nil {
		sum = &certification.Summary{SchoolID: schoolID, LastActive: map[string]time.Time{}, Projects: map[string]certification.ProjectFacts{}}
		b.sums[schoolID] = sum
	}
	return sum
}

// load runs the bulk passes after the check.
func (b *bulk) load(ctx context.Context) error {
	rn := b.rn
	core := b.sink
	if b.state.CoreDone || b.verify {
		core = discard{} // written by an earlier run: only the memory is rebuilt
	}
	passes := []struct {
		typ, name string
		do        func(context.Context, Sink, []entry) error
	}{
		{importer.TypeStaff, "staff", b.staffLines}, {importer.TypeSchool, "schools", b.schoolLines},
		{importer.TypeMember, "members", b.memberLines}, {importer.TypeProject, "projects", b.projectLines},
		{importer.TypeLabel, "labels", b.labelLines}, {importer.TypeActivity, "activities", b.activityLines},
	}
	for _, p := range passes {
		if err := rn.pass(ctx, p.typ, p.name, func(ctx context.Context, es []entry) error { return p.do(ctx, core, es) }); err != nil {
			return err
		}
	}
	if b.verify {
		return nil // (the totals and the index were written by the file's bulk runs)
	}
	if !b.state.CoreDone {
		if err := b.writeTotals(ctx); err != nil {
			return err
		}
		b.state.CoreDone = true
		if err := b.checkpoint(ctx); err != nil {
			return err
		}
	}
	if err := b.index(ctx); err != nil {
		return err
	}
	b.state.Done = true
	return b.checkpoint(ctx)
}

func (b *bulk) checkpoint(ctx context.Context) error {
	if b.state.Digest == "" {
		return nil // files, not a table
	}
	return b.rn.store.PutImportState(ctx, b.state)
}

// writeTotals writes the schools' summaries and the counters, once each.
func (b *bulk) writeTotals(ctx context.Context) error {
	ids := make([]string, 0, len(b.sums))
	for id := range b.sums {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var items []map[string]types.AttributeValue
	flush := func(force bool) error {
		if len(items) >= 500 || (force && len(items) > 0) {
			err := b.sink.Put(ctx, items)
			items = items[:0]
			return err
		}
		return nil
	}
	for _, id := range ids {
		sum := b.sums[id]
		sort.Strings(sum.Members)
		sort.Slice(sum.Labels, func(i, j int) bool {
			return sum.Labels[i].ProjectID+sum.Labels[i].Kind < sum.Labels[j].ProjectID+sum.Labels[j].Kind
		})
		items = append(items, ddb.BulkSummaryItem(*sum))
		if err := flush(false); err != nil {
			return err
		}
	}
	for scope, c := range b.counts {
		it, err := ddb.BulkStatsItem(scope, *c)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	return flush(true)
}

// emit ends a batch of a bulk pass: the items of the lines kept (the others were
// rejected) go to the sink, each line counted with outcome. A re-import of a file whose
// bulk runs ended (verify) writes nothing where the table holds exactly these items (the
// lines are unchanged, read with BatchGetItem); a batch where anything differs goes
// through the line-by-line path (careful), which keeps what the members changed since.
func (b *bulk) emit(ctx context.Context, sink Sink, kept []entry, items []map[string]types.AttributeValue,
	careful func(context.Context, []entry) error, outcome ddb.ImportOutcome) error {
	if b.verify {
		same, err := b.rn.store.BulkStored(ctx, items)
		if err != nil || !same {
			if err == nil {
				err = careful(ctx, kept)
			}
			return err
		}
		outcome = ddb.Unchanged
	}
	for range kept {
		b.rn.stored(outcome)
	}
	return sink.Put(ctx, items)
}

// staffLines: into a table, staff accounts go through ImportStaff (a handful, with their
// guards' conditions); into files, as CreateAccount's items.
func (b *bulk) staffLines(ctx context.Context, sink Sink, es []entry) error {
	for _, e := range es {
		b.mu.Lock()
		b.staff[e.rec.Staff.ID] = true
		b.mu.Unlock()
	}
	if b.state.Digest != "" {
		if _, ok := sink.(discard); ok && !b.verify {
			for range es {
				b.rn.stored(ddb.Unchanged)
			}
			return nil
		}
		return b.rn.staffLines(ctx, es)
	}
	var items []map[string]types.AttributeValue
	for _, e := range es {
		st := e.rec.Staff
		hash, err := secret(st.Password, st.PasswordHash, nil)
		if err != nil {
			return err
		}
		its, err := b.rn.store.BulkStaffItems(staff.NewAccount(st.ID, st.Input(), hash, b.rn.opt.Now))
		if err != nil {
			return err
		}
		items = append(items, its...)
		b.rn.stored(ddb.Created)
	}
	return sink.Put(ctx, items)
}

func (b *bulk) schoolLines(ctx context.Context, sink Sink, es []entry) error {
	var items []map[string]types.AttributeValue
	var kept []entry
	for _, e := range es {
		sc := e.rec.School.School()
		core, _, err := b.rn.store.BulkSchoolItems(sc)
		if err != nil {
			return err
		}
		items = append(items, core...)
		b.mu.Lock()
		b.schools[sc.SchoolID] = sc.Ref()
		sum := b.summary(sc.SchoolID)
		sum.Country, sum.RegisteredAt = sc.Country, sc.RegisteredAt
		b.count(stats.Counts{Schools: 1}, sc.Country)
		b.mu.Unlock()
		kept = append(kept, e)
	}
	return b.emit(ctx, sink, kept, items, b.rn.schoolLines, ddb.Created)
}

// schoolRef is a school of the file, or why a reference to it fails.
func (b *bulk) schoolRef(id string) (member.SchoolRef, string) {
	b.mu.Lock()
	ref, ok := b.schools[id]
	b.mu.Unlock()
	if ok {
		return ref, ""
	}
	if f, ok := b.rn.failedLine("school:" + id); ok {
		return member.SchoolRef{}, fmt.Sprintf("school %s was rejected (line %d) and is not stored", id, f.line)
	}
	return member.SchoolRef{}, "no school " + id + " in the file"
}

// teacher is a teacher of the file, or why a reference to them fails.
func (b *bulk) teacher(id string) (teacherRef, string) {
	b.mu.Lock()
	t, ok := b.teachers[id]
	isStaff := b.staff[id]
	b.mu.Unlock()
	switch {
	case ok:
		return t, ""
	case isStaff:
		return teacherRef{}, id + " is a staff account, not a teacher"
	}
	if f, ok := b.rn.failedLine("account:" + id); ok {
		return teacherRef{}, fmt.Sprintf("%s %s was rejected (line %d) and is not stored", f.what, id, f.line)
	}
	return teacherRef{}, "no member " + id + " in the file"
}

// member is a member line as the member it makes, or why a school reference fails.
func (b *bulk) member(l *importer.Member) (member.Member, string) {
	m := member.Member{MemberID: l.ID, Username: l.Username, FirstName: l.FirstName, LastName: l.LastName,
		Email: l.Email, Language: l.Language, Role: member.RoleTeacher, Profile: l.Profile, CreatedAt: l.RegisteredAtTime(),
		PasswordHash: l.PasswordHash}
	for i, id := range l.SchoolIDs {
		ref, why := b.schoolRef(id)
		if why != "" {
			return m, fmt.Sprintf("schoolIds.%d: %s", i, why)
		}
		m.Schools = append(m.Schools, ref)
	}
	m.Country = m.Schools[0].Country
	return m, ""
}

func (b *bulk) memberLines(ctx context.Context, sink Sink, es []entry) error {
	var taken map[string]bool
	if b.checkGuards {
		var err error
		if taken, err = b.rn.store.ImportGuardsTaken(ctx, memberLinesOf(es)); err != nil {
			return err
		}
	}
	var items []map[string]types.AttributeValue
	var kept []entry
	for _, e := range es {
		l := e.rec.Member
		m, why := b.member(l)
		if why != "" {
			b.rn.fail(e, "member", "%s", why)
			continue
		}
		switch {
		case taken["username:"+l.ID]:
			b.rn.fail(e, "member", "%v", importer.ErrUsernameTaken)
			continue
		case taken["email:"+l.ID]:
			b.rn.fail(e, "member", "%v", importer.ErrEmailTaken)
			continue
		}
		var err error
		if m.PasswordHash, err = secret(l.Password, l.PasswordHash, nil); err != nil {
			return err
		}
		core, _, err := b.rn.store.BulkMemberItems(m)
		if err != nil {
			return err
		}
		items = append(items, core...)
		ids := make([]string, len(m.Schools))
		b.mu.Lock()
		for i, r := range m.Schools {
			ids[i] = r.SchoolID
			sum := b.summary(r.SchoolID)
			sum.Members = append(sum.Members, m.MemberID)
		}
		b.teachers[m.MemberID] = teacherRef{first: m.FirstName, last: m.LastName, schools: ids}
		b.count(stats.Counts{Teachers: 1}, m.Country)
		b.mu.Unlock()
		kept = append(kept, e)
	}
	return b.emit(ctx, sink, kept, items, b.rn.memberLines, ddb.Created)
}

func memberLinesOf(es []entry) []*importer.Member {
	out := make([]*importer.Member, len(es))
	for i, e := range es {
		out[i] = e.rec.Member
	}
	return out
}

func (b *bulk) projectLines(ctx context.Context, sink Sink, es []entry) error {
	var items []map[string]types.AttributeValue
	var kept []entry
	for _, e := range es {
		its, err := b.project(e)
		if err != nil {
			return err
		}
		if its != nil {
			items = append(items, its...)
			kept = append(kept, e)
		}
	}
	return b.emit(ctx, sink, kept, items, b.rn.projectLines, ddb.Created)
}

// project is a project line's items (nil when a reference fails: the line is rejected),
// as loader's project builds them for ImportProject.
func (b *bulk) project(e entry) ([]map[string]types.AttributeValue, error) {
	refs, ok := b.rn.projectMembers(e, func(id string) (member.Member, string) {
		t, why := b.teacher(id)
		if why != "" {
			return member.Member{}, why
		}
		home, _ := b.schoolRef(t.schools[0])
		return member.Member{MemberID: id, FirstName: t.first, LastName: t.last, Schools: []member.SchoolRef{home}}, ""
	})
	if !ok {
		return nil, nil
	}
	p, partners, countries := projectOf(e.rec.Project, refs)
	items, err := b.rn.store.BulkProjectItems(p, partners, countries, b.rn.opt.Now)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.projects[p.ProjectID] = countries
	if p.Active(b.rn.opt.Now) {
		b.count(stats.Counts{ActiveProjects: 1}, p.NSOCountries...) // in its founders' countries, as the NSO approval counts it
	}
	for sid, f := range ddb.BulkProjectFacts(p, partners, countries) {
		b.summary(sid).Projects[p.ProjectID] = f
	}
	return items, nil
}

func (b *bulk) labelLines(ctx context.Context, sink Sink, es []entry) error {
	var items []map[string]types.AttributeValue
	var kept []entry
	for _, e := range es {
		l := e.rec.Label
		if f, ok := b.rn.failedLine("project:" + l.ProjectID); ok {
			b.rn.reject(e.line, "projectId: project %s was rejected (line %d)", l.ProjectID, f.line)
			continue
		}
		b.mu.Lock()
		countries, ok := b.projects[l.ProjectID]
		b.mu.Unlock()
		if !ok {
			b.rn.reject(e.line, "projectId: no project %s in the file", l.ProjectID)
			continue
		}
		sc, why := b.schoolRef(l.SchoolID)
		if why != "" {
			b.rn.reject(e.line, "schoolId: %s", why)
			continue
		}
		if l.Kind == project.LabelEuropean && len(countries) < 2 {
			b.rn.reject(e.line, "kind: project %s is national (its schools are all in one country); it cannot have a European label", l.ProjectID)
			continue
		}
		label := project.Label{ProjectID: l.ProjectID, Kind: l.Kind, SchoolID: l.SchoolID, Country: sc.Country, AwardedAt: l.AwardedAtTime()}
		its, err := ddb.BulkLabelItems(label)
		if err != nil {
			return err
		}
		items = append(items, its...)
		b.mu.Lock()
		sum := b.summary(l.SchoolID)
		sum.Labels = append(sum.Labels, certification.LabelFacts{ProjectID: l.ProjectID, Kind: l.Kind,
			AwardedAt: label.AwardedAt, European: len(countries) > 1})
		b.mu.Unlock()
		kept = append(kept, e)
	}
	return b.emit(ctx, sink, kept, items, b.rn.labelLines, ddb.Unchanged)
}

func (b *bulk) activityLines(ctx context.Context, sink Sink, es []entry) error {
	var items []map[string]types.AttributeValue
	var kept []entry
	for _, e := range es {
		l := e.rec.Activity
		t, why := b.teacher(l.MemberID)
		if why != "" {
			b.rn.reject(e.line, "memberId: %s", why)
			continue
		}
		ids := t.schools
		if l.SchoolID != "" {
			if _, why := b.schoolRef(l.SchoolID); why != "" {
				b.rn.reject(e.line, "schoolId: %s", why)
				continue
			}
			ids = []string{l.SchoolID}
		}
		a := ddb.Activity{MemberID: l.MemberID, Kind: l.Kind, At: l.AtTime(), SchoolID: l.SchoolID}
		it, err := ddb.BulkActivityItem(a)
		if err != nil {
			return err
		}
		items = append(items, it)
		at := ddb.ActivityTime(a.At)
		b.mu.Lock()
		for _, sid := range ids {
			sum := b.summary(sid)
			if cur, ok := sum.LastActive[l.MemberID]; !ok || at.After(cur) {
				sum.LastActive[l.MemberID] = at
			}
		}
		b.mu.Unlock()
		kept = append(kept, e)
	}
	return b.emit(ctx, sink, kept, items, b.rn.activityLines, ddb.Created)
}

// index is the index pass: the search-index entries of the schools and teachers written,
// from the lines again (the core items are exactly what they say), in the file's order;
// the checkpoint records the line up to which every entry is written, so that a run cut
// short goes on from there.
func (b *bulk) index(ctx context.Context) error {
	rn := b.rn
	from := b.state.IndexLine
	total := rn.total[importer.TypeSchool] + rn.total[importer.TypeMember]
	var done sync.Map // batch seq → its last line
	var mu sync.Mutex
	next, mark := 0, from
	rn.batchDone = func(seq, last int) {
		mu.Lock()
		defer mu.Unlock()
		done.Store(seq, last)
		for {
			v, ok := done.Load(next)
			if !ok {
				return
			}
			done.Delete(next)
			mark = max(mark, v.(int))
			next++
		}
	}
	defer func() { rn.batchDone = nil }()
	stopSaving := b.saveEvery(ctx, 2*time.Second, func() int { mu.Lock(); defer mu.Unlock(); return mark })
	err := rn.passOf(ctx, "index", total, func(n int, line []byte) bool {
		t := typeOf(line)
		return n > from && (t == importer.TypeSchool || t == importer.TypeMember)
	}, func(ctx context.Context, es []entry) error {
		var items []map[string]types.AttributeValue
		for _, e := range es {
			var its []map[string]types.AttributeValue
			var err error
			switch {
			case e.rec.School != nil:
				if _, failed := rn.failedLine(e.rec.Key()); failed {
					continue
				}
				_, its, err = rn.store.BulkSchoolItems(e.rec.School.School())
			case e.rec.Member != nil:
				b.mu.Lock()
				_, ok := b.teachers[e.rec.Member.ID]
				b.mu.Unlock()
				if !ok {
					continue // rejected
				}
				m, _ := b.member(e.rec.Member)
				its, err = ddb.BulkMemberIndex(m)
			}
			if err != nil {
				return err
			}
			items = append(items, its...)
		}
		return b.sink.Put(ctx, items)
	})
	stopSaving()
	if err != nil {
		return err
	}
	b.state.IndexLine = 0 // (the pass is complete: Done says so)
	rn.opt.Progress.Note("search index built: GET /v1/members and GET /v1/schools now find every imported teacher and school")
	return nil
}

// saveEvery writes the checkpoint with the index line mark() every period until stop.
func (b *bulk) saveEvery(ctx context.Context, period time.Duration, mark func() int) (stop func()) {
	if b.state.Digest == "" {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				st := b.state
				st.IndexLine = mark()
				_ = b.rn.store.PutImportState(ctx, st) // (a lost checkpoint only means more to redo)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// projectMembers are the members of a project line's founders and partners, in the line's
// order, found by lookup; a reference that fails rejects the line (ok false), naming it.
func (rn *run) projectMembers(e entry, lookup func(id string) (member.Member, string)) (refs []member.Member, ok bool) {
	l := e.rec.Project
	ids := append(append([]string{}, l.Founders...), l.Partners...)
	refs = make([]member.Member, len(ids))
	for k, id := range ids {
		m, why := lookup(id)
		if why != "" {
			field := fmt.Sprintf("founders.%d", k)
			if k >= 2 {
				field = fmt.Sprintf("partners.%d", k-2)
			}
			rn.fail(e, "project", "%s: %s", field, why)
			return nil, false
		}
		refs[k] = m
	}
	return refs, true
}

// projectOf builds an imported project, its partners and the countries it spans from its
// line and its founders' and partners' members (refs, in the line's order: each with their
// names and home school), as ImportProject stores it.
func projectOf(l *importer.Project, refs []member.Member) (project.Project, []project.Partner, []string) {
	created, approved, closed := l.Times()
	p := project.Project{ProjectID: l.ID, Status: l.Status, Title: l.Title, Summary: l.Summary, Language: l.Language,
		Themes: []string{}, Tools: []string{}, FounderID: l.Founders[0], CofounderID: l.Founders[1],
		Version: 1, CreatedAt: created, UpdatedAt: created}
	if l.AgeRange != nil {
		p.AgeRange = *l.AgeRange
	}
	if !approved.IsZero() {
		p.ApprovedAt, p.UpdatedAt = &approved, approved
	}
	if !closed.IsZero() {
		p.ClosedAt = &closed
		if closed.After(p.UpdatedAt) {
			p.UpdatedAt = closed
		}
	}
	var partners []project.Partner
	var countries []string
	for k, m := range refs {
		home := m.Schools[0]
		addTo(&countries, home.Country)
		pt := project.Partner{MemberID: m.MemberID, Role: project.RoleMember, SchoolID: home.SchoolID, Country: home.Country,
			FirstName: m.FirstName, LastName: m.LastName, AddedAt: created}
		if k < 2 {
			pt.Role, pt.Founder = project.RoleAdmin, true
			p.Founders = append(p.Founders, project.Founder{MemberID: m.MemberID, SchoolID: home.SchoolID, Country: home.Country})
			if l.Status != project.AwaitingCofounder {
				addTo(&p.NSOCountries, home.Country)
			}
		}
		partners = append(partners, pt)
	}
	sort.Strings(countries)
	sort.Strings(p.NSOCountries)
	return p, partners, slices.Clip(countries)
}
