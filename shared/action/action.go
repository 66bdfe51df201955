// Package action is the links that let a person decide something from an e-mail without
// signing in: a contact request (accept / reject), a co-founder request (approve /
// reject). Each link carries a token of 256 random bits (package token) that is stored
// only as its hash, bound to its recipient, its purpose (which decision) and its subject
// (which request, which project). It expires after Lifetime and is spent once, by the
// conditional write that records the decision in the same transaction as the decision
// itself (Spend). A link whose decision was taken another way (in the portal, the other
// party withdrawing, the project deleted) is void: the confirmation page reads the
// subject's state and says what happened (package confirm).
//
// The token is made with the e-mail that carries it (Issue) and the outbox commits both in
// one transaction: there is no link without its token and no token without its e-mail.
package action

import (
	"errors"
	"time"

	"etwin/shared/token"
)

// Lifetime is how long a link works at most.
const Lifetime = 7 * 24 * time.Hour

// Purposes: which decision a link takes.
const (
	// ContactRequest: the invitee accepts or rejects a contact request (subject: the
	// request's id).
	ContactRequest = "contact_request"
	// ProjectCofounder: the co-founder approves or rejects a project (subject: the
	// project's id).
	ProjectCofounder = "project_cofounder"
	// RoomInvitation: the invitee joins or declines a teachers' room (subject: the room's
	// id).
	RoomInvitation = "room_invitation"
)

// Token is a link's stored record (its hash is the key; the token itself is only in the
// e-mail).
type Token struct {
	Hash        string
	Purpose     string
	SubjectID   string
	RecipientID string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// Set when the link was used: when, and the choice it took.
	UsedAt  *time.Time
	Outcome string
}

// Issue makes a link's token for recipientID to take purpose on subjectID: the token to
// put in the link, and its record to store.
func Issue(purpose, subjectID, recipientID string, now time.Time) (raw string, t Token) {
	raw = token.New()
	now = now.UTC()
	return raw, Token{Hash: token.Hash(raw), Purpose: purpose, SubjectID: subjectID, RecipientID: recipientID,
		CreatedAt: now, ExpiresAt: now.Add(Lifetime)}
}

// Expired reports whether the link no longer works at now.
func (t Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Used reports whether the link was used.
func (t Token) Used() bool { return t.UsedAt != nil }

// Spend is the write that uses a link, in the transaction of the decision it takes: it
// succeeds only while the link is unused (else the store answers ErrSpent).
type Spend struct {
	Hash    string
	Outcome string
	At      time.Time
}

// ErrSpent: the link was used already (by a request that committed first).
var ErrSpent = errors.New("action: the link was used already")

// WellFormed reports whether s has the shape of a token Issue made (checked before any
// read).
func WellFormed(s string) bool { return token.WellFormed(s) }
