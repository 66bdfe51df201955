package twinspace

import (
	"context"
	"errors"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/school"
)

// One page of a TwinSpace: read (partners and the project's pupils), edited (partners,
// naming the version they read) and deleted (administrators). The TwinSpace GET lists the
// same items, so it shows every edit and deletion at once.

// Errors of the page store.
var (
	// ErrNoPage: no such page in the project (any more).
	ErrNoPage = errors.New("twinspace: no such page")
	// ErrPageBusy: the page kept changing while an edit was decided (the store gave up
	// reading and deciding again).
	ErrPageBusy = apperr.Busy("The page keeps changing; please try again.")
)

func noPage() error {
	return apperr.NotFound("No page with this id in this TwinSpace.")
}

// PageView is a page with the embeds its body shows (GET and PATCH .../pages/{pageId}).
type PageView struct {
	Page
	Embeds []Embed `json:"embeds"`
}

// PageViewOf is the view of a page of projectID. A body stored before the embed rules
// that they would refuse shows no embeds (it is still shown as text).
func PageViewOf(pg Page, projectID string) PageView {
	v := PageView{Page: pg, Embeds: []Embed{}}
	if es, err := ParseEmbeds(pg.Body, projectID); err == nil && es != nil {
		v.Embeds = es
	}
	return v
}

// PagePatch is the body of PATCH /v1/projects/{projectId}/pages/{pageId}: the version
// last read and the fields to change (at least one).
type PagePatch struct {
	Version *int    `json:"version"`
	Title   *string `json:"title"`
	Body    *string `json:"body"`
}

// Validate checks the patch (422 naming each bad field), embeds of file links of any
// project (see ValidateFor).
func (in *PagePatch) Validate() error { return in.ValidateFor("") }

// ValidateFor is Validate for a page of projectID: embedded files must be its own.
func (in *PagePatch) ValidateFor(projectID string) error {
	var f apperr.Fields
	switch {
	case in.Version == nil:
		f.Add("version", "required (the version of the page last read)")
	case *in.Version < 0:
		f.Add("version", "must be at least 0")
	}
	if in.Title == nil && in.Body == nil {
		f.Add("body", "give title, body or both")
	}
	if in.Title != nil {
		member.CheckName(&f, "title", *in.Title, MaxPageTitle)
	}
	if in.Body != nil {
		checkBody(&f, *in.Body, projectID)
	}
	return f.Err()
}

// Apply returns pg changed by the patch (a trimmed title), as of now, if the patch names
// the page's version: else a 409 naming version.
func (pg Page) Apply(in PagePatch, now time.Time) (Page, error) {
	if in.Version == nil || *in.Version != pg.Version {
		return pg, apperr.Conflict("The page changed since you read it: read it again and redo your edit.",
			apperr.FieldError{Field: "version", Message: "is not the page's current version"})
	}
	if in.Title != nil {
		pg.Title = strings.TrimSpace(*in.Title)
	}
	if in.Body != nil {
		pg.Body = *in.Body
	}
	pg.UpdatedAt = now.UTC()
	return pg, nil
}

// PageReader checks that who may read the pages of the project: its partners (caller,
// their partner item, nil for anyone else) and its pupils, while the TwinSpace is visible
// (approved, or closed: an archive). Everyone else gets 404.
func PageReader(p project.Project, found bool, caller *project.Partner, who principal.Principal) error {
	if !found || !Visible(p) {
		return notFound()
	}
	if caller == nil && !who.PupilOf(p.ProjectID) {
		return notFound()
	}
	return nil
}

func pageErr(err error) error {
	if errors.Is(err, ErrNoPage) {
		return noPage()
	}
	return storeErr(err)
}

// GetPage returns a page to a partner or a pupil of the project.
func (s *Service) GetPage(ctx context.Context, who principal.Principal, projectID, pageID string) (PageView, error) {
	if !school.ValidID(projectID) {
		return PageView{}, notFound()
	}
	var ids []string
	if who.Role != principal.RolePupil { // a pupil is no partner
		ids = append(ids, who.MemberID)
	}
	p, partners, found, err := s.Store.GetProjectPartners(ctx, projectID, ids...)
	if err != nil {
		return PageView{}, err
	}
	var caller *project.Partner
	if pt, ok := partners[who.MemberID]; ok && who.Role != principal.RolePupil {
		caller = &pt
	}
	if err := PageReader(p, found, caller, who); err != nil {
		return PageView{}, err
	}
	if !school.ValidID(pageID) {
		return PageView{}, noPage()
	}
	pg, ok, err := s.Store.GetPage(ctx, projectID, pageID)
	if err != nil {
		return PageView{}, err
	}
	if !ok {
		return PageView{}, noPage()
	}
	return PageViewOf(pg, projectID), nil
}

// UpdatePage edits a page; any partner may, naming the version they read (stale: 409).
func (s *Service) UpdatePage(ctx context.Context, who principal.Principal, projectID, pageID string, in PagePatch) (PageView, error) {
	if err := in.ValidateFor(projectID); err != nil {
		return PageView{}, err
	}
	if _, _, err := s.writer(ctx, who, projectID, false); err != nil {
		return PageView{}, err
	}
	if !school.ValidID(pageID) {
		return PageView{}, noPage()
	}
	pg, err := s.Store.UpdatePage(ctx, projectID, pageID, who.MemberID, func(pg *Page) error {
		next, err := pg.Apply(in, s.now())
		if err != nil {
			return err
		}
		*pg = next
		return nil
	})
	if err != nil {
		return PageView{}, pageErr(err)
	}
	return PageViewOf(pg, projectID), nil
}

// DeletePage deletes a page; administrators only.
func (s *Service) DeletePage(ctx context.Context, who principal.Principal, projectID, pageID string) error {
	if _, _, err := s.writer(ctx, who, projectID, true); err != nil {
		return err
	}
	if !school.ValidID(pageID) {
		return noPage()
	}
	return pageErr(s.Store.DeletePage(ctx, projectID, pageID, who.MemberID))
}
