// Package event is professional development: webinars, podcasts, short courses, MOOCs and
// workshops that the CSS publishes for everyone and an NSO for its country, listed in start
// order (the yearly calendar), attended by members up to a capacity, and offered as an
// iCalendar feed. Attending counts as eTwinning activity for the school label.
package event

import (
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/resource"
	"etwin/shared/vocab"
)

// The kinds of event the guides name.
const (
	KindWebinar        = "webinar"
	KindPodcast        = "podcast"
	KindShortCourse    = "short_course"
	KindMOOC           = "mooc"
	KindOnlineWorkshop = "online_workshop"
	KindF2FWorkshop    = "f2f_workshop" // face to face: the only kind with a place
)

// Kinds lists every kind, in the order the guides name them.
var Kinds = []string{KindWebinar, KindPodcast, KindShortCourse, KindMOOC, KindOnlineWorkshop, KindF2FWorkshop}

// IsKind reports whether k is a kind of event.
func IsKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Limits.
const (
	MaxTitle       = 200
	MaxDescription = 5000
	MaxPlace       = 300
	MaxCapacity    = 100000
	// MaxDuration bounds how long one event lasts (a MOOC runs for weeks, not years).
	MaxDuration = 366 * 24 * time.Hour
	// MinYear and MaxYear bound the start (the list keys hold a four-digit year).
	MinYear = 2000
	MaxYear = 2100
)

// Event is one professional-development event.
type Event struct {
	EventID     string    `json:"eventId"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	StartsAt    time.Time `json:"startsAt"`
	EndsAt      time.Time `json:"endsAt"`
	Language    string    `json:"language"`
	// Capacity is the number of places (nil: no limit); Attending the places taken.
	Capacity  *int   `json:"capacity,omitempty"`
	Attending int    `json:"attending"`
	URL       string `json:"url,omitempty"`
	Place     string `json:"place,omitempty"`
	// Country is the NSO's country for a national event ("" for a CSS event, for everyone).
	Country   string    `json:"country,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

// Full reports whether every place is taken.
func (e *Event) Full() bool { return e.Capacity != nil && e.Attending >= *e.Capacity }

// New is the body of POST /v1/events. Times are RFC 3339 strings, so that a bad one is
// named with its field.
type New struct {
	Kind        string  `json:"kind"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	StartsAt    string  `json:"startsAt"`
	EndsAt      string  `json:"endsAt"`
	Language    string  `json:"language"`
	Capacity    *int    `json:"capacity"`
	URL         *string `json:"url"`
	Place       *string `json:"place"`
}

// ParseTime reads an RFC 3339 time ("" with ok false when it is not one).
func ParseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// Validate checks a new event (422 naming each bad field) and returns its times.
func (n *New) Validate() (start, end time.Time, err error) {
	var fs apperr.Fields
	switch {
	case n.Kind == "":
		fs.Add("kind", "required")
	case !IsKind(n.Kind):
		fs.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	member.CheckName(&fs, "title", n.Title, MaxTitle)
	member.CheckText(&fs, "description", n.Description, MaxDescription, true)
	member.CheckCode(&fs, "language", n.Language, vocab.IsLanguage)
	start, okStart := checkTime(&fs, "startsAt", n.StartsAt)
	end, okEnd := checkTime(&fs, "endsAt", n.EndsAt)
	if okStart && okEnd {
		switch {
		case !end.After(start):
			fs.Add("endsAt", "must be after startsAt")
		case end.Sub(start) > MaxDuration:
			fs.Add("endsAt", "must be at most 366 days after startsAt")
		}
	}
	if n.Capacity != nil && (*n.Capacity < 1 || *n.Capacity > MaxCapacity) {
		fs.Add("capacity", "must be between 1 and %d", MaxCapacity)
	}
	if n.URL != nil {
		if msg := resource.URLProblem(*n.URL); msg != "" {
			fs.Add("url", "%s", msg)
		}
	}
	switch {
	case n.Kind == KindF2FWorkshop && n.Place == nil:
		fs.Add("place", "required for a face-to-face workshop")
	case n.Kind == KindF2FWorkshop:
		member.CheckName(&fs, "place", *n.Place, MaxPlace)
	case n.Place != nil && IsKind(n.Kind):
		fs.Add("place", "only a face-to-face workshop (kind f2f_workshop) has a place")
	}
	return start, end, fs.Err()
}

func checkTime(fs *apperr.Fields, field, v string) (time.Time, bool) {
	if v == "" {
		fs.Add(field, "required")
		return time.Time{}, false
	}
	t, ok := ParseTime(v)
	switch {
	case !ok:
		fs.Add(field, "must be an RFC 3339 time, e.g. 2027-03-04T15:00:00Z")
	case t.Year() < MinYear || t.Year() >= MaxYear:
		fs.Add(field, "must be in the years %d to %d", MinYear, MaxYear-1)
		ok = false
	}
	return t, ok
}

// Make builds the event a valid form describes; country is the NSO's ("" for the CSS).
func (n *New) Make(id string, start, end time.Time, country, createdBy string, now time.Time) Event {
	e := Event{EventID: id, Kind: n.Kind, Title: strings.TrimSpace(n.Title), Description: n.Description,
		StartsAt: start.UTC(), EndsAt: end.UTC(), Language: n.Language, Country: country, CreatedBy: createdBy, CreatedAt: now.UTC()}
	if n.Capacity != nil {
		c := *n.Capacity
		e.Capacity = &c
	}
	if n.URL != nil {
		e.URL = *n.URL
	}
	if n.Place != nil && n.Kind == KindF2FWorkshop {
		e.Place = strings.TrimSpace(*n.Place)
	}
	return e
}

// Filter narrows a list: a kind and a language ("" for any), and the range of starts
// [From, To).
type Filter struct {
	Kind     string
	Language string
	From, To time.Time
}

// Matches reports whether e passes the kind and language of f (the store bounds the range).
func (f Filter) Matches(e *Event) bool {
	return (f.Kind == "" || f.Kind == e.Kind) && (f.Language == "" || f.Language == e.Language)
}

// Range defaults and bounds of GET /v1/events.
const (
	// DefaultSpan is the range when ?to= is absent: a year from ?from= (the yearly calendar).
	DefaultSpan = 12
	// MaxSpanMonths bounds a range: each month of it is one Query.
	MaxSpanMonths = 24
)

// ParseFilter checks ?kind=, ?language=, ?from= and ?to= (400 naming each bad parameter).
// from defaults to the start of today (UTC), to to twelve months after from; to must be
// after from and at most 24 months after it.
func ParseFilter(kind, language, from, to string, now time.Time) (Filter, error) {
	var fs []apperr.FieldError
	bad := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	if kind != "" && !IsKind(kind) {
		bad("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	if language != "" && !vocab.IsLanguage(language) {
		bad("language", "unknown language (see GET /v1/vocabularies)")
	}
	f := Filter{Kind: kind, Language: language}
	y, m, d := now.UTC().Date()
	f.From = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	okFrom, okTo := true, true
	if from != "" {
		if f.From, okFrom = ParseTime(from); !okFrom || f.From.Year() < MinYear || f.From.Year() >= MaxYear {
			bad("from", "must be an RFC 3339 time in the years 2000 to 2099")
			okFrom = false
		}
	}
	if to != "" {
		if f.To, okTo = ParseTime(to); !okTo || f.To.Year() < MinYear || f.To.Year() > MaxYear {
			bad("to", "must be an RFC 3339 time in the years 2000 to 2100")
			okTo = false
		}
	} else if okFrom {
		f.To = f.From.AddDate(0, DefaultSpan, 0)
	}
	if okFrom && okTo {
		switch {
		case !f.To.After(f.From):
			bad("to", "must be after from")
		case f.To.After(f.From.AddDate(0, MaxSpanMonths, 0)):
			bad("to", "must be at most 24 months after from")
		}
	}
	if len(fs) > 0 {
		return Filter{}, apperr.BadRequest("The filters are invalid.", fs...)
	}
	return f, nil
}

// The calendar feed's window: the events that start from FeedPast months ago to FeedAhead
// months ahead, at most FeedMax of them (the earliest).
const (
	FeedPast  = 1
	FeedAhead = 12
	FeedMax   = 500
)

// FeedFilter checks the feed's ?kind= and ?language= and sets its window.
func FeedFilter(kind, language string, now time.Time) (Filter, error) {
	f, err := ParseFilter(kind, language, "", "", now)
	if err != nil {
		return Filter{}, err
	}
	f.From = f.From.AddDate(0, -FeedPast, 0)
	f.To = f.From.AddDate(0, FeedPast+FeedAhead, 0)
	return f, nil
}

// Attendance is a member's registration for an event.
type Attendance struct {
	EventID      string    `json:"eventId"`
	MemberID     string    `json:"memberId"`
	RegisteredAt time.Time `json:"registeredAt"`
}
