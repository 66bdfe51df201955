package browser

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"etwin/infra/testenv"
)

// MailWait bounds the wait for an e-mail to show in the viewer: the outbox and the
// viewer's own polling (once a second) take a few seconds at most; a mail that comes
// ends the wait.
const MailWait = 60 * time.Second

// MailLink names an e-mail in the mail viewer and the link in it to click.
type MailLink struct {
	Subject   string // a part of the subject (required unless MessageID is set)
	To        string // when set, the e-mail must be addressed To this address (without case)
	MessageID string // when set, only the e-mail with this SES message id

	// The link: the first <a> whose href (as written, or resolved) starts with Href,
	// and whose text, trimmed, contains Text; either may be empty ("" and "": the
	// e-mail's first link).
	Href string
	Text string
}

func (l MailLink) String() string {
	s := "e-mail " + quote(l.Subject)
	if l.To != "" {
		s += " to " + l.To
	}
	if l.MessageID != "" {
		s += " (" + l.MessageID + ")"
	}
	return s
}

// OpenMailLink starts a browser for the test and clicks the link of the e-mail in the
// stack's mail viewer: Start(t).ClickMailLink(l).
func OpenMailLink(t testing.TB, l MailLink) *Page {
	t.Helper()
	return Start(t).ClickMailLink(l)
}

// ClickMailLink opens the mail viewer of the test's stack (testenv.SESURL()) in this
// tab, waits up to MailWait for the newest e-mail that l names, shows its HTML view
// (its "Toggle HTML view" button), and clicks l's link in it with the mouse.
//
// A link with a target (target="_blank", as the platform's e-mails have) opens a new
// tab: ClickMailLink waits for its document to load and returns that tab. Its first
// document loads before the harness can listen to the tab, so Status comes from the
// browser's Navigation Timing and Header fails for it; both work for the documents
// that follow (after ClickButton). A link without a target, or with _self, navigates
// the viewer's iframe: ClickMailLink waits for the iframe's new document and returns
// the viewer's tab (whose methods read the viewer, not the iframe). A link with _top or
// _parent navigates the viewer's tab: ClickMailLink returns it with the new document.
func (p *Page) ClickMailLink(l MailLink) *Page {
	p.t.Helper()
	if l.Subject == "" && l.MessageID == "" {
		p.t.Fatal("browser: ClickMailLink needs a Subject or a MessageID")
	}
	p.Navigate(testenv.SESURL() + "/")

	// The newest matching e-mail that has an HTML body; the viewer puts the newest first.
	findMail := fmt.Sprintf(`(() => {
		const subject = %s, to = %s.toLowerCase(), id = %s;
		const address = (s) => { const m = s.match(/<([^>]*)>\s*$/); return (m ? m[1] : s).trim().toLowerCase(); };
		for (const el of document.querySelectorAll('#content .email')) {
			const frame = el.querySelector('iframe[id$="-html-iframe"]');
			if (!frame) continue;
			const mid = frame.id.slice(0, -'-html-iframe'.length);
			let subj = null, tos = [];
			for (const p of el.querySelectorAll('.email-inner > p')) {
				const t = p.textContent;
				if (t.startsWith('Subject:')) subj = t.slice('Subject:'.length).trim();
				else if (t.startsWith('To:')) tos = t.slice('To:'.length).split(',').map(address);
			}
			if (subj === null || !subj.includes(subject)) continue;
			if (id && mid !== id) continue;
			if (to && !tos.includes(to)) continue;
			return mid;
		}
		return '';
	})()`, quote(l.Subject), quote(l.To), quote(l.MessageID))
	var id string
	pollFor(p.t, MailWait, l.String()+" in the mail viewer", func() (bool, error) {
		var err error
		id, err = chromedp.Run(p.ctx, chromedp.Evaluate[string](findMail))
		return err == nil && id != "", err
	}, func() string {
		seen, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll('#content .email .email-inner > p:first-of-type')].map(p => p.textContent.trim()).slice(0, 20).join(' | ')`))
		return "the viewer shows: " + seen
	})
	email := fmt.Sprintf(`document.getElementById(%s).closest('.email')`, quote(id+"-html-iframe"))
	frame := fmt.Sprintf(`document.getElementById(%s)`, quote(id+"-html-iframe"))

	// The e-mail slides in (a one-second animation that clips it): click once it ends.
	p.poll("end of the e-mail's animation", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](email+`.getAnimations().length === 0`))
	}, nil)
	htmlView := fmt.Sprintf(`document.getElementById(%s)`, quote(id+"-html"))
	if !eval[bool](p, htmlView+`.style.display !== 'none'`) {
		toggle := fmt.Sprintf(`[...%s.querySelectorAll('button')].find(b => b.textContent.trim() === 'Toggle HTML view')`, email)
		p.click(`"Toggle HTML view" of the `+l.String(), toggle, "")
		p.poll("HTML view of the "+l.String(), func() (bool, error) {
			return chromedp.Run(p.ctx, chromedp.Evaluate[bool](htmlView+`.style.display !== 'none'`))
		}, nil)
	}

	link := fmt.Sprintf(`[...%s.contentDocument.querySelectorAll('a[href]')].find(a =>
		(a.getAttribute('href').startsWith(%[2]s) || a.href.startsWith(%[2]s)) && a.textContent.trim().includes(%[3]s))`,
		frame, quote(l.Href), quote(l.Text))
	what := "link"
	if l.Href != "" {
		what += " to " + l.Href + "…"
	}
	if l.Text != "" {
		what += " " + quote(l.Text)
	}
	what += " in the " + l.String()
	var linkTarget string
	p.poll(what, func() (bool, error) {
		t, err := chromedp.Run(p.ctx, chromedp.Evaluate[*string](`(() => { const a = `+link+`; return a ? a.target : null; })()`))
		if t != nil {
			linkTarget = *t
		}
		return err == nil && t != nil, err
	}, func() string {
		links, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](frame+
			`.contentDocument ? [...`+frame+`.contentDocument.querySelectorAll('a')].map(a => a.getAttribute('href') + ' ' + JSON.stringify(a.textContent.trim())).join(', ') : 'no document'`))
		return "the e-mail's links: " + links
	})

	switch strings.ToLower(linkTarget) {
	case "", "_self":
		eval[bool](p, frame+`.contentWindow.__browserOld = true`)
		p.click(what, link, frame)
		p.poll("a new document in the viewer's iframe after clicking the "+what, func() (bool, error) {
			return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`(() => { try { const w = `+frame+`.contentWindow; return !w.__browserOld && w.document.readyState === 'complete'; } catch (e) { return true; } })()`))
		}, nil)
		return p
	case "_top", "_parent":
		p.mark()
		p.click(what, link, frame)
		p.waitNewDocument("after clicking the " + what)
		return p
	}

	// Another target: a new tab, which the click opens.
	ctx, cancel := context.WithTimeout(p.ctx, Wait)
	defer cancel()
	opened := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return info.Type == "page" })
	p.click(what, link, frame)
	var tab target.ID
	select {
	case id, ok := <-opened:
		if !ok {
			p.t.Fatalf("browser: no new tab after clicking the %s: %v", what, ctx.Err())
		}
		tab = id
	case <-ctx.Done():
		p.t.Fatalf("browser: no new tab within %s after clicking the %s", Wait, what)
	}
	return p.attach(tab)
}

// attach returns the tab with the target id, which this tab opened, once its first
// document loaded. The tab closes when the test ends.
func (p *Page) attach(id target.ID) *Page {
	p.t.Helper()
	np := &Page{t: p.t, frame: cdp.FrameID(id)}
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(id), chromedp.WithListener(np.record))
	p.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("browser: attaching to the new tab: %v", err)
	}
	np.ctx = ctx
	np.poll("first document in the new tab", func() (bool, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[bool](`location.href !== 'about:blank' && document.readyState === 'complete'`))
	}, func() string { return "the tab is at " + np.safeURL() })
	return np
}
