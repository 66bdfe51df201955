// Package school holds registered schools: the form that registers one, duplicate
// detection by folded name, and the word index that finds one by name.
package school

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/member"
	"etwin/shared/vocab"
)

// School is a registered school.
type School struct {
	SchoolID      string    `json:"schoolId"`
	Name          string    `json:"name"`
	Country       string    `json:"country"`
	City          string    `json:"city"`
	Address       string    `json:"address"`
	PostalCode    string    `json:"postalCode"`
	SchoolType    string    `json:"schoolType"`
	Phone         string    `json:"phone"`
	Fax           string    `json:"fax,omitempty"`
	Email         string    `json:"email"`
	Website       string    `json:"website,omitempty"`
	HeadTeacher   string    `json:"headTeacher"`
	Pupils        int       `json:"pupils"`
	OtherProjects string    `json:"otherProjects,omitempty"`
	RegisteredAt  time.Time `json:"registeredAt"`
}

// Form is a new school as a teacher describes it, or a pick of a registered one.
type Form struct {
	ExistingSchoolID string `json:"existingSchoolId"`
	Name             string `json:"name"`
	Country          string `json:"country"`
	City             string `json:"city"`
	Address          string `json:"address"`
	PostalCode       string `json:"postalCode"`
	SchoolType       string `json:"schoolType"`
	Phone            string `json:"phone"`
	Fax              string `json:"fax"`
	Email            string `json:"email"`
	Website          string `json:"website"`
	HeadTeacher      string `json:"headTeacher"`
	Pupils           *int   `json:"pupils"`
	OtherProjects    string `json:"otherProjects"`
}

// IsExisting reports whether the form picks a registered school.
func (f *Form) IsExisting() bool { return f.ExistingSchoolID != "" }

// The patterns are compiled on first use, not at init (\p{L} makes postalPattern
// large), so a function that never checks a school form does not pay for them.
var (
	phonePattern  = lazyPattern(`^\+?[0-9 ()./-]{6,30}$`)
	postalPattern = lazyPattern(`^[\p{L}\p{N} -]{2,12}$`)
	idPattern     = lazyPattern(`^[A-Za-z0-9._~-]{1,128}$`)
)

func lazyPattern(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// ValidID reports whether s can be an id (generated or imported): 1-128 letters, digits
// and the URL-safe '.', '_', '-', '~' (the shapes a migrating platform brings, docs/import.md),
// but not "." or "..", which a URL path cannot hold as a segment. Ids sit in table keys
// and URL paths unescaped, so '#', '/', '|', '%', spaces and every other character stay out.
func ValidID(s string) bool { return s != "." && s != ".." && idPattern().MatchString(s) }

// IDRule is what ValidID accepts, as error messages say it.
const IDRule = "must be 1-128 letters, digits, '.', '_', '-' or '~' (not \".\" or \"..\")"

// Validate checks the form, naming fields under prefix ("school").
func (f *Form) Validate(fs *apperr.Fields, prefix string) {
	p := prefix + "."
	if f.IsExisting() {
		if !ValidID(f.ExistingSchoolID) {
			fs.Add(p+"existingSchoolId", "is not a school id")
		}
		if f.Name != "" || f.Country != "" || f.City != "" {
			fs.Add(p+"existingSchoolId", "give either existingSchoolId or a new school, not both")
		}
		return
	}
	member.CheckName(fs, p+"name", f.Name, 200)
	if len(fold.Words(f.Name)) > 15 {
		fs.Add(p+"name", "must have at most 15 words")
	}
	member.CheckCode(fs, p+"country", f.Country, vocab.IsCountry)
	member.CheckName(fs, p+"city", f.City, 100)
	member.CheckName(fs, p+"address", f.Address, 300)
	if f.PostalCode == "" {
		fs.Add(p+"postalCode", "required")
	} else if !postalPattern().MatchString(f.PostalCode) {
		fs.Add(p+"postalCode", "must be 2-12 letters, digits, spaces or '-'")
	}
	member.CheckCode(fs, p+"schoolType", f.SchoolType, vocab.IsSchoolType)
	if f.Phone == "" {
		fs.Add(p+"phone", "required")
	} else if !phonePattern().MatchString(f.Phone) {
		fs.Add(p+"phone", "must be a phone number")
	}
	if f.Fax != "" && !phonePattern().MatchString(f.Fax) {
		fs.Add(p+"fax", "must be a phone number")
	}
	if msg := member.EmailProblem(f.Email); msg != "" {
		fs.Add(p+"email", "%s", msg)
	}
	if f.Website != "" {
		if u, err := url.Parse(f.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.Website) > 300 {
			fs.Add(p+"website", "must be an http or https URL")
		}
	}
	member.CheckName(fs, p+"headTeacher", f.HeadTeacher, 200)
	switch {
	case f.Pupils == nil:
		fs.Add(p+"pupils", "required")
	case *f.Pupils < 1 || *f.Pupils > 100000:
		fs.Add(p+"pupils", "must be from 1 to 100000")
	}
	member.CheckText(fs, p+"otherProjects", f.OtherProjects, 2000, false)
}

// New makes the school a valid form describes.
func (f *Form) New(id string, now time.Time) School {
	return School{
		SchoolID: id, Name: strings.TrimSpace(f.Name), Country: f.Country, City: strings.TrimSpace(f.City),
		Address: strings.TrimSpace(f.Address), PostalCode: f.PostalCode, SchoolType: f.SchoolType,
		Phone: f.Phone, Fax: f.Fax, Email: f.Email, Website: f.Website, HeadTeacher: strings.TrimSpace(f.HeadTeacher),
		Pupils: *f.Pupils, OtherProjects: f.OtherProjects, RegisteredAt: now.UTC(),
	}
}

// DuplicateKey is what makes two schools the same: country, folded city, folded name.
func (s *School) DuplicateKey() (country, city, name string) {
	return s.Country, strings.Join(fold.Words(s.City), " "), strings.Join(fold.Words(s.Name), " ")
}

// Ref is the school as a member's list shows it.
func (s *School) Ref() member.SchoolRef {
	return member.SchoolRef{SchoolID: s.SchoolID, Name: s.Name, Country: s.Country, SchoolType: s.SchoolType}
}

// Query is a parsed school search: words of the name (see fold.Search) and an optional
// country filter.
type Query struct {
	fold.Search
	Country string // optional filter
}

// ParseQuery checks ?q= and ?country=.
func ParseQuery(q, country string) (Query, error) {
	var fs apperr.Fields
	search, problem := fold.ParseSearch(q)
	if problem == "required" {
		problem = "required: words of the school's name"
	}
	if problem != "" {
		fs.Add("q", "%s", problem)
	}
	if country != "" && !vocab.IsCountry(country) {
		fs.Add("country", "unknown country code %q", country)
	}
	if len(fs) > 0 {
		return Query{}, apperr.BadRequest("The search parameters are invalid.", fs...)
	}
	return Query{Search: search, Country: country}, nil
}

// Counts reports whether an index entry (a school whose name has the folded words
// nameWords, found under its word entryWord) is a result of q; every school appears once
// across pages (see fold.Search.Counts).
func (q Query) Counts(entryWord string, nameWords []string) bool {
	return q.Search.Counts(entryWord, nameWords, nameWords)
}
