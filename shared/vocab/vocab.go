// Package vocab holds the platform's controlled vocabularies: the fixed lists
// served by GET /v1/vocabularies and used to validate requests (member
// profiles, schools, projects, resources, rooms, search filters).
//
// Every term has a stable machine code and a label in each portal language
// ("en" and "ro"). Codes are what the API accepts and stores; labels are for
// display only and may be reworded without breaking clients.
//
// Order of the lists (stable, part of the API output):
//   - roles, ageGroups, projectExperience, schoolTypes: the natural order
//     (as in the registration form; school types from youngest pupils up);
//   - subjects, themes, tools, languages, countries: alphabetical by code.
//
// Codes: roles, ageGroups and projectExperience are fixed by the API contract (docs/api.md);
// schoolTypes, subjects, themes and tools are snake_case and follow
// eTwinning's own lists; languages are ISO 639-1 (lower case, "ro");
// countries are ISO 3166-1 alpha-2 (upper case, "RO"). Membership checks are
// exact: no trimming, no case folding.
package vocab

// Term is one entry of a vocabulary.
type Term struct {
	Code  string            `json:"code"`
	Label map[string]string `json:"label"` // keyed by portal language: "en", "ro"
}

// Vocabularies is the full set served by GET /v1/vocabularies.
type Vocabularies struct {
	Roles             []Term `json:"roles"`
	AgeGroups         []Term `json:"ageGroups"`
	ProjectExperience []Term `json:"projectExperience"`
	SchoolTypes       []Term `json:"schoolTypes"`
	Subjects          []Term `json:"subjects"`
	Themes            []Term `json:"themes"`
	Tools             []Term `json:"tools"`
	Languages         []Term `json:"languages"`
	Countries         []Term `json:"countries"`
}

func t(code, en, ro string) Term {
	return Term{Code: code, Label: map[string]string{"en": en, "ro": ro}}
}

var roles = []Term{
	t("teacher", "Teacher", "Profesor"),
	t("head_teacher", "Head teacher", "Director de școală"),
	t("inspector", "School inspector", "Inspector școlar"),
	t("pre_service_teacher", "Pre-service teacher", "Viitor profesor (student)"),
	t("other", "Other", "Altul"),
}

var ageGroups = []Term{
	t("up-to-6", "Up to 6 years", "Până la 6 ani"),
	t("7-11", "7–11 years", "7–11 ani"),
	t("12-15", "12–15 years", "12–15 ani"),
	t("16-19", "16–19 years", "16–19 ani"),
	t("vet", "Vocational education and training", "Învățământ profesional și tehnic"),
}

var projectExperience = []Term{
	t("none", "No experience in projects", "Fără experiență în proiecte"),
	t("some", "Some experience in projects", "Ceva experiență în proiecte"),
	t("experienced", "Experienced in projects", "Experiență bogată în proiecte"),
}

var schoolTypes = []Term{
	t("pre_primary", "Pre-primary school (kindergarten)", "Învățământ preșcolar (grădiniță)"),
	t("primary", "Primary school", "Școală primară"),
	t("all_through", "School covering several levels (primary and secondary)", "Școală cu mai multe niveluri (primar și gimnazial/liceal)"),
	t("lower_secondary", "Lower secondary school", "Școală gimnazială"),
	t("upper_secondary", "Upper secondary school (general)", "Liceu (teoretic)"),
	t("vocational", "Upper secondary vocational or technical school", "Liceu tehnologic sau școală profesională"),
	t("post_secondary", "Post-secondary non-tertiary school", "Școală postliceală"),
	t("special_needs", "Special needs school", "Școală pentru elevi cu cerințe educaționale speciale"),
	t("extracurricular", "Extracurricular education centre", "Centru de activități extrașcolare"),
	t("adult_education", "Adult education", "Educația adulților"),
	t("teacher_training", "Initial teacher education institution", "Instituție de formare inițială a profesorilor"),
	t("other", "Other", "Altul"),
}

var subjects = []Term{
	t("art", "Art", "Arte vizuale"),
	t("astronomy", "Astronomy", "Astronomie"),
	t("biology", "Biology", "Biologie"),
	t("career_guidance", "Career guidance", "Consiliere și orientare"),
	t("chemistry", "Chemistry", "Chimie"),
	t("citizenship", "Citizenship", "Educație civică"),
	t("classical_languages", "Classical languages (Latin, Ancient Greek)", "Limbi clasice (latină, greacă veche)"),
	t("cross_curricular", "Cross-curricular", "Interdisciplinar"),
	t("design_and_technology", "Design and technology", "Design și tehnologie"),
	t("drama", "Drama", "Teatru"),
	t("economics", "Economics", "Economie"),
	t("entrepreneurship", "Entrepreneurship education", "Educație antreprenorială"),
	t("environmental_education", "Environmental education", "Educație ecologică"),
	t("ethics", "Ethics", "Etică"),
	t("european_studies", "European studies", "Studii europene"),
	t("foreign_languages", "Foreign languages", "Limbi străine"),
	t("geography", "Geography", "Geografie"),
	t("geology", "Geology", "Geologie"),
	t("health_education", "Health education", "Educație pentru sănătate"),
	t("history", "History", "Istorie"),
	t("history_of_culture", "History of culture", "Istoria culturii"),
	t("home_economics", "Home economics", "Economie domestică"),
	t("ict", "ICT", "TIC (tehnologia informației și a comunicațiilor)"),
	t("informatics", "Informatics / computer science", "Informatică"),
	t("law", "Law", "Drept"),
	t("logic", "Logic", "Logică"),
	t("mathematics", "Mathematics", "Matematică"),
	t("media_education", "Media education", "Educație media"),
	t("mother_tongue", "Mother tongue (language and literature)", "Limba maternă (limbă și literatură)"),
	t("music", "Music", "Muzică"),
	t("natural_sciences", "Natural sciences", "Științe ale naturii"),
	t("other", "Other", "Altele"),
	t("pedagogy", "Pedagogy", "Pedagogie"),
	t("philosophy", "Philosophy", "Filosofie"),
	t("physical_education", "Physical education", "Educație fizică și sport"),
	t("physics", "Physics", "Fizică"),
	t("politics", "Politics", "Științe politice"),
	t("pre_school_education", "Pre-school education", "Educație preșcolară"),
	t("primary_education", "Primary school education", "Învățământ primar"),
	t("psychology", "Psychology", "Psihologie"),
	t("religion", "Religion", "Religie"),
	t("social_studies", "Social studies", "Științe sociale"),
	t("sociology", "Sociology", "Sociologie"),
	t("special_needs_education", "Special needs education", "Educație specială (cerințe educaționale speciale)"),
	t("statistics", "Statistics", "Statistică"),
	t("technology", "Technology", "Educație tehnologică"),
	t("vocational_education", "Vocational education and training", "Educație și formare profesională"),
}

var themes = []Term{
	t("art", "Art", "Artă"),
	t("artificial_intelligence", "Artificial intelligence", "Inteligență artificială"),
	t("biodiversity", "Biodiversity", "Biodiversitate"),
	t("bullying_prevention", "Bullying prevention", "Prevenirea bullyingului"),
	t("career_guidance", "Career guidance", "Orientare în carieră"),
	t("citizenship", "Citizenship", "Cetățenie activă"),
	t("climate_change", "Climate change", "Schimbări climatice"),
	t("coding", "Coding and computational thinking", "Programare și gândire computațională"),
	t("creativity", "Creativity", "Creativitate"),
	t("critical_thinking", "Critical thinking", "Gândire critică"),
	t("cultural_heritage", "Cultural heritage", "Patrimoniu cultural"),
	t("democracy", "Democracy and participation", "Democrație și participare"),
	t("digital_literacy", "Digital literacy", "Competențe digitale"),
	t("disinformation", "Disinformation and fake news", "Dezinformare și știri false"),
	t("diversity", "Diversity", "Diversitate"),
	t("early_childhood", "Early childhood education", "Educație timpurie"),
	t("entrepreneurship", "Entrepreneurship", "Antreprenoriat"),
	t("environment", "Environment", "Mediul înconjurător"),
	t("european_awareness", "European awareness", "Conștiință europeană"),
	t("food_and_nutrition", "Food and nutrition", "Alimentație și nutriție"),
	t("game_based_learning", "Game-based learning", "Învățare prin joc"),
	t("gender_equality", "Gender equality", "Egalitate de gen"),
	t("health", "Health and well-being", "Sănătate și stare de bine"),
	t("history", "History and remembrance", "Istorie și memorie"),
	t("human_rights", "Human rights", "Drepturile omului"),
	t("inclusion", "Inclusion", "Incluziune"),
	t("intercultural_learning", "Intercultural learning", "Învățare interculturală"),
	t("language_learning", "Language learning", "Învățarea limbilor străine"),
	t("literacy", "Literacy and reading", "Alfabetizare și lectură"),
	t("mathematics", "Mathematics", "Matematică"),
	t("media_literacy", "Media literacy", "Educație media"),
	t("migration", "Migration", "Migrație"),
	t("music", "Music", "Muzică"),
	t("natural_sciences", "Natural sciences", "Științe ale naturii"),
	t("outdoor_learning", "Outdoor learning", "Învățare în aer liber"),
	t("peace", "Peace and conflict resolution", "Pace și rezolvarea conflictelor"),
	t("robotics", "Robotics", "Robotică"),
	t("safer_internet", "Safer internet", "Siguranța pe internet"),
	t("social_emotional_learning", "Social and emotional learning", "Învățare socio-emoțională"),
	t("space", "Space", "Spațiul cosmic"),
	t("sport", "Sport", "Sport"),
	t("stem", "STEM (science, technology, engineering, mathematics)", "STEM (științe, tehnologie, inginerie, matematică)"),
	t("storytelling", "Storytelling", "Arta povestirii"),
	t("sustainable_development", "Sustainable development", "Dezvoltare durabilă"),
	t("traditions", "Traditions and customs", "Tradiții și obiceiuri"),
}

var tools = []Term{
	t("animation", "Animation", "Animație"),
	t("audio_sharing", "Audio sharing", "Partajare audio"),
	t("blog", "Blog", "Blog"),
	t("chat", "Chat", "Chat"),
	t("collaborative_documents", "Online collaborative documents", "Documente colaborative online"),
	t("digital_map", "Digital maps", "Hărți digitale"),
	t("e_book", "E-book", "Carte electronică"),
	t("e_mail", "E-mail", "E-mail"),
	t("forum", "Forum", "Forum"),
	t("image_sharing", "Image sharing", "Partajare de imagini"),
	t("mind_map", "Mind maps", "Hărți mentale"),
	t("podcast", "Podcast", "Podcast"),
	t("presentation", "Presentations", "Prezentări"),
	t("project_diary", "Project diary", "Jurnalul proiectului"),
	t("quiz", "Quizzes", "Chestionare interactive (quiz)"),
	t("survey", "Surveys and polls", "Sondaje"),
	t("twinspace_pages", "TwinSpace pages", "Pagini TwinSpace"),
	t("video_conference", "Video conference", "Videoconferință"),
	t("video_sharing", "Video sharing", "Partajare video"),
	t("virtual_whiteboard", "Virtual whiteboard", "Tablă virtuală"),
	t("website", "Website", "Site web"),
	t("wiki", "Wiki", "Wiki"),
}

// languages: the 24 official EU languages, regional languages of EU
// countries (ca, eu, gl, cy, lb) and the national languages of the other
// eTwinning countries.
var languages = []Term{
	t("ar", "Arabic", "Arabă"),
	t("az", "Azerbaijani", "Azeră"),
	t("bg", "Bulgarian", "Bulgară"),
	t("bs", "Bosnian", "Bosniacă"),
	t("ca", "Catalan", "Catalană"),
	t("cs", "Czech", "Cehă"),
	t("cy", "Welsh", "Galeză"),
	t("da", "Danish", "Daneză"),
	t("de", "German", "Germană"),
	t("el", "Greek", "Greacă"),
	t("en", "English", "Engleză"),
	t("es", "Spanish", "Spaniolă"),
	t("et", "Estonian", "Estonă"),
	t("eu", "Basque", "Bască"),
	t("fi", "Finnish", "Finlandeză"),
	t("fr", "French", "Franceză"),
	t("ga", "Irish", "Irlandeză"),
	t("gl", "Galician", "Galiciană"),
	t("hr", "Croatian", "Croată"),
	t("hu", "Hungarian", "Maghiară"),
	t("hy", "Armenian", "Armeană"),
	t("is", "Icelandic", "Islandeză"),
	t("it", "Italian", "Italiană"),
	t("ka", "Georgian", "Georgiană"),
	t("lb", "Luxembourgish", "Luxemburgheză"),
	t("lt", "Lithuanian", "Lituaniană"),
	t("lv", "Latvian", "Letonă"),
	t("mk", "Macedonian", "Macedoneană"),
	t("mt", "Maltese", "Malteză"),
	t("nl", "Dutch", "Neerlandeză"),
	t("no", "Norwegian", "Norvegiană"),
	t("pl", "Polish", "Poloneză"),
	t("pt", "Portuguese", "Portugheză"),
	t("ro", "Romanian", "Română"),
	t("sk", "Slovak", "Slovacă"),
	t("sl", "Slovenian", "Slovenă"),
	t("sq", "Albanian", "Albaneză"),
	t("sr", "Serbian", "Sârbă"),
	t("sv", "Swedish", "Suedeză"),
	t("tr", "Turkish", "Turcă"),
	t("uk", "Ukrainian", "Ucraineană"),
}

// countries: the 27 EU member states and the other eTwinning countries
// (Erasmus+ associated countries and eTwinning Plus partners).
var countries = []Term{
	t("AL", "Albania", "Albania"),
	t("AM", "Armenia", "Armenia"),
	t("AT", "Austria", "Austria"),
	t("AZ", "Azerbaijan", "Azerbaidjan"),
	t("BA", "Bosnia and Herzegovina", "Bosnia și Herțegovina"),
	t("BE", "Belgium", "Belgia"),
	t("BG", "Bulgaria", "Bulgaria"),
	t("CY", "Cyprus", "Cipru"),
	t("CZ", "Czechia", "Cehia"),
	t("DE", "Germany", "Germania"),
	t("DK", "Denmark", "Danemarca"),
	t("EE", "Estonia", "Estonia"),
	t("ES", "Spain", "Spania"),
	t("FI", "Finland", "Finlanda"),
	t("FR", "France", "Franța"),
	t("GE", "Georgia", "Georgia"),
	t("GR", "Greece", "Grecia"),
	t("HR", "Croatia", "Croația"),
	t("HU", "Hungary", "Ungaria"),
	t("IE", "Ireland", "Irlanda"),
	t("IS", "Iceland", "Islanda"),
	t("IT", "Italy", "Italia"),
	t("JO", "Jordan", "Iordania"),
	t("LB", "Lebanon", "Liban"),
	t("LI", "Liechtenstein", "Liechtenstein"),
	t("LT", "Lithuania", "Lituania"),
	t("LU", "Luxembourg", "Luxemburg"),
	t("LV", "Latvia", "Letonia"),
	t("MD", "Moldova", "Republica Moldova"),
	t("ME", "Montenegro", "Muntenegru"),
	t("MK", "North Macedonia", "Macedonia de Nord"),
	t("MT", "Malta", "Malta"),
	t("NL", "Netherlands", "Țările de Jos"),
	t("NO", "Norway", "Norvegia"),
	t("PL", "Poland", "Polonia"),
	t("PT", "Portugal", "Portugalia"),
	t("RO", "Romania", "România"),
	t("RS", "Serbia", "Serbia"),
	t("SE", "Sweden", "Suedia"),
	t("SI", "Slovenia", "Slovenia"),
	t("SK", "Slovakia", "Slovacia"),
	t("TN", "Tunisia", "Tunisia"),
	t("TR", "Türkiye", "Turcia"),
	t("UA", "Ukraine", "Ucraina"),
}

var all = Vocabularies{
	Roles:             roles,
	AgeGroups:         ageGroups,
	ProjectExperience: projectExperience,
	SchoolTypes:       schoolTypes,
	Subjects:          subjects,
	Themes:            themes,
	Tools:             tools,
	Languages:         languages,
	Countries:         countries,
}

// All returns the vocabularies. The slices and label maps are shared:
// callers must not modify them.
func All() Vocabularies { return all }

type set map[string]struct{}

func newSet(terms []Term) set {
	s := make(set, len(terms))
	for _, term := range terms {
		s[term.Code] = struct{}{}
	}
	return s
}

func (s set) has(code string) bool {
	_, ok := s[code]
	return ok
}

var (
	roleSet              = newSet(roles)
	ageGroupSet          = newSet(ageGroups)
	projectExperienceSet = newSet(projectExperience)
	schoolTypeSet        = newSet(schoolTypes)
	subjectSet           = newSet(subjects)
	themeSet             = newSet(themes)
	toolSet              = newSet(tools)
	languageSet          = newSet(languages)
	countrySet           = newSet(countries)
)

// IsRole reports whether code is a member role code ("teacher", ...).
func IsRole(code string) bool { return roleSet.has(code) }

// IsAgeGroup reports whether code is a pupils' age group code ("7-11", ...).
func IsAgeGroup(code string) bool { return ageGroupSet.has(code) }

// IsProjectExperience reports whether code is a project experience code.
func IsProjectExperience(code string) bool { return projectExperienceSet.has(code) }

// IsSchoolType reports whether code is a school type code ("upper_secondary", ...).
func IsSchoolType(code string) bool { return schoolTypeSet.has(code) }

// IsSubject reports whether code is a subject code ("mathematics", ...).
func IsSubject(code string) bool { return subjectSet.has(code) }

// IsTheme reports whether code is a project theme / interest area code.
func IsTheme(code string) bool { return themeSet.has(code) }

// IsTool reports whether code is a project tool code ("blog", ...).
func IsTool(code string) bool { return toolSet.has(code) }

// IsLanguage reports whether code is a working language (ISO 639-1, lower case).
func IsLanguage(code string) bool { return languageSet.has(code) }

// IsCountry reports whether code is an eTwinning country (ISO 3166-1 alpha-2, upper case).
func IsCountry(code string) bool { return countrySet.has(code) }

// portalLanguages are the languages the portal's vocabulary labels are available in;
// every Term has a label in each of them. (E-mails have more: ro, en, fr, de, it, es,
// pl, see shared/mail.)
var portalLanguages = []string{"en", "ro"}

// PortalLanguages returns the languages of the vocabulary labels: "en", "ro".
// The result is a fresh copy.
func PortalLanguages() []string {
	return append([]string(nil), portalLanguages...)
}

// IsPortalLanguage reports whether code is a portal language.
func IsPortalLanguage(code string) bool {
	for _, l := range portalLanguages {
		if l == code {
			return true
		}
	}
	return false
}
