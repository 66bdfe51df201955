package contact

import (
	"context"
	"errors"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/token"
)

// Service runs the contact use cases.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Page is a page of a list.
type Page[T any] = cursor.Page[T]

// Created is the answer to a new request.
type Created struct {
	RequestID string `json:"requestId"`
}

func noSuchMember() error {
	return apperr.NotFound("No teacher has this member id.")
}

func noSuchRequest() error {
	return apperr.NotFound("You have no contact request with this id.")
}

// Create sends a contact request from the caller to in.MemberID and notifies the invitee.
func (s *Service) Create(ctx context.Context, who principal.Principal, in CreateInput) (Created, error) {
	if err := in.Validate(); err != nil {
		return Created{}, err
	}
	if who.Role != member.RoleTeacher {
		return Created{}, apperr.Forbidden("Only teachers' accounts have contacts.")
	}
	if in.MemberID == who.MemberID {
		return Created{}, apperr.Conflict("You cannot invite yourself.", apperr.FieldError{Field: "memberId", Message: "is you"})
	}
	invitee, ok, err := s.Store.GetMember(ctx, in.MemberID)
	if err != nil {
		return Created{}, err
	}
	if !ok || invitee.Role != member.RoleTeacher {
		return Created{}, noSuchMember()
	}
	sender, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Created{}, err
	}
	if !ok {
		return Created{}, apperr.NoSession()
	}
	now := s.now()
	r := Request{RequestID: token.SortableID(IDPrefix, now), Status: StatusPending, From: PersonOf(sender), To: PersonOf(invitee),
		CreatedAt: now, ExpiresAt: now.Add(ExpiresAfter)}
	to := notify.RecipientOf(invitee)
	n := notify.New(to, notify.KindContactRequest, notify.Subject{Type: notify.SubjectContactRequest, ID: r.RequestID}, notify.ActorOf(sender), now)
	n.AskDecision(action.ContactRequest, now)
	err = s.Store.CreateContactRequest(ctx, r, Day(now), DailyLimit, n)
	switch {
	case errors.Is(err, ErrPending):
		return Created{}, apperr.Conflict("A contact request between you two is already pending.", apperr.FieldError{Field: "memberId", Message: "a request is pending"})
	case errors.Is(err, ErrAlreadyLinked):
		return Created{}, apperr.Conflict("This member is already one of your contacts.", apperr.FieldError{Field: "memberId", Message: "already a contact"})
	case errors.Is(err, ErrDailyLimit):
		return Created{}, apperr.TooMany("You have sent the most contact requests allowed today; try again tomorrow (UTC).", UntilTomorrow(now))
	case err != nil:
		return Created{}, err
	}
	return Created{RequestID: r.RequestID}, nil
}

// Decide accepts or rejects a request addressed to the caller. Anyone else (the sender
// included) gets 404; a request already answered, 409. Accepting makes the two contacts
// and notifies the sender; rejecting tells nobody (the request leaves the sender's
// outgoing list) and frees the pair for a new request.
func (s *Service) Decide(ctx context.Context, who principal.Principal, requestID string, accept bool) (Request, error) {
	return s.decide(ctx, who, requestID, accept, nil)
}

// DecideFromLink is Decide taken from the e-mailed link (package confirm): the same rules
// and effects, and the link is used in the decision's transaction (action.ErrSpent when
// another request used it first).
func (s *Service) DecideFromLink(ctx context.Context, who principal.Principal, requestID string, accept bool, spend action.Spend) (Request, error) {
	return s.decide(ctx, who, requestID, accept, &spend)
}

func (s *Service) decide(ctx context.Context, who principal.Principal, requestID string, accept bool, spend *action.Spend) (Request, error) {
	if !validID(requestID) {
		return Request{}, noSuchRequest()
	}
	r, ok, err := s.Store.GetContactRequest(ctx, requestID)
	if err != nil {
		return Request{}, err
	}
	if !ok || r.To.MemberID != who.MemberID {
		return Request{}, noSuchRequest()
	}
	now := s.now()
	if !r.Pending(now) {
		return Request{}, decided(r)
	}
	d := Decision{Request: r, Spend: spend}
	d.Request.DecidedAt = &now
	d.Request.Status = StatusRejected
	var to notify.Recipient
	if accept {
		d.Request.Status = StatusAccepted
		// Fresh names for the contact entries (the request holds them as they were).
		d.ForSender, d.ForInvitee = r.To, r.From
		invitee, ok, err := s.Store.GetMember(ctx, r.To.MemberID)
		if err != nil {
			return Request{}, err
		}
		if ok {
			d.ForSender = PersonOf(invitee)
		}
		sender, ok, err := s.Store.GetMember(ctx, r.From.MemberID)
		if err != nil {
			return Request{}, err
		}
		if ok {
			d.ForInvitee = PersonOf(sender)
			to = notify.RecipientOf(sender)
		} else {
			to = notify.Recipient{MemberID: r.From.MemberID}
		}
		n := notify.New(to, notify.KindContactAccepted, notify.Subject{Type: notify.SubjectMember, ID: r.To.MemberID},
			&notify.Actor{MemberID: d.ForSender.MemberID, FirstName: d.ForSender.FirstName, LastName: d.ForSender.LastName}, now)
		d.Notice = &n
	}
	if err := s.Store.DecideContactRequest(ctx, d); err != nil {
		if errors.Is(err, ErrDecided) {
			return Request{}, decided(r)
		}
		return Request{}, err
	}
	return d.Request, nil
}

// Withdraw takes back a pending request the caller sent: it leaves both pending lists and
// frees the pair for a new request (the invitee's notification then leads to a request
// that is no longer pending). Anyone else gets 404; a request already answered, 409.
func (s *Service) Withdraw(ctx context.Context, who principal.Principal, requestID string) error {
	if !validID(requestID) {
		return noSuchRequest()
	}
	r, ok, err := s.Store.GetContactRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if !ok || r.From.MemberID != who.MemberID {
		return noSuchRequest()
	}
	now := s.now()
	if !r.Pending(now) {
		return decided(r)
	}
	d := Decision{Request: r}
	d.Request.Status, d.Request.DecidedAt = StatusWithdrawn, &now
	if err := s.Store.DecideContactRequest(ctx, d); err != nil {
		if errors.Is(err, ErrDecided) {
			return decided(r)
		}
		return err
	}
	return nil
}

func decided(r Request) error {
	if r.Status == StatusPending { // and expired
		return apperr.Conflict("This contact request has expired: it was not answered within 30 days. A new request may be sent.").With("requestId", r.RequestID)
	}
	return apperr.Conflict("This contact request is no longer pending (it was answered or withdrawn).").With("requestId", r.RequestID)
}

// ListRequests lists the caller's pending requests (incoming or outgoing), newest first;
// expired ones are not listed.
func (s *Service) ListRequests(ctx context.Context, who principal.Principal, direction, cur string, limit int) (Page[Request], error) {
	list := "requests:" + direction
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return Page[Request]{}, err
	}
	items, next, err := s.Store.ListContactRequests(ctx, who.MemberID, direction, LiveSince(s.now()), after, limit)
	if err != nil {
		return Page[Request]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, items, next, s.now())
}

// ListContacts lists the caller's contacts (in the order of their member ids).
func (s *Service) ListContacts(ctx context.Context, who principal.Principal, cur string, limit int) (Page[Person], error) {
	after, err := s.Cursors.Resume(cur, who.MemberID, "contacts", s.now())
	if err != nil {
		return Page[Person]{}, err
	}
	items, next, err := s.Store.ListContacts(ctx, who.MemberID, after, limit)
	if err != nil {
		return Page[Person]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, "contacts", items, next, s.now())
}

// Delete removes otherID from the caller's contacts, and the caller from theirs.
func (s *Service) Delete(ctx context.Context, who principal.Principal, otherID string) error {
	notContact := apperr.NotFound("This member is not one of your contacts.")
	if !validID(otherID) || otherID == who.MemberID {
		return notContact
	}
	err := s.Store.DeleteContact(ctx, who.MemberID, otherID)
	if errors.Is(err, ErrNotContact) {
		return notContact
	}
	return err
}
