package bench

import (
	"context"
	"net/http"
	"strings"
	"time"

	"etwin/shared/action"
	"etwin/shared/contact"
	"etwin/shared/notify"
	"etwin/shared/token"
)

// contactLinks makes n pending contact requests, own[2i] to own[2i+1], written as
// contact-request-create writes them (the request, its notification, its outbox e-mail
// and the e-mail's decision link in one transaction), and returns the tokens of the links.
func (ds *dataset) contactLinks(ctx context.Context, own []*seedMember, n int) ([]string, error) {
	toks := make([]string, n)
	err := parallel(ctx, n, ds.workers, func(i int) error {
		from, to := own[2*i], own[2*i+1]
		now := time.Now()
		r := contact.Request{RequestID: token.SortableID("r-", now), Status: contact.StatusPending, CreatedAt: now,
			From: contact.Person{MemberID: from.ID, FirstName: from.FirstName, LastName: from.LastName, Country: from.Country},
			To:   contact.Person{MemberID: to.ID, FirstName: to.FirstName, LastName: to.LastName, Country: to.Country}}
		rcpt := notify.Recipient{MemberID: to.ID, FirstName: to.FirstName, Email: to.Email, Language: to.Language, Country: to.Country, WantsEmail: true}
		note := notify.New(rcpt, notify.KindContactRequest, notify.Subject{Type: notify.SubjectContactRequest, ID: r.RequestID},
			&notify.Actor{MemberID: from.ID, FirstName: from.FirstName, LastName: from.LastName}, now)
		note.AskDecision(action.ContactRequest, now)
		toks[i] = strings.TrimPrefix(note.Email.Envelope.Link, "/confirm/")
		return ds.store.CreateContactRequest(ctx, r, contact.Day(now), contact.DailyLimit, note)
	})
	// (The use-case gateway runs no stream pollers: these e-mails stay in the outbox and
	// cost the measurement nothing.)
	return toks, err
}

// sharedLinks is how many links the read-only scenarios share.
const sharedLinks = 50

// confirmScenarios are the e-mailed links: the page (GET, what a scanner or a person
// opening the e-mail costs), the decision (POST of the page's form), and the JSON twin.
func confirmScenarios() []*scenario {
	pairs := func(n int) int { return 2 * n }
	sharedPairs := func(n int) int { return 2 * min(n, sharedLinks) }
	look := func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
		toks, err := ds.contactLinks(ctx, own, min(n, sharedLinks))
		return each(n, func(i int) request {
			return request{Want: http.StatusOK, Params: map[string]string{"token": toks[i%len(toks)]}}
		}), err
	}
	return []*scenario{
		{Function: "confirm-page", Variant: "open link", Gateway: true, dedicated: sharedPairs, prepare: look},
		{Function: "confirm-decide", Variant: "accept", Gateway: true, dedicated: pairs,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				toks, err := ds.contactLinks(ctx, own, n)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Params: map[string]string{"token": toks[i]}, Form: "choice=accept"}
				}), err
			}},
		{Function: "confirmation-get", Gateway: true, dedicated: sharedPairs, prepare: look},
		{Function: "unsubscribe-page", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					m := ds.general[i%len(ds.general)]
					return request{Want: http.StatusOK, Params: map[string]string{"token": ds.unsubscribes.Sign(m.ID, notify.KindPartnerAdded)}}
				}), nil
			}},
		// Each request turns one member's e-mails of one kind off (the member's versioned
		// update); the one-click body as mail providers send it.
		{Function: "unsubscribe", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Params: map[string]string{"token": ds.unsubscribes.Sign(own[i].ID, notify.KindPartnerAdded)},
						Form: "List-Unsubscribe=One-Click"}
				}), nil
			}},
		{Function: "confirmation-post", Variant: "reject", Gateway: true, dedicated: pairs,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				toks, err := ds.contactLinks(ctx, own, n)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Params: map[string]string{"token": toks[i]}, Body: map[string]string{"choice": "reject"}}
				}), err
			}},
	}
}
