// Package importer reads the bulk-import file (docs/import.md): JSON Lines, one object per line
// with a "type". Parse checks one line on its own (fields, vocabularies, formats); the
// references between lines (schoolIds, founders, projectId...) are checked by the loader,
// which knows the whole file and the table. It imports no AWS SDK.
package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/member"
	"etwin/shared/password"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/staff"
	"etwin/shared/strictjson"
	"etwin/shared/vocab"
)

// Line types, in the order the loader writes them (a line refers only to earlier types).
const (
	TypeStaff    = "staff"
	TypeSchool   = "school"
	TypeMember   = "member"
	TypeProject  = "project"
	TypeLabel    = "label"
	TypeActivity = "activity"
)

// Types lists the line types in write order.
var Types = []string{TypeStaff, TypeSchool, TypeMember, TypeProject, TypeLabel, TypeActivity}

// MaxLine is the longest line accepted (the API's body limit).
const MaxLine = strictjson.MaxSize

// Staff is a staff line: an NSO or CSS account.
type Staff struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	Username     string `json:"username"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	PasswordHash string `json:"passwordHash"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Role         string `json:"role"`
	Country      string `json:"country"`
	Language     string `json:"language"`
}

// School is a school line.
type School struct {
	Type          string `json:"type"`
	ID            string `json:"id"`
	Name          string `json:"name"`
	Country       string `json:"country"`
	City          string `json:"city"`
	SchoolType    string `json:"schoolType"`
	Address       string `json:"address"`
	PostalCode    string `json:"postalCode"`
	Phone         string `json:"phone"`
	Fax           string `json:"fax"`
	Email         string `json:"email"`
	Website       string `json:"website"`
	HeadTeacher   string `json:"headTeacher"`
	Pupils        int    `json:"pupils"`
	OtherProjects string `json:"otherProjects"`
	RegisteredAt  string `json:"registeredAt"`

	registeredAt time.Time
}

// Member is a member (teacher) line.
type Member struct {
	Type         string          `json:"type"`
	ID           string          `json:"id"`
	Username     string          `json:"username"`
	Email        string          `json:"email"`
	Password     string          `json:"password"`
	PasswordHash string          `json:"passwordHash"`
	FirstName    string          `json:"firstName"`
	LastName     string          `json:"lastName"`
	Role         string          `json:"role"`
	Language     string          `json:"language"`
	Profile      *member.Profile `json:"profile"`
	SchoolIDs    []string        `json:"schoolIds"`
	RegisteredAt string          `json:"registeredAt"`

	registeredAt time.Time
}

// Project is a project line.
type Project struct {
	Type       string            `json:"type"`
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	Language   string            `json:"language"`
	AgeRange   *project.AgeRange `json:"ageRange"` // optional (nil: none)
	Founders   []string          `json:"founders"`
	Partners   []string          `json:"partners"`
	Status     string            `json:"status"`
	CreatedAt  string            `json:"createdAt"`
	ApprovedAt string            `json:"approvedAt"`
	ClosedAt   string            `json:"closedAt"`

	createdAt, approvedAt, closedAt time.Time
}

// Label is a quality-label line.
type Label struct {
	Type      string `json:"type"`
	ProjectID string `json:"projectId"`
	Kind      string `json:"kind"`
	SchoolID  string `json:"schoolId"`
	AwardedAt string `json:"awardedAt"`

	awardedAt time.Time
}

// Activity is an activity line: a teacher's past activity (project, professional
// development, other) at a time, for one school or (SchoolID "") each of their schools.
type Activity struct {
	Type     string `json:"type"`
	MemberID string `json:"memberId"`
	Kind     string `json:"kind"`
	At       string `json:"at"`
	SchoolID string `json:"schoolId"`

	at time.Time
}

// Record is one parsed line: Type says which pointer is set.
type Record struct {
	Type     string
	Staff    *Staff
	School   *School
	Member   *Member
	Project  *Project
	Label    *Label
	Activity *Activity
}

// Key identifies what a record writes: two lines with the same key are duplicates
// (labels by project, kind and school; activities by member, kind, time and school).
func (r Record) Key() string {
	switch r.Type {
	case TypeStaff, TypeMember:
		// staff and members share the id space (both are accounts)
		if r.Staff != nil {
			return "account:" + r.Staff.ID
		}
		return "account:" + r.Member.ID
	case TypeSchool:
		return "school:" + r.School.ID
	case TypeProject:
		return "project:" + r.Project.ID
	case TypeLabel:
		return "label:" + r.Label.ProjectID + "|" + r.Label.Kind + "|" + r.Label.SchoolID
	case TypeActivity:
		a := r.Activity
		return "activity:" + a.MemberID + "|" + a.Kind + "|" + a.at.UTC().Format(time.RFC3339Nano) + "|" + a.SchoolID
	}
	return ""
}

// Uniques are the keys no two lines of a file may share: Key, and an account's username
// and e-mail address and a school's country, city and name (as their guards compare them:
// folded), which the bulk import checks within the file, as it writes no guards with
// conditions.
func (r Record) Uniques() []string {
	keys := []string{r.Key()}
	switch {
	case r.Staff != nil:
		keys = append(keys, "username:"+member.UsernameKey(r.Staff.Username), "email:"+member.NormalizeEmail(r.Staff.Email))
	case r.Member != nil:
		keys = append(keys, "username:"+member.UsernameKey(r.Member.Username), "email:"+member.NormalizeEmail(r.Member.Email))
	case r.School != nil:
		sc := r.School.School()
		c, city, name := sc.DuplicateKey()
		keys = append(keys, "school name:"+c+"|"+city+"|"+name)
	}
	return keys
}

// HasPassword reports whether an account line carries a plain password.
func (r Record) HasPassword() bool {
	return (r.Staff != nil && r.Staff.Password != "") || (r.Member != nil && r.Member.Password != "")
}

// Parse checks one line and returns its record, or an error whose message says what is
// wrong (fields named by their JSON path).
func Parse(line []byte) (Record, error) {
	line = bytes.TrimSpace(line)
	if len(line) > MaxLine {
		return Record{}, fmt.Errorf("line is longer than %d bytes", MaxLine)
	}
	var probe struct {
		Type any `json:"type"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return Record{}, errors.New("not a JSON object")
	}
	t, ok := probe.Type.(string)
	if !ok || t == "" {
		return Record{}, errors.New("type: required (one of " + strings.Join(Types, ", ") + ")")
	}
	r := Record{Type: t}
	var dst any
	switch t {
	case TypeStaff:
		r.Staff = &Staff{}
		dst = r.Staff
	case TypeSchool:
		r.School = &School{}
		dst = r.School
	case TypeMember:
		r.Member = &Member{}
		dst = r.Member
	case TypeProject:
		r.Project = &Project{}
		dst = r.Project
	case TypeLabel:
		r.Label = &Label{}
		dst = r.Label
	case TypeActivity:
		r.Activity = &Activity{}
		dst = r.Activity
	default:
		return Record{}, fmt.Errorf("type: unknown type %q (one of %s)", clip(t), strings.Join(Types, ", "))
	}
	if err := strictjson.Decode(line, dst); err != nil {
		return Record{}, Reason(err)
	}
	var f apperr.Fields
	switch t {
	case TypeStaff:
		r.Staff.validate(&f)
	case TypeSchool:
		r.School.validate(&f)
	case TypeMember:
		r.Member.validate(&f)
	case TypeProject:
		r.Project.validate(&f)
	case TypeLabel:
		r.Label.validate(&f)
	case TypeActivity:
		r.Activity.validate(&f)
	}
	if err := f.Err(); err != nil {
		return Record{}, Reason(err)
	}
	return r, nil
}

// Reason turns an error into a one-line reason: the named fields of an API error
// ("email: required; schoolIds.0: ..."), else its text.
func Reason(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	if len(ae.Fields) == 0 {
		if ae.Detail != "" {
			return errors.New(ae.Detail)
		}
		return errors.New(ae.Title)
	}
	parts := make([]string, len(ae.Fields))
	for i, fe := range ae.Fields {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return errors.New(strings.Join(parts, "; "))
}

func checkID(f *apperr.Fields, field, id string) {
	if id == "" {
		f.Add(field, "required")
	} else if !school.ValidID(id) {
		f.Add(field, "%s", school.IDRule)
	}
}

// checkTime parses an RFC 3339 time; "" is absent (an error when required).
func checkTime(f *apperr.Fields, field, v string, required bool) time.Time {
	if v == "" {
		if required {
			f.Add(field, "required")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		f.Add(field, "must be an RFC 3339 time such as 2021-03-01T00:00:00Z")
		return time.Time{}
	}
	return t.UTC()
}

// checkSecret: a plain password (checked against the policy) or a hash Verify can read,
// or neither; never both.
func checkSecret(f *apperr.Fields, pw, hash, username, email string) {
	switch {
	case pw != "" && hash != "":
		f.Add("password", "give either password or passwordHash, not both")
	case pw != "":
		if msg := password.Problem(pw, username, email); msg != "" {
			f.Add("password", "%s", msg)
		}
	case hash != "":
		if password.CheckHash(hash) != nil {
			f.Add("passwordHash", "must be an argon2id PHC string: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash> (base64, no padding)")
		}
	}
}

func (s *Staff) validate(f *apperr.Fields) {
	checkID(f, "id", s.ID)
	in := s.Input()
	if err := in.Validate(); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			*f = append(*f, ae.Fields...)
		}
	}
	checkSecret(f, s.Password, s.PasswordHash, s.Username, s.Email)
}

// Input is the staff account as staff.Input, with the optional fields filled in: the
// first name defaults to the username, the last name to the role (NSO, CSS), the
// language to en.
func (s *Staff) Input() staff.Input {
	in := staff.Input{Username: s.Username, Email: s.Email, FirstName: s.FirstName, LastName: s.LastName,
		Role: s.Role, Country: s.Country, Language: s.Language}
	if in.FirstName == "" {
		in.FirstName = s.Username
	}
	if in.LastName == "" {
		in.LastName = strings.ToUpper(s.Role)
	}
	if in.Language == "" {
		in.Language = "en"
	}
	return in
}

func (s *School) validate(f *apperr.Fields) {
	checkID(f, "id", s.ID)
	member.CheckName(f, "name", s.Name, 200)
	if len(fold.Words(s.Name)) > 15 {
		f.Add("name", "must have at most 15 words")
	}
	member.CheckCode(f, "country", s.Country, vocab.IsCountry)
	member.CheckName(f, "city", s.City, 100)
	member.CheckCode(f, "schoolType", s.SchoolType, vocab.IsSchoolType)
	member.CheckText(f, "address", s.Address, 300, false)
	member.CheckText(f, "postalCode", s.PostalCode, 12, false)
	member.CheckText(f, "phone", s.Phone, 30, false)
	member.CheckText(f, "fax", s.Fax, 30, false)
	if s.Email != "" {
		if msg := member.EmailProblem(s.Email); msg != "" {
			f.Add("email", "%s", msg)
		}
	}
	member.CheckText(f, "website", s.Website, 300, false)
	member.CheckText(f, "headTeacher", s.HeadTeacher, 200, false)
	if s.Pupils < 0 || s.Pupils > 100000 {
		f.Add("pupils", "must be from 0 to 100000")
	}
	member.CheckText(f, "otherProjects", s.OtherProjects, 2000, false)
	s.registeredAt = checkTime(f, "registeredAt", s.RegisteredAt, true)
}

// School is the school to store.
func (s *School) School() school.School {
	return school.School{SchoolID: s.ID, Name: strings.TrimSpace(s.Name), Country: s.Country, City: strings.TrimSpace(s.City),
		Address: s.Address, PostalCode: s.PostalCode, SchoolType: s.SchoolType, Phone: s.Phone, Fax: s.Fax,
		Email: s.Email, Website: s.Website, HeadTeacher: s.HeadTeacher, Pupils: s.Pupils,
		OtherProjects: s.OtherProjects, RegisteredAt: s.registeredAt}
}

func (m *Member) validate(f *apperr.Fields) {
	checkID(f, "id", m.ID)
	if msg := member.UsernameProblem(m.Username); msg != "" {
		f.Add("username", "%s", msg)
	}
	if msg := member.EmailProblem(m.Email); msg != "" {
		f.Add("email", "%s", msg)
	}
	member.CheckPersonName(f, "firstName", m.FirstName, 100)
	member.CheckPersonName(f, "lastName", m.LastName, 100)
	if m.Role != "" && m.Role != member.RoleTeacher {
		f.Add("role", "must be teacher (staff accounts are staff lines)")
	}
	member.CheckCode(f, "language", m.Language, vocab.IsLanguage)
	if m.Profile != nil {
		m.Profile.Validate(f, "profile")
	}
	if len(m.SchoolIDs) == 0 {
		f.Add("schoolIds", "required: at least one school id")
	} else if len(m.SchoolIDs) > 10 {
		f.Add("schoolIds", "must list at most 10 schools")
	}
	seen := map[string]bool{}
	for i, id := range m.SchoolIDs {
		field := fmt.Sprintf("schoolIds.%d", i)
		checkID(f, field, id)
		if seen[id] {
			f.Add(field, "repeats %q", clip(id))
		}
		seen[id] = true
	}
	checkSecret(f, m.Password, m.PasswordHash, m.Username, m.Email)
	m.registeredAt = checkTime(f, "registeredAt", m.RegisteredAt, true)
}

// RegisteredAtTime is when the member registered.
func (m *Member) RegisteredAtTime() time.Time { return m.registeredAt }

func (p *Project) validate(f *apperr.Fields) {
	checkID(f, "id", p.ID)
	member.CheckName(f, "title", p.Title, 200)
	member.CheckText(f, "summary", p.Summary, 2000, false)
	if p.Language != "" {
		member.CheckCode(f, "language", p.Language, vocab.IsLanguage)
	}
	if p.AgeRange != nil {
		project.CheckAgeRange(f, *p.AgeRange)
	}
	if len(p.Founders) != 2 {
		f.Add("founders", "must list exactly 2 member ids")
	}
	if len(p.Partners) > 97 {
		f.Add("partners", "must list at most 97 member ids")
	}
	seen := map[string]bool{}
	check := func(field string, ids []string) {
		for i, id := range ids {
			name := fmt.Sprintf("%s.%d", field, i)
			checkID(f, name, id)
			if seen[id] {
				f.Add(name, "repeats %q", clip(id))
			}
			seen[id] = true
		}
	}
	check("founders", p.Founders)
	check("partners", p.Partners)
	switch p.Status {
	case "":
		f.Add("status", "required")
	case project.AwaitingCofounder, project.AwaitingNSO, project.Approved, project.Rejected, project.Closed:
	default:
		f.Add("status", "must be one of awaiting_cofounder, awaiting_nso, approved, rejected, closed")
	}
	needApproval := p.Status == project.Approved || p.Status == project.Closed
	p.approvedAt = checkTime(f, "approvedAt", p.ApprovedAt, needApproval)
	p.closedAt = checkTime(f, "closedAt", p.ClosedAt, p.Status == project.Closed)
	p.createdAt = checkTime(f, "createdAt", p.CreatedAt, p.ApprovedAt == "")
	if p.createdAt.IsZero() {
		p.createdAt = p.approvedAt
	}
	if !p.closedAt.IsZero() && !p.approvedAt.IsZero() && p.closedAt.Before(p.approvedAt) {
		f.Add("closedAt", "must not be before approvedAt")
	}
}

// Times are the project's creation, approval and closing times (zero when absent).
func (p *Project) Times() (created, approved, closed time.Time) {
	return p.createdAt, p.approvedAt, p.closedAt
}

func (l *Label) validate(f *apperr.Fields) {
	checkID(f, "projectId", l.ProjectID)
	switch l.Kind {
	case "":
		f.Add("kind", "required")
	case project.LabelNational, project.LabelEuropean:
	default:
		f.Add("kind", "must be national or european")
	}
	checkID(f, "schoolId", l.SchoolID)
	l.awardedAt = checkTime(f, "awardedAt", l.AwardedAt, true)
}

// AwardedAtTime is when the label was awarded.
func (l *Label) AwardedAtTime() time.Time { return l.awardedAt }

func (a *Activity) validate(f *apperr.Fields) {
	checkID(f, "memberId", a.MemberID)
	switch a.Kind {
	case "":
		f.Add("kind", "required")
	case "project", "professional_development", "other":
	default:
		f.Add("kind", "must be project, professional_development or other")
	}
	a.at = checkTime(f, "at", a.At, true)
	if a.SchoolID != "" {
		checkID(f, "schoolId", a.SchoolID)
	}
}

// AtTime is when the activity took place.
func (a *Activity) AtTime() time.Time { return a.at }

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
