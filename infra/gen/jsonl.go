package gen

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"etwin/shared/member"
	"etwin/shared/project"
)

// WriteJSONL writes members 0..n-1 of the data set seed and their schools as an import
// file (docs/import.md): for each thousand members, their schools, then the members
// (without passwords: argon2 is for the lines that carry one), for measuring `make import`.
// The members are those of Batch and gen.Load; WriteFile writes a whole migration file.
func WriteJSONL(w io.Writer, seed uint64, n int) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	const per = 1000
	for k := 0; k < n; k += per {
		// Batch(seed, k, …) draws its schools' numbers from k..k+per/3: the batches never share a
		// school, and Batch lists each of its own once, so no set of all schools is kept.
		ms, ss := Batch(seed, k, min(per, n-k))
		for _, s := range ss {
			// (generated names repeat within a city: the number keeps them apart, as the duplicate guard wants)
			if err := enc.Encode(map[string]any{"type": "school", "id": s.SchoolID, "name": s.Name + " " + s.SchoolID[len(s.SchoolID)-10:], "country": s.Country,
				"city": s.City, "schoolType": s.SchoolType, "pupils": s.Pupils, "registeredAt": s.RegisteredAt.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		for _, m := range ms {
			ids := make([]string, len(m.Schools))
			for i, r := range m.Schools {
				ids[i] = r.SchoolID
			}
			if err := enc.Encode(map[string]any{"type": "member", "id": m.MemberID, "username": m.Username, "email": m.Email,
				"firstName": m.FirstName, "lastName": m.LastName, "language": m.Language, "profile": m.Profile,
				"schoolIds": ids, "registeredAt": m.CreatedAt.Format(time.RFC3339)}); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// FileOptions says what WriteFile writes besides the schools and members.
type FileOptions struct {
	Projects   bool // about n/10 projects
	Labels     bool // quality labels of about 30% of the approved and closed projects (needs Projects)
	Activities bool // about n/2 teacher activities of the last 3 years
	// Now is the file's present: every time in the file is before it. Zero: DefaultNow, so
	// that a seed always gives the same file.
	Now time.Time
}

// FullFile writes every line type.
var FullFile = FileOptions{Projects: true, Labels: true, Activities: true}

// DefaultNow is the present of a generated file when FileOptions.Now is zero.
var DefaultNow = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

// WriteFile writes a migration file of n members of the data set seed (docs/import.md):
// n/10 schools, then the members, then (as opt says) projects, labels and activities, in
// the proportions of a real platform's history:
//
//   - schools: evenly over the generator's countries (school k is in country k mod 6),
//     registered over 12 years from 18 years before Now; each name carries the school's
//     number, so that (country, city, name) is unique;
//   - members: as Batch makes them (names, languages and profiles of their country), each
//     in a school of their country, about 10% in a second school (half of those in another
//     country), registered after their schools and at least a year before Now;
//   - projects: n/10, each with 2 founders (about 90% from schools of two countries, the
//     others national: every member in one country) and 0-6 partners (2 on average),
//     created after both founders registered; 70% closed, 20% approved (active), 5%
//     awaiting_nso, 5% rejected, with consistent createdAt ≤ approvedAt ≤ closedAt < Now;
//   - labels: about 30% of the approved and closed projects have a national label for each
//     founder's school, and a third of those (about 10% of all, only when the project's
//     schools span 2+ countries) a European label for one founder's school;
//   - activities: n/2, of professional_development, project or other, at distinct times
//     over the 3 years before Now (each after its member registered), half naming one of
//     the member's schools.
//
// Everything is derived from seed and the line's index, so memory does not grow with n and
// the same arguments give the same bytes.
func WriteFile(w io.Writer, seed uint64, n int, opt FileOptions) error {
	if opt.Labels && !opt.Projects {
		return errors.New("gen: labels need the projects")
	}
	if n <= 0 {
		return nil
	}
	ds := newDataset(seed, n, opt.Now)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for k := 0; k < ds.schools; k++ {
		if err := enc.Encode(ds.school(k)); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		if err := enc.Encode(ds.member(i)); err != nil {
			return err
		}
	}
	if opt.Projects {
		for p := 0; p < ds.projects; p++ {
			if err := enc.Encode(ds.project(p).line()); err != nil {
				return err
			}
		}
	}
	if opt.Labels {
		for p := 0; p < ds.projects; p++ {
			for _, l := range ds.labels(ds.project(p)) {
				if err := enc.Encode(l); err != nil {
					return err
				}
			}
		}
	}
	if opt.Activities {
		for j := 0; j < ds.activities; j++ {
			if err := enc.Encode(ds.activity(j)); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// The lines WriteFile writes, fields as docs/import.md names them.
type (
	schoolLine struct {
		Type         string `json:"type"`
		ID           string `json:"id"`
		Name         string `json:"name"`
		Country      string `json:"country"`
		City         string `json:"city"`
		SchoolType   string `json:"schoolType"`
		Pupils       int    `json:"pupils"`
		RegisteredAt string `json:"registeredAt"`
	}
	memberLine struct {
		Type         string          `json:"type"`
		ID           string          `json:"id"`
		Username     string          `json:"username"`
		Email        string          `json:"email"`
		FirstName    string          `json:"firstName"`
		LastName     string          `json:"lastName"`
		Language     string          `json:"language"`
		Profile      *member.Profile `json:"profile,omitempty"`
		SchoolIDs    []string        `json:"schoolIds"`
		RegisteredAt string          `json:"registeredAt"`
	}
	projectLine struct {
		Type       string            `json:"type"`
		ID         string            `json:"id"`
		Title      string            `json:"title"`
		Summary    string            `json:"summary,omitempty"`
		Language   string            `json:"language,omitempty"`
		AgeRange   *project.AgeRange `json:"ageRange,omitempty"`
		Founders   []string          `json:"founders"`
		Partners   []string          `json:"partners,omitempty"`
		Status     string            `json:"status"`
		CreatedAt  string            `json:"createdAt"`
		ApprovedAt string            `json:"approvedAt,omitempty"`
		ClosedAt   string            `json:"closedAt,omitempty"`
	}
	labelLine struct {
		Type      string `json:"type"`
		ProjectID string `json:"projectId"`
		Kind      string `json:"kind"`
		SchoolID  string `json:"schoolId"`
		AwardedAt string `json:"awardedAt"`
	}
	activityLine struct {
		Type     string `json:"type"`
		MemberID string `json:"memberId"`
		Kind     string `json:"kind"`
		At       string `json:"at"`
		SchoolID string `json:"schoolId,omitempty"`
	}
)

// Salts of the random sources of WriteFile's data set, one per aspect of a line, each
// seeded by (seed ^ salt, index): any line can be made again from its index alone.
// (Far apart, so that no two small seeds share a source.)
const (
	saltSchool        uint64 = 0x9e3779b97f4a7c15
	saltSchoolReg     uint64 = 0xbf58476d1ce4e5b9
	saltMemberSchools uint64 = 0x94d049bb133111eb
	saltMemberReg     uint64 = 0xd6e8feb86659fd93
	saltProject       uint64 = 0xa0761d6478bd642f
	saltLabel         uint64 = 0xe7037ed1a0b428db
	saltActivity      uint64 = 0x8ebc6af09c88c6e3
)

const day = 24 * time.Hour

// dataset is WriteFile's data set: its sizes and the functions from an index to a line.
type dataset struct {
	seed                 uint64
	members, schools     int
	projects, activities int
	now, epoch           time.Time
	perCountry           []int // schools of each country (school k is in country k mod len(countries))
	activityStart        time.Time
	activitySlot         int64 // seconds of each activity's own time slot
}

func newDataset(seed uint64, n int, now time.Time) *dataset {
	if now.IsZero() {
		now = DefaultNow
	}
	now = now.UTC().Truncate(time.Second)
	ds := &dataset{seed: seed, members: n, schools: max(n/10, 1), projects: n / 10, activities: n / 2,
		now: now, epoch: now.AddDate(-18, 0, 0), perCountry: make([]int, len(countries))}
	for c := range ds.perCountry {
		if c < ds.schools {
			ds.perCountry[c] = (ds.schools - c + len(countries) - 1) / len(countries)
		}
	}
	ds.activityStart = now.AddDate(-3, 0, 0)
	ds.activitySlot = max(int64(now.Sub(ds.activityStart)/time.Second)/int64(max(ds.activities, 1)), 1)
	return ds
}

func (ds *dataset) rng(salt uint64, k int) *rand.Rand {
	return rand.New(rand.NewPCG(ds.seed^salt, uint64(k)))
}

// within is a time in [a, b), whole seconds after a (a when b is not after a).
func within(r *rand.Rand, a, b time.Time) time.Time {
	span := int64(b.Sub(a) / time.Second)
	if span <= 0 {
		return a
	}
	return a.Add(time.Duration(r.Int64N(span)) * time.Second)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func stamp(t time.Time) string { return t.Format(time.RFC3339) }

func (ds *dataset) schoolID(k int) string {
	return fmt.Sprintf("gs-%d-%s-%08d", ds.seed, countries[ds.schoolCountry(k)].code, k)
}

func (ds *dataset) schoolCountry(k int) int { return k % len(countries) }

// schoolReg is when school k registered: in the 12 years from epoch.
func (ds *dataset) schoolReg(k int) time.Time {
	return within(ds.rng(saltSchoolReg, k), ds.epoch, ds.epoch.AddDate(12, 0, 0))
}

func (ds *dataset) school(k int) schoolLine {
	c := &countries[ds.schoolCountry(k)]
	r := ds.rng(saltSchool, k)
	city := one(r, c.cities)
	// (generated names repeat within a city: the number keeps them apart, as the duplicate
	// guard wants; without leading zeros, which would put every school's number under the
	// same stem of the word index, "00", as no real school name does)
	name := fmt.Sprintf(one(r, c.schools), one(r, c.patrons)) + fmt.Sprintf(" %d", k+1)
	return schoolLine{Type: "school", ID: ds.schoolID(k), Name: name, Country: c.code, City: city,
		SchoolType: one(r, schoolTypes), Pupils: 40 + r.IntN(1200), RegisteredAt: stamp(ds.schoolReg(k))}
}

// inCountry is a school of country c drawn by r (any school when c has none).
func (ds *dataset) inCountry(r *rand.Rand, c int) int {
	if ds.perCountry[c] == 0 {
		return r.IntN(ds.schools)
	}
	return c + len(countries)*r.IntN(ds.perCountry[c])
}

// memberSchools are member i's schools: the first in the member's country, a second
// (-1: none) for about 10%, half of them in another country.
func (ds *dataset) memberSchools(i int) (first, second int) {
	c := memberCountry(ds.seed, i)
	r := ds.rng(saltMemberSchools, i)
	first, second = ds.inCountry(r, c), -1
	if r.IntN(10) == 0 && ds.schools > 1 {
		c2 := c
		if r.IntN(2) == 0 {
			c2 = (c + 1 + r.IntN(len(countries)-1)) % len(countries)
		}
		for try := 0; try < 4 && second < 0; try++ {
			if s := ds.inCountry(r, c2); s != first {
				second = s
			}
		}
	}
	return first, second
}

// home is the country of member i's first school: the member's country for the import.
func (ds *dataset) home(i int) int {
	first, _ := ds.memberSchools(i)
	return ds.schoolCountry(first)
}

// memberReg is when member i registered: after their schools, at least a year before now.
func (ds *dataset) memberReg(i int) time.Time {
	first, second := ds.memberSchools(i)
	from := ds.schoolReg(first)
	if second >= 0 {
		from = later(from, ds.schoolReg(second))
	}
	return within(ds.rng(saltMemberReg, i), from, ds.now.AddDate(-1, 0, 0))
}

func (ds *dataset) member(i int) memberLine {
	m, _, _ := newMember(ds.seed, i, time.Time{})
	first, second := ds.memberSchools(i)
	ids := []string{ds.schoolID(first)}
	if second >= 0 {
		ids = append(ids, ds.schoolID(second))
	}
	return memberLine{Type: "member", ID: m.MemberID, Username: m.Username, Email: m.Email,
		FirstName: m.FirstName, LastName: m.LastName, Language: m.Language, Profile: m.Profile,
		SchoolIDs: ids, RegisteredAt: stamp(ds.memberReg(i))}
}

// someMember draws a member: half the draws from the most active fifth of the members
// (a few teachers take part in many projects), the others from all.
func (ds *dataset) someMember(r *rand.Rand) int {
	if r.IntN(2) == 0 {
		return r.IntN(max(ds.members/5, 1))
	}
	return r.IntN(ds.members)
}

var (
	projectTopics = []string{"Water around us", "Our cities, our stories", "Healthy habits", "Coding the future",
		"Fairy tales of Europe", "Climate detectives", "Maths in everyday life", "Our cultural heritage",
		"Voices of the past", "Green schools", "Recipes across borders", "Young scientists", "Digital citizens",
		"Music without borders", "Sport and fair play", "Bees and flowers", "Letters to a friend", "Robots at school"}
	projectSubtitles = []string{"", "", ": a journey through Europe", " together", ": learning from each other",
		" in our languages", ": from our school to yours"}
	projectSummaries = []string{"", "Pupils of the partner schools work in mixed teams and share their results in the TwinSpace.",
		"Each school prepares a presentation, the others answer with questions and a video.",
		"A year of monthly tasks, online meetings and a common e-book."}
	ageRanges = []project.AgeRange{{Min: 3, Max: 6}, {Min: 6, Max: 10}, {Min: 8, Max: 12}, {Min: 10, Max: 14},
		{Min: 12, Max: 15}, {Min: 14, Max: 18}, {Min: 15, Max: 19}}
	partnerCounts = []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6} // mean 2.05
)

// genProject is project p of the data set, as WriteFile writes it and its labels.
type genProject struct {
	ds                          *dataset
	p                           int
	members                     []int // the 2 founders, then the partners
	national                    bool  // every member's first school in one country
	status                      string
	title, summary, language    string
	ageRange                    *project.AgeRange
	created, approved, closedAt time.Time
}

func (ds *dataset) projectID(p int) string { return fmt.Sprintf("gp-%d-%07d", ds.seed, p) }

// project makes project p: its members (founders of two countries unless national,
// distinct members), its status and its consistent times.
func (ds *dataset) project(p int) genProject {
	r := ds.rng(saltProject, p)
	g := genProject{ds: ds, p: p}
	switch u := r.IntN(100); {
	case u < 70:
		g.status = project.Closed
	case u < 90:
		g.status = project.Approved
	case u < 95:
		g.status = project.AwaitingNSO
	default:
		g.status = project.Rejected
	}
	wantNational := r.IntN(10) == 0
	a := ds.someMember(r)
	ca := ds.home(a)
	b := -1
	for try := 0; try < 64; try++ {
		x := ds.someMember(r)
		if x == a {
			continue
		}
		if b < 0 {
			b = x // when no other member fits (a tiny data set): any other one
		}
		if cx := ds.home(x); (cx == ca) == wantNational {
			b = x
			break
		}
	}
	g.members = []int{a}
	if b >= 0 {
		g.members = append(g.members, b)
	}
	// (a partner that cannot be found in a few draws, in a tiny data set, is left out)
	for k := partnerCounts[r.IntN(len(partnerCounts))]; k > 0; k-- {
		for try := 0; try < 64; try++ {
			x := ds.someMember(r)
			if g.has(x) || (wantNational && ds.home(x) != ca) {
				continue
			}
			g.members = append(g.members, x)
			break
		}
	}
	g.national = true
	for _, x := range g.members[1:] {
		if ds.home(x) != ca {
			g.national = false
		}
	}
	c := &countries[ca]
	g.title = one(r, projectTopics) + one(r, projectSubtitles)
	g.summary = one(r, projectSummaries)
	if r.IntN(10) < 7 {
		g.language = "en"
	} else {
		g.language = c.lang
	}
	if r.IntN(10) < 7 {
		ar := ageRanges[r.IntN(len(ageRanges))]
		g.ageRange = &ar
	}
	start := ds.memberReg(a)
	if b >= 0 {
		start = later(start, ds.memberReg(b))
	}
	now := ds.now
	switch g.status {
	case project.Closed:
		g.created = within(r, start, now.Add(-120*day))
		g.approved = within(r, g.created.Add(day), g.created.Add(30*day))
		g.closedAt = within(r, g.approved.Add(90*day), g.approved.Add(730*day))
		if !g.closedAt.Before(now) {
			g.closedAt = within(r, g.approved, now)
		}
	case project.Approved:
		g.created = within(r, later(start, now.AddDate(-3, 0, 0)), now.Add(-30*day))
		g.approved = within(r, g.created.Add(day), g.created.Add(20*day))
	case project.AwaitingNSO:
		g.created = within(r, later(start, now.Add(-60*day)), now.Add(-day))
	default: // rejected
		g.created = within(r, start, now.Add(-30*day))
	}
	return g
}

func (g *genProject) has(x int) bool {
	for _, y := range g.members {
		if y == x {
			return true
		}
	}
	return false
}

func (g genProject) line() projectLine {
	ds := g.ds
	l := projectLine{Type: "project", ID: ds.projectID(g.p), Title: g.title, Summary: g.summary, Language: g.language,
		AgeRange: g.ageRange, Status: g.status, CreatedAt: stamp(g.created)}
	for k, x := range g.members {
		if k < 2 {
			l.Founders = append(l.Founders, memberID(ds.seed, x))
		} else {
			l.Partners = append(l.Partners, memberID(ds.seed, x))
		}
	}
	if !g.approved.IsZero() {
		l.ApprovedAt = stamp(g.approved)
	}
	if !g.closedAt.IsZero() {
		l.ClosedAt = stamp(g.closedAt)
	}
	return l
}

// labels are project g's quality labels: for about 30% of the approved and closed
// projects a national label for each founder's school (once per school), and for a third
// of those that are European a European label for one founder's school, awarded after
// the approval (within half a year of the closing) and before now.
func (ds *dataset) labels(g genProject) []labelLine {
	if g.status != project.Approved && g.status != project.Closed {
		return nil
	}
	r := ds.rng(saltLabel, g.p)
	if r.IntN(10) >= 3 {
		return nil
	}
	awarded := func() string {
		if !g.closedAt.IsZero() {
			return stamp(within(r, g.closedAt, earlier(g.closedAt.Add(180*day), ds.now)))
		}
		return stamp(within(r, g.approved.Add(ds.now.Sub(g.approved)*3/10).Truncate(time.Second), ds.now))
	}
	id := ds.projectID(g.p)
	var out []labelLine
	var schools []int
	for _, x := range g.members[:min(2, len(g.members))] {
		s, _ := ds.memberSchools(x)
		if len(schools) == 1 && schools[0] == s {
			continue
		}
		schools = append(schools, s)
		out = append(out, labelLine{Type: "label", ProjectID: id, Kind: project.LabelNational, SchoolID: ds.schoolID(s), AwardedAt: awarded()})
	}
	if !g.national && r.IntN(3) == 0 {
		s := schools[r.IntN(len(schools))]
		out = append(out, labelLine{Type: "label", ProjectID: id, Kind: project.LabelEuropean, SchoolID: ds.schoolID(s), AwardedAt: awarded()})
	}
	return out
}

// activity is activity j: at a time of its own slot of the 3 years before now (so no two
// activities share a time), by a member registered by then, half naming one of their
// schools.
func (ds *dataset) activity(j int) activityLine {
	r := ds.rng(saltActivity, j)
	at := ds.activityStart.Add(time.Duration(int64(j)*ds.activitySlot+r.Int64N(ds.activitySlot)) * time.Second)
	x := ds.someMember(r)
	for try := 0; try < 8 && ds.memberReg(x).After(at); try++ {
		x = ds.someMember(r)
	}
	l := activityLine{Type: "activity", MemberID: memberID(ds.seed, x), At: stamp(at)}
	switch u := r.IntN(10); {
	case u < 4:
		l.Kind = "professional_development"
	case u < 8:
		l.Kind = "project"
	default:
		l.Kind = "other"
	}
	if r.IntN(2) == 0 {
		first, second := ds.memberSchools(x)
		if second >= 0 && r.IntN(2) == 0 {
			first = second
		}
		l.SchoolID = ds.schoolID(first)
	}
	return l
}
