package ddb

import (
	"context"

	"etwin/shared/member"
	"etwin/shared/staff"
)

// CreateAccount implements staff.Store: a new account without a pre-registration, with a
// new username guard and e-mail guard, in one transaction.
func (s *Store) CreateAccount(ctx context.Context, m member.Member) error {
	guard, err := item(usernamePK(member.UsernameKey(m.Username)), skUsername, "username",
		usernameGuard{Username: m.Username, Holder: holderMember, MemberID: m.MemberID})
	if err != nil {
		return err
	}
	items, err := s.newMemberItems(m, nil) // staff are not in the member search
	if err != nil {
		return err
	}
	items[0].onFail = fail(staff.ErrEmailTaken) // the e-mail guard
	items = append(items, s.putNew(guard, fail(staff.ErrUsernameTaken)))
	return s.transact(ctx, items)
}
