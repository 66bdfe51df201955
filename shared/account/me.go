package account

import (
	"context"
	"errors"
	"strings"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
	"etwin/shared/vocab"
)

// Me is the personal page.
type Me struct {
	MemberID  string             `json:"memberId"`
	Username  string             `json:"username"`
	FirstName string             `json:"firstName"`
	LastName  string             `json:"lastName"`
	Email     string             `json:"email"`
	Language  string             `json:"language"`
	Role      string             `json:"role"`
	Country   string             `json:"country,omitempty"`
	Profile   *member.Profile    `json:"profile"`
	Schools   []member.SchoolRef `json:"schools"`
	// Preferences: notification e-mails, and the profile lists hidden from others.
	Preferences member.Preferences `json:"preferences"`
}

func meOf(m member.Member) Me {
	schools := m.Schools
	if schools == nil {
		schools = []member.SchoolRef{}
	}
	return Me{MemberID: m.MemberID, Username: m.Username, FirstName: m.FirstName, LastName: m.LastName,
		Email: m.Email, Language: m.Language, Role: m.Role, Country: m.Country, Profile: m.Profile, Schools: schools,
		Preferences: m.Preferences()}
}

// GetMe returns the caller's own page.
func (s *Service) GetMe(ctx context.Context, who principal.Principal) (Me, error) {
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Me{}, err
	}
	if !ok {
		return Me{}, apperr.NoSession()
	}
	return meOf(m), nil
}

// ProfilePatch changes some profile fields; absent fields stay as they are.
type ProfilePatch struct {
	Role              *string   `json:"role"`
	Subjects          *[]string `json:"subjects"`
	AgeGroups         *[]string `json:"ageGroups"`
	ProjectExperience *string   `json:"projectExperience"`
	Interests         *[]string `json:"interests"`
	Languages         *[]string `json:"languages"`
	ProjectIdeas      *string   `json:"projectIdeas"`
}

// MePatch is the body of PATCH /v1/me.
type MePatch struct {
	FirstName *string       `json:"firstName"`
	LastName  *string       `json:"lastName"`
	Language  *string       `json:"language"`
	Profile   *ProfilePatch `json:"profile"`
	// Preferences changes the given preferences; absent ones stay as they are.
	Preferences *PreferencesPatch `json:"preferences"`
}

// PreferencesPatch changes some preferences.
type PreferencesPatch struct {
	EmailNotifications *bool     `json:"emailNotifications"`
	HiddenFields       *[]string `json:"hiddenFields"`
	// MutedEmailKinds replaces the kinds of notification whose e-mails are off.
	MutedEmailKinds *[]string `json:"mutedEmailKinds"`
}

// ErrNoMember: the store has no such member (any more).
var ErrNoMember = errors.New("account: no such member")

// UpdateMe applies a patch to the caller's own account and returns the new page.
func (s *Service) UpdateMe(ctx context.Context, who principal.Principal, p MePatch) (Me, error) {
	if err := p.Validate(); err != nil {
		return Me{}, err
	}
	m, err := s.Store.UpdateMember(ctx, who.MemberID, p.Apply)
	if errors.Is(err, ErrNoMember) {
		return Me{}, apperr.NoSession()
	}
	if err != nil {
		return Me{}, err
	}
	return meOf(m), nil
}

// Validate checks what can be checked of a patch without the member (422 naming each
// bad field).
func (p *MePatch) Validate() error {
	var f apperr.Fields
	if p.FirstName != nil {
		member.CheckPersonName(&f, "firstName", *p.FirstName, 100)
	}
	if p.LastName != nil {
		member.CheckPersonName(&f, "lastName", *p.LastName, 100)
	}
	if p.Language != nil {
		member.CheckCode(&f, "language", *p.Language, vocab.IsLanguage)
	}
	if p.Preferences != nil && p.Preferences.HiddenFields != nil {
		member.CheckCodes(&f, "preferences.hiddenFields", *p.Preferences.HiddenFields, 0, len(member.HideableFields), member.IsHideableField)
	}
	if p.Preferences != nil && p.Preferences.MutedEmailKinds != nil {
		member.CheckCodes(&f, "preferences.mutedEmailKinds", *p.Preferences.MutedEmailKinds, 0, len(notify.EmailKinds), notify.IsEmailKind)
	}
	if p.FirstName == nil && p.LastName == nil && p.Language == nil && p.Profile == nil && p.Preferences == nil {
		f.Add("body", "change at least one of firstName, lastName, language, profile, preferences")
	}
	return f.Err()
}

// Apply is the decision of a (validated) patch on the member as stored: names, language
// and preferences as given, the profile's given fields over the stored profile, which
// must then be valid as a whole. Staff accounts have no profile to patch (403). The store
// may call it more than once (see Store.UpdateMember).
func (p MePatch) Apply(m *member.Member) error {
	if p.FirstName != nil {
		m.FirstName = *trimmed(p.FirstName)
	}
	if p.LastName != nil {
		m.LastName = *trimmed(p.LastName)
	}
	set(&m.Language, p.Language)
	if pp := p.Preferences; pp != nil {
		if pp.EmailNotifications != nil {
			v := *pp.EmailNotifications
			m.EmailNotifications = &v
		}
		if pp.HiddenFields != nil {
			m.HiddenFields = append([]string{}, *pp.HiddenFields...)
		}
		if pp.MutedEmailKinds != nil {
			m.MutedEmailKinds = append([]string{}, *pp.MutedEmailKinds...)
		}
	}
	if pp := p.Profile; pp != nil {
		if m.Profile == nil {
			return apperr.Forbidden("Staff accounts have no teacher profile.")
		}
		np := *m.Profile
		set(&np.Role, pp.Role)
		setList(&np.Subjects, pp.Subjects)
		setList(&np.AgeGroups, pp.AgeGroups)
		set(&np.ProjectExperience, pp.ProjectExperience)
		setList(&np.Interests, pp.Interests)
		setList(&np.Languages, pp.Languages)
		set(&np.ProjectIdeas, pp.ProjectIdeas)
		var f apperr.Fields
		np.Validate(&f, "profile")
		if err := f.Err(); err != nil {
			return err
		}
		m.Profile = &np
	}
	return nil
}

func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	t := strings.TrimSpace(*p)
	return &t
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setList(dst *[]string, v *[]string) {
	if v != nil {
		*dst = *v
	}
}

// AddedSchool is the answer to POST /v1/me/schools.
type AddedSchool struct {
	SchoolID string             `json:"schoolId"`
	Schools  []member.SchoolRef `json:"schools"`
}

// AddSchool gives the caller another school: a registered one, or a new one registered
// now (with the same duplicate detection as at registration).
func (s *Service) AddSchool(ctx context.Context, who principal.Principal, form school.Form) (AddedSchool, error) {
	var f apperr.Fields
	form.Validate(&f, "school")
	if len(f) > 0 {
		// Fields are named "school.x" by the shared validator; this body is the school itself.
		for i := range f {
			f[i].Field = strings.TrimPrefix(f[i].Field, "school.")
		}
		return AddedSchool{}, f.Err()
	}
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return AddedSchool{}, err
	}
	if !ok {
		return AddedSchool{}, apperr.NoSession()
	}
	if m.Role != member.RoleTeacher {
		return AddedSchool{}, apperr.Forbidden("Only teachers' accounts belong to schools.")
	}
	if len(m.Schools) >= 10 {
		return AddedSchool{}, apperr.Conflict("A member may belong to at most 10 schools.")
	}
	var ref member.SchoolRef
	var newSchool *school.School
	if form.IsExisting() {
		sc, ok, err := s.Store.GetSchool(ctx, form.ExistingSchoolID)
		if err != nil {
			return AddedSchool{}, err
		}
		if !ok {
			return AddedSchool{}, apperr.Invalid(apperr.FieldError{Field: "existingSchoolId", Message: "no registered school has this id"})
		}
		ref = sc.Ref()
	} else {
		sc := form.New(token.ID("s-"), s.now())
		newSchool = &sc
		ref = sc.Ref()
	}
	if m.HasSchool(ref.SchoolID) {
		return AddedSchool{}, hasSchool()
	}
	if err := s.Store.AddSchool(ctx, who.MemberID, ref, newSchool); err != nil {
		var dup *DuplicateSchoolError
		switch {
		case errors.As(err, &dup):
			return AddedSchool{}, apperr.Conflict("This school is already registered; add it with existingSchoolId.",
				apperr.FieldError{Field: "name", Message: "a school with this name is registered in this city"}).With("schoolId", dup.SchoolID)
		case errors.Is(err, ErrHasSchool):
			return AddedSchool{}, hasSchool()
		case errors.Is(err, ErrNoSuchSchool):
			return AddedSchool{}, apperr.Invalid(apperr.FieldError{Field: "existingSchoolId", Message: "no registered school has this id"})
		}
		return AddedSchool{}, err
	}
	return AddedSchool{SchoolID: ref.SchoolID, Schools: append(m.Schools, ref)}, nil
}

func hasSchool() error {
	return apperr.Conflict("You already belong to this school.", apperr.FieldError{Field: "existingSchoolId", Message: "already one of your schools"})
}
