package vocab

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
)

type list struct {
	name   string
	terms  []Term
	is     func(string) bool
	sorted bool // alphabetical by code
	bogus  []string
}

func lists() []list {
	v := All()
	return []list{
		{"roles", v.Roles, IsRole, false, []string{"", "Teacher", "teacher ", "head-teacher", "nso", "css"}},
		{"ageGroups", v.AgeGroups, IsAgeGroup, false, []string{"", "0-6", "up_to_6", "7–11", "VET", "20+"}},
		{"projectExperience", v.ProjectExperience, IsProjectExperience, false, []string{"", "None", "expert", "a_lot"}},
		{"schoolTypes", v.SchoolTypes, IsSchoolType, false, []string{"", "Upper_Secondary", "upper-secondary", "university", "secondary"}},
		{"subjects", v.Subjects, IsSubject, true, []string{"", "Mathematics", "maths", "math", "ICT", "cross-curricular"}},
		{"themes", v.Themes, IsTheme, true, []string{"", "STEM", "climate-change", "Climate_change", "weather"}},
		{"tools", v.Tools, IsTool, true, []string{"", "Blog", "email", "e-mail", "zoom", "facebook"}},
		{"languages", v.Languages, IsLanguage, true, []string{"", "RO", "Ro", "ro ", " en", "eng", "ron", "xx", "en-GB", "zz"}},
		{"countries", v.Countries, IsCountry, true, []string{"", "ro", "Ro", "RO ", " RO", "ROU", "EL", "UK", "GB", "XX", "EU"}},
	}
}

func codes(terms []Term) []string {
	out := make([]string, len(terms))
	for i, term := range terms {
		out[i] = term.Code
	}
	return out
}

func TestFixedCodes(t *testing.T) {
	v := All()
	tests := []struct {
		name  string
		terms []Term
		want  []string
	}{
		{"roles", v.Roles, []string{"teacher", "head_teacher", "inspector", "pre_service_teacher", "other"}},
		{"ageGroups", v.AgeGroups, []string{"up-to-6", "7-11", "12-15", "16-19", "vet"}},
		{"projectExperience", v.ProjectExperience, []string{"none", "some", "experienced"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := codes(tc.terms); !slices.Equal(got, tc.want) {
				t.Errorf("codes = %q, want exactly %q", got, tc.want)
			}
		})
	}
}

func TestRequiredCodesPresent(t *testing.T) {
	tests := []struct {
		name string
		is   func(string) bool
		want []string
	}{
		// used by the import format (docs/import.md)
		{"schoolTypes", IsSchoolType, []string{"pre_primary", "primary", "lower_secondary", "upper_secondary", "vocational", "special_needs"}},
		{"subjects", IsSubject, []string{"mathematics", "physics", "chemistry", "biology", "geography", "history", "foreign_languages", "mother_tongue", "ict", "art", "music", "physical_education", "religion", "philosophy", "economics", "citizenship", "environmental_education", "cross_curricular", "pre_school_education", "special_needs_education"}},
		{"themes", IsTheme, []string{"art", "citizenship", "climate_change", "cultural_heritage", "digital_literacy", "entrepreneurship", "environment", "european_awareness", "health", "inclusion", "media_literacy", "stem", "sustainable_development", "human_rights"}},
		{"tools", IsTool, []string{"blog", "chat", "forum", "e_mail", "video_conference", "wiki", "image_sharing", "video_sharing", "audio_sharing", "collaborative_documents", "presentation", "mind_map", "quiz", "virtual_whiteboard", "twinspace_pages", "podcast", "e_book"}},
		// all 24 official EU languages
		{"languages (EU official)", IsLanguage, []string{"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}},
		// national languages of the other eTwinning countries, and regional ones
		{"languages (others)", IsLanguage, []string{"sq", "hy", "az", "bs", "ka", "is", "mk", "no", "sr", "tr", "uk", "ar", "ca", "eu", "gl", "cy", "lb"}},
		// all 27 EU member states
		{"countries (EU)", IsCountry, []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}},
		{"countries (others)", IsCountry, []string{"AL", "AM", "AZ", "BA", "GE", "IS", "JO", "LB", "LI", "MD", "ME", "MK", "NO", "RS", "TN", "TR", "UA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for _, c := range tc.want {
				if seen[c] {
					t.Fatalf("test table lists %q twice", c)
				}
				seen[c] = true
				if !tc.is(c) {
					t.Errorf("%q missing", c)
				}
			}
		})
	}
	if n := len(All().Countries); n != 27+17 {
		t.Errorf("countries: %d, want the 27 EU members + 17 others", n)
	}
}

func TestLabels(t *testing.T) {
	for _, l := range lists() {
		t.Run(l.name, func(t *testing.T) {
			for _, term := range l.terms {
				if len(term.Label) != len(PortalLanguages()) {
					t.Errorf("%q: labels %v, want exactly %v", term.Code, term.Label, PortalLanguages())
				}
				for _, lang := range PortalLanguages() {
					s := term.Label[lang]
					if strings.TrimSpace(s) == "" || s != strings.TrimSpace(s) {
						t.Errorf("%q: bad %s label %q", term.Code, lang, s)
					}
				}
				// Romanian uses comma-below ș ț, never the cedilla forms.
				if strings.ContainsAny(term.Label["ro"], "şţŞŢ") {
					t.Errorf("%q: ro label %q uses cedilla ş/ţ", term.Code, term.Label["ro"])
				}
			}
		})
	}
}

func TestCodes(t *testing.T) {
	for _, l := range lists() {
		t.Run(l.name, func(t *testing.T) {
			if len(l.terms) == 0 {
				t.Fatal("empty list")
			}
			seen := map[string]bool{}
			for _, term := range l.terms {
				if term.Code == "" || term.Code != strings.TrimSpace(term.Code) {
					t.Errorf("bad code %q", term.Code)
				}
				if seen[term.Code] {
					t.Errorf("duplicate code %q", term.Code)
				}
				seen[term.Code] = true
			}
			if l.sorted && !sort.StringsAreSorted(codes(l.terms)) {
				t.Errorf("not sorted by code: %q", codes(l.terms))
			}
		})
	}
}

func TestCodeFormats(t *testing.T) {
	v := All()
	snake := func(s string) bool {
		for i, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' && i > 0 || r == '_' && i > 0 && i < len(s)-1) {
				return false
			}
		}
		return s != ""
	}
	iso := func(lo, hi rune) func(string) bool {
		return func(s string) bool {
			if len(s) != 2 {
				return false
			}
			for _, r := range s {
				if r < lo || r > hi {
					return false
				}
			}
			return true
		}
	}
	tests := []struct {
		name  string
		terms []Term
		ok    func(string) bool
	}{
		{"schoolTypes", v.SchoolTypes, snake},
		{"subjects", v.Subjects, snake},
		{"themes", v.Themes, snake},
		{"tools", v.Tools, snake},
		{"languages", v.Languages, iso('a', 'z')},
		{"countries", v.Countries, iso('A', 'Z')},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, term := range tc.terms {
				if !tc.ok(term.Code) {
					t.Errorf("code %q has the wrong format", term.Code)
				}
			}
		})
	}
}

func TestIsAgreesWithList(t *testing.T) {
	for _, l := range lists() {
		t.Run(l.name, func(t *testing.T) {
			for _, term := range l.terms {
				if !l.is(term.Code) {
					t.Errorf("Is(%q) = false for a listed code", term.Code)
				}
			}
			for _, b := range l.bogus {
				if slices.Contains(codes(l.terms), b) {
					t.Fatalf("bogus %q is actually listed", b)
				}
				if l.is(b) {
					t.Errorf("Is(%q) = true for an unlisted code", b)
				}
			}
		})
	}
}

func TestPortalLanguages(t *testing.T) {
	got := PortalLanguages()
	if !slices.Equal(got, []string{"en", "ro"}) {
		t.Fatalf("PortalLanguages() = %q", got)
	}
	got[0] = "xx" // a copy: must not leak
	if !slices.Equal(PortalLanguages(), []string{"en", "ro"}) {
		t.Fatal("PortalLanguages() returned shared storage")
	}
	for _, c := range []string{"en", "ro"} {
		if !IsPortalLanguage(c) {
			t.Errorf("IsPortalLanguage(%q) = false", c)
		}
		if !IsLanguage(c) {
			t.Errorf("portal language %q is not a language", c)
		}
	}
	for _, c := range []string{"", "EN", "Ro", "ro ", "fr", "de", "xx"} {
		if IsPortalLanguage(c) {
			t.Errorf("IsPortalLanguage(%q) = true", c)
		}
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(All())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"roles", "ageGroups", "projectExperience", "schoolTypes", "subjects", "themes", "tools", "languages", "countries"}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("JSON keys = %q, want %q", got, want)
	}

	var terms []map[string]any
	if err := json.Unmarshal(m["countries"], &terms); err != nil {
		t.Fatal(err)
	}
	if len(terms) == 0 || len(terms[0]) != 2 || terms[0]["code"] == nil || terms[0]["label"] == nil {
		t.Fatalf("term JSON = %v, want {code, label}", terms[0])
	}
	var round Vocabularies
	if err := json.Unmarshal(b, &round); err != nil {
		t.Fatal(err)
	}
	if len(round.Subjects) != len(All().Subjects) || round.Countries[0].Label["ro"] != All().Countries[0].Label["ro"] {
		t.Fatal("JSON round trip lost data")
	}
}

func TestSizes(t *testing.T) {
	v := All()
	minSize := map[string]int{"schoolTypes": 10, "subjects": 40, "themes": 35, "tools": 20, "languages": 24 + 17, "countries": 44}
	for _, l := range lists() {
		if n, ok := minSize[l.name]; ok && len(l.terms) < n {
			t.Errorf("%s: %d terms, want at least %d", l.name, len(l.terms), n)
		}
	}
	t.Logf("sizes: roles=%d ageGroups=%d projectExperience=%d schoolTypes=%d subjects=%d themes=%d tools=%d languages=%d countries=%d",
		len(v.Roles), len(v.AgeGroups), len(v.ProjectExperience), len(v.SchoolTypes), len(v.Subjects), len(v.Themes), len(v.Tools), len(v.Languages), len(v.Countries))
}
