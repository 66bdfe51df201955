package confirm

import (
	"context"

	"etwin/shared/action"
	"etwin/shared/contact"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/room"
)

// SubjectStore reads the subjects links decide on.
type SubjectStore interface {
	GetContactRequest(ctx context.Context, requestID string) (contact.Request, bool, error)
	GetProject(ctx context.Context, projectID string) (project.Project, bool, error)
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	GetRoom(ctx context.Context, roomID, memberID string) (room.Room, room.Access, bool, error)
}

// What happened to a decision that a link can no longer take (Situation.Settled).
const (
	SettledAccepted  = "accepted"
	SettledRejected  = "rejected"
	SettledApproved  = "approved"
	SettledWithdrawn = "withdrawn" // the sender took the request back
	SettledDeleted   = "deleted"   // the founder withdrew the project, or it is gone
	SettledJoined    = "joined"    // the invitee joined the room (in the portal)
	SettledDeclined  = "declined"  // the invitee declined the invitation (in the portal)
)

// Deciders are the purposes a link may have, each through its API route's use case.
func Deciders(contacts *contact.Service, projects *project.Service, rooms *room.Service, st SubjectStore) map[string]Decider {
	return map[string]Decider{
		action.ContactRequest:   contactDecider{contacts, st},
		action.ProjectCofounder: cofounderDecider{projects, st},
		action.RoomInvitation:   roomDecider{rooms, st},
	}
}

// contactDecider: the invitee accepts or rejects a contact request
// (POST /v1/contacts/requests/{id}/accept · /reject).
type contactDecider struct {
	svc *contact.Service
	st  SubjectStore
}

const (
	choiceAccept = "accept"
	choiceReject = "reject"
)

func (contactDecider) Choices() []string { return []string{choiceAccept, choiceReject} }

func (d contactDecider) Describe(ctx context.Context, t action.Token) (Situation, error) {
	r, found, err := d.st.GetContactRequest(ctx, t.SubjectID)
	if err != nil {
		return Situation{}, err
	}
	sit := Situation{Subject: Subject{Type: "contact_request", ID: t.SubjectID}}
	if !found || r.To.MemberID != t.RecipientID {
		sit.Settled = SettledDeleted
		return sit, nil
	}
	sit.From = Person{FirstName: r.From.FirstName, LastName: r.From.LastName, Country: r.From.Country}
	sit.Subject.Title = r.From.FirstName + " " + r.From.LastName
	switch r.Status {
	case contact.StatusPending:
		sit.Open = true
	case contact.StatusAccepted:
		sit.Settled = SettledAccepted
	case contact.StatusRejected:
		sit.Settled = SettledRejected
	default:
		sit.Settled = SettledWithdrawn
	}
	return sit, nil
}

func (d contactDecider) Decide(ctx context.Context, who principal.Principal, t action.Token, choice string, spend action.Spend) error {
	_, err := d.svc.DecideFromLink(ctx, who, t.SubjectID, choice == choiceAccept, spend)
	return err
}

// cofounderDecider: the co-founder approves or rejects a project
// (POST /v1/projects/{id}/cofounder-decision).
type cofounderDecider struct {
	svc *project.Service
	st  SubjectStore
}

func (cofounderDecider) Choices() []string { return []string{project.Approve, project.Reject} }

func (d cofounderDecider) Describe(ctx context.Context, t action.Token) (Situation, error) {
	p, found, err := d.st.GetProject(ctx, t.SubjectID)
	if err != nil {
		return Situation{}, err
	}
	sit := Situation{Subject: Subject{Type: "project", ID: t.SubjectID}}
	if !found || p.CofounderID != t.RecipientID {
		sit.Settled = SettledDeleted
		return sit, nil
	}
	sit.Subject.Title, sit.Subject.Summary = p.Title, p.Summary
	f, found, err := d.st.GetMember(ctx, p.FounderID)
	if err != nil {
		return Situation{}, err
	}
	if found {
		sit.From = Person{FirstName: f.FirstName, LastName: f.LastName, Country: p.FounderCountry()}
	}
	switch p.Status {
	case project.AwaitingCofounder:
		sit.Open = true
	case project.Rejected:
		sit.Settled = SettledRejected
	default: // awaiting the NSOs, approved, closed: the co-founder approved it
		sit.Settled = SettledApproved
	}
	return sit, nil
}

func (d cofounderDecider) Decide(ctx context.Context, who principal.Principal, t action.Token, choice string, spend action.Spend) error {
	_, err := d.svc.CofounderDecisionFromLink(ctx, who, t.SubjectID, project.CofounderDecisionInput{Decision: choice}, spend)
	return err
}

// roomDecider: the invitee joins a teachers' room or declines the invitation
// (POST /v1/rooms/{id}/join · /decline).
type roomDecider struct {
	svc *room.Service
	st  SubjectStore
}

const (
	choiceJoin    = "join"
	choiceDecline = "decline"
)

func (roomDecider) Choices() []string { return []string{choiceJoin, choiceDecline} }

func (d roomDecider) Describe(ctx context.Context, t action.Token) (Situation, error) {
	r, a, found, err := d.st.GetRoom(ctx, t.SubjectID, t.RecipientID)
	if err != nil {
		return Situation{}, err
	}
	sit := Situation{Subject: Subject{Type: "room", ID: t.SubjectID}}
	if !found {
		sit.Settled = SettledDeleted
		return sit, nil
	}
	sit.Subject.Title, sit.Subject.Summary = r.Title, r.Description
	sit.From = Person{FirstName: r.Creator.FirstName, LastName: r.Creator.LastName}
	if c, ok, err := d.st.GetMember(ctx, r.Creator.MemberID); err != nil {
		return Situation{}, err
	} else if ok {
		sit.From.Country = c.Country
	}
	switch {
	case a.Participant:
		sit.Settled = SettledJoined
	case a.Invitation == room.InvitePending:
		sit.Open = true
	case a.Invitation == room.InviteDeclined:
		sit.Settled = SettledDeclined
	default: // removed after joining, or the invitation is gone
		sit.Settled = SettledDeleted
	}
	return sit, nil
}

func (d roomDecider) Decide(ctx context.Context, who principal.Principal, t action.Token, choice string, spend action.Spend) error {
	if choice == choiceJoin {
		_, err := d.svc.JoinFromLink(ctx, who, t.SubjectID, spend)
		return err
	}
	return d.svc.DeclineFromLink(ctx, who, t.SubjectID, spend)
}
