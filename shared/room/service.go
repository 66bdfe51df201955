package room

import (
	"context"
	"errors"
	"strings"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/moderation"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
)

// Store is what the room use cases need (shared/ddb implements it).
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// GetMembers reads members by id (absent ids are left out): the creators the
	// room-expiry job warns, in one batch.
	GetMembers(ctx context.Context, ids []string) (map[string]member.Member, error)
	// CreateRoom writes the room, its creator's participation and their list entry in one
	// transaction.
	CreateRoom(ctx context.Context, r Room) error
	// GetRoom reads the room and what memberID is to it (strongly consistent).
	GetRoom(ctx context.Context, roomID, memberID string) (Room, Access, bool, error)
	// ListRooms returns the member's rooms and the open rooms, newest first, matching f,
	// after the position after, and the position of the next page ("" when none).
	ListRooms(ctx context.Context, memberID string, f Filter, after string, limit int) ([]Room, string, error)
	// InviteToRoom writes a pending invitation (replacing a declined one) and its notification,
	// while the member is no participant (ErrParticipant) and no invitation is pending
	// (ErrInvited), in a room that exists (ErrNoRoom).
	InviteToRoom(ctx context.Context, inv Invitation, n notify.Notification) error
	// JoinRoom makes the member a participant (ErrParticipant when they are already), through
	// their pending invitation when invited (ErrNotInvited when it went meanwhile), and
	// spends the link when given, in one transaction.
	JoinRoom(ctx context.Context, j Join) error
	// DeclineRoom marks the member's pending invitation declined (ErrNotInvited), spending the
	// link when given.
	DeclineRoom(ctx context.Context, roomID, memberID string, at time.Time, spend *action.Spend) error
	// UpdateRoom is the versioned read → decide → write loop of the room (ErrNoRoom,
	// ErrBusy).
	UpdateRoom(ctx context.Context, roomID string, decide func(r *Room) error) (Room, error)
	// RemoveParticipant ends memberID's participation (ErrNotParticipant).
	RemoveParticipant(ctx context.Context, r Room, memberID string) error
	// CreateRoomPost writes the post while its author is a participant (ErrNotParticipant).
	CreateRoomPost(ctx context.Context, p Post) error
	GetRoomPost(ctx context.Context, roomID, postID string) (Post, bool, error)
	// ListRoomPosts returns a room's posts oldest first.
	ListRoomPosts(ctx context.Context, roomID, after string, limit int) ([]Post, string, error)
	// DeleteRoomPost removes the post (ErrNoPost), with rm (a moderation removal: its
	// record and the author's notification; nil for the author's own) in the same
	// transaction.
	DeleteRoomPost(ctx context.Context, roomID, postID string, rm *moderation.Removal) error
	// DueRooms are the rooms whose next expiry step (Room.DueAt) is due at now.
	DueRooms(ctx context.Context, now time.Time) ([]Room, error)
	// WarnRoom marks r warned at at (and moves its due to its expiry), with the creator's
	// notification n when not nil, in one transaction, while r is as read, not warned and
	// not closed (ErrNotDue).
	WarnRoom(ctx context.Context, r Room, at time.Time, n *notify.Notification) error
	// CloseRoom marks r closed at at, takes it off the open rooms and deletes its expiry
	// entry, in one transaction, while r is as read and not closed (ErrNotDue).
	CloseRoom(ctx context.Context, r Room, at time.Time) error
}

// Join is a member becoming a participant.
type Join struct {
	Room   Room
	Member Person
	// Invited: through their pending invitation (which the join removes).
	Invited bool
	At      time.Time
	Spend   *action.Spend
}

// Service runs the room use cases.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// caller reads the signed-in member (gone since the session began: 401).
func (s *Service) caller(ctx context.Context, who principal.Principal) (member.Member, error) {
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err == nil && !ok {
		err = apperr.NoSession()
	}
	return m, err
}

func noRoom() error { return apperr.NotFound("You have no room with this id.") }
func noPost() error { return apperr.NotFound("This room has no such post.") }

// Create opens a new room for the caller, active for two months; only the CSS opens rooms
// that anyone may join.
func (s *Service) Create(ctx context.Context, who principal.Principal, in NewRoom) (Room, error) {
	if err := in.Validate(); err != nil {
		return Room{}, err
	}
	open := in.Open != nil && *in.Open
	if open && who.Role != member.RoleCSS {
		return Room{}, apperr.Forbidden("Only the Central Support Service opens rooms that anyone may join.")
	}
	m, err := s.caller(ctx, who)
	if err != nil {
		return Room{}, err
	}
	now := s.now()
	r := Room{RoomID: token.TimeID("rm-", now), Title: strings.TrimSpace(in.Title), Description: in.Description,
		Language: in.Language, Tags: in.Tags, Open: open, Creator: PersonOf(m), CreatedAt: now,
		ExpiresAt: now.AddDate(0, Active, 0), Participants: 1}
	if err := s.Store.CreateRoom(ctx, r); err != nil {
		return Room{}, err
	}
	return r.As(Access{Participant: true}, who.MemberID, now), nil
}

// As is the room as memberID sees it at now (Expired, Membership).
func (r Room) As(a Access, memberID string, now time.Time) Room {
	r.Expired = !now.Before(r.ExpiresAt)
	switch {
	case r.Creator.MemberID == memberID && a.Participant:
		r.Membership = Creator
	case a.Participant:
		r.Membership = Participant
	case a.Invitation == InvitePending:
		r.Membership = Invited
	default:
		r.Membership = None
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r
}

// visible reads the room for the caller: participants and invitees see it, and everyone
// sees an open room; anyone else gets 404.
func (s *Service) visible(ctx context.Context, who principal.Principal, roomID string) (Room, Access, error) {
	if !school.ValidID(roomID) {
		return Room{}, Access{}, noRoom()
	}
	r, a, ok, err := s.Store.GetRoom(ctx, roomID, who.MemberID)
	if err != nil {
		return Room{}, Access{}, err
	}
	if !ok || !(r.Open || a.Participant || a.Invitation == InvitePending) {
		return Room{}, Access{}, noRoom()
	}
	return r.As(a, who.MemberID, s.now()), a, nil
}

// Get reads a room the caller may see.
func (s *Service) Get(ctx context.Context, who principal.Principal, roomID string) (Room, error) {
	r, _, err := s.visible(ctx, who, roomID)
	return r, err
}

// participant reads the room for one of its participants: others who may see it get 403,
// the rest 404.
func (s *Service) participant(ctx context.Context, who principal.Principal, roomID string) (Room, error) {
	r, a, err := s.visible(ctx, who, roomID)
	if err != nil {
		return Room{}, err
	}
	if !a.Participant {
		return Room{}, apperr.Forbidden("Only the room's participants may do this; join the room first.")
	}
	return r, nil
}

// creator reads the room for its creator: other participants get 403, the rest 404.
func (s *Service) creator(ctx context.Context, who principal.Principal, roomID string) (Room, error) {
	r, err := s.participant(ctx, who, roomID)
	if err != nil {
		return Room{}, err
	}
	if r.Creator.MemberID != who.MemberID {
		return Room{}, apperr.Forbidden("Only the room's creator may do this.")
	}
	return r, nil
}

// List lists the caller's rooms and the open rooms, newest first, filtered by tag and
// language.
func (s *Service) List(ctx context.Context, who principal.Principal, f Filter, cur string, limit int) (cursor.Page[Room], error) {
	list := "rooms|" + f.Tag + "|" + f.Language
	now := s.now()
	after, err := s.Cursors.Resume(cur, who.MemberID, list, now)
	if err != nil {
		return cursor.Page[Room]{}, err
	}
	rooms, next, err := s.Store.ListRooms(ctx, who.MemberID, f, after, limit)
	if err != nil {
		return cursor.Page[Room]{}, err
	}
	for i := range rooms {
		rooms[i] = rooms[i].As(Access{Participant: rooms[i].Membership == Participant}, who.MemberID, now)
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, rooms, next, now)
}

// InvitationCreated is the answer to an invitation.
type InvitationCreated struct {
	RoomID   string `json:"roomId"`
	MemberID string `json:"memberId"`
	Status   string `json:"status"`
}

// Invite invites a member to the caller's room and notifies them (with a link to join or
// decline from the e-mail).
func (s *Service) Invite(ctx context.Context, who principal.Principal, roomID string, in InvitationInput) (InvitationCreated, error) {
	if err := in.Validate(); err != nil {
		return InvitationCreated{}, err
	}
	r, err := s.creator(ctx, who, roomID)
	if err != nil {
		return InvitationCreated{}, err
	}
	already := apperr.Conflict("This member is already a participant of the room.", apperr.FieldError{Field: "memberId", Message: "already a participant"})
	if in.MemberID == who.MemberID {
		return InvitationCreated{}, already
	}
	unknown := apperr.NotFound("No member has this member id.")
	unknown.Fields = []apperr.FieldError{{Field: "memberId", Message: "no member has this id"}}
	if !school.ValidID(in.MemberID) {
		return InvitationCreated{}, unknown
	}
	invitee, ok, err := s.Store.GetMember(ctx, in.MemberID)
	if err != nil {
		return InvitationCreated{}, err
	}
	if !ok {
		return InvitationCreated{}, unknown
	}
	now := s.now()
	n := notify.New(notify.RecipientOf(invitee), notify.KindRoomInvitation, notify.Subject{Type: notify.SubjectRoom, ID: r.RoomID},
		&notify.Actor{MemberID: r.Creator.MemberID, FirstName: r.Creator.FirstName, LastName: r.Creator.LastName}, now)
	if n.Email != nil {
		n.Email.Envelope.Data["RoomTitle"] = r.Title
	}
	n.AskDecision(action.RoomInvitation, now)
	err = s.Store.InviteToRoom(ctx, Invitation{RoomID: r.RoomID, MemberID: invitee.MemberID, By: who.MemberID, InvitedAt: now}, n)
	switch {
	case errors.Is(err, ErrParticipant):
		return InvitationCreated{}, already
	case errors.Is(err, ErrInvited):
		return InvitationCreated{}, apperr.Conflict("This member's invitation is still pending.", apperr.FieldError{Field: "memberId", Message: "already invited"})
	case errors.Is(err, ErrNoRoom):
		return InvitationCreated{}, noRoom()
	case err != nil:
		return InvitationCreated{}, err
	}
	return InvitationCreated{RoomID: r.RoomID, MemberID: invitee.MemberID, Status: InvitePending}, nil
}

// JoinRoom makes the caller a participant: through their pending invitation, or of an
// open room; a private room they are not invited to is a 404, being a participant
// already a 409.
func (s *Service) JoinRoom(ctx context.Context, who principal.Principal, roomID string) (Room, error) {
	return s.join(ctx, who, roomID, nil)
}

// JoinFromLink is JoinRoom taken from the e-mailed link (package confirm), the link spent
// in the join's transaction.
func (s *Service) JoinFromLink(ctx context.Context, who principal.Principal, roomID string, spend action.Spend) (Room, error) {
	return s.join(ctx, who, roomID, &spend)
}

func joined() error {
	return apperr.Conflict("You are already a participant of this room.")
}

func (s *Service) join(ctx context.Context, who principal.Principal, roomID string, spend *action.Spend) (Room, error) {
	r, a, err := s.visible(ctx, who, roomID)
	if err != nil {
		return Room{}, err
	}
	if a.Participant {
		return Room{}, joined()
	}
	invited := a.Invitation == InvitePending
	if !invited && !r.Open {
		return Room{}, noRoom()
	}
	m, err := s.caller(ctx, who)
	if err != nil {
		return Room{}, err
	}
	now := s.now()
	err = s.Store.JoinRoom(ctx, Join{Room: r, Member: PersonOf(m), Invited: invited, At: now, Spend: spend})
	switch {
	case errors.Is(err, ErrParticipant):
		return Room{}, joined()
	case errors.Is(err, ErrNotInvited):
		return Room{}, apperr.Conflict("Your invitation to this room is no longer pending.")
	case errors.Is(err, ErrNoRoom):
		return Room{}, noRoom()
	case err != nil:
		return Room{}, err
	}
	r.Participants++
	return r.As(Access{Participant: true}, who.MemberID, now), nil
}

// DeclineFromLink declines the caller's pending invitation from the e-mailed link (the
// link spent in the same transaction): the creator may invite them again.
func (s *Service) DeclineFromLink(ctx context.Context, who principal.Principal, roomID string, spend action.Spend) error {
	return s.decline(ctx, who, roomID, &spend)
}

// Decline declines the caller's pending invitation (POST /v1/rooms/{roomId}/decline).
func (s *Service) Decline(ctx context.Context, who principal.Principal, roomID string) (InvitationCreated, error) {
	if err := s.decline(ctx, who, roomID, nil); err != nil {
		return InvitationCreated{}, err
	}
	return InvitationCreated{RoomID: roomID, MemberID: who.MemberID, Status: InviteDeclined}, nil
}

func (s *Service) decline(ctx context.Context, who principal.Principal, roomID string, spend *action.Spend) error {
	_, a, err := s.visible(ctx, who, roomID)
	if err != nil {
		return err
	}
	notPending := apperr.Conflict("You have no pending invitation to this room.")
	if a.Invitation != InvitePending {
		return notPending
	}
	err = s.Store.DeclineRoom(ctx, roomID, who.MemberID, s.now(), spend)
	if errors.Is(err, ErrNotInvited) {
		return notPending
	}
	return err
}

// Extend adds two months to the room's expiry, once (again → 409); the creator only. A
// closed room cannot be extended (409). The warning of the new expiry falls due a week
// before it.
func (s *Service) Extend(ctx context.Context, who principal.Principal, roomID string) (Room, error) {
	if _, err := s.creator(ctx, who, roomID); err != nil {
		return Room{}, err
	}
	now := s.now()
	r, err := s.Store.UpdateRoom(ctx, roomID, func(r *Room) error {
		if r.ClosedAt != nil {
			return apperr.Conflict("This room has expired and was closed; a closed room cannot be extended.").With("closedAt", *r.ClosedAt)
		}
		if r.ExtendedAt != nil {
			return apperr.Conflict("This room was extended already; a room is extended once.")
		}
		t := now
		r.ExtendedAt = &t
		r.ExpiresAt = r.ExpiresAt.AddDate(0, Active, 0)
		r.WarnedAt = nil
		return nil
	})
	if errors.Is(err, ErrNoRoom) {
		return Room{}, noRoom()
	}
	if err != nil {
		return Room{}, err
	}
	return r.As(Access{Participant: true}, who.MemberID, now), nil
}

// RemoveParticipant removes a participant from the caller's room (the creator cannot be
// removed: 409); they may be invited again.
func (s *Service) RemoveParticipant(ctx context.Context, who principal.Principal, roomID, memberID string) error {
	r, err := s.creator(ctx, who, roomID)
	if err != nil {
		return err
	}
	if memberID == r.Creator.MemberID {
		return apperr.Conflict("The creator of a room cannot be removed from it.")
	}
	notPart := apperr.NotFound("This member is not a participant of the room.")
	if !school.ValidID(memberID) {
		return notPart
	}
	if err := s.Store.RemoveParticipant(ctx, r, memberID); errors.Is(err, ErrNotParticipant) {
		return notPart
	} else if err != nil {
		return err
	}
	return nil
}

// PostCreated is the answer to a new post.
type PostCreated struct {
	PostID string `json:"postId"`
}

// CreatePost writes a participant's post; an expired room is read-only (409).
func (s *Service) CreatePost(ctx context.Context, who principal.Principal, roomID string, in PostInput) (PostCreated, error) {
	if err := in.Validate(); err != nil {
		return PostCreated{}, err
	}
	r, err := s.participant(ctx, who, roomID)
	if err != nil {
		return PostCreated{}, err
	}
	if r.Expired {
		return PostCreated{}, apperr.Conflict("This room has expired and is read-only.").With("expiresAt", r.ExpiresAt)
	}
	m, err := s.caller(ctx, who)
	if err != nil {
		return PostCreated{}, err
	}
	now := s.now()
	p := Post{PostID: token.TimeID("rp-", now), RoomID: r.RoomID, Body: in.Body, Author: PersonOf(m), CreatedAt: now}
	if err := s.Store.CreateRoomPost(ctx, p); errors.Is(err, ErrNotParticipant) {
		return PostCreated{}, apperr.Forbidden("Only the room's participants may post.")
	} else if err != nil {
		return PostCreated{}, err
	}
	return PostCreated{PostID: p.PostID}, nil
}

// ListPosts lists a room's posts oldest first (participants only).
func (s *Service) ListPosts(ctx context.Context, who principal.Principal, roomID, cur string, limit int) (cursor.Page[Post], error) {
	r, err := s.participant(ctx, who, roomID)
	if err != nil {
		return cursor.Page[Post]{}, err
	}
	list := "roomposts|" + r.RoomID
	now := s.now()
	after, err := s.Cursors.Resume(cur, who.MemberID, list, now)
	if err != nil {
		return cursor.Page[Post]{}, err
	}
	posts, next, err := s.Store.ListRoomPosts(ctx, r.RoomID, after, limit)
	if err != nil {
		return cursor.Page[Post]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, posts, next, now)
}

// DeletePost removes a post: its author's own (nothing recorded), or a moderation
// removal, recorded with the reason and notified to the author in the same transaction:
// by the room's creator, the NSO of the author's country or the CSS (moderation.Moderator).
// NSOs and the CSS reach a post by room and post id without being participants; other
// outsiders of a private room get 404, other participants 403.
func (s *Service) DeletePost(ctx context.Context, who principal.Principal, roomID, postID string, in moderation.RemovalInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var r Room
	var creator bool
	if moderation.IsStaff(who) {
		if !school.ValidID(roomID) {
			return noRoom()
		}
		rm, a, ok, err := s.Store.GetRoom(ctx, roomID, who.MemberID)
		if err != nil {
			return err
		}
		if !ok {
			return noRoom()
		}
		r, creator = rm, a.Participant && rm.Creator.MemberID == who.MemberID
	} else {
		var err error
		if r, err = s.participant(ctx, who, roomID); err != nil {
			return err
		}
		creator = r.Creator.MemberID == who.MemberID
	}
	if !school.ValidID(postID) {
		return noPost()
	}
	p, ok, err := s.Store.GetRoomPost(ctx, r.RoomID, postID)
	if err != nil {
		return err
	}
	if !ok {
		return noPost()
	}
	var removal *moderation.Removal
	if p.Author.MemberID != who.MemberID {
		mod, err := moderation.Authorize(ctx, s.Store, who, p.Author.MemberID, creator,
			"Only the author, the room's creator, the NSO of the author's country or the Central Support Service may remove a post.")
		if err != nil {
			return err
		}
		removal = mod.Removal(moderation.Content{Kind: moderation.KindRoomPost, ID: p.PostID, Where: moderation.Where{RoomID: r.RoomID},
			Excerpt: p.Body, Place: r.Title}, in.Text(), s.now())
	}
	if err := s.Store.DeleteRoomPost(ctx, r.RoomID, postID, removal); errors.Is(err, ErrNoPost) {
		return noPost()
	} else if err != nil {
		return err
	}
	return nil
}
