package bench

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/gen"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/directory"
	"etwin/shared/principal"
)

// SearchScale is the member search on one size of generated data set.
type SearchScale struct {
	Members  int           // generated teachers in the table
	LoadTime time.Duration // to generate and load the members added for this size
	Variants []SearchVariant
}

// SearchVariant is one kind of query, measured over several values (first pages and
// the pages after them, limit 20).
type SearchVariant struct {
	Name     string
	Pages    int
	Latency  Summary // per page, in process (service + DynamoDB Local)
	Calls    float64 // DynamoDB calls per page (mean)
	MaxCalls int
	Units    float64 // read units per page (mean)
	MaxUnits float64
	Items    float64 // items per page (mean)
}

// searchVariants are the measured queries: names and schools from the generator's
// countries, categories from shared/vocab.
var searchVariants = []struct {
	name    string
	queries []map[string]string
}{
	{"q only", []map[string]string{{"q": "popescu"}, {"q": "mül"}, {"q": "garc"}, {"q": "liceul eminescu"}, {"q": "ross"}, {"q": "lycee hugo"}}},
	{"q + 1 filter", []map[string]string{{"q": "ma", "country": "RO"}, {"q": "jo", "subject": "history"}, {"q": "lu", "ageGroup": "7-11"}, {"q": "an", "language": "fr"}}},
	{"q + 3 filters", []map[string]string{{"q": "ma", "country": "FR", "ageGroup": "12-15", "language": "fr"},
		{"q": "gymnasium", "subject": "mathematics", "ageGroup": "16-19", "language": "de"}, {"q": "a", "country": "PL", "schoolType": "primary", "interest": "environment"}}},
	{"1 filter", []map[string]string{{"country": "IT"}, {"subject": "physics"}, {"interest": "coding"}, {"ageGroup": "up-to-6"}}},
	{"3 filters", []map[string]string{{"country": "ES", "subject": "music", "ageGroup": "7-11"}, {"interest": "art", "language": "en", "schoolType": "vocational"},
		{"subject": "ict", "country": "DE", "language": "de"}}},
	{"no q, no filter (all, by name)", []map[string]string{{}}},
}

// searchPagesPerQuery is how many pages of each query are read (first page and on).
const searchPagesPerQuery = 3

// runSearchScale loads generated members in steps up to each size of sizes (the table
// grows: 10,000 then 100,000 reuses the first 10,000) and measures the search at each.
func runSearchScale(ctx context.Context, client *dynamodb.Client, table string, sizes []int, workers, rounds int, progress func(string, ...any)) ([]SearchScale, error) {
	var out []SearchScale
	loaded := 0
	var mu sync.Mutex
	var calls int
	var units float64
	store := ddb.New(client, table)
	metered := store.WithMeter(func(op string, u float64) { mu.Lock(); calls++; units += u; mu.Unlock() })
	svc := &directory.Service{Store: metered, Cursors: cursor.New("bench-search-scale-cursor-key-0123456789")}
	who := principal.Principal{MemberID: "m-bench"}
	for _, n := range sizes {
		start := time.Now()
		if n > loaded {
			progress("search: generating members %d..%d", loaded, n)
			last := time.Now()
			err := gen.Load(ctx, store, 1, loaded, n, workers, func(done int) {
				if time.Since(last) > 30*time.Second {
					last = time.Now()
					progress("search: %d members loaded (%s)", loaded+done, time.Since(start).Round(time.Second))
				}
			})
			if err != nil {
				return nil, err
			}
			loaded = n
		}
		sc := SearchScale{Members: n, LoadTime: time.Since(start)}
		for _, v := range searchVariants {
			var lat []time.Duration
			var sv SearchVariant
			sv.Name = v.name
			var totalCalls, totalItems int
			var totalUnits float64
			for r := 0; r < rounds; r++ {
				for _, params := range v.queries {
					q, err := directory.ParseQuery(params)
					if err != nil {
						return nil, err
					}
					cur := ""
					qCalls, qUnits, qPages := 0, 0.0, 0
					for page := 0; page < searchPagesPerQuery; page++ {
						mu.Lock()
						calls, units = 0, 0
						mu.Unlock()
						t0 := time.Now()
						p, err := svc.Search(ctx, who, q, cur, 20)
						if err != nil {
							return nil, fmt.Errorf("search %v: %w", params, err)
						}
						lat = append(lat, time.Since(t0))
						mu.Lock()
						c, u := calls, units
						mu.Unlock()
						sv.Pages++
						totalCalls += c
						totalUnits += u
						totalItems += len(p.Items)
						sv.MaxCalls = max(sv.MaxCalls, c)
						sv.MaxUnits = max(sv.MaxUnits, u)
						qCalls, qUnits, qPages = qCalls+c, qUnits+u, qPages+1
						if cur = p.NextCursor; cur == "" {
							break
						}
					}
					if r == 0 {
						progress("search: %7d members    %v: %d pages, %.1f calls, %.1f units a page", n, params, qPages,
							float64(qCalls)/float64(qPages), qUnits/float64(qPages))
					}
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			sv.Latency = Summarize(lat)
			sv.Calls = float64(totalCalls) / float64(sv.Pages)
			sv.Units = totalUnits / float64(sv.Pages)
			sv.Items = float64(totalItems) / float64(sv.Pages)
			progress("search: %7d members  %-32s p50 %s p99 %s, %.2f calls, %.2f units, %.1f items per page", n, v.name,
				fmtDur(sv.Latency.P50), fmtDur(sv.Latency.P99), sv.Calls, sv.Units, sv.Items)
			sc.Variants = append(sc.Variants, sv)
		}
		out = append(out, sc)
	}
	return out, nil
}
