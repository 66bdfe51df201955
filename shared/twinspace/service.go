package twinspace

import (
	"context"
	"errors"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/token"
)

// KindLabelAwarded notifies a labelled school's partner teachers.
const KindLabelAwarded = notify.KindLabelAwarded

// Service runs the TwinSpace use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Added is the answer to a new partner.
type Added struct {
	MemberID string `json:"memberId"`
	Role     string `json:"role"`
}

// PageCreated is the answer to a new page.
type PageCreated struct {
	PageID string `json:"pageId"`
}

// Get returns the TwinSpace to one of its partners.
func (s *Service) Get(ctx context.Context, who principal.Principal, projectID string) (View, error) {
	if !school.ValidID(projectID) {
		return View{}, notFound()
	}
	sp, ok, err := s.Store.GetTwinSpace(ctx, projectID)
	if err != nil {
		return View{}, err
	}
	if who.Role == principal.RolePupil {
		// a pupil reads only their own project's TwinSpace (another one: 404)
		if !ok || !Visible(sp.Project) || !who.PupilOf(projectID) {
			return View{}, notFound()
		}
		return PupilViewOf(sp), nil
	}
	if _, err := Reader(sp, ok, who.MemberID); err != nil {
		return View{}, err
	}
	return ViewOf(sp), nil
}

// writer reads the project and the caller's (and others') partner items and checks the
// caller may write (as an administrator when admin).
func (s *Service) writer(ctx context.Context, who principal.Principal, projectID string, admin bool, others ...string) (project.Project, map[string]project.Partner, error) {
	if !school.ValidID(projectID) {
		return project.Project{}, nil, notFound()
	}
	p, partners, found, err := s.Store.GetProjectPartners(ctx, projectID, append([]string{who.MemberID}, others...)...)
	if err != nil {
		return project.Project{}, nil, err
	}
	var caller *project.Partner
	if pt, ok := partners[who.MemberID]; ok {
		caller = &pt
	}
	return p, partners, Writer(p, found, caller, admin, s.now())
}

// storeErr maps the store's condition failures (a race lost after the checks) to answers.
func storeErr(err error) error {
	switch {
	case errors.Is(err, ErrNotOpen):
		return closed()
	case errors.Is(err, ErrGone):
		return notFound()
	case errors.Is(err, ErrNotAdmin):
		return notAdmin()
	case errors.Is(err, ErrNotPartner):
		return apperr.NotFound("This member is not a partner of the project.")
	case errors.Is(err, ErrAlreadyPartner):
		return apperr.Conflict("This member is already a partner of the project.", apperr.FieldError{Field: "memberId", Message: "already a partner"})
	case errors.Is(err, ErrFounder):
		return apperr.Conflict("Founders stay administrators of their TwinSpace: they cannot be removed or made members.")
	case errors.Is(err, ErrLabelAwarded):
		return labelAwarded()
	case errors.Is(err, project.ErrNotContact): // removed since it was read
		return notContact()
	}
	return err
}

func notContact() error {
	return apperr.Invalid(apperr.FieldError{Field: "memberId", Message: "is not one of your contacts"})
}

// AddMember adds one of the calling administrator's contacts (a teacher with a school) as
// a member and notifies them.
func (s *Service) AddMember(ctx context.Context, who principal.Principal, projectID string, in MemberInput) (Added, error) {
	if err := in.Validate(); err != nil {
		return Added{}, err
	}
	p, partners, err := s.writer(ctx, who, projectID, true, in.MemberID)
	if err != nil {
		return Added{}, err
	}
	if _, ok := partners[in.MemberID]; ok {
		return Added{}, storeErr(ErrAlreadyPartner)
	}
	isContact, err := s.Store.IsContact(ctx, who.MemberID, in.MemberID)
	if err != nil {
		return Added{}, err
	}
	if !isContact {
		return Added{}, notContact()
	}
	m, ok, err := s.Store.GetMember(ctx, in.MemberID)
	if err != nil {
		return Added{}, err
	}
	if !ok {
		return Added{}, notContact()
	}
	if m.Role != member.RoleTeacher || len(m.Schools) == 0 {
		return Added{}, apperr.Invalid(apperr.FieldError{Field: "memberId", Message: "is not a teacher with a school"})
	}
	now := s.now()
	pt := project.Partner{MemberID: m.MemberID, Role: project.RoleMember, SchoolID: m.Schools[0].SchoolID,
		Country: m.Schools[0].Country, FirstName: m.FirstName, LastName: m.LastName, AddedAt: now}
	to := notify.RecipientOf(m)
	admin := partners[who.MemberID]
	n := notify.New(to, notify.KindPartnerAdded, notify.Subject{Type: notify.SubjectProject, ID: p.ProjectID},
		&notify.Actor{MemberID: admin.MemberID, FirstName: admin.FirstName, LastName: admin.LastName}, now)
	if err := s.Store.AddPartner(ctx, p, who.MemberID, pt, n); err != nil {
		return Added{}, storeErr(err)
	}
	return Added{MemberID: pt.MemberID, Role: pt.Role}, nil
}

// RemoveMember removes a partner who is not a founder.
func (s *Service) RemoveMember(ctx context.Context, who principal.Principal, projectID, memberID string) error {
	if !school.ValidID(memberID) {
		return storeErr(ErrNotPartner)
	}
	_, partners, err := s.writer(ctx, who, projectID, true, memberID)
	if err != nil {
		return err
	}
	target, ok := partners[memberID]
	if !ok {
		return storeErr(ErrNotPartner)
	}
	if target.Founder {
		return storeErr(ErrFounder)
	}
	return storeErr(s.Store.RemovePartner(ctx, projectID, who.MemberID, memberID))
}

// SetRole raises a member to administrator or lowers an administrator who is not a
// founder to member; it returns the partner as the TwinSpace now shows them.
func (s *Service) SetRole(ctx context.Context, who principal.Principal, projectID, memberID string, in RoleInput) (Member, error) {
	if err := in.Validate(); err != nil {
		return Member{}, err
	}
	if !school.ValidID(memberID) {
		return Member{}, storeErr(ErrNotPartner)
	}
	_, partners, err := s.writer(ctx, who, projectID, true, memberID)
	if err != nil {
		return Member{}, err
	}
	target, ok := partners[memberID]
	if !ok {
		return Member{}, storeErr(ErrNotPartner)
	}
	if target.Founder && in.Role != project.RoleAdmin {
		return Member{}, storeErr(ErrFounder)
	}
	if err := s.Store.SetPartnerRole(ctx, projectID, who.MemberID, memberID, in.Role); err != nil {
		return Member{}, storeErr(err)
	}
	target.Role = in.Role
	return MemberOf(target), nil
}

// AddPage adds a page; any partner may.
func (s *Service) AddPage(ctx context.Context, who principal.Principal, projectID string, in PageInput) (PageCreated, error) {
	if err := in.ValidateFor(projectID); err != nil {
		return PageCreated{}, err
	}
	if _, _, err := s.writer(ctx, who, projectID, false); err != nil {
		return PageCreated{}, err
	}
	now := s.now()
	pg := Page{PageID: token.SortableID("g-", now), Title: in.Title, Body: in.Body, AuthorID: who.MemberID, CreatedAt: now,
		UpdatedAt: now, Version: 1}
	if err := s.Store.AddPage(ctx, projectID, pg); err != nil {
		return PageCreated{}, storeErr(err)
	}
	return PageCreated{PageID: pg.PageID}, nil
}

// AwardLabel awards a quality label (CheckLabel says who may) and notifies the school's
// partner teachers.
func (s *Service) AwardLabel(ctx context.Context, who principal.Principal, projectID string, in LabelInput) (project.Label, error) {
	if err := in.Validate(); err != nil {
		return project.Label{}, err
	}
	if !school.ValidID(projectID) {
		return project.Label{}, notFound()
	}
	sp, found, err := s.Store.GetTwinSpace(ctx, projectID)
	if err != nil {
		return project.Label{}, err
	}
	now := s.now()
	l, err := CheckLabel(sp, found, Staff{MemberID: who.MemberID, Role: who.Role, Country: who.Country}, in, now)
	if err != nil {
		return project.Label{}, err
	}
	var ns []notify.Notification
	for _, pt := range LabelRecipients(sp, l.SchoolID) {
		to := notify.Recipient{MemberID: pt.MemberID, FirstName: pt.FirstName}
		m, ok, err := s.Store.GetMember(ctx, pt.MemberID)
		if err != nil {
			return project.Label{}, err
		}
		if ok {
			to = notify.RecipientOf(m)
		}
		ns = append(ns, notify.New(to, KindLabelAwarded, notify.Subject{Type: notify.SubjectProject, ID: projectID}, nil, now))
	}
	if err := s.Store.AwardLabel(ctx, l, ns); err != nil {
		return project.Label{}, storeErr(err)
	}
	return l, nil
}
