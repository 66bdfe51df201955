package ddb

import (
	"time"

	"etwin/shared/directory"
	"etwin/shared/member"
)

// The stored shape of a member (the domain types in shared/member carry no storage tags;
// items_test.go pins the attribute names).

type profileAttrs struct {
	Role              string   `dynamodbav:"role"`
	Subjects          []string `dynamodbav:"subjects"`
	AgeGroups         []string `dynamodbav:"ageGroups"`
	ProjectExperience string   `dynamodbav:"projectExperience"`
	Interests         []string `dynamodbav:"interests"`
	Languages         []string `dynamodbav:"languages"`
	ProjectIdeas      string   `dynamodbav:"projectIdeas,omitempty"`
}

// schoolRefAttrs is a school as a member item (and a search-index entry) lists it.
type schoolRefAttrs struct {
	SchoolID   string `dynamodbav:"schoolId"`
	Name       string `dynamodbav:"name"`
	Country    string `dynamodbav:"country"`
	SchoolType string `dynamodbav:"schoolType,omitempty"`
}

func schoolRefAttrsOf(rs []member.SchoolRef) []schoolRefAttrs {
	if rs == nil {
		return nil
	}
	out := make([]schoolRefAttrs, len(rs))
	for i, r := range rs {
		out[i] = schoolRefAttrs(r)
	}
	return out
}

func schoolRefsOf(rs []schoolRefAttrs) []member.SchoolRef {
	if rs == nil {
		return nil
	}
	out := make([]member.SchoolRef, len(rs))
	for i, r := range rs {
		out[i] = member.SchoolRef(r)
	}
	return out
}

// memberItem is the stored member (MEMBER#<id> / PROFILE): its schools also as a set,
// for conditions, and the keys of its search-index entries with their version (see
// commitMember).
type memberItem struct {
	MemberID          string           `dynamodbav:"memberId"`
	Username          string           `dynamodbav:"username"`
	FirstName         string           `dynamodbav:"firstName"`
	LastName          string           `dynamodbav:"lastName"`
	Email             string           `dynamodbav:"email"`
	Language          string           `dynamodbav:"language"`
	Role              string           `dynamodbav:"accountRole"`
	Country           string           `dynamodbav:"country,omitempty"`
	Profile           *profileAttrs    `dynamodbav:"profile,omitempty"`
	Schools           []schoolRefAttrs `dynamodbav:"schools"`
	PasswordHash      string           `dynamodbav:"passwordHash"`
	CreatedAt         time.Time        `dynamodbav:"createdAt"`
	FailedLogins      int              `dynamodbav:"failedLogins"`
	FailedLoginWindow int64            `dynamodbav:"failedLoginWindow"`
	// absent means true
	EmailNotifications *bool    `dynamodbav:"emailNotifications,omitempty"`
	HiddenFields       []string `dynamodbav:"hiddenFields,omitempty"`
	MutedEmailKinds    []string `dynamodbav:"mutedEmailKinds,omitempty"`
	// a staff account's welcome e-mail (written by the mail-sender)
	InvitationMail   string `dynamodbav:"invitationMail,omitempty"`
	InvitationReason string `dynamodbav:"invitationMailReason,omitempty"`

	SchoolIDs    []string `dynamodbav:"schoolIds,stringset,omitempty"`
	IndexKeys    []string `dynamodbav:"indexKeys,stringset,omitempty"`
	IndexVersion int      `dynamodbav:"indexVersion,omitempty"`

	memberSearchAttrs
}

// memberSearchAttrs are what the member search reads on a teacher's member item besides
// the member's own attributes (derived from the member by memberItemOf; absent for staff):
// its GSI2 entry among all teachers in name order, the role shown and the conditions of
// its memberCard (GSI2 projects exactly the card).
type memberSearchAttrs struct {
	GSI2PK    string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK    string `dynamodbav:"GSI2SK,omitempty"`
	ShownRole string `dynamodbav:"role,omitempty"`
	cardConditions
}

func searchAttrsOf(m member.Member) memberSearchAttrs {
	e, ok := directory.EntryOf(m)
	if !ok {
		return memberSearchAttrs{}
	}
	return memberSearchAttrs{GSI2PK: memberAllPK(shardOf(m.MemberID, memberShards)),
		GSI2SK: memberSortKey(e.SortName, m.MemberID), ShownRole: e.Hit.Role, cardConditions: conditionsOf(e)}
}

// memberItemOf is m as stored (without index keys, at index version 0).
func memberItemOf(m member.Member) memberItem {
	it := memberItem{MemberID: m.MemberID, Username: m.Username, FirstName: m.FirstName, LastName: m.LastName,
		Email: m.Email, Language: m.Language, Role: m.Role, Country: m.Country, Schools: schoolRefAttrsOf(m.Schools),
		PasswordHash: m.PasswordHash, CreatedAt: m.CreatedAt, FailedLogins: m.FailedLogins, FailedLoginWindow: m.FailedLoginWindow,
		EmailNotifications: m.EmailNotifications, HiddenFields: m.HiddenFields, MutedEmailKinds: m.MutedEmailKinds,
		InvitationMail: m.InvitationMail, InvitationReason: m.InvitationReason, memberSearchAttrs: searchAttrsOf(m)}
	if m.Profile != nil {
		p := profileAttrs(*m.Profile)
		it.Profile = &p
	}
	for _, r := range m.Schools {
		it.SchoolIDs = append(it.SchoolIDs, r.SchoolID)
	}
	return it
}

// setMember replaces the member's own attributes by m's, keeping the index keys and
// version.
func (it *memberItem) setMember(m member.Member) {
	keys, version := it.IndexKeys, it.IndexVersion
	*it = memberItemOf(m)
	it.IndexKeys, it.IndexVersion = keys, version
}

// toMember is the stored member as the domain sees it.
func (it *memberItem) toMember() member.Member {
	m := member.Member{MemberID: it.MemberID, Username: it.Username, FirstName: it.FirstName, LastName: it.LastName,
		Email: it.Email, Language: it.Language, Role: it.Role, Country: it.Country, Schools: schoolRefsOf(it.Schools),
		PasswordHash: it.PasswordHash, CreatedAt: it.CreatedAt, FailedLogins: it.FailedLogins, FailedLoginWindow: it.FailedLoginWindow,
		EmailNotifications: it.EmailNotifications, HiddenFields: it.HiddenFields, MutedEmailKinds: it.MutedEmailKinds,
		InvitationMail: it.InvitationMail, InvitationReason: it.InvitationReason}
	if it.Profile != nil {
		p := member.Profile(*it.Profile)
		m.Profile = &p
	}
	return m
}

// hasSchool reports whether the stored member belongs to schoolID.
func (it *memberItem) hasSchool(schoolID string) bool {
	for _, r := range it.Schools {
		if r.SchoolID == schoolID {
			return true
		}
	}
	return false
}
