package ddb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/stats"
)

// Username guard: one item per folded username, held by a pending pre-registration
// (until its link expires) or by a member.
const (
	holderRegistration = "registration"
	holderMember       = "member"
)

type usernameGuard struct {
	Username  string `dynamodbav:"username"`
	Holder    string `dynamodbav:"holder"`
	MemberID  string `dynamodbav:"memberId,omitempty"`
	TokenHash string `dynamodbav:"tokenHash,omitempty"`
	Email     string `dynamodbav:"email,omitempty"`
	Exp       int64  `dynamodbav:"exp,omitempty"`
	TTL       int64  `dynamodbav:"ttl,omitempty"`
}

type emailGuard struct {
	MemberID string `dynamodbav:"memberId"`
}

// emailKey keeps addresses out of keys: the guard is found by the address's hash.
func emailKey(email string) string {
	sum := sha256.Sum256([]byte(member.NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// pendingFields are the stored names of a registration.Pending (see storeditems.go).
type pendingFields struct {
	TokenHash    string     `dynamodbav:"tokenHash"`
	FirstName    string     `dynamodbav:"firstName"`
	LastName     string     `dynamodbav:"lastName"`
	Email        string     `dynamodbav:"email"`
	Username     string     `dynamodbav:"username"`
	PasswordHash string     `dynamodbav:"passwordHash"`
	Language     string     `dynamodbav:"language"`
	CreatedAt    time.Time  `dynamodbav:"createdAt"`
	ExpiresAt    time.Time  `dynamodbav:"expiresAt"`
	UsedAt       *time.Time `dynamodbav:"usedAt,omitempty"`
}

// pendingItem is a pre-registration.
type pendingItem struct {
	pendingFields
	expiry
}

func pendingItemOf(p registration.Pending) pendingItem {
	return pendingItem{pendingFields: pendingFields(p), expiry: expiring(p.ExpiresAt)}
}

func (it pendingItem) pending() registration.Pending { return registration.Pending(it.pendingFields) }

// ttlGrace keeps expired links readable (410 rather than 404) for a while before the TTL
// sweeper removes them.
const ttlGrace = 7 * 24 * time.Hour

// expiry is what every item that expires stores beside its own fields: exp, its expiry in
// Unix seconds (for conditions), and ttl, exp plus ttlGrace (for DynamoDB's TTL sweeper).
type expiry struct {
	Exp int64 `dynamodbav:"exp"`
	TTL int64 `dynamodbav:"ttl"`
}

func expiring(at time.Time) expiry {
	return expiry{Exp: at.Unix(), TTL: at.Unix() + int64(ttlGrace.Seconds())}
}

// EmailHasAccount implements registration.Store.
func (s *Store) EmailHasAccount(ctx context.Context, email string) (bool, error) {
	var g emailGuard
	return s.get(ctx, key(emailPK(emailKey(email)), skEmail), &g)
}

// UsernameAvailableFor implements registration.Store.
func (s *Store) UsernameAvailableFor(ctx context.Context, username, email string, now time.Time) (bool, error) {
	var g usernameGuard
	found, err := s.get(ctx, key(usernamePK(member.UsernameKey(username)), skUsername), &g)
	if err != nil || !found {
		return !found, err
	}
	return g.Holder == holderRegistration && (g.Exp <= now.Unix() || g.Email == email), nil
}

// UsernameHold implements registration.Store.
func (s *Store) UsernameHold(ctx context.Context, username string) (registration.Hold, bool, error) {
	var g usernameGuard
	found, err := s.get(ctx, key(usernamePK(member.UsernameKey(username)), skUsername), &g)
	if err != nil || !found {
		return registration.Hold{}, false, err
	}
	if g.Holder == holderMember {
		return registration.Hold{Member: true}, true, nil
	}
	return registration.Hold{Email: g.Email, TokenHash: g.TokenHash, Until: time.Unix(g.Exp, 0).UTC()}, true, nil
}

// pendingHoldsItem is the usernames an address holds with pending pre-registrations
// (EMAIL#<hash> / PENDINGHOLDS): folded username → end of the hold (Unix seconds), under
// a version; the TTL removes it once the last hold has ended.
type pendingHoldsItem struct {
	Holds   map[string]int64 `dynamodbav:"holds"`
	Version int              `dynamodbav:"version"`
	TTL     int64            `dynamodbav:"ttl"`
}

// PutPending implements registration.Store: the pre-registration, the username hold and
// the address's holds are written together. The hold may replace only an ended hold, or
// one of the same address that ends no earlier than p.ExpiresAt (a fresh link that does
// not extend the hold). The address's holds are read, decided (registration.Holds.Take)
// and written under their version, again when a concurrent pre-registration of the same
// address won (updateVersioned's way, retryStale).
func (s *Store) PutPending(ctx context.Context, p registration.Pending, now time.Time, m outbox.Mail) error {
	exp := p.ExpiresAt.Unix()
	reg, err := item(regPK(p.TokenHash), skRegistration, "registration", pendingItemOf(p))
	if err != nil {
		return err
	}
	guard, err := item(usernamePK(member.UsernameKey(p.Username)), skUsername, "username", usernameGuard{
		Username: p.Username, Holder: holderRegistration, TokenHash: p.TokenHash, Email: p.Email, Exp: exp, TTL: exp})
	if err != nil {
		return err
	}
	byRegistration := expression.Name("holder").Equal(expression.Value(holderRegistration))
	free := expression.AttributeNotExists(expression.Name("PK")).Or(
		byRegistration.And(expression.Name("exp").LessThanEqual(expression.Value(now.Unix()))).Or(
			byRegistration.And(expression.Name("email").Equal(expression.Value(p.Email))).
				And(expression.Name("exp").GreaterThanEqual(expression.Value(exp)))))
	cond, err := expression.NewBuilder().WithCondition(free).Build()
	if err != nil {
		return err
	}
	guardPut := txItem{write: types.TransactWriteItem{Put: &types.Put{
		TableName: s.tableName(), Item: guard, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		onFail: func(old map[string]types.AttributeValue) error {
			if str(old, "holder") == holderRegistration && str(old, "email") == p.Email {
				return errBusy // the address's own hold changed since it was read (a pre-registration at the same moment)
			}
			return registration.ErrUsernameTaken
		}}
	mail, err := s.outboxPuts(m)
	if err != nil {
		return err
	}
	_, err = retryStale(ctx, versionedAttempts, errBusy, func() (struct{}, error) {
		holds, err := s.pendingHoldsPut(ctx, p, now)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.transact(ctx, append([]txItem{s.putNew(reg, fail(registration.ErrUsernameTaken)), guardPut, holds}, mail...))
	})
	return err
}

// pendingHoldsPut reads the holds of p's address, lets the domain add p's username
// (registration.ErrTooManyPending when it may not) and returns their write under the
// version read (errStale when another write came first).
func (s *Store) pendingHoldsPut(ctx context.Context, p registration.Pending, now time.Time) (txItem, error) {
	pk := emailPK(emailKey(p.Email))
	k := key(pk, skPendingHolds)
	var cur pendingHoldsItem
	found, err := s.get(ctx, k, &cur)
	if err != nil {
		return txItem{}, err
	}
	held := registration.Holds{}
	for u, end := range cur.Holds {
		held[u] = time.Unix(end, 0).UTC()
	}
	next, err := held.Take(p.Username, p.ExpiresAt, now)
	if err != nil {
		return txItem{}, err
	}
	out := pendingHoldsItem{Holds: map[string]int64{}, Version: cur.Version + 1}
	for u, end := range next {
		out.Holds[u] = end.Unix()
		out.TTL = max(out.TTL, end.Unix())
	}
	it, err := item(pk, skPendingHolds, "pendingHolds", out)
	if err != nil {
		return txItem{}, err
	}
	unchanged := expression.AttributeNotExists(expression.Name("PK"))
	if found {
		unchanged = expression.Name("version").Equal(expression.Value(cur.Version))
	}
	cond, err := expression.NewBuilder().WithCondition(unchanged).Build()
	if err != nil {
		return txItem{}, err
	}
	return txItem{write: types.TransactWriteItem{Put: &types.Put{
		TableName: s.tableName(), Item: it, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}},
		onFail: fail(errStale)}, nil
}

// GetPending implements registration.Store.
func (s *Store) GetPending(ctx context.Context, tokenHash string) (registration.Pending, bool, error) {
	var it pendingItem
	found, err := s.get(ctx, key(regPK(tokenHash), skRegistration), &it)
	return it.pending(), found, err
}

// Complete implements registration.Store, in one transaction.
func (s *Store) Complete(ctx context.Context, c registration.Completion) error {
	p := c.Pending
	spend, err := s.update(key(regPK(p.TokenHash), skRegistration),
		expression.NewBuilder().
			WithCondition(expression.AttributeExists(expression.Name("PK")).
				And(expression.AttributeNotExists(expression.Name("usedAt"))).
				And(expression.Name("exp").GreaterThan(expression.Value(c.Now.Unix())))).
			WithUpdate(expression.Set(expression.Name("usedAt"), expression.Value(c.Now))),
		fail(registration.ErrLinkSpent))
	if err != nil {
		return err
	}
	claim, err := s.update(key(usernamePK(member.UsernameKey(p.Username)), skUsername),
		expression.NewBuilder().
			WithCondition(expression.Name("holder").Equal(expression.Value(holderRegistration)).
				And(expression.Name("tokenHash").Equal(expression.Value(p.TokenHash)))).
			WithUpdate(expression.Set(expression.Name("holder"), expression.Value(holderMember)).
				Set(expression.Name("memberId"), expression.Value(c.Member.MemberID)).
				Remove(expression.Name("tokenHash")).Remove(expression.Name("email")).
				Remove(expression.Name("exp")).Remove(expression.Name("ttl"))),
		fail(registration.ErrLinkSpent))
	if err != nil {
		return err
	}
	return s.commitMember(ctx, nil, c.Member, 0, nil, func(indexKeys []string) ([]txItem, error) {
		items := []txItem{spend, claim}
		memberItems, err := s.newMemberItems(c.Member, indexKeys)
		if err != nil {
			return nil, err
		}
		items = append(items, memberItems...)
		schoolItems, err := s.schoolItems(c.NewSchool, c.SchoolID, func(id string) error { return &registration.DuplicateSchoolError{SchoolID: id} },
			registration.ErrSchoolMissing)
		if err != nil {
			return nil, err
		}
		items = append(items, schoolItems...)
		// (the school link is one of the member's index items: commitMember writes it)
		sum, err := s.summaryUpdate(c.SchoolID, summaryChange{School: c.NewSchool, Join: []string{c.Member.MemberID}})
		if err != nil {
			return nil, err
		}
		items = append(items, sum)
		// eTwinning in numbers: one more teacher in the member's country (their school's),
		// one more school when it is new.
		d := stats.Delta{Teachers: 1}
		if c.NewSchool != nil {
			d.Schools = 1
		}
		counters, err := s.statsUpdates(d, c.Member.Country)
		if err != nil {
			return nil, err
		}
		return append(items, counters...), nil
	})
}

// newMemberItems are the writes that create a member: the member (at index version 1,
// with the keys of its index entries) and its e-mail guard. (The username guard is
// written by the caller: registration claims a hold, the import puts a new one; the index
// entries by commitMember.)
func (s *Store) newMemberItems(m member.Member, indexKeys []string) ([]txItem, error) {
	mi, err := newMemberItem(m, indexKeys)
	if err != nil {
		return nil, err
	}
	eg, err := item(emailPK(emailKey(m.Email)), skEmail, "email", emailGuard{MemberID: m.MemberID})
	if err != nil {
		return nil, err
	}
	return []txItem{
		s.putNew(eg, fail(registration.ErrEmailTaken)),
		s.putNew(mi, fail(registration.ErrLinkSpent)),
	}, nil
}

func newMemberItem(m member.Member, indexKeys []string) (map[string]types.AttributeValue, error) {
	it := memberItemOf(m)
	it.IndexKeys, it.IndexVersion = indexKeys, 1
	return item(memberPK(m.MemberID), skProfile, "member", it)
}

// schoolMember is a school's link to one of its members (SCHOOL#<id> / MEMBER#<memberId>,
// written with the member's index, memberIndex).
type schoolMember struct {
	SchoolID string `dynamodbav:"schoolId"`
	MemberID string `dynamodbav:"memberId"`
}

var _ = school.School{}
