package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one message the local SES captured.
type Mail struct {
	MessageID string
	From      string
	To        []string
	Cc        []string
	Bcc       []string
	ReplyTo   []string
	Subject   string
	Text      string // the text part ("" if none)
	HTML      string // the HTML part ("" if none)
	// Headers are the extra headers the message was sent with (List-Unsubscribe, …).
	Headers map[string]string
	At      time.Time
}

// storeReply is aws-ses-v2-local's GET /store answer (dist/store.d.ts in its
// package): {"templates": {...}, "emails": [...]}, oldest first. "at" is in whole
// seconds; body.html and body.text are left out when absent.
type storeReply struct {
	Emails []struct {
		MessageID   string   `json:"messageId"`
		From        string   `json:"from"`
		ReplyTo     []string `json:"replyTo"`
		Destination struct {
			To  []string `json:"to"`
			Cc  []string `json:"cc"`
			Bcc []string `json:"bcc"`
		} `json:"destination"`
		Subject string `json:"subject"`
		Body    struct {
			HTML string `json:"html"`
			Text string `json:"text"`
		} `json:"body"`
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
		At int64 `json:"at"`
	} `json:"emails"`
}

// Mails returns the messages the local SES captured since the given time (to the
// second, as the store keeps it), oldest first.
func Mails(since time.Time) ([]Mail, error) {
	mustHaveStack()
	url := sesURL + "/store"
	if !since.IsZero() {
		url += "?since=" + strconv.FormatInt(since.Unix(), 10)
	}
	client := &http.Client{Timeout: mailWait}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var store storeReply
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	out := make([]Mail, 0, len(store.Emails))
	for _, e := range store.Emails {
		headers := map[string]string{}
		for _, h := range e.Headers {
			headers[h.Name] = h.Value
		}
		out = append(out, Mail{
			Headers:   headers,
			MessageID: e.MessageID,
			From:      e.From,
			To:        e.Destination.To,
			Cc:        e.Destination.Cc,
			Bcc:       e.Destination.Bcc,
			ReplyTo:   e.ReplyTo,
			Subject:   e.Subject,
			Text:      e.Body.Text,
			HTML:      e.Body.HTML,
			At:        time.Unix(e.At, 0),
		})
	}
	return out, nil
}

// LatestMail returns the newest message to address (in To, Cc or Bcc, compared
// without case) captured since the given time, and whether there is one.
func LatestMail(address string, since time.Time) (Mail, bool, error) {
	mails, err := Mails(since)
	if err != nil {
		return Mail{}, false, err
	}
	for i := len(mails) - 1; i >= 0; i-- {
		if mails[i].sentTo(address) {
			return mails[i], true, nil
		}
	}
	return Mail{}, false, nil
}

// mailWait bounds a wait for the local SES: a bound for a mail that never comes, not a
// measure (a mail that comes ends the wait), so it is generous for a loaded machine.
const mailWait = 60 * time.Second

// WaitMail waits up to a minute for a message to address captured since the given
// time that no earlier WaitMail of this test process returned, and returns the newest
// such; the test fails if none comes. (The store keeps times to the second, so a message
// sent just before since can look as new as the awaited one; one already handed out
// cannot.)
func WaitMail(t testing.TB, address string, since time.Time) Mail {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		mails, err := Mails(since)
		if err != nil {
			t.Fatal("testenv:", err)
		}
		handedMu.Lock()
		for i := len(mails) - 1; i >= 0; i-- {
			if m := mails[i]; m.sentTo(address) && !handed[m.MessageID] {
				handed[m.MessageID] = true
				handedMu.Unlock()
				return m
			}
		}
		handedMu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("testenv: no e-mail to %s since %s", address, since.Format(time.RFC3339))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// handed are the messages WaitMail returned (by message id).
var (
	handedMu sync.Mutex
	handed   = map[string]bool{}
)

func (m Mail) sentTo(address string) bool {
	for _, list := range [][]string{m.To, m.Cc, m.Bcc} {
		for _, entry := range list {
			// Entries may be bare addresses or "Name <address>".
			if a, err := mail.ParseAddress(entry); err == nil {
				entry = a.Address
			}
			if strings.EqualFold(strings.TrimSpace(entry), address) {
				return true
			}
		}
	}
	return false
}

// WaitMails waits up to a minute until n messages to address were captured since the
// given time and returns them, oldest first; the test fails if fewer come. Waiting for a
// count, not for the newest, is robust to the store's one-second resolution: a message
// sent just before since in the same second cannot pass for the awaited one.
func WaitMails(t testing.TB, address string, since time.Time, n int) []Mail {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		mails, err := Mails(since)
		if err != nil {
			t.Fatal("testenv:", err)
		}
		var to []Mail
		for _, m := range mails {
			if m.sentTo(address) {
				to = append(to, m)
			}
		}
		if len(to) >= n {
			return to
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %d of %d e-mails to %s since %s", len(to), n, address, since.Format(time.RFC3339))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ThrottleSES makes the stack's SES answer its throttling error (429
// TooManyRequestsException) to the next sends SendEmail calls (localstack.SESFaults).
func ThrottleSES(t testing.TB, sends int) {
	t.Helper()
	body := strings.NewReader(fmt.Sprintf(`{"sends": %d}`, sends))
	resp, err := http.Post(SESURL()+"/_faults/throttle", "application/json", body)
	if err != nil {
		t.Fatal("testenv:", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("testenv: throttling SES: %s", resp.Status)
	}
}

// SESThrottled is how many SendEmail calls the stack's SES has throttled so far.
func SESThrottled(t testing.TB) int {
	t.Helper()
	resp, err := http.Get(SESURL() + "/_faults")
	if err != nil {
		t.Fatal("testenv:", err)
	}
	defer resp.Body.Close()
	var st struct {
		Throttled int `json:"throttled"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal("testenv:", err)
	}
	return st.Throttled
}
