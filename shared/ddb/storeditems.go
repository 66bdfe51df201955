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
	"strings"

	"time"

	"etwin/shared/fold"

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
	ProjectID  string    `dynamodbav:"projectId,omitempty"`
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

// memberCard is what the member search reads of a teacher: the hit it shows and what the
// search's conditions test. Every item the search reads carries it under the same
// attribute names: each name-word entry, each school link, and the member item itself
// (read on GSI2, whose projection is exactly these attributes: cardAttributes).
type memberCard struct {
	MemberID  string           `dynamodbav:"memberId"`
	FirstName string           `dynamodbav:"firstName"`
	LastName  string           `dynamodbav:"lastName"`
	Role      string           `dynamodbav:"role"` // as shown (the account's role is accountRole)
	Schools   []schoolRefAttrs `dynamodbav:"schools"`
	cardConditions
}

// cardConditions are what the search's conditions test: the words of the teacher's and
// their schools' names (" w1 w2 …", see directory.Entry.WordsText) and the category sets.
type cardConditions struct {
	WordsText   string   `dynamodbav:"wordsText,omitempty"`
	Countries   []string `dynamodbav:"countries,stringset,omitempty"`
	SchoolTypes []string `dynamodbav:"schoolTypes,stringset,omitempty"`
	Subjects    []string `dynamodbav:"subjects,stringset,omitempty"`
	AgeGroups   []string `dynamodbav:"ageGroups,stringset,omitempty"`
	Languages   []string `dynamodbav:"languages,stringset,omitempty"`
	Interests   []string `dynamodbav:"interests,stringset,omitempty"`
}

// cardAttributes are the attribute names of a memberCard: GSI2's projection
// (template.yaml; a test holds them equal).
var cardAttributes = []string{"memberId", "firstName", "lastName", "role", "schools",
	"wordsText", "countries", "schoolTypes", "subjects", "ageGroups", "languages", "interests"}

func conditionsOf(e directory.Entry) cardConditions {
	c := e.Categories
	return cardConditions{WordsText: e.WordsText(), Countries: c["country"], SchoolTypes: c["schoolType"],
		Subjects: c["subject"], AgeGroups: c["ageGroup"], Languages: c["language"], Interests: c["interest"]}
}

func cardOf(e directory.Entry) memberCard {
	h := e.Hit
	return memberCard{MemberID: h.MemberID, FirstName: h.FirstName, LastName: h.LastName, Role: h.Role,
		Schools: schoolRefAttrsOf(h.Schools), cardConditions: conditionsOf(e)}
}

// entry is the card as the search's rules read it (directory.Plan).
func (c memberCard) entry() directory.Entry {
	e := directory.Entry{Hit: directory.Hit{MemberID: c.MemberID, FirstName: c.FirstName, LastName: c.LastName,
		Role: c.Role, Schools: schoolRefsOf(c.Schools)},
		NameWords: fold.Words(c.FirstName + " " + c.LastName), Words: strings.Fields(c.WordsText),
		Categories: map[string][]string{}}
	for kind, values := range map[string][]string{"country": c.Countries, "schoolType": c.SchoolTypes, "subject": c.Subjects,
		"ageGroup": c.AgeGroups, "language": c.Languages, "interest": c.Interests} {
		if len(values) > 0 {
			e.Categories[kind] = values
		}
	}
	return e
}
