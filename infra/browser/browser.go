// Package browser drives a real headless Chromium for end-to-end tests: a test opens
// the local mail viewer (aws-ses-v2-local's, at testenv.SESURL()), finds an e-mail,
// clicks its link with a real mouse click, and acts on the page that opens as a user
// would (read the text, press a button that submits a form, look at the URL, the
// HTTP status and the response headers).
//
//	page := browser.Start(t).ClickMailLink(browser.MailLink{
//		Subject: "Confirm your registration", To: "ana@example.org",
//		Href: "http://127.0.0.1:3000/portal/",
//	})
//	page.WaitText("Choose a password")
//	page.ClickButton("Confirm")
//	if page.Status() != 200 { ... }
//
// Start launches one browser per test (Chromium found as chromium, chromium-browser or
// google-chrome on PATH; CHROME_PATH overrides), headless, with the flags a root user
// in CI needs (--no-sandbox, --headless=new, --disable-gpu, --disable-dev-shm-usage).
// A missing browser fails the test, it does not skip it: `make tools` installs
// Debian's chromium. t.Cleanup closes the tabs and ends the browser with all its
// processes; the whole browser lives at most the test's deadline or [MaxLife].
//
// Every method fails the test (t.Fatal) on error, so a test reads as a list of steps.
// A [Page] belongs to one goroutine at a time. Page.Context gives the chromedp context
// of the tab for what the helpers do not cover.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// MaxLife bounds the life of a browser that Start launches, when the test has no
// earlier deadline (go test -timeout): a bound for a hung test, not a measure.
const MaxLife = 5 * time.Minute

// Wait bounds each wait of a helper (for a page to load, a text to show, a new tab to
// open); a wait that succeeds ends at once, so it is generous for a loaded machine.
// The wait for an e-mail to reach the viewer is MailWait.
const Wait = 30 * time.Second

// browserNames are the names Start looks for on PATH, in order.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ExecPath is the browser Start launches: $CHROME_PATH when set, else the first of
// chromium, chromium-browser, google-chrome, google-chrome-stable on PATH; "" if none.
func ExecPath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Page is one browser tab.
type Page struct {
	t   testing.TB
	ctx context.Context // the tab's chromedp context

	mu    sync.Mutex
	frame cdp.FrameID         // the tab's top frame (its target id)
	docs  []*network.Response // responses to the top frame's document requests, oldest first
}

// Start launches a headless browser for the test and returns its first tab, blank.
// The browser ends, with every process it started, when the test ends.
func Start(t testing.TB) *Page {
	t.Helper()
	path := ExecPath()
	if path == "" {
		t.Fatalf("browser: no Chromium: none of %s is on PATH and CHROME_PATH is not set; "+
			"`make tools` installs it (apt-get install chromium)", strings.Join(browserNames, ", "))
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("browser: %s: %v", path, err)
	}

	life := MaxLife
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok && time.Until(deadline)-5*time.Second < life {
			life = max(time.Until(deadline)-5*time.Second, time.Second)
		}
	}
	base, cancelLife := context.WithTimeout(context.Background(), life)

	out := &tailBuffer{max: 16 << 10}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1024),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	p := &Page{t: t}
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(p.record))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc() // waits for the browser's processes to end
		cancelLife()
		if t.Failed() && out.Len() > 0 {
			t.Logf("browser: the last output of %s:\n%s", path, out.String())
		}
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, opens the tab
		t.Fatalf("browser: starting %s: %v\n%s", path, err, out.String())
	}
	p.ctx = ctx
	p.setFrame(cdp.FrameID(chromedp.FromContext(ctx).Target.TargetID))
	return p
}

// Context is the tab's chromedp context, for chromedp actions the helpers do not
// cover (chromedp.Run(page.Context(), ...)).
func (p *Page) Context() context.Context { return p.ctx }

// Navigate opens url in the tab and waits for the document to load.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	p.mark()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(url)); err != nil {
		p.t.Fatalf("browser: navigate to %s: %v", url, err)
	}
	p.waitNewDocument("navigating to " + url)
}

// URL is the address of the tab's document.
func (p *Page) URL() string {
	p.t.Helper()
	return eval[string](p, `location.href`)
}

// Text is the text of the document's body as the user sees it (innerText).
func (p *Page) Text() string {
	p.t.Helper()
	return eval[string](p, `document.body ? document.body.innerText : ""`)
}

// WaitText waits until the body's text contains s and returns the text; the test fails
// if it does not within Wait.
func (p *Page) WaitText(s string) string {
	p.t.Helper()
	var text string
	p.poll("text "+quote(s)+" on the page", func() (bool, error) {
		var err error
		text, err = chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		return err == nil && strings.Contains(text, s), err
	}, func() string { return "the page " + p.safeURL() + " says:\n" + text })
	return text
}

// ClickButton clicks, with the mouse, the visible button (<button>, or an <input> of
// type submit or button) whose text, trimmed, is text, and waits for the new document
// it loads (a form's submission): the button must lead to a new document.
func (p *Page) ClickButton(text string) {
	p.t.Helper()
	find := fmt.Sprintf(`(() => {
		const want = %s;
		for (const b of document.querySelectorAll('button, input[type=submit], input[type=button]')) {
			const label = (b.tagName === 'INPUT' ? b.value : b.innerText).trim();
			if (label === want && b.getClientRects().length) return b;
		}
		return null;
	})()`, quote(text))
	var buttons string
	p.poll("button "+quote(text), func() (bool, error) {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](find+` !== null`))
		return ok, err
	}, func() string {
		buttons = eval[string](p, `[...document.querySelectorAll('button, input[type=submit], input[type=button]')].map(b => JSON.stringify((b.tagName === 'INPUT' ? b.value : b.innerText).trim())).join(', ')`)
		return "buttons on " + p.safeURL() + ": " + buttons
	})
	p.mark()
	p.click("button "+quote(text), find, "")
	p.waitNewDocument("after clicking " + quote(text))
}

// Status is the HTTP status of the response that brought the tab's document (0 for a
// document that came from no response, such as about:blank).
func (p *Page) Status() int {
	p.t.Helper()
	if r := p.response(); r != nil {
		return int(r.Status)
	}
	// The first document of a tab that a link opened loads before the harness can
	// listen to the tab; the browser's Navigation Timing entry has its status.
	return eval[int](p, `(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0`)
}

// Header is the response headers of the tab's document. The test fails when the
// harness did not see that response: the first document of a tab that a link opened
// can load before the harness attaches to the tab (see ClickMailLink).
func (p *Page) Header() http.Header {
	p.t.Helper()
	r := p.response()
	if r == nil {
		p.t.Fatalf("browser: the response for %s was not seen (a tab's first document can load before the harness listens to it)", p.safeURL())
	}
	h := http.Header{}
	for k, v := range r.Headers {
		// Chrome joins repeated headers with a new line.
		for _, line := range strings.Split(fmt.Sprint(v), "\n") {
			h.Add(k, line)
		}
	}
	return h
}

// response is the last response seen for the tab's top document whose URL is the
// document's (without the fragment), or nil.
func (p *Page) response() *network.Response {
	p.t.Helper()
	url, _, _ := strings.Cut(p.URL(), "#")
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.docs) - 1; i >= 0; i-- {
		if p.docs[i].URL == url {
			return p.docs[i]
		}
	}
	return nil
}

// record keeps the responses to the tab's top-frame document requests. It runs in
// the tab's event loop: it must return fast and run no command.
func (p *Page) record(ev any) {
	if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Type == network.ResourceTypeDocument {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.frame == "" || ev.FrameID == p.frame {
			p.docs = append(p.docs, ev.Response)
		}
	}
}

func (p *Page) setFrame(id cdp.FrameID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frame = id
}

// mark tags the current document, so that waitNewDocument sees when another replaced it.
func (p *Page) mark() {
	p.t.Helper()
	eval[bool](p, `window.__browserOld = true`)
}

// waitNewDocument waits until the document mark tagged is gone and its successor loaded.
func (p *Page) waitNewDocument(what string) {
	p.t.Helper()
	p.poll("a new document "+what, func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!window.__browserOld && document.readyState === 'complete'`))
	}, func() string { return "the tab is at " + p.safeURL() })
}

// poll calls check every 50 ms until it returns true, or fails the test after Wait
// with what and detail(). Errors of check (a document that is going away) are
// retried and reported only at the end.
func (p *Page) poll(what string, check func() (bool, error), detail func() string) {
	p.t.Helper()
	pollFor(p.t, Wait, what, check, detail)
}

func pollFor(t testing.TB, wait time.Duration, what string, check func() (bool, error), detail func() string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ok, err := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("browser: no %s within %s", what, wait)
			if err != nil {
				msg += fmt.Sprintf(" (last error: %v)", err)
			}
			if detail != nil {
				msg += "; " + detail()
			}
			t.Fatal(msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval evaluates a JavaScript expression in the tab's document and decodes its value.
func eval[T any](p *Page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("browser: evaluating %.80q: %v", expr, err)
	}
	return v
}

// safeURL is the tab's address for an error message, or why there is none.
func (p *Page) safeURL() string {
	u, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return u
}

// point is where a click lands, in the tab's viewport, and whether the element is there.
type point struct {
	X   float64 `json:"x"`
	Y   float64 `json:"y"`
	OK  bool    `json:"ok"`
	Why string  `json:"why"`
}

// click clicks, with a real mouse click, the element that the JavaScript expression
// find returns; frame, when not "", is an expression for the <iframe> the element is
// in. A capture-phase guard in the documents lets only a click on the element through,
// so a click that the page's layout moved (the viewer adds e-mails above the ones it
// shows) does nothing and is tried again.
func (p *Page) click(what, find, frame string) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, page.BringToFront, cdp.Empty{}); err != nil {
		p.t.Fatalf("browser: bringing the tab to the front: %v", err)
	}
	if frame == "" {
		frame = "null"
	}
	locate := fmt.Sprintf(`(() => {
		const el = %s, frame = %s;
		if (!el) return {ok: false, why: 'not found'};
		const top = window, inner = frame ? frame.contentWindow : window;
		const guard = (win) => {
			if (win.__browserGuard) return;
			win.__browserGuard = true;
			win.addEventListener('click', (e) => {
				const g = top.__browserWant;
				if (!g) return;
				if (g.el === e.target || g.el.contains(e.target)) { g.hits++; top.__browserWant = null; return; }
				e.preventDefault(); e.stopImmediatePropagation(); g.misses++;
			}, true);
		};
		guard(top); guard(inner);
		el.scrollIntoView({block: 'center', inline: 'center'});
		const r = el.getClientRects()[0];
		if (!r) return {ok: false, why: 'not displayed'};
		let x = r.left + Math.min(r.width / 2, 8), y = r.top + r.height / 2, ix = x, iy = y;
		if (frame) {
			const f = frame.getBoundingClientRect();
			x += f.left + frame.clientLeft; y += f.top + frame.clientTop;
			if (document.elementFromPoint(x, y) !== frame) return {ok: false, why: 'the frame is covered'};
		}
		const at = inner.document.elementFromPoint(ix, iy);
		if (!at || !(at === el || el.contains(at))) return {ok: false, why: 'covered by ' + (at ? at.outerHTML.slice(0, 80) : 'nothing')};
		top.__browserLast = top.__browserWant = {el, hits: 0, misses: 0};
		return {x, y, ok: true};
	})()`, find, frame)
	var last point
	for attempt := 0; attempt < 5; attempt++ {
		p.poll(what+" to click", func() (bool, error) {
			var err error
			last, err = chromedp.Run(p.ctx, chromedp.Evaluate[point](locate))
			return err == nil && last.OK, err
		}, func() string { return fmt.Sprintf("%s on %s: %s", what, p.safeURL(), last.Why) })
		if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(last.X, last.Y)); err != nil {
			p.t.Fatalf("browser: clicking %s: %v", what, err)
		}
		// A click that hit went through the guard (or its document went away: it
		// navigated); one that the guard stopped, or that reached neither document,
		// is tried again.
		g, err := chromedp.Run(p.ctx, chromedp.Evaluate[guardState](guardRead))
		if err != nil || g.Gone || g.Hits > 0 {
			return
		}
	}
	p.t.Fatalf("browser: 5 clicks on %s missed it", what)
}

// guardState is what the click guard saw of the last click.
type guardState struct {
	Hits   int  `json:"hits"`
	Misses int  `json:"misses"`
	Gone   bool `json:"gone"` // the document is a new one: the click navigated
}

const guardRead = `(() => { const g = window.__browserLast; return g ? {hits: g.hits, misses: g.misses, gone: false} : {hits: 0, misses: 0, gone: true}; })()`

// quote is s as a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tailBuffer keeps the last max bytes written to it (the browser's output).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
