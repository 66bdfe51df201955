package e2e

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/browser"
	"etwin/infra/testenv"
	"etwin/shared/token"
)

// confirmLink is a decision link in an e-mail: the backend's own page, on the API.
var confirmLink = regexp.MustCompile(`(https?://[^\s"<>]+)/confirm/([A-Za-z0-9_-]{43})`)

// decisionMail waits for the newest e-mail to addr with a decision link whose subject or
// text has marker (the store keeps times to the second, so other e-mails of that second
// are passed over) and returns it with its link's token.
func decisionMail(t *testing.T, addr, marker string, since time.Time) (testenv.Mail, string) {
	t.Helper()
	var m testenv.Mail
	var match []string
	for deadline := time.Now().Add(30 * time.Second); match == nil; time.Sleep(100 * time.Millisecond) {
		ms, err := testenv.Mails(since)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(ms) - 1; i >= 0 && match == nil; i-- {
			if slices.Contains(ms[i].To, addr) && strings.Contains(ms[i].Subject+ms[i].Text, marker) {
				m, match = ms[i], confirmLink.FindStringSubmatch(ms[i].Text)
			}
		}
		if match == nil && time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s with a confirmation link", addr)
		}
	}
	if match[1] != testenv.APIURL() {
		t.Errorf("the link goes to %s, want the local API %s (CONFIRM_URL)", match[1], testenv.APIURL())
	}
	if strings.Contains(m.Text, "/notifications?id=") {
		t.Errorf("a decision e-mail carries one link, the decision's:\n%s", m.Text)
	}
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post"} {
		if _, ok := m.Headers[h]; ok {
			t.Errorf("a decision e-mail carries %s", h)
		}
	}
	return m, match[2]
}

// page is an HTML answer.
type pageReply struct {
	Status int
	Header http.Header
	Body   string
}

// pageCall sends a request to one of the pages people open, as a browser or a mail
// scanner would, and checks the answer against the contract.
func pageCall(t *testing.T, method, path, contentType, body string, headers map[string]string) pageReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, testenv.APIURL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if method != "HEAD" && method != "OPTIONS" && (resp.StatusCode != http.StatusNotFound || strings.Contains(string(raw), "<html")) {
		checkContract(t, method, path, resp, raw) // (the gateway's own 404 is no page)
	}
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s → %d:\n%s", method, path, resp.StatusCode, raw)
	}
	return pageReply{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

func form(choice string) string { return url.Values{"choice": {choice}}.Encode() }

const formType = "application/x-www-form-urlencoded"

// pageHeaders checks what every page for people is served with.
func pageHeaders(t *testing.T, p pageReply) {
	t.Helper()
	h := p.Header
	if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Cache-Control") != "no-store" ||
		h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(h.Get("X-Robots-Tag"), "noindex") || !strings.Contains(p.Body, `<meta name="robots" content="noindex`) {
		t.Errorf("page headers: %v", h)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "style-src 'sha256-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(p.Body, "<script") || h.Get("Set-Cookie") != "" {
		t.Errorf("a page with a script or a cookie:\n%s", p.Body)
	}
}

// expireLink moves a link's expiry into the past, as 7 days would.
func expireLink(t *testing.T, tok string) {
	t.Helper()
	hash := token.Hash(tok)
	if _, err := hex.DecodeString(hash); err != nil {
		t.Fatal(err)
	}
	_, err := testenv.DDB().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(testenv.TableName()),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "ACTION#" + hash},
			"SK": &types.AttributeValueMemberS{Value: "ACTION"}},
		UpdateExpression:          aws.String("SET expiresAt = :t"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The co-founder decides from the e-mail in a real browser: the viewer's link opens the
// page, which names the project; Approve sends it to the NSOs.
func TestConfirmCofounderInBrowser(t *testing.T) {
	ana, jean := signUp(t, applicant{First: "Ana", Country: "RO"}), signUp(t, applicant{First: "Jean", Country: "FR"})
	makeContacts(t, ana.Session, jean.Session, jean.ID)
	since := time.Now()
	body := projectBody(jean.ID)
	title := body["title"].(string)
	id := expect(t, call(t, "POST", "/v1/projects", ana.Session, body), 201).JSON["projectId"].(string)
	m, tok := decisionMail(t, jean.Email, "co-found", since)

	p := browser.OpenMailLink(t, browser.MailLink{MessageID: m.MessageID, Href: testenv.APIURL() + "/confirm/"})
	text := p.WaitText(title)
	for _, want := range []string{"Ana Popescu", "Pupils compare the rivers", "Approve", "Reject"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q:\n%s", want, text)
		}
	}
	if p.Status() != 200 {
		t.Errorf("the page's status: %d", p.Status())
	}
	// Opening it decided nothing.
	if s := expect(t, call(t, "GET", "/v1/projects/"+id, ana.Session, nil), 200).JSON["status"]; s != "awaiting_cofounder" {
		t.Fatalf("after opening the link: %v", s)
	}
	p.ClickButton("Approve")
	p.WaitText("National Support Organisations")
	if p.Status() != 200 {
		t.Errorf("after Approve: status %d", p.Status())
	}
	pageHeaders(t, pageReply{Status: p.Status(), Header: p.Header(), Body: "<meta name=\"robots\" content=\"noindex"})
	got := expect(t, call(t, "GET", "/v1/projects/"+id, ana.Session, nil), 200).JSON
	if got["status"] != "awaiting_nso" {
		t.Fatalf("after Approve: %v", got["status"])
	}
	// The same effects as the API route: the founder is told, both NSO queues have it.
	if k := notificationKinds(t, ana.Session, id); !contains(k, "project_cofounder_approved") {
		t.Errorf("the founder's notifications: %v", k)
	}
	nsoFR, _ := staffAccount(t, "nso", "FR")
	if !contains(queueIDs(t, nsoFR), id) {
		t.Errorf("the French NSO's queue lacks %s", id)
	}
	// The link is spent: opening it again names the decision taken.
	again := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
	if again.Status != 200 || !strings.Contains(again.Body, "already") || !strings.Contains(again.Body, "approved the project") {
		t.Errorf("the used link: %d\n%s", again.Status, again.Body)
	}
}

// The invitee rejects a contact request from the e-mail in a real browser.
func TestConfirmContactRejectInBrowser(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "ro")
	since := time.Now()
	reqID := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201).JSON["requestId"].(string)
	m, _ := decisionMail(t, ion.Email, "Ana", since)
	if !strings.Contains(m.Text, "fără să vă autentificați") && !strings.Contains(m.Text, "autentific") {
		t.Logf("the Romanian e-mail:\n%s", m.Text)
	}

	p := browser.OpenMailLink(t, browser.MailLink{MessageID: m.MessageID, Href: testenv.APIURL() + "/confirm/"})
	text := p.WaitText("Ana Popescu")
	if !strings.Contains(text, "Ion Popescu") { // whom the link is for
		t.Errorf("the page does not say whom the link is for:\n%s", text)
	}
	p.ClickButton(rejectLabel(t, text))
	p.WaitText("Ana Popescu")
	if p.Status() != 200 {
		t.Errorf("after Reject: status %d", p.Status())
	}
	// Rejected, as the API route does it: no contact, nothing pending, the pair free again.
	if in := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", ion.Session, nil), 200)); len(in) != 0 {
		t.Errorf("still pending: %v", in)
	}
	if c := items(expect(t, call(t, "GET", "/v1/contacts", ana.Session, nil), 200)); len(c) != 0 {
		t.Errorf("contacts after a rejection: %v", c)
	}
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ion.Session, nil), 409)
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201)
}

// rejectLabel is the Romanian page's reject button (the page is in the recipient's
// language).
func rejectLabel(t *testing.T, text string) string {
	t.Helper()
	for _, l := range []string{"Respingeți", "Respinge", "Refuzați", "Refuz"} {
		if strings.Contains(text, l) {
			return l
		}
	}
	t.Fatalf("no reject button on the Romanian page:\n%s", text)
	return ""
}

// Mail scanners and link prefetchers: GET, HEAD and OPTIONS, again and again, decide
// nothing; the person can still decide afterwards.
func TestConfirmScannersDecideNothing(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "en")
	since := time.Now()
	reqID := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201).JSON["requestId"].(string)
	_, tok := decisionMail(t, ion.Email, "Ana", since)
	scanner := map[string]string{"User-Agent": "Mozilla/5.0 (compatible; SafeLinks scanner)"}
	for i := 0; i < 3; i++ {
		for _, path := range []string{"/confirm/" + tok, "/v1/confirmations/" + tok} {
			for _, method := range []string{"GET", "HEAD", "OPTIONS"} {
				r := pageCall(t, method, path, "", "", scanner)
				if method == "GET" && r.Status != 200 || method == "HEAD" && path[1] == 'c' && r.Status != 200 {
					t.Errorf("%s %s: %d", method, path, r.Status)
				}
				if method == "HEAD" && r.Body != "" {
					t.Errorf("HEAD with a body: %q", r.Body)
				}
			}
		}
	}
	first := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
	pageHeaders(t, first)
	if !strings.Contains(first.Body, `<form method="post">`) || !strings.Contains(first.Body, `value="accept"`) {
		t.Errorf("the page has no form with the choices:\n%s", first.Body)
	}
	if in := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", ion.Session, nil), 200)); len(in) != 1 || in[0]["requestId"] != reqID {
		t.Fatalf("after the scanners: %v", in)
	}
	done := pageCall(t, "POST", "/confirm/"+tok, formType, form("accept"), nil)
	if done.Status != 200 || !strings.Contains(done.Body, "You accepted") {
		t.Fatalf("the person's POST: %d\n%s", done.Status, done.Body)
	}
	if c := items(expect(t, call(t, "GET", "/v1/contacts", ion.Session, nil), 200)); len(c) != 1 || c[0]["memberId"] != ana.ID {
		t.Errorf("contacts after accepting: %v", c)
	}
}

// A link's life: used once (a second POST shows the first outcome, the JSON route 409),
// expired (410), decided in the portal first (410, "already"), another member's session
// (403, nothing changes), two POSTs at once (one decides).
func TestConfirmTokenLife(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "en")
	eve := newTeacher(t, "Eve", "en")
	// ask sends a contact request from from (first name fromName) to to, and returns its
	// id and the link's token.
	ask := func(fromName string, from, to teacher) (string, string) {
		t.Helper()
		since := time.Now()
		id := expect(t, call(t, "POST", "/v1/contacts/requests", from.Session, map[string]string{"memberId": to.ID}), 201).JSON["requestId"].(string)
		_, tok := decisionMail(t, to.Email, fromName+" Popescu", since)
		return id, tok
	}

	t.Run("second POST shows the first outcome", func(t *testing.T) {
		_, tok := ask("Ana", ana, ion)
		v := expect(t, call(t, "GET", "/v1/confirmations/"+tok, "", nil), 200).JSON
		if v["purpose"] != "contact_request" || v["state"] != "open" || v["from"].(map[string]any)["firstName"] != "Ana" ||
			v["for"].(map[string]any)["firstName"] != "Ion" || len(v["choices"].([]any)) != 2 {
			t.Errorf("the JSON view: %v", v)
		}
		first := pageCall(t, "POST", "/confirm/"+tok, formType, form("reject"), nil)
		second := pageCall(t, "POST", "/confirm/"+tok, formType, form("accept"), nil)
		if first.Status != 200 || second.Status != 200 || !strings.Contains(second.Body, "already") || !strings.Contains(second.Body, "rejected the contact request") {
			t.Errorf("first %d, second %d:\n%s", first.Status, second.Status, second.Body)
		}
		r := expect(t, call(t, "POST", "/v1/confirmations/"+tok, "", map[string]string{"choice": "accept"}), 409)
		if r.JSON["outcome"] != "reject" {
			t.Errorf("the JSON route after use: %s", r.Raw)
		}
		if c := items(expect(t, call(t, "GET", "/v1/contacts", ion.Session, nil), 200)); len(c) != 0 {
			t.Errorf("a second POST changed the decision: %v", c)
		}
	})

	t.Run("expired", func(t *testing.T) {
		id, tok := ask("Eve", eve, ion)
		expireLink(t, tok)
		for _, method := range []string{"GET", "POST"} {
			r := pageCall(t, method, "/confirm/"+tok, formType, map[bool]string{true: form("accept")}[method == "POST"], nil)
			if r.Status != 410 || !strings.Contains(r.Body, "expired") || !strings.Contains(r.Body, `href="http://localhost:5173"`) {
				t.Errorf("%s of an expired link: %d\n%s", method, r.Status, r.Body)
			}
		}
		expect(t, call(t, "GET", "/v1/confirmations/"+tok, "", nil), 410)
		// The portal still decides.
		expect(t, call(t, "POST", "/v1/contacts/requests/"+id+"/accept", ion.Session, nil), 200)
	})

	t.Run("decided in the portal first", func(t *testing.T) {
		id, tok := ask("Ana", ana, eve)
		expect(t, call(t, "POST", "/v1/contacts/requests/"+id+"/accept", eve.Session, nil), 200)
		r := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
		if r.Status != 410 || !strings.Contains(r.Body, "already accepted") {
			t.Errorf("the link after the portal decided: %d\n%s", r.Status, r.Body)
		}
		p := pageCall(t, "POST", "/confirm/"+tok, formType, form("reject"), nil)
		if p.Status != 410 {
			t.Errorf("POST after the portal decided: %d", p.Status)
		}
		g := expect(t, call(t, "GET", "/v1/confirmations/"+tok, "", nil), 410)
		if g.JSON["settled"] != "accepted" {
			t.Errorf("the JSON route: %s", g.Raw)
		}
		if c := memberIDs(items(expect(t, call(t, "GET", "/v1/contacts", eve.Session, nil), 200))); !contains(c, ana.ID) {
			t.Errorf("the portal's decision changed: %v", c)
		}
	})

	t.Run("withdrawn by the sender", func(t *testing.T) {
		dan := newTeacher(t, "Dan", "en")
		id, tok := ask("Dan", dan, ana)
		expect(t, call(t, "DELETE", "/v1/contacts/requests/"+id, dan.Session, nil), 204)
		r := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
		if r.Status != 410 || !strings.Contains(r.Body, "withdrew") {
			t.Errorf("the link of a withdrawn request: %d\n%s", r.Status, r.Body)
		}
	})

	t.Run("another member's session", func(t *testing.T) {
		dan := newTeacher(t, "Dan", "en")
		_, tok := ask("Dan", dan, eve)
		r := expect(t, call(t, "POST", "/v1/confirmations/"+tok, ana.Session, map[string]string{"choice": "accept"}), 403)
		if !strings.Contains(string(r.Raw), "Eve Popescu") {
			t.Errorf("the refusal does not say whom the link is for: %s", r.Raw)
		}
		g := expect(t, call(t, "GET", "/v1/confirmations/"+tok, ana.Session, nil), 403)
		if g.JSON["for"].(map[string]any)["firstName"] != "Eve" {
			t.Errorf("GET with another session: %s", g.Raw)
		}
		hp := pageCall(t, "POST", "/confirm/"+tok, formType, form("accept"), map[string]string{"Authorization": "Bearer " + ana.Session})
		if hp.Status != 403 || !strings.Contains(hp.Body, "Eve Popescu") {
			t.Errorf("the page with another session: %d\n%s", hp.Status, hp.Body)
		}
		if in := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", eve.Session, nil), 200)); len(in) != 1 {
			t.Errorf("another member's session changed something: %v", in)
		}
		// With the recipient's own session, or none, it works.
		d := expect(t, call(t, "POST", "/v1/confirmations/"+tok, eve.Session, map[string]string{"choice": "accept"}), 200)
		if d.JSON["outcome"] != "accept" || d.JSON["state"] != "done" {
			t.Errorf("the recipient's POST: %s", d.Raw)
		}
		expect(t, call(t, "GET", "/v1/confirmations/"+tok, "not-a-session", nil), 401)
	})

	t.Run("two POSTs at once", func(t *testing.T) {
		dan := newTeacher(t, "Dan", "en")
		_, tok := ask("Dan", dan, ion)
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for _, choice := range []string{"accept", "reject", "accept", "reject"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := pageCall(t, "POST", "/confirm/"+tok, formType, form(choice), nil)
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[200] != 4 {
			t.Errorf("statuses %v: every POST shows the one outcome", statuses)
		}
		v := expect(t, call(t, "GET", "/v1/confirmations/"+tok, "", nil), 409)
		contacts := items(expect(t, call(t, "GET", "/v1/contacts", dan.Session, nil), 200))
		if (v.JSON["outcome"] == "accept") != (len(contacts) == 1) {
			t.Errorf("outcome %v, but %d contacts", v.JSON["outcome"], len(contacts))
		}
	})
}

// Tokens of every wrong shape are a 404 page, never a 500; a form too large is 413, of
// another type 415, with unknown fields 400, with an unknown choice 422.
func TestConfirmBadInput(t *testing.T) {
	for _, tok := range []string{"x", strings.Repeat("A", 43), token.New(), strings.Repeat("ü", 30), "%00", strings.Repeat("a", 2000),
		"..%2F..%2Fv1%2Fme", "<script>", token.New() + "="} {
		path := "/confirm/" + url.PathEscape(tok)
		for _, method := range []string{"GET", "POST"} {
			r := pageCall(t, method, path, formType, map[bool]string{true: form("accept")}[method == "POST"], nil)
			if r.Status != 404 || !strings.Contains(r.Body, "not valid") {
				t.Errorf("%s %.60s: %d", method, path, r.Status)
			}
		}
		expect(t, call(t, "GET", "/v1/confirmations/"+url.PathEscape(tok), "", nil), 404)
		if r := pageCall(t, "POST", "/unsubscribe/"+url.PathEscape(tok), formType, "List-Unsubscribe=One-Click", nil); r.Status != 404 {
			t.Errorf("unsubscribe %.60s: %d", tok, r.Status)
		}
	}
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "en")
	since := time.Now()
	expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201)
	_, tok := decisionMail(t, ion.Email, "Ana", since)
	path := "/confirm/" + tok
	cases := []struct {
		ct, body string
		status   int
	}{
		{formType, "choice=" + strings.Repeat("a", 70<<10), 413},
		{"application/json", `{"choice":"accept"}`, 415},
		{formType, "choice=accept&admin=1", 400},
		{formType, "choice=accept&choice=reject", 400},
		{formType, "choice=%zz", 400},
		{formType, "choice=approve", 422},
		{formType, "", 422},
	}
	for _, c := range cases {
		if r := pageCall(t, "POST", path, c.ct, c.body, nil); r.Status != c.status {
			t.Errorf("%s %.40q: %d, want %d", c.ct, c.body, r.Status, c.status)
		}
	}
	for _, body := range []any{`{"choice":1}`, `{"choice":"accept","x":1}`, `[]`, `{}`, `{"choice":"maybe"}`} {
		r := call(t, "POST", "/v1/confirmations/"+tok, "", body)
		if r.Status != 400 && r.Status != 422 {
			t.Errorf("JSON %v: %d", body, r.Status)
		}
	}
	// Nothing of that decided anything.
	if in := items(expect(t, call(t, "GET", "/v1/contacts/requests?direction=incoming", ion.Session, nil), 200)); len(in) != 1 {
		t.Errorf("bad input changed something: %v", in)
	}
}

var unsubscribeLink = regexp.MustCompile(`^<(https?://[^>]+)/unsubscribe/([A-Za-z0-9_.-]+)>$`)

// One-click unsubscribe (RFC 8058): a notification e-mail carries both headers; GET shows
// the button and changes nothing; the one-click POST turns that kind off (shown on
// /v1/me), 200 without a redirect; other kinds still come; PATCH /v1/me turns it on.
func TestOneClickUnsubscribe(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "en")
	since := time.Now()
	reqID := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": ion.ID}), 201).JSON["requestId"].(string)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+reqID+"/accept", ion.Session, nil), 200)
	m := testenv.WaitMail(t, ana.Email, since) // contact_accepted: a notification e-mail
	match := unsubscribeLink.FindStringSubmatch(m.Headers["List-Unsubscribe"])
	if match == nil || match[1] != testenv.APIURL() || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("the notification's headers: %v", m.Headers)
	}
	tok := match[2]
	if !strings.Contains(m.Text, testenv.APIURL()+"/unsubscribe/"+tok) {
		t.Errorf("the footer lacks the unsubscribe link:\n%s", m.Text)
	}
	path := "/unsubscribe/" + tok
	muted := func() []any {
		t.Helper()
		return expect(t, call(t, "GET", "/v1/me", ana.Session, nil), 200).JSON["preferences"].(map[string]any)["mutedEmailKinds"].([]any)
	}
	for _, method := range []string{"GET", "HEAD", "GET"} {
		r := pageCall(t, method, path, "", "", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d", method, r.Status)
		}
		if method == "GET" && (!strings.Contains(r.Body, `name="List-Unsubscribe" value="One-Click"`) || !strings.Contains(r.Body, "accepted contact requests")) {
			t.Errorf("the page:\n%s", r.Body)
		}
	}
	if got := muted(); len(got) != 0 {
		t.Fatalf("opening the page unsubscribed: %v", got)
	}
	// A tampered token is unknown.
	bad := tok[:len(tok)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(tok, "AA")]
	if r := pageCall(t, "POST", "/unsubscribe/"+bad, formType, "List-Unsubscribe=One-Click", nil); r.Status != 404 {
		t.Errorf("a tampered token: %d", r.Status)
	}
	if r := pageCall(t, "POST", path, formType, "List-Unsubscribe=Yes", nil); r.Status != 400 {
		t.Errorf("a wrong one-click body: %d", r.Status)
	}
	r := pageCall(t, "POST", path, formType, "List-Unsubscribe=One-Click", nil)
	if r.Status != 200 || r.Header.Get("Location") != "" || !strings.Contains(r.Body, "no longer get e-mails") {
		t.Fatalf("one-click: %d %v\n%s", r.Status, r.Header, r.Body)
	}
	pageHeaders(t, r)
	if got := muted(); len(got) != 1 || got[0] != "contact_accepted" {
		t.Fatalf("mutedEmailKinds after one-click: %v", got)
	}
	// Again, and as multipart/form-data (RFC 8058's preferred form): 200, no change.
	mp := "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"
	if r := pageCall(t, "POST", path, "multipart/form-data; boundary=b", mp, nil); r.Status != 200 {
		t.Errorf("multipart one-click: %d\n%s", r.Status, r.Body)
	}
	if got := muted(); len(got) != 1 {
		t.Errorf("a second one-click: %v", got)
	}
	// That kind's notifications still show, without e-mail; other kinds still e-mail.
	eve := newTeacher(t, "Eve", "en")
	time.Sleep(1100 * time.Millisecond) // the mail store counts in whole seconds
	since = time.Now()
	id := expect(t, call(t, "POST", "/v1/contacts/requests", ana.Session, map[string]string{"memberId": eve.ID}), 201).JSON["requestId"].(string)
	expect(t, call(t, "POST", "/v1/contacts/requests/"+id+"/accept", eve.Session, nil), 200)
	dan := newTeacher(t, "Dan", "en")
	expect(t, call(t, "POST", "/v1/contacts/requests", dan.Session, map[string]string{"memberId": ana.ID}), 201)
	if n := settle(t, ana.Email, since, 1); n != 1 {
		t.Errorf("%d e-mails to Ana, want only the contact request's", n)
	}
	if k := notificationKinds(t, ana.Session, eve.ID); !contains(k, "contact_accepted") {
		t.Errorf("the muted kind's notification is gone: %v", k)
	}
	// The preference is the member's to change back, and only to known kinds.
	bad422 := expect(t, call(t, "PATCH", "/v1/me", ana.Session, map[string]any{"preferences": map[string]any{"mutedEmailKinds": []string{"contact_accepted", "nonsense"}}}), 422)
	if f := fieldsOf(bad422); len(f) != 1 || f[0] != "preferences.mutedEmailKinds.1" {
		t.Errorf("fields %v", f)
	}
	expect(t, call(t, "PATCH", "/v1/me", ana.Session, map[string]any{"preferences": map[string]any{"mutedEmailKinds": []string{}}}), 200)
	if got := muted(); len(got) != 0 {
		t.Errorf("after PATCH: %v", got)
	}
}

// E-mails a person asked for (registration, reset) carry no unsubscribe headers.
func TestAskedForMailHasNoUnsubscribe(t *testing.T) {
	since := time.Now()
	addr := unique("u") + "@example.org"
	preRegister(t, "Ana", unique("u."), addr, "en")
	m := testenv.WaitMail(t, addr, since)
	if len(m.Headers) != 0 || strings.Contains(m.Text, "/unsubscribe/") {
		t.Errorf("the registration e-mail: %v\n%s", m.Headers, m.Text)
	}
	a := newTeacher(t, "Ion", "en")
	since = time.Now()
	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": a.Email}), 202)
	m = testenv.WaitMail(t, a.Email, since)
	if len(m.Headers) != 0 || strings.Contains(m.Text, "/unsubscribe/") {
		t.Errorf("the reset e-mail: %v\n%s", m.Headers, m.Text)
	}
}

// A project the founder withdrew: its co-founder link says so (410). The co-founder's
// reminder carries a fresh link, which decides like the first.
func TestConfirmCofounderWithdrawnAndReminded(t *testing.T) {
	ana, jean := signUp(t, applicant{First: "Ana", Country: "RO"}), signUp(t, applicant{First: "Jean", Country: "FR"})
	makeContacts(t, ana.Session, jean.Session, jean.ID)

	since := time.Now()
	id := expect(t, call(t, "POST", "/v1/projects", ana.Session, projectBody(jean.ID)), 201).JSON["projectId"].(string)
	_, tok := decisionMail(t, jean.Email, "co-found", since)
	expect(t, call(t, "DELETE", "/v1/projects/"+id, ana.Session, nil), 204)
	r := pageCall(t, "GET", "/confirm/"+tok, "", "", nil)
	if r.Status != 410 || !strings.Contains(r.Body, "withdrawn or deleted") {
		t.Errorf("the link of a withdrawn project: %d\n%s", r.Status, r.Body)
	}
	if p := pageCall(t, "POST", "/confirm/"+tok, formType, form("approve"), nil); p.Status != 410 {
		t.Errorf("POST on a withdrawn project's link: %d", p.Status)
	}

	time.Sleep(1100 * time.Millisecond) // the mail store counts in whole seconds
	since = time.Now()
	id = expect(t, call(t, "POST", "/v1/projects", ana.Session, projectBody(jean.ID)), 201).JSON["projectId"].(string)
	_, first := decisionMail(t, jean.Email, "co-found", since)
	backdate(t, id, 8*24*time.Hour)
	time.Sleep(1100 * time.Millisecond) // the mail store counts in whole seconds
	since = time.Now()
	runReminders(t)
	_, fresh := decisionMail(t, jean.Email, "waiting for your decision", since)
	if fresh == first {
		t.Fatal("the reminder reuses the first link")
	}
	d := expect(t, call(t, "POST", "/v1/confirmations/"+fresh, "", map[string]string{"choice": "approve"}), 200)
	if d.JSON["outcome"] != "approve" {
		t.Errorf("the reminder's link: %s", d.Raw)
	}
	if s := expect(t, call(t, "GET", "/v1/projects/"+id, ana.Session, nil), 200).JSON["status"]; s != "awaiting_nso" {
		t.Errorf("after the reminder's link: %v", s)
	}
	// The first link now says the project was approved (through the other link).
	if g := expect(t, call(t, "GET", "/v1/confirmations/"+first, "", nil), 410); g.JSON["settled"] != "approved" {
		t.Errorf("the first link: %s", g.Raw)
	}
}
