package confirm

import (
	"context"
	"testing"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/strictjson"
)

// fakes for speed: the e2e tests run the same through DynamoDB Local and the gateway.
type store struct {
	tokens  map[string]action.Token
	members map[string]member.Member
}

func (s *store) GetActionToken(_ context.Context, hash string) (action.Token, bool, error) {
	t, ok := s.tokens[hash]
	return t, ok, nil
}

func (s *store) GetMember(_ context.Context, id string) (member.Member, bool, error) {
	m, ok := s.members[id]
	return m, ok, nil
}

// decider is a decision that is open until taken; taking it spends the link in the same
// step, as the store's transaction does. meanwhile, when set, runs first: another request
// that decides at the same moment.
type decider struct {
	st        *store
	open      bool
	settled   string
	decisions int
	meanwhile func()
}

func (d *decider) Choices() []string { return []string{"accept", "reject"} }

func (d *decider) Describe(context.Context, action.Token) (Situation, error) {
	return Situation{Subject: Subject{Type: "contact_request", ID: "r-1", Title: "Ana Pop"}, From: Person{FirstName: "Ana"}, Open: d.open, Settled: d.settled}, nil
}

func (d *decider) Decide(_ context.Context, who principal.Principal, t action.Token, choice string, sp action.Spend) error {
	if d.meanwhile != nil {
		d.meanwhile()
	}
	cur := d.st.tokens[t.Hash]
	if cur.Used() {
		return action.ErrSpent
	}
	if !d.open {
		return apperr.Conflict("decided")
	}
	if who.MemberID != t.RecipientID {
		return apperr.NotFound("not yours")
	}
	d.open, d.settled, d.decisions = false, choice+"ed", d.decisions+1
	cur.UsedAt, cur.Outcome = &sp.At, sp.Outcome
	d.st.tokens[t.Hash] = cur
	return nil
}

func setup(now time.Time) (*Service, *store, *decider, string) {
	raw, tok := action.Issue(action.ContactRequest, "r-1", "m-ion", now.Add(-time.Hour))
	st := &store{tokens: map[string]action.Token{tok.Hash: tok},
		members: map[string]member.Member{"m-ion": {MemberID: "m-ion", FirstName: "Ion", LastName: "Pop", Role: member.RoleTeacher, Language: "ro"}}}
	d := &decider{st: st, open: true}
	return &Service{Store: st, Deciders: map[string]Decider{action.ContactRequest: d}, Now: func() time.Time { return now }}, st, d, raw
}

func TestLinkStates(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	s, st, d, raw := setup(now)
	anon := principal.Principal{}

	v, err := s.Look(ctx, anon, raw)
	if err != nil || v.State != Open || v.For.FirstName != "Ion" || v.Lang != "ro" || len(v.Choices) != 2 || v.Age != time.Hour {
		t.Fatalf("open: %+v %v", v, err)
	}
	// Looking changes nothing, however often.
	for i := 0; i < 3; i++ {
		s.Look(ctx, anon, raw)
	}
	if d.decisions != 0 {
		t.Fatal("looking decided")
	}
	// Another member signed in: 403 naming whom it is for, nothing decided.
	if _, err := s.Decide(ctx, principal.Principal{MemberID: "m-eve"}, raw, "accept"); apperr.StatusOf(err) != 403 || d.decisions != 0 {
		t.Fatalf("another member: %v", err)
	}
	if _, err := s.Decide(ctx, anon, raw, "maybe"); apperr.StatusOf(err) != 422 || apperr.FieldNames(err)[0] != "choice" {
		t.Fatalf("an unknown choice: %v", err)
	}
	v, err = s.Decide(ctx, anon, raw, "reject")
	if err != nil || v.State != Done || v.Outcome != "reject" || d.decisions != 1 {
		t.Fatalf("decide: %+v %v", v, err)
	}
	// Used: the first outcome, whatever is chosen now.
	v, err = s.Decide(ctx, principal.Principal{MemberID: "m-ion"}, raw, "accept")
	if err != nil || v.State != Used || v.Outcome != "reject" || d.decisions != 1 {
		t.Fatalf("again: %+v %v", v, err)
	}
	if len(st.tokens) != 1 {
		t.Errorf("tokens %v", st.tokens)
	}
}

func TestExpiredSupersededUnknown(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()

	s, _, _, raw := setup(now)
	s.Now = func() time.Time { return now.Add(action.Lifetime - time.Hour) } // issued an hour before now
	if v, err := s.Decide(ctx, principal.Principal{}, raw, "accept"); err != nil || v.State != Expired {
		t.Errorf("expired: %+v %v", v, err)
	}
	s, _, d, raw := setup(now)
	d.open, d.settled = false, SettledWithdrawn
	if v, err := s.Look(ctx, principal.Principal{}, raw); err != nil || v.State != Superseded || v.Settled != SettledWithdrawn {
		t.Errorf("superseded: %+v %v", v, err)
	}
	s, st, _, raw := setup(now)
	delete(st.members, "m-ion") // the account was erased
	for _, r := range []string{raw, "short", raw[:42] + "!", action.Token{}.Hash} {
		if _, err := s.Look(ctx, principal.Principal{}, r); apperr.StatusOf(err) != 404 {
			t.Errorf("%q: %v", r, err)
		}
	}
}

// Two requests at once: the one that loses sees the link used by the other (its
// outcome), never "decided another way".
func TestLostRaceShowsTheWinnersOutcome(t *testing.T) {
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	s, _, d, raw := setup(now)
	d.meanwhile = func() {
		d.meanwhile = nil
		if v, err := s.Decide(ctx, principal.Principal{}, raw, "accept"); err != nil || v.State != Done {
			t.Errorf("the winner: %+v %v", v, err)
		}
	}
	v, err := s.Decide(ctx, principal.Principal{}, raw, "reject")
	if err != nil || v.State != Used || v.Outcome != "accept" || d.decisions != 1 {
		t.Errorf("the loser: %+v %v", v, err)
	}
}

func TestChoiceInput(t *testing.T) {
	for in, ok := range map[string]bool{"accept": true, "": false, "aaaaaaaaaaaaaaaaaaaaa": false} {
		if err := (ChoiceInput{Choice: in}).Validate(); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// FuzzDecodeChoice: the JSON route's body decoder (strictjson) and its check never
// panic, and accept only a known shape.
func FuzzDecodeChoice(f *testing.F) {
	for _, s := range []string{`{"choice":"accept"}`, `{"choice":1}`, `{}`, `[]`, `{"choice":"a","x":1}`, `{"choice":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var in ChoiceInput
		if err := strictjson.Decode(raw, &in); err != nil {
			if s := apperr.StatusOf(err); s < 400 || s > 499 {
				t.Fatalf("status %d", s)
			}
			return
		}
		if err := in.Validate(); err == nil && (in.Choice == "" || len(in.Choice) > 20) {
			t.Fatalf("accepted %q", in.Choice)
		}
	})
}
