// Package confirm is deciding from an e-mail: the use cases behind the confirmation pages
// (GET/POST /confirm/{token}) and their JSON twin (/v1/confirmations/{token}).
//
// A link (package action) is bound to its recipient, its purpose and its subject. Look
// says what the link would decide, as things stand, and changes nothing: a mail scanner
// or a link prefetcher that opens it decides nothing. Decide takes the recipient's choice
// through the use case of the API route for the same decision (contact.Service,
// project.Service), acting as the recipient: the same rules, notifications and
// conditional writes, with the link spent in the decision's own transaction, so of two
// POSTs at once exactly one decides and the other shows its outcome.
//
// A link's state is one of:
//   - open: the decision waits for the recipient;
//   - used: this link took it (Outcome says how); opening it again shows that;
//   - expired: past its lifetime, unused;
//   - superseded: the decision was taken another way (in the portal, the other party
//     withdrew, the project was deleted): Settled says what happened. Nothing is written
//     when that happens elsewhere: the link reads its subject's state.
//
// No session is created from a link. A caller signed in as another member sees whom the
// link is for, and cannot use it.
package confirm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/token"
)

// States of a link.
const (
	Open       = "open"
	Used       = "used"
	Expired    = "expired"
	Superseded = "superseded"
	// Done is Decide's answer when this request took the decision.
	Done = "done"
)

// Person is who asks, or whom the link is for (names only).
type Person struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Country   string `json:"country,omitempty"`
}

// Subject is what the link decides on.
type Subject struct {
	Type    string `json:"type"` // contact_request, project
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary,omitempty"`
}

// Situation is a subject as it stands, as a Decider describes it.
type Situation struct {
	Subject Subject
	From    Person
	// Open: the decision still waits for the link's recipient; otherwise Settled says
	// what happened to it (accepted, rejected, approved, withdrawn, deleted).
	Open    bool
	Settled string
}

// View is what a link shows.
type View struct {
	Purpose   string    `json:"purpose"`
	Choices   []string  `json:"choices"`
	Subject   Subject   `json:"subject"`
	From      Person    `json:"from"`
	For       Person    `json:"for"`
	ExpiresAt time.Time `json:"expiresAt"`
	State     string    `json:"state"`
	// Outcome is the choice taken (used, done).
	Outcome string `json:"outcome,omitempty"`
	// Settled is what happened instead (superseded).
	Settled string `json:"settled,omitempty"`
	// Lang is the recipient's language (the page's); Age is how long ago the link was
	// made (logged, to tell scanners, which open links within seconds, from people).
	Lang string        `json:"-"`
	Age  time.Duration `json:"-"`
}

// Decider is one purpose's decision, run through its API route's use case.
type Decider interface {
	// Choices are the answers the link offers (the first is the positive one).
	Choices() []string
	// Describe reads the subject as it stands now, for the link's recipient.
	Describe(ctx context.Context, t action.Token) (Situation, error)
	// Decide takes choice as who (the link's recipient) and spends the link in the same
	// transaction. A decision taken meanwhile another way is an apperr 409; the link
	// used meanwhile, action.ErrSpent.
	Decide(ctx context.Context, who principal.Principal, t action.Token, choice string, spend action.Spend) error
}

// Store is what the links need from the database.
type Store interface {
	GetActionToken(ctx context.Context, hash string) (action.Token, bool, error)
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
}

// Service runs the link use cases.
type Service struct {
	Store    Store
	Deciders map[string]Decider // by purpose
	Now      func() time.Time
}

// Unknown is the answer for a link that does not exist (or never did).
func Unknown() error {
	return apperr.NotFound("This link is not valid. Check that it was copied whole.")
}

// link is a token read with its recipient and its purpose's decider.
type link struct {
	t   action.Token
	to  member.Member
	dec Decider
}

func (s *Service) read(ctx context.Context, raw string) (link, error) {
	if !action.WellFormed(raw) {
		return link{}, Unknown()
	}
	t, found, err := s.Store.GetActionToken(ctx, token.Hash(raw))
	if err != nil {
		return link{}, err
	}
	dec, ok := s.Deciders[t.Purpose]
	if !found || !ok {
		return link{}, Unknown()
	}
	to, found, err := s.Store.GetMember(ctx, t.RecipientID)
	if err != nil {
		return link{}, err
	}
	if !found { // the account was erased: nothing is left to decide for it
		return link{}, Unknown()
	}
	return link{t: t, to: to, dec: dec}, nil
}

// view is the link's view at now, its subject read again. A subject no longer open while
// the link was unused when read may have been decided through this very link in between
// (the decision and the link's use are one transaction): the link is read once more.
func (s *Service) view(ctx context.Context, l link, now time.Time) (View, error) {
	sit, err := l.dec.Describe(ctx, l.t)
	if err != nil {
		return View{}, err
	}
	if !sit.Open && !l.t.Used() {
		t, found, err := s.Store.GetActionToken(ctx, l.t.Hash)
		if err != nil {
			return View{}, err
		}
		if found {
			l.t = t
		}
	}
	v := View{Purpose: l.t.Purpose, Choices: l.dec.Choices(), Subject: sit.Subject, From: sit.From,
		For: Person{FirstName: l.to.FirstName, LastName: l.to.LastName}, ExpiresAt: l.t.ExpiresAt,
		Lang: l.to.Language, Age: now.Sub(l.t.CreatedAt)}
	switch {
	case l.t.Used():
		v.State, v.Outcome = Used, l.t.Outcome
	case !sit.Open:
		v.State, v.Settled = Superseded, sit.Settled
	case l.t.Expired(now):
		v.State = Expired
	default:
		v.State = Open
	}
	return v, nil
}

// Look says what the link decides and in which state it is; it writes nothing. who is
// the zero Principal without a session.
func (s *Service) Look(ctx context.Context, who principal.Principal, raw string) (View, error) {
	l, err := s.read(ctx, raw)
	if err != nil {
		return View{}, err
	}
	v, err := s.view(ctx, l, clock.Now(s.Now))
	if err != nil {
		return View{}, err
	}
	if err := mine(who, l, v); err != nil {
		return v, err
	}
	return v, nil
}

// Decide takes choice from the link. The answer's State is Done when this request took
// the decision; Used (with the first Outcome), Expired or Superseded when it could not.
func (s *Service) Decide(ctx context.Context, who principal.Principal, raw, choice string) (View, error) {
	l, err := s.read(ctx, raw)
	if err != nil {
		return View{}, err
	}
	now := clock.Now(s.Now)
	v, err := s.view(ctx, l, now)
	if err != nil {
		return View{}, err
	}
	if err := mine(who, l, v); err != nil {
		return v, err
	}
	if v.State != Open {
		return v, nil
	}
	if !slices.Contains(v.Choices, choice) {
		return v, apperr.Invalid(apperr.FieldError{Field: "choice", Message: "must be one of " + strings.Join(v.Choices, ", ")})
	}
	as := principal.Principal{MemberID: l.to.MemberID, Role: l.to.Role, Country: l.to.Country}
	err = l.dec.Decide(ctx, as, l.t, choice, action.Spend{Hash: l.t.Hash, Outcome: choice, At: now})
	if e, ok := apperr.As(err); (ok && e.Status == 409) || errors.Is(err, action.ErrSpent) {
		// Taken meanwhile: by another use of this link (its outcome shows), or another way.
		if l, err = s.read(ctx, raw); err != nil {
			return View{}, err
		}
		return s.view(ctx, l, now)
	}
	if err != nil {
		return v, err
	}
	v.State, v.Outcome = Done, choice
	return v, nil
}

// mine refuses a caller signed in as someone else than the link's recipient (403 naming
// whom the link is for): nothing changes.
func mine(who principal.Principal, l link, v View) error {
	if who.MemberID == "" || who.MemberID == l.t.RecipientID {
		return nil
	}
	return apperr.Forbidden("This link is for "+strings.TrimSpace(v.For.FirstName+" "+v.For.LastName)+
		"; you are signed in as another member. Nothing was changed.").With("for", v.For)
}

// ChoiceInput is the body of POST /v1/confirmations/{token}.
type ChoiceInput struct {
	Choice string `json:"choice"`
}

// Validate checks the body's shape (which choices a link offers is Decide's to say).
func (in ChoiceInput) Validate() error {
	if in.Choice == "" || len(in.Choice) > 20 {
		return apperr.Invalid(apperr.FieldError{Field: "choice", Message: "is required: one of the link's choices"})
	}
	return nil
}
