package mail

import (
	"fmt"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	_ "time/tzdata" // Lambda's minimal image has no zoneinfo: the zones come with the binary
)

// zones is the time zone of each eTwinning country's schools (ISO 3166-1 alpha-2): the
// EU member states, the other Erasmus+ countries and the eTwinning Plus partners. A
// country with several zones has its capital's (Spain's Canaries and Portugal's Azores
// and Madeira are an hour behind). Built on first use: nothing of it costs at init.
var zones = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"AL": "Europe/Tirane", "AM": "Asia/Yerevan", "AT": "Europe/Vienna", "AZ": "Asia/Baku",
		"BA": "Europe/Sarajevo", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CY": "Asia/Nicosia",
		"CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn",
		"ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris", "GE": "Asia/Tbilisi",
		"GR": "Europe/Athens", "HR": "Europe/Zagreb", "HU": "Europe/Budapest", "IE": "Europe/Dublin",
		"IS": "Atlantic/Reykjavik", "IT": "Europe/Rome", "JO": "Asia/Amman", "LB": "Asia/Beirut",
		"LI": "Europe/Vaduz", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "LV": "Europe/Riga",
		"MD": "Europe/Chisinau", "ME": "Europe/Podgorica", "MK": "Europe/Skopje", "MT": "Europe/Malta",
		"NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
		"RO": "Europe/Bucharest", "RS": "Europe/Belgrade", "SE": "Europe/Stockholm", "SI": "Europe/Ljubljana",
		"SK": "Europe/Bratislava", "TN": "Africa/Tunis", "TR": "Europe/Istanbul", "UA": "Europe/Kyiv",
	}
})

// locations caches the loaded zones: a zone is loaded the first time a date is shown in it.
var locations sync.Map // country → *time.Location

// location is country's time zone; UTC for "" and for a country without one.
func location(country string) *time.Location {
	country = strings.ToUpper(strings.TrimSpace(country))
	if l, ok := locations.Load(country); ok {
		return l.(*time.Location)
	}
	name, ok := zones()[country]
	if !ok {
		return time.UTC
	}
	l, err := time.LoadLocation(name) // embedded: cannot fail for a name of zones (a test loads each)
	if err != nil {
		return time.UTC
	}
	locations.Store(country, l)
	return l
}

// dateParts are what a language's "date" template shows of a time.
type dateParts struct {
	Day   int    // 1..31
	Month string // the month's name in the language (from months.txt)
	Year  int
	Time  string // 24-hour "15:04"
	Zone  string // "EET", "CEST", "UTC", or the offset "UTC+3" where the zone has no letters
}

func partsOf(t time.Time, loc *time.Location, months *[12]string) dateParts {
	t = t.In(loc)
	return dateParts{Day: t.Day(), Month: months[t.Month()-1], Year: t.Year(), Time: t.Format("15:04"), Zone: zoneLabel(t)}
}

// zoneLabel is the zone's abbreviation when it has one (EET, CET, WEST, GMT, UTC), else
// its offset from UTC ("UTC+3", "UTC+5:30"), never a bare "+03".
func zoneLabel(t time.Time) string {
	name, off := t.Zone()
	if name != "" && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return name
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	if off%3600 == 0 {
		return fmt.Sprintf("UTC%s%d", sign, off/3600)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, off/3600, off%3600/60)
}

// dateSets caches, per language, the text template of its common words (which define
// "date") and its month names, for Date.
var dateSets sync.Map // lang → func() (set, error)

// Date is t as the e-mails show a date: in lang's words (English when lang has no
// templates) and country's time zone (UTC for ""). The confirmation pages use it too.
func Date(t time.Time, lang, country string) string {
	lang = language(lang)
	if _, err := files.ReadFile("templates/" + lang + "/" + commonFile); err != nil {
		lang = DefaultLanguage
	}
	load, _ := dateSets.LoadOrStore(lang, sync.OnceValues(func() (set, error) {
		tt, err := texttemplate.New("").ParseFS(files, "templates/"+lang+"/"+commonFile)
		if err != nil {
			return set{}, err
		}
		s := set{text: tt}
		s.months, err = months(lang)
		return s, err
	}))
	s, err := load.(func() (set, error))()
	if err != nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	var b strings.Builder
	if err := s.text.ExecuteTemplate(&b, "date", partsOf(t, location(country), &s.months)); err != nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return oneLine(b.String())
}
