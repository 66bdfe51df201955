package project

import (
	"slices"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
)

// The approval state machine, as pure functions: each takes the project as read, the
// caller and the decision, and returns the project to write (version + 1) or the error
// the caller gets. The store writes the result conditional on the version read, so two
// decisions at once never both apply: the loser reads again and decides again.
//
//	awaiting_cofounder --co-founder approves--> awaiting_nso --every NSO approves--> approved
//	        |                                        |
//	        +--co-founder rejects--> rejected <------+--any NSO rejects
//	awaiting_cofounder / awaiting_nso --founder withdraws--> (deleted)

// Reminder delays (projects stall waiting for a co-founder or an NSO).
const (
	CofounderReminderAfter = 7 * 24 * time.Hour
	NSOReminderAfter       = 14 * 24 * time.Hour
)

// Caller is who acts on a project: the signed-in member and whether they are a partner
// (a partner item exists for them).
type Caller struct {
	MemberID string
	Role     string // teacher, nso, css
	Country  string // NSO accounts' country
	Partner  bool
}

// Pending reports whether the project still waits for an approval.
func (p *Project) Pending() bool { return p.Status == AwaitingCofounder || p.Status == AwaitingNSO }

// IsFounder reports whether memberID is one of the two founders.
func (p *Project) IsFounder(memberID string) bool {
	return memberID != "" && (memberID == p.FounderID || memberID == p.CofounderID)
}

// FounderCountry is the country of the founder's school.
func (p *Project) FounderCountry() string {
	if len(p.Founders) > 0 {
		return p.Founders[0].Country
	}
	return ""
}

// CanRead reports whether c may see p at all (anyone else gets 404): its partners and
// founders, the NSOs of a founder country once it reached them, and the CSS.
func CanRead(p *Project, c Caller) bool {
	switch c.Role {
	case member.RoleCSS:
		return true
	case member.RoleNSO:
		return p.Status != AwaitingCofounder && slices.Contains(p.NSOCountries, c.Country)
	}
	return c.Partner || p.IsFounder(c.MemberID)
}

// NotFound is the answer to anyone who may not see a project.
func NotFound() error { return apperr.NotFound("No project with this id is visible to you.") }

// CheckEdit says whether c may edit or withdraw p: only the founder, only while it waits
// for an approval.
func CheckEdit(p *Project, c Caller) error {
	if !CanRead(p, c) {
		return NotFound()
	}
	if c.MemberID != p.FounderID {
		return apperr.Forbidden("Only the project's founder may edit or withdraw it.")
	}
	if !p.Pending() {
		return apperr.Conflict("The project was already "+p.Status+"; it can no longer be edited or withdrawn.").With("status", p.Status)
	}
	return nil
}

// Edit applies a patch as c, conditional on the version the client last read (when given).
func Edit(p Project, c Caller, in PatchInput, now time.Time) (Project, error) {
	if err := CheckEdit(&p, c); err != nil {
		return Project{}, err
	}
	if in.Version != nil && *in.Version != p.Version {
		return Project{}, stale(p)
	}
	in.Apply(&p)
	bump(&p, now)
	return p, nil
}

func stale(p Project) error {
	return apperr.Conflict("The project changed since you read it; read it again.",
		apperr.FieldError{Field: "version", Message: "stale"}).With("version", p.Version)
}

func bump(p *Project, now time.Time) {
	p.Version++
	p.UpdatedAt = now.UTC()
}

// ChooseCofounderSchool picks the co-founder's school: requested (when given) must be one
// of theirs in another country than the founder's; by default the first such school.
func ChooseCofounderSchool(schools []member.SchoolRef, founderCountry, requested string) (member.SchoolRef, error) {
	for _, s := range schools {
		if (requested == "" || s.SchoolID == requested) && s.Country != founderCountry {
			return s, nil
		}
	}
	msg := "you have no school in another country than the founder's"
	if requested != "" {
		msg = "is not one of your schools in another country than the founder's"
	}
	return member.SchoolRef{}, apperr.Invalid(apperr.FieldError{Field: "schoolId", Message: msg})
}

// CheckCofounder says whether c may decide as the co-founder (before the body's school
// is looked at): strangers 404, others who can see it 403, a decided project 409.
func CheckCofounder(p *Project, c Caller) error {
	if !CanRead(p, c) {
		return NotFound()
	}
	if c.MemberID != p.CofounderID {
		return apperr.Forbidden("Only the invited co-founder decides on this project.")
	}
	if p.Status != AwaitingCofounder {
		return decided(p)
	}
	return nil
}

func decided(p *Project) error {
	return apperr.Conflict("This project was already decided (it is "+p.Status+").").With("status", p.Status)
}

// CofounderDecide is the co-founder's approval (with their chosen school) or rejection.
// Approval fixes the countries whose NSO must approve and sends the project to them.
func CofounderDecide(p Project, c Caller, decision string, sc member.SchoolRef, comment string, now time.Time) (Project, error) {
	if err := CheckCofounder(&p, c); err != nil {
		return Project{}, err
	}
	now = now.UTC()
	if decision == Reject {
		p.Status = Rejected
		p.Comment = comment
		bump(&p, now)
		return p, nil
	}
	if sc.Country == "" || sc.Country == p.FounderCountry() {
		return Project{}, apperr.Invalid(apperr.FieldError{Field: "schoolId", Message: "must be a school in another country than the founder's"})
	}
	p.Founders = append([]Founder{}, p.Founders...)
	for i := range p.Founders {
		if p.Founders[i].MemberID == p.CofounderID {
			p.Founders[i].SchoolID, p.Founders[i].Country = sc.SchoolID, sc.Country
		}
	}
	p.NSOCountries = nil
	for _, f := range p.Founders {
		if f.Country != "" && !slices.Contains(p.NSOCountries, f.Country) {
			p.NSOCountries = append(p.NSOCountries, f.Country)
		}
	}
	slices.Sort(p.NSOCountries)
	p.NSODecisions = map[string]NSODecision{}
	p.Status = AwaitingNSO
	p.SubmittedAt = &now
	bump(&p, now)
	return p, nil
}

// NSOOutcome is what an NSO decision changed beyond the project item.
type NSOOutcome struct {
	// Final is set when the project left awaiting_nso (approved or rejected).
	Final bool
	// DoneCountries are the countries whose queue entry goes: the decider's, or every
	// country's when the project is final.
	DoneCountries []string
}

// NSODecide records c's decision (an NSO of a founder country that has not decided yet).
// Every country approving makes the project approved (its TwinSpace opens); any
// rejection makes it rejected with the comment.
func NSODecide(p Project, c Caller, decision, comment string, now time.Time) (Project, NSOOutcome, error) {
	if c.Role != member.RoleNSO {
		return Project{}, NSOOutcome{}, apperr.Forbidden("Only National Support Organisations decide on projects.")
	}
	if !CanRead(&p, c) {
		return Project{}, NSOOutcome{}, NotFound()
	}
	if p.Status != AwaitingNSO {
		return Project{}, NSOOutcome{}, decided(&p)
	}
	if _, done := p.NSODecisions[c.Country]; done {
		return Project{}, NSOOutcome{}, apperr.Conflict("Your country's NSO already decided on this project.").With("status", p.Status)
	}
	now = now.UTC()
	decisions := make(map[string]NSODecision, len(p.NSODecisions)+1)
	for k, v := range p.NSODecisions {
		decisions[k] = v
	}
	decisions[c.Country] = NSODecision{Decision: decision, Comment: comment, By: c.MemberID, At: now}
	p.NSODecisions = decisions
	out := NSOOutcome{DoneCountries: []string{c.Country}}
	switch {
	case decision == Reject:
		p.Status = Rejected
		p.Comment = comment
	case allApproved(&p):
		p.Status = Approved
		p.ApprovedAt = &now
	}
	if p.Status != AwaitingNSO {
		out.Final = true
		out.DoneCountries = append([]string{}, p.NSOCountries...)
	}
	bump(&p, now)
	return p, out, nil
}

func allApproved(p *Project) bool {
	for _, c := range p.NSOCountries {
		if d, ok := p.NSODecisions[c]; !ok || d.Decision != Approve {
			return false
		}
	}
	return len(p.NSOCountries) > 0
}

// Reminders are the reminders due on a project.
type Reminders struct {
	Cofounder bool
	NSO       []string // countries whose NSO is reminded
}

// Empty reports whether nothing is due.
func (r Reminders) Empty() bool { return !r.Cofounder && len(r.NSO) == 0 }

// undecided are the NSO countries that have neither decided nor been reminded.
func undecided(p *Project) []string {
	var out []string
	for _, c := range p.NSOCountries {
		_, done := p.NSODecisions[c]
		_, reminded := p.RemindedNSO[c]
		if !done && !reminded {
			out = append(out, c)
		}
	}
	return out
}

// ReminderDueAt is when the project's next reminder falls due (nil: none will): the
// co-founder 7 days after the founding, each undecided NSO 14 days after the project
// reached them; each once.
func ReminderDueAt(p *Project) *time.Time {
	var at time.Time
	switch {
	case p.Status == AwaitingCofounder && p.RemindedCofounderAt == nil:
		at = p.CreatedAt.Add(CofounderReminderAfter)
	case p.Status == AwaitingNSO && p.SubmittedAt != nil && len(undecided(p)) > 0:
		at = p.SubmittedAt.Add(NSOReminderAfter)
	default:
		return nil
	}
	at = at.UTC()
	return &at
}

// DueReminders are the reminders due at now.
func DueReminders(p *Project, now time.Time) Reminders {
	at := ReminderDueAt(p)
	if at == nil || now.Before(*at) {
		return Reminders{}
	}
	if p.Status == AwaitingCofounder {
		return Reminders{Cofounder: true}
	}
	return Reminders{NSO: undecided(p)}
}

// MarkReminded records the reminders r as sent (version + 1).
func MarkReminded(p Project, r Reminders, now time.Time) Project {
	now = now.UTC()
	if r.Cofounder {
		p.RemindedCofounderAt = &now
	}
	if len(r.NSO) > 0 {
		m := make(map[string]time.Time, len(p.RemindedNSO)+len(r.NSO))
		for k, v := range p.RemindedNSO {
			m[k] = v
		}
		for _, c := range r.NSO {
			m[c] = now
		}
		p.RemindedNSO = m
	}
	bump(&p, now)
	return p
}
