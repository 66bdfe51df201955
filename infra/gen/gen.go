// Package gen generates realistic teachers with schools (names with diacritics from
// several countries, random categories from shared/vocab) and loads them straight into
// DynamoDB through ddb.Store.BulkLoad (BatchWriteItem, parallel workers), with their
// search-index entries. It is for benchmarks and tests; generated members cannot log in.
package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/school"
	"etwin/shared/vocab"
)

type country struct {
	code, lang  string
	first, last []string
	schools     []string // name formats, %s is a patron or a place
	patrons     []string
	cities      []string
}

var countries = []country{
	{"RO", "ro", []string{"Ana", "Maria", "Ioana", "Ștefan", "Andrei", "Mihai", "Răzvan", "Cătălina", "Bogdan", "Irina", "Tudor", "Ilinca"},
		[]string{"Popescu", "Ionescu", "Ștefănescu", "Țepeș", "Mureșan", "Dumitrescu", "Răducanu", "Bălan", "Sârbu", "Găină", "Oprea", "Cîrstea"},
		[]string{"Liceul Teoretic „%s”", "Colegiul Național „%s”", "Școala Gimnazială „%s”"},
		[]string{"Mihai Eminescu", "Ștefan cel Mare", "Ion Creangă", "Nicolae Bălcescu", "George Coșbuc", "Lucian Blaga"},
		[]string{"Iași", "Cluj-Napoca", "Brașov", "Timișoara", "Constanța", "Târgu Mureș"}},
	{"FR", "fr", []string{"Camille", "Léa", "Chloé", "Hélène", "Jérôme", "François", "Noël", "Zoé", "Gaëlle", "Benoît", "Anaïs", "Loïc"},
		[]string{"Martin", "Lefèvre", "Dubois", "Müller", "Géraud", "Fontaine", "Leroy", "Château", "Benoît", "Mercier", "Lemaître", "Frère"},
		[]string{"Lycée %s", "Collège %s", "École élémentaire %s"},
		[]string{"Victor Hugo", "Jean Moulin", "Marie Curie", "Émile Zola", "Simone Veil", "Jules Ferry"},
		[]string{"Lyon", "Lille", "Nantes", "Besançon", "Orléans", "Nîmes"}},
	{"DE", "de", []string{"Jürgen", "Jörg", "Lena", "Björn", "Käthe", "Sören", "Anna", "Lukas", "Jonas", "Mia", "Günter", "Bärbel"},
		[]string{"Müller", "Schröder", "Weiß", "Groß", "Krüger", "Schäfer", "Köhler", "Böhm", "Fuchs", "Vogel", "Hoffmann", "Braun"},
		[]string{"Gymnasium %s", "Realschule %s", "Grundschule %s"},
		[]string{"Goethe", "Schiller", "Albert Einstein", "Sophie Scholl", "Käthe Kollwitz", "Humboldt"},
		[]string{"München", "Köln", "Düsseldorf", "Nürnberg", "Lübeck", "Göttingen"}},
	{"PL", "pl", []string{"Łukasz", "Paweł", "Małgorzata", "Agnieszka", "Wojciech", "Zofia", "Michał", "Joanna", "Bartłomiej", "Jędrzej"},
		[]string{"Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zieliński", "Dąbrowska", "Kozłowski", "Jabłoński", "Łęcka"},
		[]string{"Liceum Ogólnokształcące im. %s", "Szkoła Podstawowa nr 3 im. %s", "Technikum im. %s"},
		[]string{"Mikołaja Kopernika", "Marii Skłodowskiej-Curie", "Adama Mickiewicza", "Fryderyka Chopina", "Jana Pawła II"},
		[]string{"Kraków", "Łódź", "Wrocław", "Gdańsk", "Poznań", "Białystok"}},
	{"ES", "es", []string{"José", "María", "Lucía", "Martín", "Sofía", "Álvaro", "Inés", "Raúl", "Begoña", "Íñigo"},
		[]string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Muñoz", "Núñez"},
		[]string{"IES %s", "CEIP %s", "Colegio %s"},
		[]string{"Miguel de Cervantes", "Antonio Machado", "Federico García Lorca", "Ramón y Cajal", "Clara Campoamor"},
		[]string{"Sevilla", "Málaga", "Córdoba", "León", "Cádiz", "Logroño"}},
	{"IT", "it", []string{"Giulia", "Niccolò", "Chiara", "Luca", "Sara", "Matteo", "Andrea", "Francesca", "Nicolò", "Elena"},
		[]string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "De Luca"},
		[]string{"Liceo Scientifico %s", "Istituto Comprensivo %s", "Istituto Tecnico %s"},
		[]string{"Galileo Galilei", "Dante Alighieri", "Leonardo da Vinci", "Maria Montessori", "Enrico Fermi"},
		[]string{"Torino", "Bologna", "Napoli", "Forlì", "Cefalù", "Bari"}},
}

func codes(ts []vocab.Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

var (
	v           = vocab.All()
	subjects    = codes(v.Subjects)
	themes      = codes(v.Themes)
	ageGroups   = codes(v.AgeGroups)
	languages   = codes(v.Languages)
	schoolTypes = codes(v.SchoolTypes)
	roles       = []string{"teacher", "teacher", "teacher", "teacher", "head_teacher", "inspector", "pre_service_teacher"}
)

// pick returns k distinct random elements of list.
func pick(r *rand.Rand, list []string, k int) []string {
	idx := r.Perm(len(list))[:min(k, len(list))]
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

func one(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// Batch generates members k0..k0+n-1 of the data set seeded by seed: about one school per
// three teachers, some teachers in two schools (possibly in another country). The same
// seed and k give the same member.
func Batch(seed uint64, k0, n int) ([]member.Member, []school.School) {
	var ms []member.Member
	var ss []school.School
	now := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	for k := k0; k < k0+n; k++ {
		m, r, c := newMember(seed, k, now)
		nSchools := 1
		if r.IntN(8) == 0 {
			nSchools = 2
		}
		for i := 0; i < nSchools; i++ {
			sc := c
			if i > 0 {
				sc = &countries[r.IntN(len(countries))]
			}
			// Schools are shared: about one per three teachers of the data set.
			sk := r.IntN(max(n/3, 1)) + k0
			sr := rand.New(rand.NewPCG(seed^0x5c, uint64(sk)*31+uint64(i)))
			s := school.School{SchoolID: fmt.Sprintf("gs-%d-%s-%08d-%d", seed, sc.code, sk, i),
				Name: fmt.Sprintf(one(sr, sc.schools), one(sr, sc.patrons)) + " " + one(sr, sc.cities), Country: sc.code,
				City: one(sr, sc.cities), Address: "-", PostalCode: "10000", SchoolType: one(sr, schoolTypes),
				Phone: "+40 232 000 000", Email: "office@example.org", HeadTeacher: "-", Pupils: 100 + sr.IntN(900), RegisteredAt: now}
			if !m.HasSchool(s.SchoolID) {
				m.Schools = append(m.Schools, s.Ref())
				ss = append(ss, s)
			}
		}
		ms = append(ms, m)
	}
	return ms, dedupeSchools(ss)
}

// memberID is the id of member k of the data set seed.
func memberID(seed uint64, k int) string { return fmt.Sprintf("g-%d-%08d", seed, k) }

// memberCountry is the index in countries of member k's country: the first draw of the
// member's random source, as newMember makes it.
func memberCountry(seed uint64, k int) int {
	return rand.New(rand.NewPCG(seed, uint64(k))).IntN(len(countries))
}

// newMember makes member k of the data set seed (without schools) and returns the
// member's random source, positioned after the member's draws, and the member's country.
// Usernames and e-mail addresses carry seed and k: unique by construction.
func newMember(seed uint64, k int, createdAt time.Time) (member.Member, *rand.Rand, *country) {
	r := rand.New(rand.NewPCG(seed, uint64(k)))
	c := &countries[r.IntN(len(countries))]
	m := member.Member{
		MemberID: memberID(seed, k), Username: fmt.Sprintf("gen%d_%d", seed, k),
		FirstName: one(r, c.first), LastName: one(r, c.last), Email: fmt.Sprintf("gen%d.%d@example.org", seed, k),
		Language: c.lang, Role: member.RoleTeacher, CreatedAt: createdAt, PasswordHash: "-",
		Profile: &member.Profile{Role: one(r, roles), Subjects: pick(r, subjects, 1+r.IntN(3)),
			AgeGroups: pick(r, ageGroups, 1+r.IntN(2)), ProjectExperience: "some",
			Interests: pick(r, themes, 1+r.IntN(3)), Languages: append([]string{c.lang}, pick(r, languages, r.IntN(2))...)},
	}
	if r.IntN(5) == 0 {
		m.FirstName += "-" + one(r, c.first)
	}
	if r.IntN(10) == 0 {
		m.HiddenFields = []string{"languages"}
	}
	m.Profile.Languages = dedupe(m.Profile.Languages)
	return m, r, c
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func dedupeSchools(ss []school.School) []school.School {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s.SchoolID] {
			seen[s.SchoolID] = true
			out = append(out, s)
		}
	}
	return out
}

// Load writes members from..to-1 of the data set seed into the store, batch by batch
// with workers in parallel; progress (if not nil) is told the count done so far.
func Load(ctx context.Context, store *ddb.Store, seed uint64, from, to, workers int, progress func(done int)) error {
	const per = 200
	type job struct{ k0, n int }
	jobs := make(chan job)
	errs := make(chan error, workers)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				ms, ss := Batch(seed, j.k0, j.n)
				if err := store.BulkLoad(ctx, ms, ss); err != nil {
					errs <- err
					cancel()
					return
				}
				mu.Lock()
				done += j.n
				if progress != nil {
					progress(done)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for k := from; k < to; k += per {
		select {
		case jobs <- job{k, min(per, to-k)}:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}
