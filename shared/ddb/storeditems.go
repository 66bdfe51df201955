package ddb

// Stored items. The domain types carry no dynamodbav tags (their json tags are the API's
// shape); this package owns how each one is stored, so that renaming a field of the API
// never renames a stored attribute. The pattern, for every item:
//
//   - <thing>Fields is a tagged copy of the domain type's fields, in the same order and
//     with the same types, so that a plain conversion (<thing>Fields(v), and back) turns
//     one into the other. The conversion only compiles while the fields match: a field
//     added to the domain type cannot reach the table before it gets a stored name here.
//   - When the domain type nests another domain type (a notification's actor, a contact
//     request's people), the item names its fields itself and converts field by field
//     (notificationItemOf / .notification()).
//   - The item embeds the fields and adds what only storage needs (ttl, exp, GSI keys,
//     versions); <thing>ItemOf builds it and a method returns the domain value.
//
// The attribute names are pinned by TestStoredAttributeNamesStay: existing tables, the
// bulk import and infra/loader depend on them. The items whose methods live elsewhere
// are here: sessions and reset links (account.go) and member-search hits (memberindex.go).

import (
	"time"

	"etwin/shared/account"
	"etwin/shared/directory"
)

// sessionFields are the stored names of an account.Session.
type sessionFields struct {
	MemberID   string    `dynamodbav:"memberId"`
	TokenHash  string    `dynamodbav:"tokenHash"`
	Role       string    `dynamodbav:"accountRole"`
	Country    string    `dynamodbav:"country,omitempty"`
	CreatedAt  time.Time `dynamodbav:"createdAt"`
	LastSeenAt time.Time `dynamodbav:"lastSeenAt"`
}

// sessionItem is a session under its member (the TTL removes it after its expiry).
type sessionItem struct {
	sessionFields
	TTL int64 `dynamodbav:"ttl"`
}

func sessionItemOf(sess account.Session) sessionItem {
	return sessionItem{sessionFields: sessionFields(sess), TTL: sess.ExpiresAt().Unix()}
}

func (it sessionItem) session() account.Session { return account.Session(it.sessionFields) }

// resetFields are the stored names of an account.Reset.
type resetFields struct {
	TokenHash string     `dynamodbav:"tokenHash"`
	MemberID  string     `dynamodbav:"memberId"`
	CreatedAt time.Time  `dynamodbav:"createdAt"`
	ExpiresAt time.Time  `dynamodbav:"expiresAt"`
	UsedAt    *time.Time `dynamodbav:"usedAt,omitempty"`
}

// resetItem is a password-reset link.
type resetItem struct {
	resetFields
	expiry
}

func resetItemOf(r account.Reset) resetItem {
	return resetItem{resetFields: resetFields(r), expiry: expiring(r.ExpiresAt)}
}

func (it resetItem) reset() account.Reset { return account.Reset(it.resetFields) }

// memberHitItem is what every entry of the member search index carries of its member
// (memberIndex adds the words and category sets beside it).
type memberHitItem struct {
	MemberID  string           `dynamodbav:"memberId"`
	FirstName string           `dynamodbav:"firstName"`
	LastName  string           `dynamodbav:"lastName"`
	Role      string           `dynamodbav:"role"`
	Schools   []schoolRefAttrs `dynamodbav:"schools"`
}

func memberHitItemOf(h directory.Hit) memberHitItem {
	return memberHitItem{MemberID: h.MemberID, FirstName: h.FirstName, LastName: h.LastName, Role: h.Role, Schools: schoolRefAttrsOf(h.Schools)}
}

func (it memberHitItem) hit() directory.Hit {
	return directory.Hit{MemberID: it.MemberID, FirstName: it.FirstName, LastName: it.LastName, Role: it.Role, Schools: schoolRefsOf(it.Schools)}
}
