package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	pd "etwin/shared/event"
	"etwin/shared/member"
	"etwin/shared/token"
)

// benchEvents is how many events the calendar holds (over three months), a tenth of them
// national (RO).
const benchEvents = 300

// calendar seeds benchEvents events starting from a month ahead over three months,
// through the store method event-create uses, unlimited places; it returns their ids in
// creation order and the range's query.
func (ds *dataset) calendar(ctx context.Context) ([]string, map[string]string, error) {
	from := time.Now().UTC().AddDate(0, 1, 0).Truncate(24 * time.Hour)
	ids := make([]string, benchEvents)
	for i := range ids {
		start := from.Add(time.Duration(i) * 90 * 24 * time.Hour / benchEvents)
		country := ""
		if i%10 == 0 {
			country = "RO"
		}
		e := pd.Event{EventID: token.TimeID("evt-", time.Now()), Kind: pd.Kinds[i%len(pd.Kinds)],
			Title: fmt.Sprintf("Webinar %d", i), Description: "Collaboration in practice.", StartsAt: start, EndsAt: start.Add(time.Hour),
			Language: "en", Country: country, CreatedBy: "bench", CreatedAt: time.Now().UTC()}
		if e.Kind == pd.KindF2FWorkshop {
			e.Place = "Bucharest"
		}
		if err := ds.store.CreateEvent(ctx, e); err != nil {
			return nil, nil, err
		}
		ids[i] = e.EventID
	}
	q := map[string]string{"from": from.Format(time.RFC3339), "to": from.AddDate(0, 3, 0).Format(time.RFC3339)}
	return ids, q, nil
}

func eventScenarios() []*scenario {
	return []*scenario{
		{Function: "event-create", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				tok, err := ds.staffSession(ctx, member.RoleNSO, "RO")
				start := time.Now().UTC().AddDate(0, 2, 0).Truncate(time.Hour)
				return each(n, func(i int) request {
					s := start.Add(time.Duration(i) * time.Hour)
					return request{Want: http.StatusCreated, Token: tok, Body: map[string]any{"kind": "webinar", "title": fmt.Sprintf("Webinar %d", i),
						"description": "Students as agents of change.", "startsAt": s.Format(time.RFC3339),
						"endsAt": s.Add(time.Hour).Format(time.RFC3339), "language": "ro", "capacity": 100}}
				}), err
			}},
		// a teacher's country's events first, then the others: two phases over three
		// months of GSI1 partitions
		{Function: "events-list", Variant: "three months, country first", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				_, q, err := ds.calendar(ctx)
				if err != nil {
					return nil, err
				}
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: q} }), err
			}},
		{Function: "events-list", Variant: "three months, one kind",
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				_, q, err := ds.calendar(ctx)
				if err != nil {
					return nil, err
				}
				q["kind"] = "mooc"
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request { return request{Want: http.StatusOK, Token: toks[i%len(toks)], Query: q} }), err
			}},
		// each request a member of its own on one event with room for all: the counter,
		// the attendee, the activity and the school's summary in one transaction
		{Function: "event-attendance-create", Gateway: true, dedicated: func(n int) int { return n },
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				ids, _, err := ds.calendar(ctx)
				if err != nil {
					return nil, err
				}
				toks, err := ds.sessions(ctx, own)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: toks[i], Params: map[string]string{"eventId": ids[i%len(ids)]}}
				}), err
			}},
		{Function: "event-attendance-delete", Gateway: true, dedicated: func(n int) int { return n },
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				ids, _, err := ds.calendar(ctx)
				if err != nil {
					return nil, err
				}
				toks, err := ds.sessions(ctx, own)
				if err != nil {
					return nil, err
				}
				reqs := make([]request, n)
				for i := range reqs {
					m := own[i]
					a := pd.Attendance{EventID: ids[i%len(ids)], MemberID: m.ID, RegisteredAt: time.Now().UTC()}
					if err := ds.store.Attend(ctx, a, []string{m.School.SchoolID}); err != nil {
						return nil, err
					}
					reqs[i] = request{Want: http.StatusNoContent, Token: toks[i], Params: map[string]string{"eventId": a.EventID}}
				}
				return reqs, nil
			}},
		{Function: "events-calendar", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				_, _, err := ds.calendar(ctx)
				return each(n, func(int) request { return request{Want: http.StatusOK} }), err
			}},
	}
}
