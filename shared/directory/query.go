// Package directory is "Find eTwinners": the member search (by words of a teacher's or
// their schools' names and by profile categories) and members' public profiles.
package directory

import (
	"sort"
	"strings"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/vocab"
)

// Filter kinds (query parameters), in a fixed order (the order of the plan's filters).
var Kinds = []string{"subject", "interest", "country", "language", "schoolType", "ageGroup"}

var known = map[string]func(string) bool{
	"subject":    vocab.IsSubject,
	"interest":   vocab.IsTheme,
	"country":    vocab.IsCountry,
	"language":   vocab.IsLanguage,
	"schoolType": vocab.IsSchoolType,
	"ageGroup":   vocab.IsAgeGroup,
}

// Limits of q.
const (
	maxQBytes = 200
	maxQWords = 8
)

// Query is a parsed member search.
type Query struct {
	Words   []string          // folded words of q, each must start a name word
	Filters map[string]string // kind → vocabulary code; all must hold
}

// ParseQuery reads the query-string parameters of GET /v1/members. Every parameter other
// than q, the filters, limit and cursor is refused, and so is a filter value that is not
// a known vocabulary code; each problem names its parameter.
func ParseQuery(params map[string]string) (Query, error) {
	var fs apperr.Fields
	q := Query{Filters: map[string]string{}}
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := params[name]
		switch {
		case name == "limit" || name == "cursor":
		case name == "q":
			switch {
			case len(v) > maxQBytes || !utf8.ValidString(v):
				fs.Add("q", "must be at most %d bytes of text", maxQBytes)
			case strings.TrimSpace(v) == "":
			default:
				q.Words = fold.Words(v)
				if len(q.Words) == 0 {
					fs.Add("q", "must contain letters or digits")
				} else if len(q.Words) > maxQWords {
					fs.Add("q", "must be at most %d words", maxQWords)
				}
			}
		case known[name] != nil:
			if !known[name](v) {
				fs.Add(name, "unknown value %q (see GET /v1/vocabularies)", clip(v))
			} else {
				q.Filters[name] = v
			}
		default:
			fs.Add(clip(name), "unknown query parameter")
		}
	}
	if len(fs) > 0 {
		return Query{}, apperr.BadRequest("The search parameters are invalid.", fs...)
	}
	return q, nil
}

// Key is the canonical form of the query: a cursor is bound to it.
func (q Query) Key() string {
	var b strings.Builder
	b.WriteString(strings.Join(q.Words, " "))
	for _, k := range Kinds {
		if v, ok := q.Filters[k]; ok {
			b.WriteString("|" + k + "=" + v)
		}
	}
	return b.String()
}

// Filter is one category condition.
type Filter struct{ Kind, Value string }

// Plan is how the store answers a query (docs/data-model.md, "Member search").
//
// With a lead word (Word), two streams in turn: first the teachers with a word of their
// own names starting with Word (the name-word index), then the teachers of the schools
// with a word of their names starting with Word (the school word index, then each
// school's teachers). Without one, every teacher in name order (the teachers' entries on
// GSI1), filtered. Either way the other words and the category filters are conditions on
// each teacher read.
type Plan struct {
	// Word drives the word streams; empty: every teacher in name order.
	Word string
	// Words every hit's name words must start with (besides Word), and the category
	// conditions.
	Words   []string
	Filters []Filter
}

// Plan chooses the lead word: the longest q word when it has at least 2 letters (the word
// indexes are partitioned by a word's first two letters); the other words and every
// filter are conditions.
func (q Query) Plan() Plan {
	var p Plan
	lead := -1
	for i, w := range q.Words {
		if utf8.RuneCountInString(w) >= 2 && (lead < 0 || utf8.RuneCountInString(w) > utf8.RuneCountInString(q.Words[lead])) {
			lead = i
		}
	}
	for i, w := range q.Words {
		if i == lead {
			p.Word = w
		} else {
			p.Words = append(p.Words, w)
		}
	}
	for _, k := range Kinds {
		if v, ok := q.Filters[k]; ok {
			p.Filters = append(p.Filters, Filter{Kind: k, Value: v})
		}
	}
	return p
}

// Exact reports whether every teacher read is a hit (nothing to filter).
func (p Plan) Exact() bool { return p.Word == "" && len(p.Words) == 0 && len(p.Filters) == 0 }

// Counts reports whether a name-word entry (a teacher filed under entryWord, one of the
// words of their own names, nameWords) is a hit of the first stream: a teacher with two
// name words that start with Word is counted only under the smaller one, so that every
// teacher appears once across pages.
func (p Plan) Counts(entryWord string, nameWords []string) bool {
	for _, w := range nameWords {
		if w < entryWord && strings.HasPrefix(w, p.Word) {
			return false
		}
	}
	return true
}

// NamedBy reports whether a word of the teacher's own names starts with Word (the
// teacher is a hit of the first stream, not of the second).
func (p Plan) NamedBy(e Entry) bool {
	for _, w := range e.NameWords {
		if strings.HasPrefix(w, p.Word) {
			return true
		}
	}
	return false
}

// SchoolPosition is where the second stream counts a teacher: the smallest position
// "<word>#<schoolId>" (the school word index's sort key) among the words starting with
// Word of the names of the teacher's schools; "" when none does. A teacher of two such
// schools is counted once, at this position.
func (p Plan) SchoolPosition(e Entry) string {
	best := ""
	for _, s := range e.Hit.Schools {
		for _, w := range fold.Words(s.Name) {
			if pos := w + "#" + s.SchoolID; strings.HasPrefix(w, p.Word) && (best == "" || pos < best) {
				best = pos
			}
		}
	}
	return best
}

// Matches reports whether a teacher's entry meets the conditions besides the lead word:
// every other word starts a word of their or their schools' names, and every filter holds.
func (p Plan) Matches(e Entry) bool {
	if !fold.MatchesPrefixes(e.Words, p.Words) {
		return false
	}
	for _, f := range p.Filters {
		if !contains(e.Categories[f.Kind], f.Value) {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
