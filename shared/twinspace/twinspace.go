// Package twinspace is a project's private workspace once the NSOs approved it: its
// partners (administrators and members), its pages, and the quality labels the NSOs and
// the CSS award. The rules here are pure; service.go runs the use cases. It imports no
// AWS SDK.
//
// Who may do what (docs/data-model.md "TwinSpace rights" says the same):
//   - a TwinSpace is visible (GET) only to its partners, and only while the project is
//     approved or closed (closed: a read-only archive). Everyone else, staff included,
//     gets 404: they may not even know it exists;
//   - any partner may add pages; only administrators add or remove partners and change
//     roles (a member gets 403). Writes need an approved (not closed) project: else 409;
//   - founders stay: removing one or lowering one to member is a state conflict (409);
//   - labels: see CheckLabel.
package twinspace

import (
	"context"
	"errors"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/project"
	"etwin/shared/school"
)

// Length limits of a page (characters).
const (
	MaxPageTitle = 200
	MaxPageBody  = 20000
)

// MaxLabelNotices bounds the teachers one label award notifies (they share its transaction).
const MaxLabelNotices = 90

// Page is a page of a TwinSpace (item PROJECT#<id> / PAGE#<createdAt>#<pageId>; the
// pageId is token.SortableID("g-", createdAt), so it tells its item's second).
type Page struct {
	PageID    string    `json:"pageId"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	AuthorID  string    `json:"authorId"`
	CreatedAt time.Time `json:"createdAt"`
	// UpdatedAt is the last edit's time (CreatedAt until the first edit).
	UpdatedAt time.Time `json:"updatedAt"`
	// Version counts the page's writes (1 when created; 0 for a page written before
	// pages had versions); an edit names the version it read (PagePatch).
	Version int `json:"version"`
}

// Space is everything the partition of a project holds.
type Space struct {
	Project  project.Project
	Partners []project.Partner // in member-id order
	Pages    []Page            // oldest first
	Labels   []project.Label
}

// Partner returns the partner memberID, if they are one.
func (s *Space) Partner(memberID string) (project.Partner, bool) {
	for _, p := range s.Partners {
		if p.MemberID == memberID {
			return p, true
		}
	}
	return project.Partner{}, false
}

// Member is a partner as the TwinSpace shows them.
type Member struct {
	MemberID  string `json:"memberId"`
	Role      string `json:"role"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Founder   bool   `json:"founder"`
	SchoolID  string `json:"schoolId,omitempty"`
	Country   string `json:"country,omitempty"`
}

// MemberOf is the view of a partner.
func MemberOf(p project.Partner) Member {
	return Member{MemberID: p.MemberID, Role: p.Role, FirstName: p.FirstName, LastName: p.LastName,
		Founder: p.Founder, SchoolID: p.SchoolID, Country: p.Country}
}

// View is the answer of GET /v1/projects/{projectId}/twinspace.
type View struct {
	ProjectID string          `json:"projectId"`
	Status    string          `json:"status"`
	Title     string          `json:"title"`
	Members   []Member        `json:"members"`
	Pages     []Page          `json:"pages"`
	Labels    []project.Label `json:"labels"`
}

// ViewOf is the answer for a space.
func ViewOf(s Space) View {
	v := View{ProjectID: s.Project.ProjectID, Status: s.Project.Status, Title: s.Project.Title,
		Members: []Member{}, Pages: []Page{}, Labels: []project.Label{}}
	for _, p := range s.Partners {
		v.Members = append(v.Members, MemberOf(p))
	}
	v.Pages = append(v.Pages, s.Pages...)
	v.Labels = append(v.Labels, s.Labels...)
	return v
}

// PupilViewOf is the answer for one of the project's pupils: the pages, the labels and the
// partners' names and roles (no school or country: nothing a pupil needs).
func PupilViewOf(s Space) View {
	v := ViewOf(s)
	for i := range v.Members {
		v.Members[i].SchoolID, v.Members[i].Country = "", ""
	}
	return v
}

// Visible reports whether a project's TwinSpace exists for anyone: approved (open) or
// closed (archive).
func Visible(p project.Project) bool {
	return p.Status == project.Approved || p.Status == project.Closed
}

// Writable reports whether the TwinSpace takes writes at now: approved and not past its
// closing time.
func Writable(p project.Project, now time.Time) bool { return p.Active(now) }

// Errors of the rights checks and of the store's conditions.
var (
	ErrNotOpen        = errors.New("twinspace: the project is not approved (or is closed)")
	ErrNotAdmin       = errors.New("twinspace: the caller is not an administrator")
	ErrNotPartner     = errors.New("twinspace: not a partner")
	ErrAlreadyPartner = errors.New("twinspace: already a partner")
	ErrFounder        = errors.New("twinspace: founders keep their place and role")
	ErrLabelAwarded   = errors.New("twinspace: label already awarded")
	// ErrGone: the caller stopped being a partner between the read and the write.
	ErrGone = errors.New("twinspace: the caller is no longer a partner")
)

func notFound() error {
	return apperr.NotFound("No TwinSpace with this id is open to you.")
}

func closed() error {
	return apperr.Conflict("This TwinSpace is closed: it is a read-only archive.")
}

func notAdmin() error {
	return apperr.Forbidden("Only the TwinSpace's administrators may do this.")
}

// Reader returns the caller's partner item if they may read the space: 404 otherwise.
func Reader(s Space, ok bool, memberID string) (project.Partner, error) {
	if !ok || !Visible(s.Project) {
		return project.Partner{}, notFound()
	}
	p, isPartner := s.Partner(memberID)
	if !isPartner {
		return project.Partner{}, notFound()
	}
	return p, nil
}

// Writer checks that the caller may write to the space as a partner (admin true: as an
// administrator): 404 for strangers, 409 when closed, 403 for a member where an
// administrator is needed.
func Writer(p project.Project, found bool, caller *project.Partner, admin bool, now time.Time) error {
	if !found || !Visible(p) || caller == nil {
		return notFound()
	}
	if admin && caller.Role != project.RoleAdmin {
		return notAdmin()
	}
	if !Writable(p, now) {
		return closed()
	}
	return nil
}

// MemberInput is the body of POST /v1/projects/{projectId}/members.
type MemberInput struct {
	MemberID string `json:"memberId"`
}

// Validate checks the body (422 naming memberId).
func (in *MemberInput) Validate() error {
	var f apperr.Fields
	switch {
	case in.MemberID == "":
		f.Add("memberId", "required")
	case !school.ValidID(in.MemberID):
		f.Add("memberId", "is not a member id")
	}
	return f.Err()
}

// RoleInput is the body of PUT .../members/{memberId}/role.
type RoleInput struct {
	Role string `json:"role"`
}

// Validate checks the body (422 naming role).
func (in *RoleInput) Validate() error {
	var f apperr.Fields
	switch in.Role {
	case project.RoleAdmin, project.RoleMember:
	case "":
		f.Add("role", "required")
	default:
		f.Add("role", "must be admin or member")
	}
	return f.Err()
}

// PageInput is the body of POST /v1/projects/{projectId}/pages.
type PageInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Validate checks the body (422 naming each bad field), its embeds too (file links of
// any project: see ValidateFor).
func (in *PageInput) Validate() error { return in.ValidateFor("") }

// ValidateFor is Validate for a page of projectID: embedded files must be its own.
func (in *PageInput) ValidateFor(projectID string) error {
	var f apperr.Fields
	member.CheckName(&f, "title", in.Title, MaxPageTitle)
	checkBody(&f, in.Body, projectID)
	return f.Err()
}

// checkBody checks a page's body: text, then its embeds (ParseEmbeds).
func checkBody(f *apperr.Fields, body, projectID string) {
	n := len(*f)
	member.CheckText(f, "body", body, MaxPageBody, true)
	if len(*f) > n {
		return
	}
	if _, err := ParseEmbeds(body, projectID); err != nil {
		f.Add("body", "%s", err.Error())
	}
}

// LabelInput is the body of POST /v1/projects/{projectId}/labels.
type LabelInput struct {
	Kind     string `json:"kind"`
	SchoolID string `json:"schoolId"`
}

// Validate checks the body (422 naming each bad field).
func (in *LabelInput) Validate() error {
	var f apperr.Fields
	switch in.Kind {
	case project.LabelNational, project.LabelEuropean:
	case "":
		f.Add("kind", "required")
	default:
		f.Add("kind", "must be national or european")
	}
	switch {
	case in.SchoolID == "":
		f.Add("schoolId", "required")
	case !school.ValidID(in.SchoolID):
		f.Add("schoolId", "is not a school id")
	}
	return f.Err()
}

// Staff is who awards labels, as the rules need them.
type Staff struct {
	MemberID string
	Role     string // teacher, nso or css
	Country  string // the NSO's
}

// Countries are the distinct countries of the partners' schools.
func Countries(s Space) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range s.Partners {
		if p.Country != "" && !seen[p.Country] {
			seen[p.Country] = true
			out = append(out, p.Country)
		}
	}
	return out
}

// canSee reports whether who may know the project exists (for labels): its partners,
// the CSS, and the NSOs of the founders' countries and of the partners' schools'
// countries. Everyone else gets 404.
func canSee(s Space, who Staff) bool {
	switch who.Role {
	case member.RoleCSS:
		return true
	case member.RoleNSO:
		for _, c := range Countries(s) {
			if c == who.Country {
				return true
			}
		}
		for _, c := range s.Project.NSOCountries {
			if c == who.Country {
				return true
			}
		}
		for _, f := range s.Project.Founders {
			if f.Country == who.Country {
				return true
			}
		}
		return false
	}
	_, ok := s.Partner(who.MemberID)
	return ok
}

// schoolCountry is the country of a partner school ("" and false when no partner holds it).
func schoolCountry(s Space, schoolID string) (string, bool) {
	for _, p := range s.Partners {
		if p.SchoolID == schoolID {
			return p.Country, true
		}
	}
	return "", false
}

func hasLabel(s Space, kind, schoolID string) bool {
	for _, l := range s.Labels {
		if l.Kind == kind && l.SchoolID == schoolID {
			return true
		}
	}
	return false
}

// CheckLabel decides whether who may award the label in to the space's project and
// returns the label to write. In this order:
//   - 404: the project does not exist, or who may not know it exists (canSee);
//   - 409: the project is neither approved nor closed;
//   - 403: national labels are the NSOs', european ones the CSS's;
//   - 422 (schoolId): the school is not a partner school of the project;
//   - 403: an NSO awards national labels to its own country's schools only;
//   - 409: a national label needs a European project (partner schools in at least two
//     countries); a european label needs national labels in at least two countries and
//     one for this school; a label already awarded is not awarded again.
func CheckLabel(s Space, found bool, who Staff, in LabelInput, now time.Time) (project.Label, error) {
	if !found || !canSee(s, who) {
		return project.Label{}, notFound()
	}
	if !Visible(s.Project) {
		return project.Label{}, apperr.Conflict("Labels are awarded to approved projects only.")
	}
	switch {
	case in.Kind == project.LabelNational && who.Role != member.RoleNSO:
		return project.Label{}, apperr.Forbidden("National Quality Labels are awarded by the NSOs.")
	case in.Kind == project.LabelEuropean && who.Role != member.RoleCSS:
		return project.Label{}, apperr.Forbidden("European Quality Labels are awarded by the CSS.")
	}
	country, ok := schoolCountry(s, in.SchoolID)
	if !ok {
		return project.Label{}, apperr.Invalid(apperr.FieldError{Field: "schoolId", Message: "is not a partner school of this project"})
	}
	if in.Kind == project.LabelNational {
		if country != who.Country {
			return project.Label{}, apperr.Forbidden("An NSO awards National Quality Labels to its own country's schools only.")
		}
		if len(Countries(s)) < 2 {
			return project.Label{}, apperr.Conflict("National Quality Labels are for European projects only (partner schools in at least two countries).")
		}
	} else {
		labelled := map[string]bool{}
		for _, l := range s.Labels {
			if l.Kind == project.LabelNational {
				labelled[l.Country] = true
			}
		}
		if len(labelled) < 2 {
			return project.Label{}, apperr.Conflict("The European Quality Label needs National Quality Labels in at least two countries.")
		}
		if !hasLabel(s, project.LabelNational, in.SchoolID) {
			return project.Label{}, apperr.Conflict("This school holds no National Quality Label for this project.",
				apperr.FieldError{Field: "schoolId", Message: "has no national label"})
		}
	}
	if hasLabel(s, in.Kind, in.SchoolID) {
		return project.Label{}, labelAwarded()
	}
	return project.Label{ProjectID: s.Project.ProjectID, Kind: in.Kind, SchoolID: in.SchoolID, Country: country,
		AwardedAt: now.UTC(), AwardedBy: who.MemberID}, nil
}

func labelAwarded() error {
	return apperr.Conflict("This label was already awarded to this school for this project.",
		apperr.FieldError{Field: "schoolId", Message: "already awarded"})
}

// LabelRecipients are the partners teaching at the labelled school (at most
// MaxLabelNotices).
func LabelRecipients(s Space, schoolID string) []project.Partner {
	var out []project.Partner
	for _, p := range s.Partners {
		if p.SchoolID == schoolID && len(out) < MaxLabelNotices {
			out = append(out, p)
		}
	}
	return out
}

// Store is what the TwinSpace use cases need from the database. Every read is strongly
// consistent (a removed partner loses access at once).
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	IsContact(ctx context.Context, memberID, otherID string) (bool, error)
	// GetTwinSpace reads the whole partition of the project (one Query, paged through).
	GetTwinSpace(ctx context.Context, projectID string) (Space, bool, error)
	// GetProjectPartners reads the project and those of memberIDs who are partners.
	GetProjectPartners(ctx context.Context, projectID string, memberIDs ...string) (project.Project, map[string]project.Partner, bool, error)
	// AddPartner writes the partner and the notification, while the project is approved
	// (ErrNotOpen), adminID an administrator (ErrNotAdmin) and pt not yet a partner
	// (ErrAlreadyPartner).
	AddPartner(ctx context.Context, p project.Project, adminID string, pt project.Partner, n notify.Notification) error
	// RemovePartner deletes memberID's partner item while the project is approved, adminID
	// an administrator, memberID a partner (ErrNotPartner) and no founder (ErrFounder).
	RemovePartner(ctx context.Context, projectID, adminID, memberID string) error
	// SetPartnerRole sets memberID's role with the same conditions (a founder may not be
	// set to member: ErrFounder).
	SetPartnerRole(ctx context.Context, projectID, adminID, memberID, role string) error
	// AddPage writes a page while the project is approved and authorID a partner.
	AddPage(ctx context.Context, projectID string, pg Page) error
	// GetPage reads one page (strongly consistent).
	GetPage(ctx context.Context, projectID, pageID string) (Page, bool, error)
	// UpdatePage writes the page as decide changed it, conditional on the version read
	// (read and decided again when another write won), while the project is approved
	// (ErrNotOpen) and editorID a partner (ErrGone); ErrNoPage when it is not there.
	UpdatePage(ctx context.Context, projectID, pageID, editorID string, decide func(*Page) error) (Page, error)
	// DeletePage deletes the page while the project is approved and adminID an
	// administrator (ErrNotAdmin, ErrGone); ErrNoPage when it is not there.
	DeletePage(ctx context.Context, projectID, pageID, adminID string) error
	// AwardLabel writes both label items (ErrLabelAwarded if the project's exists) and
	// the notifications, while the project is approved or closed (ErrNotOpen).
	AwardLabel(ctx context.Context, l project.Label, ns []notify.Notification) error
}
