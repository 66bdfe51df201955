package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/contact"
	"etwin/shared/notify"
	"etwin/shared/token"
)

// Pair guard states: a request is pending between the two, or they are contacts. No
// guard: neither (a rejection or a removal deletes it, so a new request may follow).
const (
	pairPending  = "pending"
	pairContacts = "contacts"
)

type pairGuard struct {
	State     string    `dynamodbav:"state"`
	RequestID string    `dynamodbav:"requestId"`
	Members   []string  `dynamodbav:"members"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	// TTL: a pending guard goes when its request expires (accepting removes it); reads
	// never rely on it (an expired guard is replaced by the next request).
	TTL int64 `dynamodbav:"ttl,omitempty"`
}

type requestCounter struct {
	Count int   `dynamodbav:"count"`
	TTL   int64 `dynamodbav:"ttl"`
}

// personFields are the stored names of a contact.Person.
type personFields struct {
	MemberID  string `dynamodbav:"memberId"`
	FirstName string `dynamodbav:"firstName"`
	LastName  string `dynamodbav:"lastName"`
	Country   string `dynamodbav:"country"`
}

// contactEntry is one member's entry for one of their contacts.
type contactEntry struct {
	personFields
	Since time.Time `dynamodbav:"since"`
}

// requestItem is a contact request as stored: the request item and the pending-list
// entries of both members (DecideContactRequest's condition reads to.memberId).
type requestItem struct {
	RequestID string       `dynamodbav:"requestId"`
	Status    string       `dynamodbav:"status"`
	From      personFields `dynamodbav:"from"`
	To        personFields `dynamodbav:"to"`
	CreatedAt time.Time    `dynamodbav:"createdAt"`
	DecidedAt *time.Time   `dynamodbav:"decidedAt,omitempty"`
}

func requestItemOf(r contact.Request) requestItem {
	return requestItem{RequestID: r.RequestID, Status: r.Status, From: personFields(r.From), To: personFields(r.To),
		CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt}
}

func (it requestItem) request() contact.Request {
	return contact.Request{RequestID: it.RequestID, Status: it.Status, From: contact.Person(it.From), To: contact.Person(it.To),
		CreatedAt: it.CreatedAt, ExpiresAt: it.CreatedAt.Add(contact.ExpiresAfter), DecidedAt: it.DecidedAt}
}

// pendingEntry is a pending-list entry (CREQIN#/CREQOUT#): the request, and a TTL that
// removes it some time after it expires (lists exclude expired entries by their sort key,
// so the TTL only tidies).
type pendingEntry struct {
	requestItem
	TTL int64 `dynamodbav:"ttl"`
}

// requestsFrom is the least sort key under prefix of a request created at or after t.
func requestsFrom(prefix string, t time.Time) string {
	return prefix + token.SortableFloor(contact.IDPrefix, t)
}

// del is a transactional delete, conditional when cond is not nil.
func (s *Store) del(k map[string]types.AttributeValue, cond *expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
	d := &types.Delete{TableName: s.tableName(), Key: k}
	if cond != nil {
		e, err := expression.NewBuilder().WithCondition(*cond).Build()
		if err != nil {
			return txItem{}, err
		}
		d.ConditionExpression, d.ExpressionAttributeNames, d.ExpressionAttributeValues = e.Condition(), e.Names(), e.Values()
		d.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	return txItem{write: types.TransactWriteItem{Delete: d}, onFail: onFail}, nil
}

// CreateContactRequest implements contact.Store (one TransactWriteItems; see the
// contact.Store method for what each item guards).
func (s *Store) CreateContactRequest(ctx context.Context, r contact.Request, day string, limit int, n notify.Notification) error {
	from, to := r.From.MemberID, r.To.MemberID
	guard, err := item(contactPairPK(from, to), skContactPair, "contactPair",
		pairGuard{State: pairPending, RequestID: r.RequestID, Members: []string{from, to}, UpdatedAt: r.CreatedAt, TTL: r.ExpiresAt.Unix()})
	if err != nil {
		return err
	}
	// The guard is free when absent, or held by a pending request that has expired (its
	// id sorts below the first id made at LiveSince(now)).
	free, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("state").Equal(expression.Value(pairPending)).
			And(expression.Name("requestId").LessThan(expression.Value(token.SortableFloor(contact.IDPrefix, contact.LiveSince(r.CreatedAt))))))).
		Build()
	if err != nil {
		return err
	}
	count, err := s.update(key(memberPK(from), requestsDaySK(day)), expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(expression.Name("count")).
			Or(expression.Name("count").LessThan(expression.Value(limit)))).
		WithUpdate(expression.Add(expression.Name("count"), expression.Value(1)).
			Set(expression.Name("kind"), expression.Value("contactRequestsDay")).
			Set(expression.Name("ttl"), expression.Value(r.CreatedAt.Add(48*time.Hour).Unix()))),
		fail(contact.ErrDailyLimit))
	if err != nil {
		return err
	}
	stored := requestItemOf(r)
	req, err := item(contactRequestPK(r.RequestID), skContactRequest, "contactRequest", stored)
	if err != nil {
		return err
	}
	entry := pendingEntry{requestItem: stored, TTL: r.ExpiresAt.Add(7 * 24 * time.Hour).Unix()}
	in, err := item(memberPK(to), requestInSK(r.RequestID), "contactRequestIn", entry)
	if err != nil {
		return err
	}
	out, err := item(memberPK(from), requestOutSK(r.RequestID), "contactRequestOut", entry)
	if err != nil {
		return err
	}
	items := []txItem{
		{write: types.TransactWriteItem{Put: &types.Put{TableName: s.tableName(), Item: guard,
			ConditionExpression: free.Condition(), ExpressionAttributeNames: free.Names(), ExpressionAttributeValues: free.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			onFail: func(old map[string]types.AttributeValue) error {
				if str(old, "state") == pairContacts {
					return contact.ErrAlreadyLinked
				}
				return contact.ErrPending
			}},
		count,
		s.putNew(req, fail(errBusy)),
		s.put(in),
		s.put(out),
	}
	notes, err := s.notificationItems(n)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, notes...))
}

// GetContactRequest implements contact.Store.
func (s *Store) GetContactRequest(ctx context.Context, requestID string) (contact.Request, bool, error) {
	var it requestItem
	found, err := s.get(ctx, key(contactRequestPK(requestID), skContactRequest), &it)
	return it.request(), found, err
}

// DecideContactRequest implements contact.Store: the request changes only while pending
// (so of two answers at once exactly one wins); accepting turns the pair guard into
// contacts and writes both contact entries and the sender's notification, rejecting
// deletes the guard; either way the two pending-list entries go.
func (s *Store) DecideContactRequest(ctx context.Context, d contact.Decision) error {
	r := d.Request
	from, to := r.From.MemberID, r.To.MemberID
	decide, err := s.update(key(contactRequestPK(r.RequestID), skContactRequest), expression.NewBuilder().
		WithCondition(expression.Name("status").Equal(expression.Value(contact.StatusPending)).
			And(expression.Name("to.memberId").Equal(expression.Value(to)))).
		WithUpdate(expression.Set(expression.Name("status"), expression.Value(r.Status)).
			Set(expression.Name("decidedAt"), expression.Value(r.DecidedAt))),
		fail(contact.ErrDecided))
	if err != nil {
		return err
	}
	ours := expression.Name("requestId").Equal(expression.Value(r.RequestID)).
		And(expression.Name("state").Equal(expression.Value(pairPending)))
	var guard txItem
	if r.Status == contact.StatusAccepted {
		guard, err = s.update(key(contactPairPK(from, to), skContactPair), expression.NewBuilder().WithCondition(ours).
			WithUpdate(expression.Set(expression.Name("state"), expression.Value(pairContacts)).
				Set(expression.Name("updatedAt"), expression.Value(r.DecidedAt)).
				Remove(expression.Name("ttl"))), fail(contact.ErrDecided))
	} else {
		guard, err = s.del(key(contactPairPK(from, to), skContactPair), &ours, fail(contact.ErrDecided))
	}
	if err != nil {
		return err
	}
	dropIn, err := s.del(key(memberPK(to), requestInSK(r.RequestID)), nil, nil)
	if err != nil {
		return err
	}
	dropOut, err := s.del(key(memberPK(from), requestOutSK(r.RequestID)), nil, nil)
	if err != nil {
		return err
	}
	items := []txItem{decide, guard, dropIn, dropOut}
	if r.Status == contact.StatusAccepted {
		since := *r.DecidedAt
		forSender, err := item(memberPK(from), contactSK(to), "contact", contactEntry{personFields: personFields(d.ForSender), Since: since})
		if err != nil {
			return err
		}
		forInvitee, err := item(memberPK(to), contactSK(from), "contact", contactEntry{personFields: personFields(d.ForInvitee), Since: since})
		if err != nil {
			return err
		}
		items = append(items, s.put(forSender), s.put(forInvitee))
	}
	if d.Notice != nil {
		notes, err := s.notificationItems(*d.Notice)
		if err != nil {
			return err
		}
		items = append(items, notes...)
	}
	if d.Spend != nil {
		sp, err := s.actionSpend(*d.Spend)
		if err != nil {
			return err
		}
		items = append(items, sp)
	}
	return s.transact(ctx, items)
}

// ListContactRequests implements contact.Store: the member's pending requests of one
// direction created since since, newest first (a descending, consistent Query of
// CREQIN#/CREQOUT# bounded below by the first id made at since: the expired entries
// are never read).
func (s *Store) ListContactRequests(ctx context.Context, memberID, direction string, since time.Time, after string, limit int) ([]contact.Request, string, error) {
	prefix := prefixRequestIn
	if direction == contact.Outgoing {
		prefix = prefixRequestOut
	}
	q := partition{PK: memberPK(memberID), Prefix: prefix, From: requestsFrom(prefix, since), Consistent: true}
	return listPartition(ctx, s, q, after, limit, requestItem.request)
}

// ListContacts implements contact.Store: the member's CONTACT# items, by member id.
func (s *Store) ListContacts(ctx context.Context, memberID, after string, limit int) ([]contact.Person, string, error) {
	return listPartition(ctx, s, partition{PK: memberPK(memberID), Prefix: prefixContact, Forward: true, Consistent: true}, after, limit,
		func(e contactEntry) contact.Person { return contact.Person(e.personFields) })
}

// DeleteContact implements contact.Store: both entries and the pair guard in one
// transaction, only if the caller's entry exists.
func (s *Store) DeleteContact(ctx context.Context, memberID, otherID string) error {
	exists := expression.AttributeExists(expression.Name("PK"))
	mine, err := s.del(key(memberPK(memberID), contactSK(otherID)), &exists, fail(contact.ErrNotContact))
	if err != nil {
		return err
	}
	theirs, err := s.del(key(memberPK(otherID), contactSK(memberID)), nil, nil)
	if err != nil {
		return err
	}
	guard, err := s.del(key(contactPairPK(memberID, otherID), skContactPair), nil, nil)
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{mine, theirs, guard})
}

// IsContact implements contact.Store and serves every use case that needs "is otherID a
// contact of memberID" (projects: co-founders and partners must be contacts): one
// strongly consistent GetItem of MEMBER#<memberId> / CONTACT#<otherId>.
func (s *Store) IsContact(ctx context.Context, memberID, otherID string) (bool, error) {
	return s.has(ctx, key(memberPK(memberID), contactSK(otherID)))
}

var _ contact.Store = (*Store)(nil)
var _ notify.Store = (*Store)(nil)
