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
	if m.Role == member.RoleNSO && m.Country != "" {
		// The country's list of NSO accounts (project reminders reach them with a Query).
		entry, err := item(nsoAccountsPK(m.Country), memberPK(m.MemberID), "nsoAccount", nsoAccountItem{MemberID: m.MemberID})
		if err != nil {
			return err
		}
		items = append(items, s.put(entry))
	}
	return s.transact(ctx, items)
}
