package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/fold"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/optout"
	"etwin/shared/outbox"
	"etwin/shared/password"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/token"
)

// seedPassword is every seeded account's password (one argon2id hash serves them all).
const seedPassword = "a long and private passphrase"

// country is what makes seeded people and schools look like one country's.
type country struct {
	code, lang     string
	first, last    []string
	kinds          []schoolKind
	patrons        []string
	cities         []string
	street, postal string
	phone          string
}

type schoolKind struct{ format, schoolType string }

var countries = []country{
	{code: "RO", lang: "ro",
		first:   []string{"Ana", "Maria", "Elena", "Ioana", "Andrei", "Mihai", "Cristina", "Radu"},
		last:    []string{"Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Rusu", "Munteanu", "Ciobanu"},
		kinds:   []schoolKind{{"Liceul Teoretic „%s”", "upper_secondary"}, {"Colegiul Național „%s”", "upper_secondary"}, {"Școala Gimnazială „%s”", "lower_secondary"}},
		patrons: []string{"Mihai Eminescu", "Ștefan cel Mare", "Ion Creangă", "Vasile Alecsandri", "George Coșbuc", "Nicolae Bălcescu"},
		cities:  []string{"Iași", "Cluj-Napoca", "Brașov", "Timișoara", "Suceava"},
		street:  "Strada Lăpușneanu %d", postal: "700057", phone: "+40 232 %03d %03d"},
	{code: "FR", lang: "fr",
		first:   []string{"Camille", "Léa", "Manon", "Hugo", "Lucas", "Chloé", "Julien", "Sophie"},
		last:    []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"},
		kinds:   []schoolKind{{"Lycée %s", "upper_secondary"}, {"Collège %s", "lower_secondary"}, {"École élémentaire %s", "primary"}},
		patrons: []string{"Victor Hugo", "Jean Moulin", "Marie Curie", "Jules Ferry", "Albert Camus", "Simone Veil"},
		cities:  []string{"Lyon", "Lille", "Nantes", "Rennes", "Toulouse"},
		street:  "%d rue de la République", postal: "69002", phone: "+33 4 78 %02d %02d"},
	{code: "IT", lang: "it",
		first:   []string{"Giulia", "Francesca", "Chiara", "Marco", "Luca", "Alessandro", "Sara", "Matteo"},
		last:    []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"},
		kinds:   []schoolKind{{"Liceo Scientifico %s", "upper_secondary"}, {"Istituto Comprensivo %s", "all_through"}, {"Istituto Tecnico %s", "vocational"}},
		patrons: []string{"Galileo Galilei", "Dante Alighieri", "Leonardo da Vinci", "Maria Montessori", "Enrico Fermi", "Alessandro Volta"},
		cities:  []string{"Torino", "Bologna", "Napoli", "Firenze", "Bari"},
		street:  "Via Roma %d", postal: "10121", phone: "+39 011 %03d %04d"},
	{code: "DE", lang: "de",
		first:   []string{"Anna", "Lena", "Julia", "Lukas", "Jonas", "Felix", "Katrin", "Stefan"},
		last:    []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"},
		kinds:   []schoolKind{{"%s-Gymnasium", "upper_secondary"}, {"%s-Grundschule", "primary"}, {"%s-Realschule", "lower_secondary"}},
		patrons: []string{"Goethe", "Schiller", "Albert Einstein", "Sophie Scholl", "Alexander von Humboldt", "Käthe Kollwitz"},
		cities:  []string{"Berlin", "Köln", "Leipzig", "Freiburg", "Kiel"},
		street:  "Hauptstraße %d", postal: "10115", phone: "+49 30 %04d %03d"},
	{code: "ES", lang: "es",
		first:   []string{"Lucía", "Carmen", "Laura", "Pablo", "Javier", "Marta", "Sergio", "Elena"},
		last:    []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez"},
		kinds:   []schoolKind{{"IES %s", "upper_secondary"}, {"CEIP %s", "primary"}, {"Colegio %s", "all_through"}},
		patrons: []string{"Miguel de Cervantes", "Antonio Machado", "Federico García Lorca", "Rosalía de Castro", "Severo Ochoa", "Clara Campoamor"},
		cities:  []string{"Sevilla", "Valencia", "Zaragoza", "Bilbao", "Granada"},
		street:  "Calle Mayor %d", postal: "41001", phone: "+34 954 %03d %03d"},
	{code: "PL", lang: "pl",
		first:   []string{"Anna", "Katarzyna", "Magdalena", "Piotr", "Tomasz", "Paweł", "Agnieszka", "Michał"},
		last:    []string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"},
		kinds:   []schoolKind{{"Liceum Ogólnokształcące im. %s", "upper_secondary"}, {"Szkoła Podstawowa im. %s", "primary"}, {"Technikum im. %s", "vocational"}},
		patrons: []string{"Mikołaja Kopernika", "Marii Skłodowskiej-Curie", "Adama Mickiewicza", "Jana Pawła II", "Fryderyka Chopina", "Juliusza Słowackiego"},
		cities:  []string{"Kraków", "Gdańsk", "Poznań", "Wrocław", "Lublin"},
		street:  "ul. Długa %d", postal: "31-147", phone: "+48 12 %03d %02d %02d"},
}

func countryByCode(code string) *country {
	for i := range countries {
		if countries[i].code == code {
			return &countries[i]
		}
	}
	return &countries[0]
}

// searches are school-name searches as people type them (no diacritics, partial
// words, with and without a country).
var searches = []struct{ q, country string }{
	{"eminescu", ""}, {"liceul teoretic", "RO"}, {"stefan cel mare", "RO"}, {"victor hugo", ""},
	{"lycee", "FR"}, {"galilei", ""}, {"istituto comprensivo", "IT"}, {"gymnasium", "DE"},
	{"cervantes", ""}, {"szkola podstawowa", "PL"}, {"marie curie", ""}, {"colegiul national", ""},
}

// seedMember is an account the benchmark created, with what requests need of it.
type seedMember struct {
	ID, Username, Email, FirstName, LastName, Language, Country string
	School                                                      member.SchoolRef
}

// dataset is the community the benchmarks work on: schools in six countries, two or so
// teachers each, made through the same Store methods the use cases use (pre-registration,
// then completion that registers or joins the school). Members are handed out so that
// use cases that change a member (password, schools) each get their own.
type dataset struct {
	store   *ddb.Store // not metered
	workers int
	pwHash  string

	members []*seedMember
	schools []member.SchoolRef
	general []*seedMember // shared by read-mostly use cases
	free    int           // members[free:] are not handed out yet

	seq       atomic.Int64 // unique people
	schoolSeq atomic.Int64 // unique schools
	// unsubscribes signs one-click unsubscribe links with the key the functions read.
	unsubscribes optout.Signer
}

// generalMembers is the size of the shared pool (logins, sessions, look-ups).
const generalMembers = 40

// seed creates n members (at least generalMembers) and (n+1)/2 schools: every school
// has a founder who registered it, the others joined one.
func seed(ctx context.Context, store *ddb.Store, n, workers int) (*dataset, error) {
	hash, err := password.Hash(seedPassword)
	if err != nil {
		return nil, err
	}
	ds := &dataset{store: store, workers: workers, pwHash: hash}
	n = max(n, generalMembers)
	nSchools := (n + 1) / 2
	ds.members = make([]*seedMember, n)
	ds.schools = make([]member.SchoolRef, nSchools)
	forms := make([]school.Form, nSchools)
	for i := range forms {
		if forms[i], err = ds.schoolForm(); err != nil {
			return nil, err
		}
	}
	err = parallel(ctx, nSchools, workers, func(i int) error {
		m, err := ds.createMember(ctx, &forms[i], member.SchoolRef{})
		if err != nil {
			return fmt.Errorf("seeding school %d: %w", i, err)
		}
		ds.members[i], ds.schools[i] = m, m.School
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = parallel(ctx, n-nSchools, workers, func(j int) error {
		m, err := ds.createMember(ctx, nil, ds.schools[j%nSchools])
		if err != nil {
			return fmt.Errorf("seeding member %d: %w", nSchools+j, err)
		}
		ds.members[nSchools+j] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	ds.general = ds.members[:generalMembers]
	ds.free = generalMembers
	return ds, nil
}

// take hands out k members nobody else uses.
func (ds *dataset) take(k int) ([]*seedMember, error) {
	if ds.free+k > len(ds.members) {
		return nil, fmt.Errorf("dataset: %d members asked for, %d left", k, len(ds.members)-ds.free)
	}
	out := ds.members[ds.free : ds.free+k]
	ds.free += k
	return out, nil
}

// person makes the k-th person of a country: names, a username and an address.
func person(k int64, c *country) (first, last, username, email string) {
	first = c.first[k%int64(len(c.first))]
	last = c.last[(k/int64(len(c.first)))%int64(len(c.last))]
	slug := func(s string) string { return strings.ReplaceAll(fold.Text(s), " ", "-") }
	username = fmt.Sprintf("%s.%s.%d", slug(first), slug(last), k)
	email = fmt.Sprintf("%s.%s.%d@example.org", slug(first), slug(last), k)
	return first, last, username, email
}

// newPerson is a fresh person of the country that comes next in turn.
func (ds *dataset) newPerson() (c *country, first, last, username, email string) {
	k := ds.seq.Add(1)
	c = &countries[k%int64(len(countries))]
	first, last, username, email = person(k, c)
	return c, first, last, username, email
}

// schoolForm is a new, valid, never used school form.
func (ds *dataset) schoolForm() (school.Form, error) {
	j := int(ds.schoolSeq.Add(1) - 1)
	c := &countries[j%len(countries)]
	k := j / len(countries)
	nk, np, nc := len(c.kinds), len(c.patrons), len(c.cities)
	kind := c.kinds[k%nk]
	patron := c.patrons[(k/nk)%np]
	city := c.cities[(k/(nk*np))%nc]
	name := fmt.Sprintf(kind.format, patron)
	if round := k / (nk * np * nc); round > 0 {
		name += " " + strconv.Itoa(round+1) // a second school of that name in that city
	}
	head := c.first[(j+3)%len(c.first)] + " " + c.last[(j+5)%len(c.last)]
	pupils := 120 + (j*37)%1400
	var phone string
	switch strings.Count(c.phone, "%") {
	case 2:
		phone = fmt.Sprintf(c.phone, j%1000, (j*7)%1000)
	default:
		phone = fmt.Sprintf(c.phone, j%1000, j%100, (j*3)%100)
	}
	f := school.Form{
		Name: name, Country: c.code, City: city, Address: fmt.Sprintf(c.street, 1+j%180),
		PostalCode: c.postal, SchoolType: kind.schoolType, Phone: phone,
		Email:       fmt.Sprintf("office.%d@school.example.org", j),
		HeadTeacher: head, Pupils: &pupils,
	}
	if j%3 == 0 {
		f.Website = fmt.Sprintf("https://school-%d.example.org", j)
	}
	var fs apperr.Fields
	f.Validate(&fs, "school")
	if err := fs.Err(); err != nil {
		return f, fmt.Errorf("dataset: generated school %q is invalid: %v", name, err)
	}
	return f, nil
}

// schoolBody is a new-school form as a portal sends it (filled fields only).
func schoolBody(f school.Form) map[string]any {
	b := map[string]any{"name": f.Name, "country": f.Country, "city": f.City, "address": f.Address,
		"postalCode": f.PostalCode, "schoolType": f.SchoolType, "phone": f.Phone, "email": f.Email,
		"headTeacher": f.HeadTeacher, "pupils": *f.Pupils}
	if f.Website != "" {
		b["website"] = f.Website
	}
	return b
}

// profile is a valid teacher profile; k varies it.
func profile(k int) *member.Profile {
	subjects := [][]string{{"mathematics", "ict"}, {"foreign_languages"}, {"history", "geography"}, {"biology", "chemistry", "environmental_education"}, {"music", "art"}}
	interests := [][]string{{"stem", "coding"}, {"intercultural_learning", "language_learning"}, {"cultural_heritage", "traditions"}, {"climate_change", "biodiversity"}, {"creativity", "storytelling"}}
	ages := [][]string{{"12-15"}, {"16-19"}, {"7-11"}, {"12-15", "16-19"}, {"up-to-6"}}
	exp := []string{"none", "some", "experienced"}
	langs := [][]string{{"ro", "en"}, {"fr", "en"}, {"it", "en", "fr"}, {"de", "en"}, {"es", "en"}, {"pl", "en", "de"}}
	return &member.Profile{
		Role: "teacher", Subjects: subjects[k%len(subjects)], AgeGroups: ages[k%len(ages)],
		ProjectExperience: exp[k%len(exp)], Interests: interests[k%len(interests)],
		Languages: langs[k%len(langs)], ProjectIdeas: "Exchanges about water, food and the seasons around our towns.",
	}
}

// pending stores a fresh pre-registration (as registration-start would) and returns
// it with its link token.
func (ds *dataset) pending(ctx context.Context, c *country) (registration.Pending, string, error) {
	k := ds.seq.Add(1)
	if c == nil {
		c = &countries[k%int64(len(countries))]
	}
	first, last, username, email := person(k, c)
	now := time.Now().UTC()
	tok := token.New()
	p := registration.Pending{
		TokenHash: token.Hash(tok), FirstName: first, LastName: last, Email: email, Username: username,
		PasswordHash: ds.pwHash, Language: c.lang, CreatedAt: now, ExpiresAt: now.Add(registration.LinkLifetime),
	}
	return p, tok, ds.store.PutPending(ctx, p, now, outbox.New(mail.Envelope{Kind: mail.RegistrationLink, To: email,
		Link: "/register?token=" + tok}, nil, now))
}

// pendings stores n pre-registrations and returns their link tokens.
func (ds *dataset) pendings(ctx context.Context, n int) ([]string, error) {
	toks := make([]string, n)
	err := parallel(ctx, n, ds.workers, func(i int) error {
		_, tok, err := ds.pending(ctx, nil)
		toks[i] = tok
		return err
	})
	return toks, err
}

// createMember completes a pre-registration with a new school (form) or by joining one.
func (ds *dataset) createMember(ctx context.Context, form *school.Form, join member.SchoolRef) (*seedMember, error) {
	code := join.Country
	if form != nil {
		code = form.Country
	}
	c := countryByCode(code)
	p, _, err := ds.pending(ctx, c)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	comp := registration.Completion{Pending: p, Now: now}
	ref := join
	if form != nil {
		sc := form.New(token.ID("s-"), now)
		comp.NewSchool = &sc
		ref = sc.Ref()
	}
	comp.SchoolID = ref.SchoolID
	comp.Member = member.Member{
		MemberID: token.ID("m-"), Username: p.Username, FirstName: p.FirstName, LastName: p.LastName,
		Email: p.Email, Language: p.Language, Role: member.RoleTeacher, Country: ref.Country,
		Profile: profile(int(ds.seq.Load())), Schools: []member.SchoolRef{ref}, PasswordHash: p.PasswordHash, CreatedAt: now,
	}
	if err := ds.store.Complete(ctx, comp); err != nil {
		return nil, err
	}
	m := comp.Member
	return &seedMember{ID: m.MemberID, Username: m.Username, Email: m.Email, FirstName: m.FirstName,
		LastName: m.LastName, Language: m.Language, Country: m.Country, School: ref}, nil
}

// session opens a session for m (as a login would) and returns its bearer token.
func (ds *dataset) session(ctx context.Context, m *seedMember) (string, error) {
	secret := token.New()
	now := time.Now().UTC()
	err := ds.store.PutSession(ctx, account.Session{MemberID: m.ID, TokenHash: token.Hash(secret),
		Role: member.RoleTeacher, Country: m.Country, CreatedAt: now, LastSeenAt: now})
	return m.ID + "." + secret, err
}

// sessions opens one session for each of ms, in parallel.
func (ds *dataset) sessions(ctx context.Context, ms []*seedMember) ([]string, error) {
	toks := make([]string, len(ms))
	err := parallel(ctx, len(ms), ds.workers, func(i int) error {
		var err error
		toks[i], err = ds.session(ctx, ms[i])
		return err
	})
	return toks, err
}

// reset stores a password-reset link for m and returns its token.
func (ds *dataset) reset(ctx context.Context, m *seedMember) (string, error) {
	tok := token.New()
	now := time.Now().UTC()
	return tok, ds.store.PutReset(ctx, account.Reset{TokenHash: token.Hash(tok), MemberID: m.ID,
		CreatedAt: now, ExpiresAt: now.Add(account.ResetLifetime)}, outbox.New(mail.Envelope{Kind: mail.PasswordReset,
		To: m.Email, Link: "/password-reset?token=" + tok}, nil, now))
}

// parallel runs f(0..n-1) on up to workers goroutines and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(workers, n)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n)) // stop handing out work
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
