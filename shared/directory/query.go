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

// Filter kinds (query parameters), in the fixed order in which the search prefers one as
// the driver of its index Query when q gives no usable word: the kind whose values are
// expected to be rarest first (a teacher names 2-3 of dozens of subjects and themes; a
// country holds a few per cent of the teachers; nearly everyone works in English; there
// are few school types and five age groups).
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

// Plan is how the store answers a query: one Query of a driver partition of the index,
// in its sort order, and conditions on each entry read.
type Plan struct {
	// The driver: the word index under Word (entries whose word starts with Word), else
	// the category index of Kind=Value, else (both empty) every teacher in name order.
	Word        string
	Kind, Value string
	// Words every hit's name words must start with (besides Word), and the category
	// conditions besides the driver's.
	Words   []string
	Filters []Filter
}

// Plan chooses the driver: the longest q word when it has at least 2 letters (the word
// index is partitioned by a word's first two letters), else the first filter in Kinds
// order, else all teachers.
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
		v, ok := q.Filters[k]
		if !ok {
			continue
		}
		if p.Word == "" && p.Kind == "" {
			p.Kind, p.Value = k, v
		} else {
			p.Filters = append(p.Filters, Filter{Kind: k, Value: v})
		}
	}
	return p
}

// Exact reports whether every entry of the driver partition is a hit (nothing to filter).
func (p Plan) Exact() bool { return p.Word == "" && len(p.Words) == 0 && len(p.Filters) == 0 }

// Counts reports whether an entry of the word index (a member found under entryWord, with
// the name words of wordsText) is a hit of the plan's driver. A member with two name
// words that start with p.Word is counted only under the smaller one, so that every
// member appears once across pages. (The other conditions are checked by the store.)
func (p Plan) Counts(entryWord, wordsText string) bool {
	for _, w := range strings.Fields(wordsText) {
		if w < entryWord && strings.HasPrefix(w, p.Word) {
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
