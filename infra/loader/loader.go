// Package loader runs the bulk import (docs/import.md, `make import`): it parses every line of
// a JSON Lines file (shared/importer), then writes them in dependency order (staff,
// schools, members, projects, labels, activities) with parallel workers through the ddb import
// methods. References may point at lines of the file or at what is stored. A bad line is
// reported as "line N: reason"; the good ones are stored.
package loader

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"etwin/shared/ddb"
	"etwin/shared/importer"
	"etwin/shared/member"
	"etwin/shared/password"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/staff"
)

// Options tune a load.
type Options struct {
	Workers  int       // parallel writers (default: 4 per CPU)
	Progress io.Writer // progress lines, about once a second (nil: none)
	Now      time.Time // "now" for active projects (default: the time of the load)
}

// LineError is a rejected line.
type LineError struct {
	Line   int
	Reason string
}

func (e LineError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Report is what a load did.
type Report struct {
	Imported int // lines stored (created, updated or already as in the file)
	Created  int
	Updated  int
	Rejected []LineError // in line order
}

type entry struct {
	line int
	rec  importer.Record
}

type run struct {
	store *ddb.Store
	opt   Options

	mu       sync.Mutex
	rejected []LineError
	report   Report

	// by id: the line that defines it (or rejected it) and whether it was stored
	schools  map[string]*entry
	accounts map[string]*entry
	projects map[string]*entry
	ok       sync.Map // key → true once stored
	members  sync.Map // member id → member.Member stored from the file
	projCtry sync.Map // project id → countries
	cache    sync.Map // "school:<id>" / "member:<id>" → stored thing or nil
}

// Load imports the lines read from r.
func Load(ctx context.Context, store *ddb.Store, r io.Reader, opt Options) (Report, error) {
	if opt.Workers <= 0 {
		opt.Workers = 4 * runtime.NumCPU()
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	rn := &run{store: store, opt: opt, schools: map[string]*entry{}, accounts: map[string]*entry{}, projects: map[string]*entry{}}
	byType, err := rn.parse(r)
	if err != nil {
		return Report{}, err
	}
	phases := []struct {
		typ string
		do  func(context.Context, []*entry) error
	}{
		{importer.TypeStaff, rn.staff}, {importer.TypeSchool, rn.schoolLines}, {importer.TypeMember, rn.memberLines},
		{importer.TypeProject, rn.projectLines}, {importer.TypeLabel, rn.labelLines}, {importer.TypeActivity, rn.activities},
	}
	for _, ph := range phases {
		if len(byType[ph.typ]) == 0 {
			continue
		}
		if err := ph.do(ctx, byType[ph.typ]); err != nil {
			return rn.final(), err
		}
	}
	return rn.final(), nil
}

func (rn *run) final() Report {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rep := rn.report
	rep.Rejected = append([]LineError{}, rn.rejected...)
	sort.Slice(rep.Rejected, func(i, j int) bool { return rep.Rejected[i].Line < rep.Rejected[j].Line })
	return rep
}

func (rn *run) reject(line int, format string, args ...any) {
	rn.mu.Lock()
	rn.rejected = append(rn.rejected, LineError{Line: line, Reason: fmt.Sprintf(format, args...)})
	rn.mu.Unlock()
}

func (rn *run) stored(e *entry, o ddb.ImportOutcome) {
	rn.ok.Store(e.rec.Key(), true)
	rn.mu.Lock()
	rn.report.Imported++
	switch o {
	case ddb.Created:
		rn.report.Created++
	case ddb.Updated:
		rn.report.Updated++
	}
	rn.mu.Unlock()
}

func (rn *run) isOK(e *entry) bool {
	_, ok := rn.ok.Load(e.rec.Key())
	return ok
}

// parse is the first pass: every line parsed and checked on its own; duplicates (same
// key as an earlier line) rejected.
func (rn *run) parse(r io.Reader) (map[string][]*entry, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	byType := map[string][]*entry{}
	first := map[string]int{}
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(line) > 0 && len(trim(line)) == 0 {
			continue // blank lines are allowed
		}
		rec, perr := importer.Parse(line)
		if perr != nil {
			rn.reject(n, "%v", perr)
			continue
		}
		k := rec.Key()
		if at, dup := first[k]; dup {
			rn.reject(n, "duplicate of line %d (%s)", at, k)
			continue
		}
		first[k] = n
		e := &entry{line: n, rec: rec}
		byType[rec.Type] = append(byType[rec.Type], e)
		switch rec.Type {
		case importer.TypeSchool:
			rn.schools[rec.School.ID] = e
		case importer.TypeStaff:
			rn.accounts[rec.Staff.ID] = e
		case importer.TypeMember:
			rn.accounts[rec.Member.ID] = e
		case importer.TypeProject:
			rn.projects[rec.Project.ID] = e
		}
		if err == io.EOF {
			break
		}
	}
	return byType, nil
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// each runs do on every item with the run's workers, reporting progress under name; it
// stops at the first error do returns (a store failure, not a line's).
func (rn *run) each(ctx context.Context, name string, n int, do func(ctx context.Context, i int) error) error {
	var done atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := rn.progress(name, n, &done)
	defer stop()
	next := atomic.Int64{}
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for w := 0; w < rn.opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := do(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return first
}

func (rn *run) progress(name string, total int, done *atomic.Int64) (stop func()) {
	w := rn.opt.Progress
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprintf(w, "%s %d/%d\n", name, done.Load(), total)
				return
			case <-t.C:
				fmt.Fprintf(w, "%s %d/%d\n", name, done.Load(), total)
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// lineFault reports whether err is the line's fault (a clash with stored data) rather
// than a failure of the store.
func lineFault(err error) bool {
	var dup *importer.DuplicateSchoolError
	return errors.Is(err, importer.ErrUsernameTaken) || errors.Is(err, importer.ErrEmailTaken) ||
		errors.Is(err, importer.ErrIdentityChanged) || errors.Is(err, importer.ErrCreatedMeanwhile) ||
		errors.Is(err, ddb.ErrNotImported) || errors.As(err, &dup)
}

// secret is the password hash to store: the line's hash, the stored hash when the line's
// password still matches it (re-imports keep the same hash), or a new argon2id hash.
func secret(pw, hash string, stored *member.Member) (string, error) {
	if hash != "" || pw == "" {
		return hash, nil
	}
	if stored != nil && stored.PasswordHash != "" {
		if ok, err := password.Verify(pw, stored.PasswordHash); err == nil && ok {
			return stored.PasswordHash, nil
		}
	}
	return password.Hash(pw)
}

func (rn *run) staff(ctx context.Context, es []*entry) error {
	return rn.each(ctx, "staff", len(es), func(ctx context.Context, i int) error {
		e := es[i]
		st := e.rec.Staff
		found, err := rn.store.GetMembers(ctx, []string{st.ID})
		if err != nil {
			return err
		}
		var stored *member.Member
		now := rn.opt.Now
		if m, ok := found[st.ID]; ok {
			stored, now = &m, m.CreatedAt
		}
		hash, err := secret(st.Password, st.PasswordHash, stored)
		if err != nil {
			return err
		}
		o, err := rn.store.ImportStaff(ctx, staff.NewAccount(st.ID, st.Input(), hash, now))
		if lineFault(err) {
			rn.reject(e.line, "%v", err)
			return nil
		}
		if err != nil {
			return err
		}
		rn.stored(e, o)
		return nil
	})
}

func (rn *run) schoolLines(ctx context.Context, es []*entry) error {
	return rn.each(ctx, "schools", len(es), func(ctx context.Context, i int) error {
		e := es[i]
		o, err := rn.store.ImportSchool(ctx, e.rec.School.School())
		if lineFault(err) {
			rn.reject(e.line, "%v", err)
			return nil
		}
		if err != nil {
			return err
		}
		rn.stored(e, o)
		return nil
	})
}

// school finds a referenced school: a stored line of the file, or one already stored.
func (rn *run) school(ctx context.Context, id string) (school.School, string, error) {
	missing := "no school " + id + " in the file or stored"
	if e, ok := rn.schools[id]; ok {
		if rn.isOK(e) {
			return e.rec.School.School(), "", nil
		}
		missing = fmt.Sprintf("school %s was rejected (line %d) and is not stored", id, e.line)
	}
	if v, ok := rn.cache.Load("school:" + id); ok {
		if v == nil {
			return school.School{}, missing, nil
		}
		return v.(school.School), "", nil
	}
	sc, found, err := rn.store.GetSchool(ctx, id)
	if err != nil {
		return school.School{}, "", err
	}
	if !found {
		rn.cache.Store("school:"+id, nil)
		return school.School{}, missing, nil
	}
	rn.cache.Store("school:"+id, sc)
	return sc, "", nil
}

const memberChunk = 50

func (rn *run) memberLines(ctx context.Context, es []*entry) error {
	chunks := (len(es) + memberChunk - 1) / memberChunk
	var done atomic.Int64
	stop := rn.progress("members", len(es), &done)
	defer stop()
	saved := rn.opt.Progress
	rn.opt.Progress = nil // one progress line for the members, counted by member
	defer func() { rn.opt.Progress = saved }()
	return rn.each(ctx, "members", chunks, func(ctx context.Context, c int) error {
		part := es[c*memberChunk : min((c+1)*memberChunk, len(es))]
		defer done.Add(int64(len(part)))
		ids := make([]string, len(part))
		for i, e := range part {
			ids[i] = e.rec.Member.ID
		}
		stored, err := rn.store.GetMembers(ctx, ids)
		if err != nil {
			return err
		}
		var fresh []member.Member
		var freshE []*entry
		for _, e := range part {
			l := e.rec.Member
			m := member.Member{MemberID: l.ID, Username: l.Username, FirstName: l.FirstName, LastName: l.LastName,
				Email: l.Email, Language: l.Language, Role: member.RoleTeacher, Profile: l.Profile,
				CreatedAt: l.RegisteredAtTime()}
			bad := ""
			for i, id := range l.SchoolIDs {
				sc, why, err := rn.school(ctx, id)
				if err != nil {
					return err
				}
				if why != "" {
					bad = fmt.Sprintf("schoolIds.%d: %s", i, why)
					break
				}
				m.Schools = append(m.Schools, sc.Ref())
			}
			if bad != "" {
				rn.reject(e.line, "%s", bad)
				continue
			}
			m.Country = m.Schools[0].Country
			var old *member.Member
			if s, ok := stored[l.ID]; ok {
				old = &s
			}
			if m.PasswordHash, err = secret(l.Password, l.PasswordHash, old); err != nil {
				return err
			}
			if old == nil {
				fresh = append(fresh, m)
				freshE = append(freshE, e)
				continue
			}
			o, err := rn.store.ImportExistingMember(ctx, m)
			if lineFault(err) {
				rn.reject(e.line, "%v", err)
				continue
			}
			if err != nil {
				return err
			}
			rn.members.Store(m.MemberID, m)
			rn.stored(e, o)
		}
		if len(fresh) == 0 {
			return nil
		}
		errs, err := rn.store.ImportNewMembers(ctx, fresh)
		if err != nil {
			return err
		}
		for i, e := range freshE {
			if errs[i] != nil {
				if !lineFault(errs[i]) {
					return errs[i]
				}
				rn.reject(e.line, "%v", errs[i])
				continue
			}
			rn.members.Store(fresh[i].MemberID, fresh[i])
			rn.stored(e, ddb.Created)
		}
		return nil
	})
}

// account finds a referenced teacher: stored from the file, or already stored.
func (rn *run) account(ctx context.Context, id string) (member.Member, string, error) {
	if v, ok := rn.members.Load(id); ok {
		return v.(member.Member), "", nil
	}
	missing := "no member " + id + " in the file or stored"
	if e, ok := rn.accounts[id]; ok {
		if e.rec.Type == importer.TypeStaff {
			return member.Member{}, fmt.Sprintf("%s is a staff account (line %d), not a teacher", id, e.line), nil
		}
		missing = fmt.Sprintf("member %s was rejected (line %d) and is not stored", id, e.line)
	}
	if v, ok := rn.cache.Load("member:" + id); ok {
		if v == nil {
			return member.Member{}, missing, nil
		}
		return v.(member.Member), "", nil
	}
	m, found, err := rn.store.GetMember(ctx, id)
	if err != nil {
		return member.Member{}, "", err
	}
	if !found || m.Role != member.RoleTeacher || len(m.Schools) == 0 {
		rn.cache.Store("member:"+id, nil)
		return member.Member{}, missing, nil
	}
	rn.cache.Store("member:"+id, m)
	return m, "", nil
}

func (rn *run) projectLines(ctx context.Context, es []*entry) error {
	return rn.each(ctx, "projects", len(es), func(ctx context.Context, i int) error {
		e := es[i]
		l := e.rec.Project
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
		add := func(c string) {
			for _, x := range countries {
				if x == c {
					return
				}
			}
			countries = append(countries, c)
		}
		ids := append(append([]string{}, l.Founders...), l.Partners...)
		for k, id := range ids {
			m, why, err := rn.account(ctx, id)
			if err != nil {
				return err
			}
			if why != "" {
				field := fmt.Sprintf("founders.%d", k)
				if k >= 2 {
					field = fmt.Sprintf("partners.%d", k-2)
				}
				rn.reject(e.line, "%s: %s", field, why)
				return nil
			}
			home := m.Schools[0]
			add(home.Country)
			pt := project.Partner{MemberID: id, Role: project.RoleMember, SchoolID: home.SchoolID, Country: home.Country,
				FirstName: m.FirstName, LastName: m.LastName, AddedAt: created}
			if k < 2 {
				pt.Role, pt.Founder = project.RoleAdmin, true
				p.Founders = append(p.Founders, project.Founder{MemberID: id, SchoolID: home.SchoolID, Country: home.Country})
				if l.Status != project.AwaitingCofounder {
					addTo(&p.NSOCountries, home.Country)
				}
			}
			partners = append(partners, pt)
		}
		sort.Strings(countries)
		sort.Strings(p.NSOCountries)
		o, err := rn.store.ImportProject(ctx, p, partners, countries, rn.opt.Now)
		if lineFault(err) {
			rn.reject(e.line, "%v", err)
			return nil
		}
		if err != nil {
			return err
		}
		rn.projCtry.Store(l.ID, countries)
		rn.stored(e, o)
		return nil
	})
}

func addTo(list *[]string, v string) {
	for _, x := range *list {
		if x == v {
			return
		}
	}
	*list = append(*list, v)
}

func (rn *run) labelLines(ctx context.Context, es []*entry) error {
	return rn.each(ctx, "labels", len(es), func(ctx context.Context, i int) error {
		e := es[i]
		l := e.rec.Label
		var countries []string
		if v, ok := rn.projCtry.Load(l.ProjectID); ok {
			countries = v.([]string)
		} else if pe, ok := rn.projects[l.ProjectID]; ok {
			rn.reject(e.line, "projectId: project %s was rejected (line %d)", l.ProjectID, pe.line)
			return nil
		} else {
			_, c, found, err := rn.store.LookupProject(ctx, l.ProjectID)
			if err != nil {
				return err
			}
			if !found {
				rn.reject(e.line, "projectId: no project %s in the file or stored", l.ProjectID)
				return nil
			}
			countries = c
		}
		sc, why, err := rn.school(ctx, l.SchoolID)
		if err != nil {
			return err
		}
		if why != "" {
			rn.reject(e.line, "schoolId: %s", why)
			return nil
		}
		if l.Kind == project.LabelEuropean && len(countries) < 2 {
			rn.reject(e.line, "kind: project %s is national (its schools are all in one country); it cannot have a European label", l.ProjectID)
			return nil
		}
		err = rn.store.ImportLabel(ctx, project.Label{ProjectID: l.ProjectID, Kind: l.Kind, SchoolID: l.SchoolID,
			Country: sc.Country, AwardedAt: l.AwardedAtTime()})
		if err != nil {
			return err
		}
		rn.stored(e, ddb.Unchanged)
		return nil
	})
}

// activities stores the activity lines: the member must be a teacher (a line of the file
// or stored), the school (when named) a school of the file or stored; the activity counts
// in the summary of its school, or of each of the member's schools.
func (rn *run) activities(ctx context.Context, es []*entry) error {
	return rn.each(ctx, "activities", len(es), func(ctx context.Context, i int) error {
		e := es[i]
		l := e.rec.Activity
		m, why, err := rn.account(ctx, l.MemberID)
		if err != nil {
			return err
		}
		if why != "" {
			rn.reject(e.line, "memberId: %s", why)
			return nil
		}
		var schools []string
		if l.SchoolID != "" {
			_, why, err := rn.school(ctx, l.SchoolID)
			if err != nil {
				return err
			}
			if why != "" {
				rn.reject(e.line, "schoolId: %s", why)
				return nil
			}
			schools = []string{l.SchoolID}
		} else {
			for _, sc := range m.Schools {
				schools = append(schools, sc.SchoolID)
			}
		}
		created, err := rn.store.ImportActivity(ctx, ddb.Activity{MemberID: l.MemberID, Kind: l.Kind, At: l.AtTime(), SchoolID: l.SchoolID}, schools)
		if err != nil {
			return err
		}
		o := ddb.Unchanged
		if created {
			o = ddb.Created
		}
		rn.stored(e, o)
		return nil
	})
}
