package event

import (
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ProductID is the feed's PRODID.
const ProductID = "-//eTwinning//Professional development//EN"

// UID is an event's stable iCalendar UID.
func UID(eventID string) string { return eventID + "@etwinning" }

// lineBreaks turns CR LF and lone CRs into LF, which iCalendar text escapes as \n (a raw CR
// would end the content line).
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// Calendar writes events as an iCalendar (RFC 5545) VCALENDAR with one VEVENT each: UID
// <eventId>@etwinning, DTSTAMP (stamp), DTSTART and DTEND in UTC, SUMMARY, DESCRIPTION, URL
// when there is one and LOCATION for a face-to-face workshop. github.com/arran4/golang-ical
// escapes the text values and folds the lines at 75 octets; lines end with CR LF.
func Calendar(events []Event, stamp time.Time) string {
	cal := ics.NewCalendarFor("eTwinning")
	cal.SetProductId(ProductID)
	cal.SetMethod(ics.MethodPublish)
	cal.SetName("eTwinning professional development")
	for i := range events {
		e := &events[i]
		v := cal.AddEvent(UID(e.EventID))
		v.SetDtStampTime(stamp)
		v.SetCreatedTime(e.CreatedAt)
		v.SetStartAt(e.StartsAt)
		v.SetEndAt(e.EndsAt)
		v.SetSummary(lineBreaks.Replace(e.Title))
		v.SetDescription(lineBreaks.Replace(e.Description))
		if e.URL != "" {
			v.SetURL(e.URL)
		}
		if e.Place != "" {
			v.SetLocation(lineBreaks.Replace(e.Place))
		}
		v.AddProperty(ics.ComponentPropertyCategories, e.Kind)
	}
	return cal.Serialize(ics.WithNewLineWindows)
}
