package notify

import (
	"strings"
	"testing"
	"time"

	"etwin/shared/mail"
	"etwin/shared/outbox"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func recipient(lang string, wants bool) Recipient {
	return Recipient{MemberID: "m-2", FirstName: "Ion", Email: "ion@example.org", Language: lang, WantsEmail: wants}
}

func TestNewSetsMailState(t *testing.T) {
	n := New(recipient("en", true), KindContactRequest, Subject{SubjectContactRequest, "r-1"}, &Actor{"m-1", "Ana", "Pop"}, t0)
	if n.Mail != MailPending || n.RecipientID != "m-2" || n.Read || !strings.HasPrefix(n.ID, "n-") {
		t.Fatalf("new notification: %+v", n)
	}
	e := n.Email
	if e == nil || e.Envelope.To != "ion@example.org" || !e.Envelope.Notification || e.Envelope.Kind != "notify_contact_request" ||
		e.Ref == nil || *e.Ref != (outbox.Ref{Type: outbox.RefNotification, MemberID: "m-2", ID: n.ID}) {
		t.Fatalf("its e-mail: %+v", e)
	}
	if off := New(recipient("en", false), KindContactRequest, Subject{}, nil, t0); off.Mail != MailOff || off.Email != nil {
		t.Fatalf("e-mails off: %+v", off)
	}
}

func TestTemplatesEveryKindAndLanguage(t *testing.T) {
	for _, kind := range []string{KindContactRequest, KindContactAccepted, "some_future_kind"} {
		for _, lang := range []string{"en", "ro", "fr"} {
			n := New(recipient(lang, true), kind, Subject{"x", "y"}, &Actor{"m-1", "Ana <b>", "Pop"}, t0)
			m, err := mail.Render(n.Email.Envelope, mail.Links{Portal: "https://portal.example/"})
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
	ro, _ := mail.Render(New(recipient("ro", true), KindContactRequest, Subject{}, &Actor{"m-1", "Ana", "Pop"}, t0).Email.Envelope, mail.Links{Portal: "https://p"})
	if !strings.Contains(ro.Subject, "Ana Pop vă invită") {
		t.Errorf("Romanian subject: %q", ro.Subject)
	}
}
