package directory

import (
	"sort"
	"strings"

	"etwin/shared/fold"
	"etwin/shared/member"
)

// Hit is a member in search results.
type Hit struct {
	MemberID  string             `json:"memberId"`
	FirstName string             `json:"firstName"`
	LastName  string             `json:"lastName"`
	Role      string             `json:"role"`
	Schools   []member.SchoolRef `json:"schools"`
}

// Entry is what the search reads of one teacher: the hit it shows, the key that orders
// teachers by name, the distinct folded words of their names and their schools' names,
// and their category values by kind (hidden profile lists left out).
type Entry struct {
	Hit      Hit
	SortName string
	// NameWords: the distinct folded words of the teacher's own names (the name-word
	// index files the teacher under each); Words adds their schools' names.
	NameWords  []string
	Words      []string
	Categories map[string][]string
}

// hideable maps a filter kind to the profile list a member may hide.
var hideable = map[string]string{"subject": "subjects", "ageGroup": "ageGroups", "language": "languages", "interest": "interests"}

// EntryOf computes a member's index entry; ok is false for accounts that are not found by
// the search (staff).
func EntryOf(m member.Member) (e Entry, ok bool) {
	if m.Role != member.RoleTeacher {
		return Entry{}, false
	}
	schools := append([]member.SchoolRef{}, m.Schools...)
	e.Hit = Hit{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName, Role: roleOf(m), Schools: schools}
	e.SortName = strings.Join(fold.Words(m.LastName+" "+m.FirstName), " ")
	text := []string{m.FirstName, m.LastName}
	for _, s := range m.Schools {
		text = append(text, s.Name)
	}
	e.NameWords = fold.Words(m.FirstName + " " + m.LastName)
	e.Words = fold.Words(strings.Join(text, " "))
	e.Categories = map[string][]string{}
	add := func(kind string, values ...string) {
		if f, ok := hideable[kind]; ok && m.Hides(f) {
			return
		}
		for _, v := range values {
			if v != "" && !contains(e.Categories[kind], v) {
				e.Categories[kind] = append(e.Categories[kind], v)
			}
		}
	}
	for _, s := range m.Schools {
		add("country", s.Country)
		add("schoolType", s.SchoolType)
	}
	if p := m.Profile; p != nil {
		add("subject", p.Subjects...)
		add("ageGroup", p.AgeGroups...)
		add("language", p.Languages...)
		add("interest", p.Interests...)
	}
	for _, vs := range e.Categories {
		sort.Strings(vs)
	}
	return e, true
}

// WordsText is the entry's words as " w1 w2 ... wn": a word starting with x is found by
// looking for " x" (the store's contains() filter).
func (e Entry) WordsText() string { return " " + strings.Join(e.Words, " ") }

func roleOf(m member.Member) string {
	if m.Profile != nil && m.Profile.Role != "" {
		return m.Profile.Role
	}
	return m.Role
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Profile is a member's public profile: a hidden list is left out (its key is absent).
type Profile struct {
	MemberID  string             `json:"memberId"`
	FirstName string             `json:"firstName"`
	LastName  string             `json:"lastName"`
	Role      string             `json:"role"`
	Schools   []member.SchoolRef `json:"schools"`
	Subjects  *[]string          `json:"subjects,omitempty"`
	AgeGroups *[]string          `json:"ageGroups,omitempty"`
	Languages *[]string          `json:"languages,omitempty"`
	Interests *[]string          `json:"interests,omitempty"`
}

// ProfileOf is the public profile of a teacher (ok false for staff).
func ProfileOf(m member.Member) (Profile, bool) {
	if m.Role != member.RoleTeacher {
		return Profile{}, false
	}
	p := Profile{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName, Role: roleOf(m),
		Schools: append([]member.SchoolRef{}, m.Schools...)}
	var pr member.Profile
	if m.Profile != nil {
		pr = *m.Profile
	}
	show := func(field string, v []string) *[]string {
		if m.Hides(field) {
			return nil
		}
		out := append([]string{}, v...)
		return &out
	}
	p.Subjects = show("subjects", pr.Subjects)
	p.AgeGroups = show("ageGroups", pr.AgeGroups)
	p.Languages = show("languages", pr.Languages)
	p.Interests = show("interests", pr.Interests)
	return p, true
}
