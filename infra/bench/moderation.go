package bench

import (
	"context"
	"net/http"

	"etwin/shared/member"
)

// moderationScenarios are the moderation records: an NSO's list of its country's removals
// and the CSS's list of every country's (the removals themselves are the forum's and
// rooms' delete scenarios).
func moderationScenarios() []*scenario {
	list := func(role, country string) func(context.Context, *dataset, []*seedMember, int) ([]request, error) {
		return func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
			tok, err := ds.staffSession(ctx, role, country)
			return each(n, func(int) request { return request{Want: http.StatusOK, Token: tok} }), err
		}
	}
	return []*scenario{
		{Function: "moderation-removals-list", Variant: "an NSO's country", Gateway: true, prepare: list(member.RoleNSO, "RO")},
		{Function: "moderation-removals-list", Variant: "the CSS, every country", prepare: list(member.RoleCSS, "")},
	}
}
