package pupil

import (
	"context"
	"errors"
	"time"

	"etwin/shared/clock"
	"etwin/shared/password"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/token"
)

// usernameAttempts bounds the draws of a new username (a collision is rare: the space
// holds 343,000,000 names).
const usernameAttempts = 5

// Service runs the pupil use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// caller reads the project and the caller's partner item.
func (s *Service) caller(ctx context.Context, who principal.Principal, projectID string) (project.Project, *project.Partner, bool, error) {
	if !school.ValidID(projectID) || who.Role == principal.RolePupil {
		return project.Project{}, nil, false, nil
	}
	p, partners, found, err := s.Store.GetProjectPartners(ctx, projectID, who.MemberID)
	if err != nil {
		return project.Project{}, nil, false, err
	}
	if pt, ok := partners[who.MemberID]; ok {
		return p, &pt, found, nil
	}
	return p, nil, found, nil
}

func storeErr(err error) error {
	switch {
	case errors.Is(err, ErrNotOpen):
		return closed()
	case errors.Is(err, ErrGone):
		return noPupil()
	}
	return err
}

// Create adds a pupil to the project: a generated username and passphrase (only its hash
// is stored), returned once.
func (s *Service) Create(ctx context.Context, who principal.Principal, projectID string, in CreateInput) (Created, error) {
	if err := in.Validate(); err != nil {
		return Created{}, err
	}
	now := s.now()
	p, caller, found, err := s.caller(ctx, who, projectID)
	if err != nil {
		return Created{}, err
	}
	if err := Creator(p, found, caller, now); err != nil {
		return Created{}, err
	}
	pass := Passphrase()
	hash, err := password.Hash(pass)
	if err != nil {
		return Created{}, err
	}
	pu := Pupil{PupilID: token.ID(IDPrefix), ProjectID: projectID, FirstName: in.FirstName, AgeGroup: in.AgeGroup,
		CreatedBy: who.MemberID, PasswordHash: hash, CreatedAt: now}
	for i := 0; ; i++ {
		pu.Username = Username()
		err = s.Store.CreatePupil(ctx, pu)
		if !errors.Is(err, ErrUsernameTaken) || i+1 == usernameAttempts {
			break
		}
	}
	if errors.Is(err, ErrGone) {
		return Created{}, notFound()
	}
	if err != nil {
		return Created{}, storeErr(err)
	}
	return Created{PupilID: pu.PupilID, Username: pu.Username, Password: pass}, nil
}

// List returns the project's pupils to its partners (also once it is closed).
func (s *Service) List(ctx context.Context, who principal.Principal, projectID string) ([]Listed, error) {
	p, caller, found, err := s.caller(ctx, who, projectID)
	if err != nil {
		return nil, err
	}
	if err := Partner(p, found, caller); err != nil {
		return nil, err
	}
	ps, err := s.Store.ListPupils(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := make([]Listed, 0, len(ps))
	for _, pu := range ps {
		out = append(out, ListedOf(pu))
	}
	return out, nil
}

// manage reads the project, the caller and the pupil, and checks the caller may manage it.
func (s *Service) manage(ctx context.Context, who principal.Principal, projectID, pupilID string) (Pupil, error) {
	p, caller, found, err := s.caller(ctx, who, projectID)
	if err != nil {
		return Pupil{}, err
	}
	if err := Partner(p, found, caller); err != nil {
		return Pupil{}, err
	}
	var pu Pupil
	pupilFound := false
	if school.ValidID(pupilID) {
		if pu, pupilFound, err = s.Store.GetPupil(ctx, projectID, pupilID); err != nil {
			return Pupil{}, err
		}
	}
	return pu, Manager(p, found, caller, pu, pupilFound, s.now())
}

// Delete erases a pupil's account: their username is freed, their sessions end, and their
// comments show "former pupil".
func (s *Service) Delete(ctx context.Context, who principal.Principal, projectID, pupilID string) error {
	pu, err := s.manage(ctx, who, projectID, pupilID)
	if err != nil {
		return err
	}
	return storeErr(s.Store.DeletePupil(ctx, pu))
}

// ResetPassword gives the pupil a new passphrase (returned once); the old one and the
// pupil's sessions end.
func (s *Service) ResetPassword(ctx context.Context, who principal.Principal, projectID, pupilID string) (NewPassword, error) {
	pu, err := s.manage(ctx, who, projectID, pupilID)
	if err != nil {
		return NewPassword{}, err
	}
	pass := Passphrase()
	hash, err := password.Hash(pass)
	if err != nil {
		return NewPassword{}, err
	}
	if err := s.Store.SetPupilPassword(ctx, pu, hash); err != nil {
		return NewPassword{}, storeErr(err)
	}
	return NewPassword{Password: pass}, nil
}
