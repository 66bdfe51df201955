package ddb

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/account"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/school"
	"etwin/shared/stats"
)

// GetMember reads a member.
func (s *Store) GetMember(ctx context.Context, memberID string) (member.Member, bool, error) {
	var it memberItem
	found, err := s.get(ctx, key(memberPK(memberID), skProfile), &it)
	return it.toMember(), found, err
}

// MemberByUsername finds a member through the username guard (folded name).
func (s *Store) MemberByUsername(ctx context.Context, username string) (member.Member, bool, error) {
	var g usernameGuard
	found, err := s.get(ctx, key(usernamePK(member.UsernameKey(username)), skUsername), &g)
	if err != nil || !found || g.Holder != holderMember {
		return member.Member{}, false, err
	}
	return s.GetMember(ctx, g.MemberID)
}

// MemberByEmail finds a member through the e-mail guard.
func (s *Store) MemberByEmail(ctx context.Context, email string) (member.Member, bool, error) {
	var g emailGuard
	found, err := s.get(ctx, key(emailPK(emailKey(email)), skEmail), &g)
	if err != nil || !found {
		return member.Member{}, false, err
	}
	return s.GetMember(ctx, g.MemberID)
}

// RecordFailedLogin counts a failed login: within the current hour-long window the count
// goes up; otherwise a new window starts at 1.
func (s *Store) RecordFailedLogin(ctx context.Context, memberID string, now time.Time) error {
	k := key(memberPK(memberID), skProfile)
	windowStart := now.Add(-account.LoginWindow).Unix()
	failed, err := s.updateItem(ctx, k, expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).
			And(expression.Name("failedLoginWindow").GreaterThan(expression.Value(windowStart)))).
		WithUpdate(expression.Add(expression.Name("failedLogins"), expression.Value(1))), nil)
	if err != nil || !failed {
		return err
	}
	_, err = s.updateItem(ctx, k, expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).
			And(expression.AttributeNotExists(expression.Name("failedLoginWindow")).
				Or(expression.Name("failedLoginWindow").LessThanEqual(expression.Value(windowStart))))).
		WithUpdate(expression.Set(expression.Name("failedLogins"), expression.Value(1)).
			Set(expression.Name("failedLoginWindow"), expression.Value(now.Unix()))), nil)
	return err
}

// PutSession stores a new session under its member (TTL cleans it up after expiry). Its
// key holds the hash of a secret of 256 random bits: when the put finds the item there,
// it is this very session, written by an earlier attempt of the same call whose answer was
// lost (the SDK retried it), so that is success, not a failed sign-in.
func (s *Store) PutSession(ctx context.Context, sess account.Session) error {
	it, err := item(memberPK(sess.MemberID), sessionSK(sess.TokenHash), "session", sessionItemOf(sess))
	if err != nil {
		return err
	}
	err = s.putIfAbsent(ctx, it)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	return err
}

// GetSession reads a session strongly consistently.
func (s *Store) GetSession(ctx context.Context, memberID, tokenHash string) (account.Session, bool, error) {
	var it sessionItem
	found, err := s.get(ctx, key(memberPK(memberID), sessionSK(tokenHash)), &it)
	return it.session(), found, err
}

// TouchSession records activity on a live session (a session deleted meanwhile stays
// deleted).
func (s *Store) TouchSession(ctx context.Context, memberID, tokenHash string, now time.Time) error {
	_, err := s.updateItem(ctx, key(memberPK(memberID), sessionSK(tokenHash)), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("lastSeenAt"), expression.Value(now))), nil)
	return err
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, memberID, tokenHash string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.tableName(),
		Key: key(memberPK(memberID), sessionSK(tokenHash))})
	return err
}

// DeleteAllSessions ends every session of a member: a consistent Query of the member's
// partition, then batched deletes (unprocessed ones retried).
func (s *Store) DeleteAllSessions(ctx context.Context, memberID string) error {
	in, err := partition{PK: memberPK(memberID), Prefix: prefixSession, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return err
	}
	in.ProjectionExpression = aws.String("PK, SK")
	keys, err := s.queryAll(ctx, in)
	if err != nil {
		return err
	}
	return s.deleteKeys(ctx, keys)
}

// deleteKeys deletes items in batches (batchWrite: 25 at a time, unprocessed ones retried).
func (s *Store) deleteKeys(ctx context.Context, keys []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	return s.batchWrite(ctx, reqs)
}

// versionField implements versionedItem: a member's version is their index version
// (commitMember moves it).
func (it *memberItem) versionField() (string, *int) { return "indexVersion", &it.IndexVersion }

// UpdateMember implements account.Store with updateVersioned: the member as decided and
// their search index rewritten (commitMember), conditional on the index version read.
func (s *Store) UpdateMember(ctx context.Context, memberID string, decide func(*member.Member) error) (member.Member, error) {
	it, err := updateVersioned(ctx, s, key(memberPK(memberID), skProfile), account.ErrNoMember, errBusy,
		func(it *memberItem) error {
			m := it.toMember()
			if err := decide(&m); err != nil {
				return err
			}
			it.setMember(m)
			return nil
		},
		func(ctx context.Context, before, after *memberItem, cond expression.ConditionBuilder) error {
			return s.writeMember(ctx, before, after, cond, nil)
		})
	return it.toMember(), err
}

// writeMember writes a member from before to after (only what changed, under cond) with
// the writes of with and their search index (commitMember).
func (s *Store) writeMember(ctx context.Context, before, after *memberItem, cond expression.ConditionBuilder, with func() ([]txItem, error)) error {
	was := before.toMember()
	return s.commitMember(ctx, &was, after.toMember(), before.IndexVersion, before.IndexKeys, func(indexKeys []string) ([]txItem, error) {
		w, err := s.versionedUpdate(key(memberPK(after.MemberID), skProfile), before, after, cond,
			func(up expression.UpdateBuilder) expression.UpdateBuilder {
				return setIndex(up, indexKeys, before.IndexVersion+1)
			},
			"indexKeys", "indexVersion")
		if err != nil || with == nil {
			return []txItem{w}, err
		}
		more, err := with()
		return append([]txItem{w}, more...), err
	})
}

// AddSchool gives a member one more school, registering it first when new, and rewrites
// the member's search index in the same transaction (updateVersioned; account.ErrHasSchool
// when the member has it already).
func (s *Store) AddSchool(ctx context.Context, memberID string, ref member.SchoolRef, newSchool *school.School) error {
	_, err := updateVersioned(ctx, s, key(memberPK(memberID), skProfile), account.ErrNoMember, errBusy,
		func(it *memberItem) error {
			if it.hasSchool(ref.SchoolID) {
				return account.ErrHasSchool
			}
			m := it.toMember()
			m.Schools = append(append([]member.SchoolRef{}, m.Schools...), ref)
			it.setMember(m)
			return nil
		},
		func(ctx context.Context, before, after *memberItem, cond expression.ConditionBuilder) error {
			return s.writeMember(ctx, before, after, cond, func() ([]txItem, error) {
				items, err := s.schoolItems(newSchool, ref.SchoolID,
					func(id string) error { return &account.DuplicateSchoolError{SchoolID: id} }, account.ErrNoSuchSchool)
				if err != nil {
					return nil, err
				}
				// (the school link is one of the member's index items: writeMember writes it)
				sum, err := s.summaryUpdate(ref.SchoolID, summaryChange{School: newSchool, Join: []string{memberID}})
				if err != nil {
					return nil, err
				}
				items = append(items, sum)
				if newSchool != nil { // one more registered school in its country
					counters, err := s.statsUpdates(stats.Delta{Schools: 1}, newSchool.Country)
					if err != nil {
						return nil, err
					}
					items = append(items, counters...)
				}
				return items, nil
			})
		})
	return err
}

// resetHashAttr is the attribute of the member item that holds the hash of the member's
// current password-reset link: only that link works (a newer link voids the older ones,
// a completed reset voids them all). Only PutReset and UseReset write it; the member's
// other writes leave it alone (versionedUpdate writes only what changed).
const resetHashAttr = "resetHash"

// PutReset stores a password-reset link. A member's link becomes their current one in the
// same transaction (the member item records its hash), which voids their older links; of
// two requests at once, the one that commits last is the current one. A decoy (no member)
// is written alone, through the same kind of call. Its e-mail goes in the same transaction.
func (s *Store) PutReset(ctx context.Context, r account.Reset, m outbox.Mail) error {
	it, err := item(resetPK(r.TokenHash), skReset, "reset", resetItemOf(r))
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(it, nil)}
	if r.MemberID != "" {
		current, err := s.update(key(memberPK(r.MemberID), skProfile), expression.NewBuilder().
			WithCondition(expression.AttributeExists(expression.Name("PK"))).
			WithUpdate(expression.Set(expression.Name(resetHashAttr), expression.Value(r.TokenHash))),
			fail(account.ErrNoMember))
		if err != nil {
			return err
		}
		items = append(items, current)
	}
	mail, err := s.outboxPuts(m)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, mail...))
}

// GetReset reads a password-reset link.
func (s *Store) GetReset(ctx context.Context, tokenHash string) (account.Reset, bool, error) {
	var it resetItem
	found, err := s.get(ctx, key(resetPK(tokenHash), skReset), &it)
	return it.reset(), found, err
}

// CurrentReset implements account.Store: the hash of the member's current reset link
// ("" when they have none, or once a reset was completed), read strongly consistently.
func (s *Store) CurrentReset(ctx context.Context, memberID string) (string, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: key(memberPK(memberID), skProfile),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String(resetHashAttr)})
	if err != nil {
		return "", err
	}
	return str(res.Item, resetHashAttr), nil
}

// UseReset spends the link and sets the password in one transaction, on the condition
// that the link is still the member's current one; the member then has no current link,
// so every other link of theirs is void too.
func (s *Store) UseReset(ctx context.Context, r account.Reset, passwordHash string, now time.Time) error {
	spend, err := s.update(key(resetPK(r.TokenHash), skReset), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).
			And(expression.AttributeNotExists(expression.Name("usedAt"))).
			And(expression.Name("exp").GreaterThan(expression.Value(now.Unix())))).
		WithUpdate(expression.Set(expression.Name("usedAt"), expression.Value(now))),
		fail(account.ErrResetSpent))
	if err != nil {
		return err
	}
	set, err := s.update(key(memberPK(r.MemberID), skProfile), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).
			And(expression.Name(resetHashAttr).Equal(expression.Value(r.TokenHash)))).
		WithUpdate(expression.Set(expression.Name("passwordHash"), expression.Value(passwordHash)).
			Set(expression.Name("failedLogins"), expression.Value(0)).
			Remove(expression.Name(resetHashAttr))),
		fail(account.ErrResetSpent))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{spend, set})
}

// MuteEmailKind implements optout.Store: kind joins the member's muted e-mail kinds,
// through the member's versioned update (nothing is written when it is there already).
func (s *Store) MuteEmailKind(ctx context.Context, memberID, kind string) (bool, error) {
	_, err := s.UpdateMember(ctx, memberID, func(m *member.Member) error {
		if slices.Contains(m.MutedEmailKinds, kind) {
			return errUnchanged
		}
		m.MutedEmailKinds = append(m.MutedEmailKinds, kind)
		return nil
	})
	switch {
	case errors.Is(err, errUnchanged):
		return true, nil
	case errors.Is(err, account.ErrNoMember):
		return false, nil
	}
	return err == nil, err
}

// errUnchanged ends a versioned update that has nothing to write.
var errUnchanged = errors.New("ddb: nothing to change")
