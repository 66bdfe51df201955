package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"etwin/shared/mail"
	"etwin/shared/member"
)

type fakeStore struct{ states map[string]string }

func (f *fakeStore) ListNotifications(context.Context, string, string, int) ([]Notification, string, error) {
	return nil, "", nil
}
func (f *fakeStore) MarkNotificationRead(context.Context, string, string) (Notification, bool, error) {
	return Notification{}, false, nil
}
func (f *fakeStore) SetNotificationMail(_ context.Context, memberID, id, state string) error {
	f.states[memberID+"/"+id] = state
	return nil
}
func (f *fakeStore) DueNotificationMails(context.Context, time.Time, int) ([]DueMail, error) {
	return nil, nil
}

// (the retry job's claims are tested against DynamoDB Local, in shared/ddb)
func (f *fakeStore) ClaimNotificationMail(context.Context, string, string, int, time.Time, time.Time) (bool, error) {
	return false, errors.New("not here")
}
func (f *fakeStore) FinishNotificationMail(context.Context, string, string, int, string) (bool, error) {
	return false, errors.New("not here")
}
func (f *fakeStore) GetMember(context.Context, string) (member.Member, bool, error) {
	return member.Member{}, false, nil
}

type fakeSender struct {
	sent []mail.Message
	err  error
}

func (f *fakeSender) Send(_ context.Context, m mail.Message) error {
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, m)
	return nil
}

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func recipient(lang string, wants bool) Recipient {
	return Recipient{MemberID: "m-2", FirstName: "Ion", Email: "ion@example.org", Language: lang, WantsEmail: wants}
}

func TestNewSetsMailState(t *testing.T) {
	n := New(recipient("en", true), KindContactRequest, Subject{SubjectContactRequest, "r-1"}, &Actor{"m-1", "Ana", "Pop"}, t0)
	if n.Mail != MailPending || n.RecipientID != "m-2" || n.Read || !strings.HasPrefix(n.ID, "n-") {
		t.Fatalf("new notification: %+v", n)
	}
	if off := New(recipient("en", false), KindContactRequest, Subject{}, nil, t0); off.Mail != MailOff {
		t.Fatalf("e-mails off: %+v", off)
	}
}

func TestTemplatesEveryKindAndLanguage(t *testing.T) {
	for _, kind := range []string{KindContactRequest, KindContactAccepted, "some_future_kind"} {
		for _, lang := range []string{"en", "ro", "fr"} {
			n := New(recipient(lang, true), kind, Subject{"x", "y"}, &Actor{"m-1", "Ana <b>", "Pop"}, t0)
			m, err := Render(n, recipient(lang, true), "https://portal.example/")
			if err != nil {
				t.Fatalf("%s/%s: %v", kind, lang, err)
			}
			if m.Subject == "" || !strings.Contains(m.Text, "https://portal.example/notifications?id="+n.ID) ||
				strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "Ana &lt;b&gt;") {
				t.Errorf("%s/%s: %q\n%s\n%s", kind, lang, m.Subject, m.Text, m.HTML)
			}
		}
	}
	if TemplateOf("some_future_kind") != "notify_generic" || TemplateOf(KindContactRequest) != "notify_contact_request" {
		t.Fatal("template choice")
	}
	for _, tpl := range []string{"notify_generic", "notify_contact_request", "notify_contact_accepted"} {
		if got := strings.Join(mail.Languages(tpl), ","); got != "en,ro" && got != "ro,en" {
			t.Errorf("%s: languages %s", tpl, got)
		}
	}
	ro, _ := Render(New(recipient("ro", true), KindContactRequest, Subject{}, &Actor{"m-1", "Ana", "Pop"}, t0), recipient("ro", true), "https://p")
	if !strings.Contains(ro.Subject, "Ana Pop vă invită") {
		t.Errorf("Romanian subject: %q", ro.Subject)
	}
}

func TestDeliverRecordsOutcome(t *testing.T) {
	st := &fakeStore{states: map[string]string{}}
	snd := &fakeSender{}
	s := &Service{Store: st, Mail: snd, PortalURL: "https://p"}
	n := New(recipient("en", true), KindContactRequest, Subject{}, &Actor{"m-1", "Ana", "Pop"}, t0)
	s.Deliver(context.Background(), n, recipient("en", true))
	if len(snd.sent) != 1 || snd.sent[0].To != "ion@example.org" || st.states["m-2/"+n.ID] != MailSent {
		t.Fatalf("sent %v, states %v", snd.sent, st.states)
	}
	// Off: nothing sent, nothing recorded beyond the state written with the item.
	off := New(recipient("en", false), KindContactRequest, Subject{}, nil, t0)
	s.Deliver(context.Background(), off, recipient("en", false))
	if len(snd.sent) != 1 || st.states["m-2/"+off.ID] != "" {
		t.Fatalf("an opted-out member was mailed: %v %v", snd.sent, st.states)
	}
	// A failing send is recorded, and the caller carries on.
	snd.err = errors.New("throttled")
	n2 := New(recipient("en", true), KindContactAccepted, Subject{}, nil, t0)
	s.Deliver(context.Background(), n2, recipient("en", true))
	if st.states["m-2/"+n2.ID] != MailFailed {
		t.Fatalf("failure not recorded: %v", st.states)
	}
	// A bad address cannot be rendered: also recorded as failed.
	bad := recipient("en", true)
	bad.Email = "not an address"
	n3 := New(bad, KindContactRequest, Subject{}, nil, t0)
	s.Deliver(context.Background(), n3, bad)
	if st.states["m-2/"+n3.ID] != MailFailed {
		t.Fatalf("bad address not recorded: %v", st.states)
	}
}
