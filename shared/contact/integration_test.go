package contact_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/outboxtest"
	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/outbox"
	"etwin/shared/principal"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/token"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type sender struct {
	mu   sync.Mutex
	sent []mail.Message
	err  error
}

func (s *sender) Send(_ context.Context, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.sent = append(s.sent, m)
	return nil
}

type fixture struct {
	store *ddb.Store
	table string
	mail  *sender
	svc   *contact.Service
	notes *notify.Service
}

// deliver hands the committed e-mails to f.mail, as the mail-sender does.
func (f fixture) deliver(t *testing.T) { outboxtest.Deliver(t, f.table, f.mail) }

func setup(t *testing.T) fixture {
	table := testenv.NewTable(t)
	st := ddb.New(testenv.DDB(), table)
	signer := cursor.New("0123456789abcdef0123456789abcdef")
	return fixture{store: st, table: table, mail: &sender{}, svc: &contact.Service{Store: st, Cursors: signer},
		notes: &notify.Service{Store: st, Cursors: signer}}
}

// addMember registers a member (through the registration transaction) and returns who
// they are as the auth wrapper would.
func (f fixture) addMember(t *testing.T, first, lang, role string) principal.Principal {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := strings.ToLower(token.ID("u"))[:12]
	p := registration.Pending{TokenHash: token.Hash(token.New()), FirstName: first, LastName: "Pop", Email: u + "@example.org",
		Username: u, PasswordHash: "x", Language: lang, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := f.store.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	sc := &school.School{SchoolID: token.ID("s-"), Name: "Școala " + u, Country: "RO", City: "Iași", Address: "a", PostalCode: "700",
		SchoolType: "primary", Phone: "0232000000", Email: "s@example.ro", HeadTeacher: "H", Pupils: 10, RegisteredAt: now}
	m := member.Member{MemberID: token.ID("m-"), Username: u, FirstName: first, LastName: "Pop", Email: p.Email, Language: lang,
		Role: role, Schools: []member.SchoolRef{sc.Ref()}, Country: "RO", PasswordHash: "x", CreatedAt: now}
	if err := f.store.Complete(ctx, registration.Completion{Pending: p, Member: m, NewSchool: sc, SchoolID: sc.SchoolID, Now: now}); err != nil {
		t.Fatal(err)
	}
	return principal.Principal{MemberID: m.MemberID, Role: role}
}

func status(err error) int {
	if err == nil {
		return 200
	}
	return apperr.StatusOf(err)
}

func TestContactRules(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana := f.addMember(t, "Ana", "en", member.RoleTeacher)
	ion := f.addMember(t, "Ion", "ro", member.RoleTeacher)
	eve := f.addMember(t, "Eve", "en", member.RoleTeacher)
	nso := f.addMember(t, "Nso", "en", member.RoleNSO)

	for _, c := range []struct {
		who  principal.Principal
		to   string
		want int
	}{{ana, ana.MemberID, 409}, {ana, nso.MemberID, 404}, {ana, "m-unknown", 404}, {ana, "", 422}, {nso, ana.MemberID, 403}} {
		if _, err := f.svc.Create(ctx, c.who, contact.CreateInput{MemberID: c.to}); status(err) != c.want {
			t.Errorf("request %s → %s: %v, want %d", c.who.MemberID, c.to, err, c.want)
		}
	}

	// Request → the invitee's notification and e-mail in their language.
	r, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	f.deliver(t)
	if len(f.mail.sent) != 1 || !strings.Contains(f.mail.sent[0].Subject, "vă invită") {
		t.Fatalf("mail to the invitee: %+v", f.mail.sent)
	}
	notes, _ := f.notes.List(ctx, ion.MemberID, "", 10)
	if len(notes.Items) != 1 || notes.Items[0].Kind != notify.KindContactRequest || notes.Items[0].Subject.ID != r.RequestID || notes.Items[0].Mail != notify.MailSent {
		t.Fatalf("notification: %+v", notes.Items)
	}
	// Pending in both directions, and the lists show it.
	for _, who := range []principal.Principal{ana, ion} {
		other := ion.MemberID
		if who == ion {
			other = ana.MemberID
		}
		if _, err := f.svc.Create(ctx, who, contact.CreateInput{MemberID: other}); status(err) != 409 {
			t.Fatalf("pending request again: %v", err)
		}
	}
	in, _ := f.svc.ListRequests(ctx, ion, contact.Incoming, "", 10)
	out, _ := f.svc.ListRequests(ctx, ana, contact.Outgoing, "", 10)
	if len(in.Items) != 1 || len(out.Items) != 1 || in.Items[0].From.FirstName != "Ana" || in.Items[0].To.Country != "RO" {
		t.Fatalf("lists: %+v %+v", in, out)
	}
	// Only the invitee answers.
	for _, who := range []principal.Principal{ana, eve, nso} {
		if _, err := f.svc.Decide(ctx, who, r.RequestID, true); status(err) != 404 {
			t.Fatalf("%s answered: %v", who.MemberID, err)
		}
	}
	// Reject, then a new request is allowed; a second answer is 409.
	dec, err := f.svc.Decide(ctx, ion, r.RequestID, false)
	if err != nil || dec.Status != contact.StatusRejected || dec.DecidedAt == nil {
		t.Fatalf("reject: %+v %v", dec, err)
	}
	if _, err := f.svc.Decide(ctx, ion, r.RequestID, true); status(err) != 409 {
		t.Fatalf("second answer: %v", err)
	}
	in, _ = f.svc.ListRequests(ctx, ion, contact.Incoming, "", 10)
	if len(in.Items) != 0 {
		t.Fatalf("a rejected request is still pending: %+v", in)
	}
	r2, err := f.svc.Create(ctx, ion, contact.CreateInput{MemberID: ana.MemberID})
	if err != nil {
		t.Fatalf("new request after a rejection: %v", err)
	}
	// Accept: contacts on both sides, the sender notified.
	if _, err := f.svc.Decide(ctx, ana, r2.RequestID, true); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]principal.Principal{{ana, ion}, {ion, ana}} {
		ok, err := f.store.IsContact(ctx, pair[0].MemberID, pair[1].MemberID)
		if err != nil || !ok {
			t.Fatalf("IsContact: %v %v", ok, err)
		}
		list, _ := f.svc.ListContacts(ctx, pair[0], "", 10)
		if len(list.Items) != 1 || list.Items[0].MemberID != pair[1].MemberID {
			t.Fatalf("contacts of %s: %+v", pair[0].MemberID, list)
		}
		if _, err := f.svc.Create(ctx, pair[0], contact.CreateInput{MemberID: pair[1].MemberID}); status(err) != 409 {
			t.Fatalf("request to a contact: %v", err)
		}
	}
	notes, _ = f.notes.List(ctx, ion.MemberID, "", 10)
	if notes.Items[0].Kind != notify.KindContactAccepted || notes.Items[0].Subject != (notify.Subject{Type: "member", ID: ana.MemberID}) {
		t.Fatalf("accepted notification: %+v", notes.Items[0])
	}
	if ok, _ := f.store.IsContact(ctx, ana.MemberID, eve.MemberID); ok {
		t.Fatal("eve is no contact")
	}
	// Delete: both sides go; again → 404; a new request may follow.
	if err := f.svc.Delete(ctx, ion, ana.MemberID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, ana, ion.MemberID); status(err) != 404 {
		t.Fatalf("delete again: %v", err)
	}
	if ok, _ := f.store.IsContact(ctx, ana.MemberID, ion.MemberID); ok {
		t.Fatal("still a contact")
	}
	if _, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID}); err != nil {
		t.Fatalf("request after removal: %v", err)
	}

	// A failing mail service never undoes the action; the e-mail stays pending (the
	// stream retries it).
	f.mail.err = errors.New("ses down")
	if _, err := f.svc.Create(ctx, eve, contact.CreateInput{MemberID: ana.MemberID}); err != nil {
		t.Fatalf("the request failed with the mail: %v", err)
	}
	f.deliver(t)
	notes, _ = f.notes.List(ctx, ana.MemberID, "", 10)
	if notes.Items[0].Mail != notify.MailPending {
		t.Fatalf("a failed send is not left pending: %+v", notes.Items[0])
	}
}

// TestPairGuardRace: 50 requests A→B and B→A at once → exactly one request.
func TestPairGuardRace(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	a := f.addMember(t, "A", "en", member.RoleTeacher)
	b := f.addMember(t, "B", "en", member.RoleTeacher)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			from, to := a, b
			if i%2 == 1 {
				from, to = b, a
			}
			_, err := f.svc.Create(ctx, from, contact.CreateInput{MemberID: to.MemberID})
			mu.Lock()
			codes[status(err)]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[200] != 1 || codes[409] != 49 {
		t.Fatalf("outcomes %v, want one success and 49 conflicts", codes)
	}
	total := 0
	for _, who := range []principal.Principal{a, b} {
		p, _ := f.svc.ListRequests(ctx, who, contact.Outgoing, "", 100)
		total += len(p.Items)
	}
	if total != 1 {
		t.Fatalf("%d requests stored", total)
	}
}

// TestDailyLimitUnderConcurrency: many requests at once never exceed the limit.
func TestDailyLimitUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	a := f.addMember(t, "A", "en", member.RoleTeacher)
	n := contact.DailyLimit + 10
	invitees := make([]principal.Principal, n)
	for i := range invitees {
		invitees[i] = f.addMember(t, fmt.Sprintf("I%d", i), "en", member.RoleTeacher)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	var retry []string
	for _, inv := range invitees {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			_, err := f.svc.Create(ctx, a, contact.CreateInput{MemberID: id})
			mu.Lock()
			codes[status(err)]++
			if status(err) == http.StatusConflict { // lost the counter to others: try again below
				retry = append(retry, id)
			}
			mu.Unlock()
		}(inv.MemberID)
	}
	wg.Wait()
	if codes[200] > contact.DailyLimit {
		t.Fatalf("limit exceeded: %v", codes)
	}
	for _, id := range retry {
		_, err := f.svc.Create(ctx, a, contact.CreateInput{MemberID: id})
		codes[status(err)]++
	}
	p, _ := f.svc.ListRequests(ctx, a, contact.Outgoing, "", 100)
	if len(p.Items) != contact.DailyLimit {
		t.Fatalf("%d requests stored, want exactly %d (outcomes %v)", len(p.Items), contact.DailyLimit, codes)
	}
	if _, err := f.svc.Create(ctx, a, contact.CreateInput{MemberID: invitees[n-1].MemberID}); status(err) != 429 && status(err) != 409 {
		t.Fatalf("over the limit: %v", err)
	}
}

// TestAcceptRejectRace: answers at the same moment → exactly one wins.
func TestAcceptRejectRace(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	for round := 0; round < 3; round++ {
		a := f.addMember(t, "A", "en", member.RoleTeacher)
		b := f.addMember(t, "B", "en", member.RoleTeacher)
		r, err := f.svc.Create(ctx, a, contact.CreateInput{MemberID: b.MemberID})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var wins []string
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(accept bool) {
				defer wg.Done()
				d, err := f.svc.Decide(ctx, b, r.RequestID, accept)
				if err == nil {
					mu.Lock()
					wins = append(wins, d.Status)
					mu.Unlock()
				} else if status(err) != 409 {
					t.Errorf("loser: %v", err)
				}
			}(i%2 == 0)
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("winners: %v", wins)
		}
		linked, _ := f.store.IsContact(ctx, a.MemberID, b.MemberID)
		back, _ := f.store.IsContact(ctx, b.MemberID, a.MemberID)
		if linked != (wins[0] == contact.StatusAccepted) || back != linked {
			t.Fatalf("won %s but contacts %v/%v", wins[0], linked, back)
		}
		stored, _, _ := f.store.GetContactRequest(ctx, r.RequestID)
		if stored.Status != wins[0] {
			t.Fatalf("stored %s, won %s", stored.Status, wins[0])
		}
	}
}

// A request unanswered for 30 days expires: it leaves both pending lists, can no longer
// be accepted or withdrawn, and the sender may ask again (the expired pair guard is
// replaced); a day before that it still holds.
func TestRequestExpiry(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana := f.addMember(t, "Ana", "en", member.RoleTeacher)
	ion := f.addMember(t, "Ion", "ro", member.RoleTeacher)
	start := time.Now().UTC()
	clock := start
	f.svc.Now = func() time.Time { return clock }

	first, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	older, err := f.svc.ListRequests(ctx, ion, contact.Incoming, "", 10)
	if err != nil || len(older.Items) != 1 || !older.Items[0].ExpiresAt.Equal(start.Add(contact.ExpiresAfter)) {
		t.Fatalf("listed with its expiry: %+v %v", older.Items, err)
	}

	clock = start.Add(contact.ExpiresAfter - 24*time.Hour) // 29 days: still pending
	if _, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID}); status(err) != 409 {
		t.Fatalf("asking again on day 29: %v, want 409", err)
	}
	if in, _ := f.svc.ListRequests(ctx, ion, contact.Incoming, "", 10); len(in.Items) != 1 {
		t.Fatalf("day 29 incoming: %+v", in.Items)
	}

	clock = start.Add(contact.ExpiresAfter + time.Minute) // expired
	for _, dir := range []struct {
		who principal.Principal
		d   string
	}{{ion, contact.Incoming}, {ana, contact.Outgoing}} {
		if l, err := f.svc.ListRequests(ctx, dir.who, dir.d, "", 10); err != nil || len(l.Items) != 0 {
			t.Fatalf("%s list after expiry: %+v %v", dir.d, l.Items, err)
		}
	}
	if _, err := f.svc.Decide(ctx, ion, first.RequestID, true); status(err) != 409 || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("accepting an expired request: %v, want 409 expired", err)
	}
	if err := f.svc.Withdraw(ctx, ana, first.RequestID); status(err) != 409 {
		t.Fatalf("withdrawing an expired request: %v, want 409", err)
	}
	if ok, _ := f.store.IsContact(ctx, ion.MemberID, ana.MemberID); ok {
		t.Fatal("an expired request made contacts")
	}

	// The sender asks again: a new request, pending and listed, that can be accepted.
	second, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID})
	if err != nil {
		t.Fatalf("asking again after expiry: %v", err)
	}
	in, _ := f.svc.ListRequests(ctx, ion, contact.Incoming, "", 10)
	if len(in.Items) != 1 || in.Items[0].RequestID != second.RequestID {
		t.Fatalf("incoming after asking again: %+v", in.Items)
	}
	// The old request still cannot be answered; the new one can.
	if _, err := f.svc.Decide(ctx, ion, first.RequestID, true); status(err) != 409 {
		t.Fatalf("old request after the new one: %v", err)
	}
	if _, err := f.svc.Decide(ctx, ion, second.RequestID, true); err != nil {
		t.Fatalf("accepting the new request: %v", err)
	}
	// Accepted: contacts for good, even long after the request would have expired.
	clock = clock.Add(3 * contact.ExpiresAfter)
	if _, err := f.svc.Create(ctx, ana, contact.CreateInput{MemberID: ion.MemberID}); status(err) != 409 {
		t.Fatalf("request to a contact months later: %v, want 409", err)
	}
	if ok, _ := f.store.IsContact(ctx, ion.MemberID, ana.MemberID); !ok {
		t.Fatal("not contacts after accepting")
	}
}
