package ddb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/account"
	"etwin/shared/member"
	"etwin/shared/school"
	"etwin/shared/stats"
)

// GetMember reads a member.
func (s *Store) GetMember(ctx context.Context, memberID string) (member.Member, bool, error) {
	var it memberItem
	found, err := s.get(ctx, key(memberPK(memberID), skProfile), &it)
	return it.Member, found, err
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

type sessionItem struct {
	account.Session
	TTL int64 `dynamodbav:"ttl"`
}

// PutSession stores a new session under its member (TTL cleans it up after expiry).
func (s *Store) PutSession(ctx context.Context, sess account.Session) error {
	it, err := item(memberPK(sess.MemberID), sessionSK(sess.TokenHash), "session",
		sessionItem{Session: sess, TTL: sess.ExpiresAt().Unix()})
	if err != nil {
		return err
	}
	return s.putIfAbsent(ctx, it)
}

// GetSession reads a session strongly consistently.
func (s *Store) GetSession(ctx context.Context, memberID, tokenHash string) (account.Session, bool, error) {
	var it sessionItem
	found, err := s.get(ctx, key(memberPK(memberID), sessionSK(tokenHash)), &it)
	return it.Session, found, err
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

// UpdateMember changes names, language, profile and preferences, and rewrites the
// member's search index in the same transaction (retried when a concurrent change of the
// member won).
func (s *Store) UpdateMember(ctx context.Context, memberID string, u account.MemberUpdate) (member.Member, error) {
	for attempt := 0; attempt < 5; attempt++ {
		var cur memberItem
		found, err := s.get(ctx, key(memberPK(memberID), skProfile), &cur)
		if err != nil {
			return member.Member{}, err
		}
		if !found {
			return member.Member{}, errBusy
		}
		m := cur.Member
		// (an UpdateBuilder is changed in place by Set: build a fresh one per use)
		sets := map[string]any{}
		if u.FirstName != nil {
			m.FirstName = *u.FirstName
			sets["firstName"] = m.FirstName
		}
		if u.LastName != nil {
			m.LastName = *u.LastName
			sets["lastName"] = m.LastName
		}
		if u.Language != nil {
			m.Language = *u.Language
			sets["language"] = m.Language
		}
		if u.Profile != nil {
			m.Profile = u.Profile
			sets["profile"] = u.Profile
		}
		if u.EmailNotifications != nil {
			v := *u.EmailNotifications
			m.EmailNotifications = &v
			sets["emailNotifications"] = v
		}
		if u.HiddenFields != nil {
			m.HiddenFields = append([]string{}, *u.HiddenFields...)
			sets["hiddenFields"] = m.HiddenFields
		}
		err = s.commitMember(ctx, m, cur.IndexVersion, cur.IndexKeys, func(indexKeys []string) ([]txItem, error) {
			up := expression.UpdateBuilder{}
			for name, v := range sets {
				up = up.Set(expression.Name(name), expression.Value(v))
			}
			w, err := s.update(key(memberPK(memberID), skProfile), expression.NewBuilder().
				WithCondition(expression.AttributeExists(expression.Name("PK")).And(versionIs(cur.IndexVersion))).
				WithUpdate(setIndex(up, indexKeys, cur.IndexVersion+1)), fail(errStale))
			return []txItem{w}, err
		})
		if errors.Is(err, errStale) {
			continue
		}
		if err != nil {
			return member.Member{}, err
		}
		return m, nil
	}
	return member.Member{}, errBusy
}

// AddSchool gives a member one more school, registering it first when new, and rewrites
// the member's search index in the same transaction.
func (s *Store) AddSchool(ctx context.Context, memberID string, ref member.SchoolRef, newSchool *school.School) error {
	now := time.Now().UTC()
	for attempt := 0; attempt < 5; attempt++ {
		var cur memberItem
		found, err := s.get(ctx, key(memberPK(memberID), skProfile), &cur)
		if err != nil {
			return err
		}
		if !found {
			return errBusy
		}
		if cur.HasSchool(ref.SchoolID) {
			return account.ErrHasSchool
		}
		m := cur.Member
		m.Schools = append(append([]member.SchoolRef{}, m.Schools...), ref)
		err = s.commitMember(ctx, m, cur.IndexVersion, cur.IndexKeys, func(indexKeys []string) ([]txItem, error) {
			up := expression.Set(expression.Name("schools"),
				expression.ListAppend(expression.Name("schools"), expression.Value([]member.SchoolRef{ref}))).
				Add(expression.Name("schoolIds"), expression.Value(&types.AttributeValueMemberSS{Value: []string{ref.SchoolID}}))
			add, err := s.update(key(memberPK(memberID), skProfile), expression.NewBuilder().
				WithCondition(expression.AttributeExists(expression.Name("PK")).
					And(expression.Not(expression.Contains(expression.Name("schoolIds"), ref.SchoolID))).
					And(versionIs(cur.IndexVersion))).
				WithUpdate(setIndex(up, indexKeys, cur.IndexVersion+1)),
				func(old map[string]types.AttributeValue) error {
					if ss, ok := old["schoolIds"].(*types.AttributeValueMemberSS); ok {
						for _, id := range ss.Value {
							if id == ref.SchoolID {
								return account.ErrHasSchool
							}
						}
					}
					return errStale
				})
			if err != nil {
				return nil, err
			}
			items := []txItem{add}
			schoolItems, err := s.schoolItems(newSchool, ref.SchoolID,
				func(id string) error { return &account.DuplicateSchoolError{SchoolID: id} }, account.ErrNoSuchSchool)
			if err != nil {
				return nil, err
			}
			items = append(items, schoolItems...)
			link, err := s.schoolMemberItem(ref.SchoolID, memberID, now)
			if err != nil {
				return nil, err
			}
			items = append(items, s.put(link))
			if newSchool != nil { // one more registered school in its country
				counters, err := s.statsUpdates(stats.Delta{Schools: 1}, newSchool.Country)
				if err != nil {
					return nil, err
				}
				items = append(items, counters...)
			}
			return items, nil
		})
		if !errors.Is(err, errStale) {
			return err
		}
	}
	return errBusy
}

type resetItem struct {
	account.Reset
	Exp int64 `dynamodbav:"exp"`
	TTL int64 `dynamodbav:"ttl"`
}

// PutReset stores a password-reset link.
func (s *Store) PutReset(ctx context.Context, r account.Reset) error {
	exp := r.ExpiresAt.Unix()
	it, err := item(resetPK(r.TokenHash), skReset, "reset", resetItem{Reset: r, Exp: exp, TTL: exp + int64(ttlGrace.Seconds())})
	if err != nil {
		return err
	}
	return s.putIfAbsent(ctx, it)
}

// GetReset reads a password-reset link.
func (s *Store) GetReset(ctx context.Context, tokenHash string) (account.Reset, bool, error) {
	var it resetItem
	found, err := s.get(ctx, key(resetPK(tokenHash), skReset), &it)
	return it.Reset, found, err
}

// UseReset spends the link and sets the password in one transaction.
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
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("passwordHash"), expression.Value(passwordHash)).
			Set(expression.Name("failedLogins"), expression.Value(0))),
		fail(account.ErrResetSpent))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{spend, set})
}
