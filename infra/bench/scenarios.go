package bench

import (
	"context"
	"fmt"
	"net/http"

	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

// handlers build each function's handler exactly as its functions/<folder>/main.go
// does (lambdarun.Serve of its api route: the same middleware chain), so the in-process benchmark runs the same code
// as the Lambda, minus the runtime.
var handlers = func() map[string]func(d *app.Deps) httpapi.Handler {
	m := map[string]func(d *app.Deps) httpapi.Handler{}
	for _, r := range api.Routes() {
		m[r.Function] = r.Chain
	}
	return m
}()

// request is one call of a use case, however it is delivered (in process as an API
// Gateway event, or over HTTP through the local gateway).
type request struct {
	Params map[string]string // path parameters
	Query  map[string]string
	Token  string // bearer token; "" for none
	Body   any    // JSON body; nil for none
	Form   string // or an HTML form's body (application/x-www-form-urlencoded)
	Want   int    // the status a correct answer has
}

// scenario is one use case with the data it needs.
type scenario struct {
	Function string // the function's folder
	Variant  string // which path through the use case, when it has several
	// Gateway marks the variant that the load through the gateway runs (one per route).
	Gateway bool
	// dedicated is how many members n requests need for themselves (nil: none).
	dedicated func(n int) int
	// prepare creates what n requests need and returns them; own holds the
	// dedicated members.
	prepare func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error)
}

// Name is "function (variant)".
func (s *scenario) Name() string {
	if s.Variant == "" {
		return s.Function
	}
	return s.Function + " (" + s.Variant + ")"
}

func (s *scenario) members(n int) int {
	if s.dedicated == nil {
		return 0
	}
	return s.dedicated(n)
}

// maxSchools is how many schools a member may have (account.AddSchool refuses more).
const maxSchools = 10

// adders is how many members n school additions need: each has one school and may
// take maxSchools-1 more; at least 8, so that concurrent requests rarely share one.
func adders(n int) int { return max((n+maxSchools-2)/(maxSchools-1), 8) }

func one(n int) int { return n }

func each(n int, f func(i int) request) []request {
	out := make([]request, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// scenarios lists every use case of the template's functions, and the variants
// worth telling apart.
func scenarios() []*scenario {
	return append(append(append(append(append(append(baseScenarios(), twinspaceScenarios()...), projectScenarios()...), confirmScenarios()...),
		eventScenarios()...), roomScenarios()...), moderationScenarios()...)
}

func baseScenarios() []*scenario {
	return []*scenario{
		{Function: "registration-start", Variant: "new address", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(int) request {
					c, first, last, username, email := ds.newPerson()
					return request{Want: http.StatusAccepted, Body: map[string]string{"firstName": first, "lastName": last,
						"email": email, "username": username, "password": seedPassword, "language": c.lang}}
				}), nil
			}},
		{Function: "registration-start", Variant: "address has an account",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					m := ds.general[i%len(ds.general)]
					_, first, last, username, _ := ds.newPerson()
					return request{Want: http.StatusAccepted, Body: map[string]string{"firstName": first, "lastName": last,
						"email": m.Email, "username": username, "password": seedPassword, "language": m.Language}}
				}), nil
			}},
		{Function: "registration-read", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.pendings(ctx, min(n, 50))
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Params: map[string]string{"token": toks[i%len(toks)]}}
				}), err
			}},
		{Function: "registration-complete", Variant: "new school", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.pendings(ctx, n)
				if err != nil {
					return nil, err
				}
				reqs := make([]request, n)
				for i := range reqs {
					f, err := ds.schoolForm()
					if err != nil {
						return nil, err
					}
					reqs[i] = request{Want: http.StatusCreated, Params: map[string]string{"token": toks[i]},
						Body: map[string]any{"profile": profile(i), "school": schoolBody(f)}}
				}
				return reqs, nil
			}},
		{Function: "registration-complete", Variant: "join a school",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.pendings(ctx, n)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Params: map[string]string{"token": toks[i]},
						Body: map[string]any{"profile": profile(i), "school": map[string]string{"existingSchoolId": ds.schools[i%len(ds.schools)].SchoolID}}}
				}), err
			}},
		{Function: "session-create", Variant: "right password", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Body: map[string]string{"username": ds.general[i%len(ds.general)].Username, "password": seedPassword}}
				}), nil
			}},
		{Function: "session-create", Variant: "wrong password",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					return request{Want: http.StatusUnauthorized, Body: map[string]string{"username": ds.general[i%len(ds.general)].Username, "password": "not the passphrase at all"}}
				}), nil
			}},
		{Function: "session-delete", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				ms := make([]*seedMember, n)
				for i := range ms {
					ms[i] = ds.general[i%len(ds.general)]
				}
				toks, err := ds.sessions(ctx, ms)
				return each(n, func(i int) request { return request{Want: http.StatusNoContent, Token: toks[i]} }), err
			}},
		{Function: "me-get", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)]} }), err
			}},
		{Function: "me-update", Variant: "name and profile", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					p := profile(i + 1)
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Body: map[string]any{
						"lastName": ds.general[i%len(ds.general)].LastName,
						"profile":  map[string]any{"subjects": p.Subjects, "interests": p.Interests, "projectExperience": p.ProjectExperience}}}
				}), err
			}},
		{Function: "me-school-add", Variant: "new school", Gateway: true, dedicated: adders,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, own)
				if err != nil {
					return nil, err
				}
				reqs := make([]request, n)
				for i := range reqs {
					f, err := ds.schoolForm()
					if err != nil {
						return nil, err
					}
					reqs[i] = request{Want: http.StatusCreated, Token: toks[i%len(own)], Body: schoolBody(f)}
				}
				return reqs, nil
			}},
		{Function: "me-school-add", Variant: "join a school", dedicated: adders,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, own)
				if err != nil {
					return nil, err
				}
				// Member i%len(own) makes its (i/len(own))-th addition: a school it does not have.
				picks := make([][]string, len(own))
				for mi, m := range own {
					for j := mi * (maxSchools - 1); len(picks[mi]) < maxSchools-1; j++ {
						if id := ds.schools[j%len(ds.schools)].SchoolID; id != m.School.SchoolID {
							picks[mi] = append(picks[mi], id)
						}
					}
				}
				return each(n, func(i int) request {
					mi := i % len(own)
					return request{Want: http.StatusCreated, Token: toks[mi], Body: map[string]string{"existingSchoolId": picks[mi][i/len(own)]}}
				}), nil
			}},
		{Function: "school-search", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					s := searches[i%len(searches)]
					q := map[string]string{"q": s.q}
					if s.country != "" {
						q["country"] = s.country
					}
					return request{Want: http.StatusOK, Query: q}
				}), nil
			}},
		{Function: "school-get", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)],
						Params: map[string]string{"schoolId": ds.schools[(i*13)%len(ds.schools)].SchoolID}}
				}), err
			}},
		{Function: "members-search", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				queries := []map[string]string{{"q": "pop"}, {"q": "ma", "country": "RO"},
					{"country": "FR", "ageGroup": "12-15", "language": "fr"}, {}}
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: queries[i%len(queries)]}
				}), err
			}},
		{Function: "member-get", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)],
						Params: map[string]string{"memberId": ds.general[(i*7)%len(ds.general)].ID}}
				}), err
			}},
		{Function: "password-reset-request", Variant: "address has an account", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					return request{Want: http.StatusAccepted, Body: map[string]string{"email": ds.general[i%len(ds.general)].Email}}
				}), nil
			}},
		{Function: "password-reset-request", Variant: "unknown address",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(int) request {
					_, _, _, _, email := ds.newPerson()
					return request{Want: http.StatusAccepted, Body: map[string]string{"email": email}}
				}), nil
			}},
		{Function: "password-reset-confirm", Variant: "member with 2 sessions", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				toks := make([]string, n)
				err := parallel(ctx, n, ds.workers, func(i int) error {
					for range 2 {
						if _, err := ds.session(ctx, own[i]); err != nil {
							return err
						}
					}
					var err error
					toks[i], err = ds.reset(ctx, own[i])
					return err
				})
				return each(n, func(i int) request {
					return request{Want: http.StatusNoContent, Params: map[string]string{"token": toks[i]},
						Body: map[string]string{"password": fmt.Sprintf("a brand new passphrase %d", i)}}
				}), err
			}},
		{Function: "forum-post-create", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: toks[i%len(toks)], Params: map[string]string{"ageGroup": "12-15"},
						Body: map[string]string{"title": fmt.Sprintf("Partners wanted for a water project %d", i),
							"body": "We are a lower-secondary school looking for partners in science and languages."}}
				}), err
			}},
		{Function: "forum-posts-list", Variant: "newest first", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Params: map[string]string{"ageGroup": "12-15"}}
				}), err
			}},
		{Function: "forum-posts-list", Variant: "search",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Params: map[string]string{"ageGroup": "12-15"},
						Query: map[string]string{"q": "water scien"}}
				}), err
			}},
		{Function: "resources-list", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: map[string]string{"theme": "environment"}}
				}), err
			}},
		{Function: "stats-get", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(int) request { return request{Want: http.StatusOK, Query: map[string]string{"country": "RO"}} }), nil
			}},
		{Function: "notifications-list", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)]} }), err
			}},
		{Function: "contacts-list", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)]} }), err
			}},
		{Function: "contact-requests-list", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: map[string]string{"direction": "incoming"}}
				}), err
			}},
		// Each request is a new pair: own[2i] invites own[2i+1] (the pair guard, the daily
		// counter, the request, both list entries and the notification in one transaction).
		{Function: "contact-request-create", Gateway: true, dedicated: func(n int) int { return 2 * n },
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				senders := make([]*seedMember, n)
				for i := range senders {
					senders[i] = own[2*i]
				}
				toks, err := ds.sessions(ctx, senders)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: toks[i], Body: map[string]string{"memberId": own[2*i+1].ID}}
				}), err
			}},
		{Function: "vocabularies", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(int) request { return request{Want: http.StatusOK} }), nil
			}},
	}
}
