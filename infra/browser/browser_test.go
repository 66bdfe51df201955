package browser

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/chromedp/chromedp"

	"etwin/infra/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// landing is a page with a form whose button posts back to the same address, as a
// platform page opened from an e-mail would.
type landing struct {
	mu       sync.Mutex
	requests []string // "GET /page?x=1", "POST /page?x=1 x=1"
}

func (s *landing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/page" {
		http.NotFound(w, r) // the browser's /favicon.ico
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("X-Landing", "form")
		fmt.Fprintf(w, `<!doctype html><title>Landing</title><p>Please confirm %s.</p>
<form method="post"><input type="hidden" name="answer" value="yes"><button type="submit">Confirm</button></form>`,
			r.URL.Query().Get("x"))
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Landing", "done")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `<!doctype html><title>Done</title><p>Confirmed: answer=%s</p>`, r.PostForm.Get("answer"))
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	}
}

func sendMail(t *testing.T, to, subject, html string) {
	t.Helper()
	client := sesv2.New(sesv2.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(testenv.SESURL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	_, err := client.SendEmail(context.Background(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("no-reply@etwinning.local"),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject)},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String("Open the page.")},
				Html: &types.Content{Data: aws.String(html)},
			},
		}},
	})
	if err != nil {
		t.Fatal("send:", err)
	}
}

func TestMailLinkInNewTab(t *testing.T) {
	srv := &landing{}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	stamp := fmt.Sprint(time.Now().UnixNano())
	to := "browser-" + stamp + "@example.org"
	subject := "Browser harness " + stamp
	// A decoy first: same subject, another recipient, another link.
	sendMail(t, "other-"+stamp+"@example.org", subject, `<p><a href="`+ts.URL+`/page?x=decoy" target="_blank">Open</a></p>`)
	sendMail(t, "Ana Pop <"+strings.ToUpper(to)+">", subject,
		`<p>Hello,</p><p><a href="https://example.org/elsewhere">Elsewhere</a></p>`+
			`<p><a href="`+ts.URL+`/page?x=1" target="_blank">Open</a></p>`)

	page := OpenMailLink(t, MailLink{Subject: "harness " + stamp, To: to, Href: ts.URL + "/page"})

	if got := page.URL(); got != ts.URL+"/page?x=1" {
		t.Errorf("URL %s", got)
	}
	page.WaitText("Please confirm 1.")
	if got := page.Status(); got != http.StatusOK {
		t.Errorf("landing status %d", got)
	}

	page.ClickButton("Confirm")
	if text := page.WaitText("Confirmed: answer=yes"); strings.Contains(text, "Please confirm") {
		t.Errorf("after the button: %q", text)
	}
	if got := page.Status(); got != http.StatusAccepted {
		t.Errorf("POST status %d", got)
	}
	if got := page.Header().Get("X-Landing"); got != "done" {
		t.Errorf("X-Landing %q", got)
	}
	if got := page.URL(); got != ts.URL+"/page?x=1" {
		t.Errorf("URL after POST %s", got)
	}

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if want := []string{"GET /page?x=1", "POST /page?x=1"}; fmt.Sprint(srv.requests) != fmt.Sprint(want) {
		t.Errorf("the server got %q, want %q", srv.requests, want)
	}
}

// A link without a target opens in the viewer's iframe: ClickMailLink waits for the
// iframe's document and returns the viewer's tab.
func TestMailLinkInFrame(t *testing.T) {
	srv := &landing{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	stamp := fmt.Sprint(time.Now().UnixNano())
	to := "frame-" + stamp + "@example.org"
	sendMail(t, to, "Frame "+stamp, `<p><a href="`+ts.URL+`/page?x=2">Open here</a></p>`)

	page := OpenMailLink(t, MailLink{Subject: "Frame " + stamp, Text: "Open here"})
	if got := page.URL(); got != testenv.SESURL()+"/" {
		t.Errorf("URL %s, want the viewer", got)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if want := []string{"GET /page?x=2"}; fmt.Sprint(srv.requests) != fmt.Sprint(want) {
		t.Errorf("the server got %q, want %q", srv.requests, want)
	}
}

func TestExecPathFromEnv(t *testing.T) {
	t.Setenv("CHROME_PATH", "/opt/some/chrome")
	if got := ExecPath(); got != "/opt/some/chrome" {
		t.Errorf("ExecPath %q", got)
	}
}

// TestNoLeftovers: when a test ends, no process of its browser runs any more.
func TestNoLeftovers(t *testing.T) {
	var tree []int
	t.Run("browse", func(t *testing.T) {
		page := Start(t)
		ts := httptest.NewServer(&landing{})
		defer ts.Close()
		page.Navigate(ts.URL + "/page?x=3")
		page.WaitText("Please confirm 3.")
		tree = descendants(chromedp.FromContext(page.Context()).Browser.Process().Pid)
		if len(tree) < 3 { // the browser, its zygote, a renderer at least
			t.Fatalf("browser processes %v", tree)
		}
		t.Logf("the browser runs %d processes", len(tree))
	})
	var left []int
	for _, pid := range tree {
		if alive(pid) {
			left = append(left, pid)
		}
	}
	if len(left) > 0 {
		t.Errorf("of the ended browser's processes %v, these still run: %v", tree, left)
	}
}

// stat is a process's state and parent, from /proc/<pid>/stat ("pid (comm) S ppid ...").
func stat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return f[0][0], ppid, err == nil
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	state, _, ok := stat(pid)
	return ok && state != 'Z'
}

// descendants is pid and every live process below it.
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			if _, pp, ok := stat(p); ok && alive(p) {
				parent[p] = pp
			}
		}
	}
	tree := []int{pid}
	for grew := true; grew; {
		grew = false
		for p, pp := range parent {
			if slices.Contains(tree, pp) && !slices.Contains(tree, p) {
				tree = append(tree, p)
				grew = true
			}
		}
	}
	return tree
}
