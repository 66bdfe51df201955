// Package pupil is the pupils of a TwinSpace: accounts a project's teachers create for
// their pupils, holding only a first name and an age group (no e-mail, no surname, no
// birth date). A pupil signs in with a generated username and passphrase, and their
// session reaches only their project's TwinSpace (principal.RolePupil). The rules here are
// pure; service.go runs the use cases. It imports no AWS SDK.
package pupil

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/project"
	"etwin/shared/vocab"
)

// IDPrefix starts every pupil id.
const IDPrefix = "pu_"

// MaxFirstName bounds a pupil's first name (characters).
const MaxFirstName = 60

// Pupil is a pupil's account (item PUPILS#<projectId> / PUPIL#<pupilId>).
type Pupil struct {
	PupilID      string
	ProjectID    string
	FirstName    string
	AgeGroup     string
	CreatedBy    string // the teacher who created the account
	Username     string
	PasswordHash string
	CreatedAt    time.Time
}

// Listed is a pupil as GET .../pupils shows them.
type Listed struct {
	PupilID   string `json:"pupilId"`
	FirstName string `json:"firstName"`
	AgeGroup  string `json:"ageGroup"`
	CreatedBy string `json:"createdBy"`
}

// ListedOf is the list entry of p.
func ListedOf(p Pupil) Listed {
	return Listed{PupilID: p.PupilID, FirstName: p.FirstName, AgeGroup: p.AgeGroup, CreatedBy: p.CreatedBy}
}

// CreateInput is the body of POST /v1/projects/{projectId}/pupils.
type CreateInput struct {
	FirstName string `json:"firstName"`
	AgeGroup  string `json:"ageGroup"`
}

// Validate names every bad field.
func (in *CreateInput) Validate() error {
	var f apperr.Fields
	in.FirstName = strings.TrimSpace(in.FirstName)
	switch {
	case in.FirstName == "":
		f.Add("firstName", "required")
	case utf8.RuneCountInString(in.FirstName) > MaxFirstName || strings.ContainsAny(in.FirstName, "\x00\r\n\t"):
		f.Add("firstName", "must be at most 60 characters on one line")
	}
	if !vocab.IsAgeGroup(in.AgeGroup) {
		f.Add("ageGroup", "must be one of the ageGroups vocabulary")
	}
	return f.Err()
}

// Created is the answer to a new pupil: the credentials, shown once.
type Created struct {
	PupilID  string `json:"pupilId"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// NewPassword is the answer to a password reset: the new passphrase, shown once.
type NewPassword struct {
	Password string `json:"password"`
}

// Errors of the store's conditions.
var (
	// ErrUsernameTaken: the generated username is held already (another one is drawn).
	ErrUsernameTaken = errors.New("pupil: username taken")
	// ErrNotOpen: the project is not approved (or was closed meanwhile).
	ErrNotOpen = errors.New("pupil: the project is not open")
	// ErrGone: the teacher stopped being a partner, or the pupil was erased, meanwhile.
	ErrGone = errors.New("pupil: gone")
)

func notFound() error { return apperr.NotFound("No project with this id is open to you.") }

func noPupil() error { return apperr.NotFound("No pupil with this id in this project.") }

func closed() error {
	return apperr.Conflict("This project is not open (not approved yet, or closed): pupils cannot be added or changed.")
}

func notTheirs() error {
	return apperr.Forbidden("Only the teacher who created this pupil, or an administrator of the TwinSpace, may do this.")
}

// Partner checks that caller may see the project's pupils: 404 for strangers and for
// projects without a TwinSpace.
func Partner(p project.Project, found bool, caller *project.Partner) error {
	if !found || caller == nil || (p.Status != project.Approved && p.Status != project.Closed) {
		return notFound()
	}
	return nil
}

// Creator checks that caller may add pupils at now: a partner of an approved project.
func Creator(p project.Project, found bool, caller *project.Partner, now time.Time) error {
	if err := Partner(p, found, caller); err != nil {
		return err
	}
	if !p.Active(now) {
		return closed()
	}
	return nil
}

// Manager checks that caller may erase pu or reset its password: the teacher who created
// the pupil or an administrator of the TwinSpace (403 for other partners), while the project
// is open.
func Manager(p project.Project, found bool, caller *project.Partner, pu Pupil, pupilFound bool, now time.Time) error {
	if err := Partner(p, found, caller); err != nil {
		return err
	}
	if !pupilFound {
		return noPupil()
	}
	if pu.CreatedBy != caller.MemberID && caller.Role != project.RoleAdmin {
		return notTheirs()
	}
	if !p.Active(now) {
		return closed()
	}
	return nil
}

// Passphrases and usernames are drawn from pronounceable syllables (a consonant and a
// vowel, no look-alike letters), so that a teacher can read them out and a child type
// them: a passphrase is passphraseWords words of syllablesPerWord syllables,
// log2(14*5) * 3 * 3 ≈ 55 bits from crypto/rand.
const (
	consonants       = "bdfgklmnprstvz"
	vowels           = "aeiou"
	syllablesPerWord = 3
	passphraseWords  = 3
)

// PassphraseBits is the entropy of a generated passphrase.
const PassphraseBits = 55

func pick(set string) byte {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return set[n.Int64()]
}

func word() string {
	b := make([]byte, 0, 2*syllablesPerWord)
	for range syllablesPerWord {
		b = append(b, pick(consonants), pick(vowels))
	}
	return string(b)
}

// Passphrase draws a new passphrase ("bakotu-limera-sopanu").
func Passphrase() string {
	w := make([]string, passphraseWords)
	for i := range w {
		w[i] = word()
	}
	return strings.Join(w, "-")
}

// Username draws a username: a word and three digits ("tafuri.482"); the store's
// username guard makes it unique (another is drawn when it is taken). It holds nothing of
// the pupil.
func Username() string {
	d := []byte{pick("0123456789"), pick("0123456789"), pick("0123456789")}
	return word() + "." + string(d)
}

// Store is what the pupil use cases need from the database. Every read is strongly
// consistent.
type Store interface {
	// GetProjectPartners reads the project and those of memberIDs who are partners.
	GetProjectPartners(ctx context.Context, projectID string, memberIDs ...string) (project.Project, map[string]project.Partner, bool, error)
	// CreatePupil writes the pupil and claims its username in one transaction, while the
	// project is approved (ErrNotOpen) and the creator a partner (ErrGone);
	// ErrUsernameTaken when the username is held.
	CreatePupil(ctx context.Context, p Pupil) error
	ListPupils(ctx context.Context, projectID string) ([]Pupil, error)
	GetPupil(ctx context.Context, projectID, pupilID string) (Pupil, bool, error)
	// DeletePupil erases the pupil and frees its username (ErrGone if it is gone), then
	// ends its sessions.
	DeletePupil(ctx context.Context, p Pupil) error
	// SetPupilPassword replaces the pupil's password hash (ErrGone if it is gone) and
	// ends its sessions.
	SetPupilPassword(ctx context.Context, p Pupil, passwordHash string) error
}
