package twinspace

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

const yt = "dQw4w9WgXcQ" // an 11-character YouTube id

func TestParseEmbeds(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []Embed // nil: no embeds
		bad        string  // a part of the error, "" when none
	}{
		{name: "plain text", body: "We met on Tuesday.\nIt went well."},
		{name: "empty", body: ""},
		{name: "watch", body: "Our video:\nhttps://www.youtube.com/watch?v=" + yt + "\nEnd.",
			want: []Embed{{Kind: "youtube", ID: yt, URL: "https://www.youtube.com/watch?v=" + yt, EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 2}}},
		{name: "watch with more parameters, spaces and CRLF", body: "a\r\n  https://youtube.com/watch?t=42&v=" + yt + "#x \r\nb",
			want: []Embed{{Kind: "youtube", ID: yt, URL: "https://youtube.com/watch?t=42&v=" + yt + "#x", EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 2}}},
		{name: "short link", body: "https://youtu.be/" + yt + "?t=3",
			want: []Embed{{Kind: "youtube", ID: yt, URL: "https://youtu.be/" + yt + "?t=3", EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 1}}},
		{name: "embed link, upper-case host", body: "https://WWW.YouTube.com/embed/" + yt,
			want: []Embed{{Kind: "youtube", ID: yt, URL: "https://WWW.YouTube.com/embed/" + yt, EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 1}}},
		{name: "mobile", body: "https://m.youtube.com/watch?v=" + yt,
			want: []Embed{{Kind: "youtube", ID: yt, URL: "https://m.youtube.com/watch?v=" + yt, EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 1}}},
		{name: "vimeo", body: "x\n\nhttps://vimeo.com/76979871",
			want: []Embed{{Kind: "vimeo", ID: "76979871", URL: "https://vimeo.com/76979871", EmbedURL: "https://player.vimeo.com/video/76979871", Line: 3}}},
		{name: "vimeo player", body: "\thttps://player.vimeo.com/video/123?h=abc",
			want: []Embed{{Kind: "vimeo", ID: "123", URL: "https://player.vimeo.com/video/123?h=abc", EmbedURL: "https://player.vimeo.com/video/123", Line: 1}}},
		{name: "file path", body: "/v1/projects/p-1/files/f-9",
			want: []Embed{{Kind: "file", ID: "f-9", URL: "/v1/projects/p-1/files/f-9", EmbedURL: "/v1/projects/p-1/files/f-9", Line: 1}}},
		{name: "file URL", body: "https://api.example.org/v1/projects/p-1/files/f-9",
			want: []Embed{{Kind: "file", ID: "f-9", URL: "https://api.example.org/v1/projects/p-1/files/f-9", EmbedURL: "/v1/projects/p-1/files/f-9", Line: 1}}},
		{name: "several", body: "https://youtu.be/" + yt + "\nhttps://vimeo.com/1\n/v1/projects/p-1/files/f-1",
			want: []Embed{
				{Kind: "youtube", ID: yt, URL: "https://youtu.be/" + yt, EmbedURL: "https://www.youtube-nocookie.com/embed/" + yt, Line: 1},
				{Kind: "vimeo", ID: "1", URL: "https://vimeo.com/1", EmbedURL: "https://player.vimeo.com/video/1", Line: 2},
				{Kind: "file", ID: "f-1", URL: "/v1/projects/p-1/files/f-1", EmbedURL: "/v1/projects/p-1/files/f-1", Line: 3}}},
		// text, not embeds
		{name: "inline link", body: "see https://youtu.be/" + yt + " today"},
		{name: "another host alone", body: "https://example.org/video.mp4"},
		{name: "another API path", body: "/v1/projects/p-1/pages/g-1"},
		{name: "a word with a colon", body: "Summary:\nnote:"},
		{name: "less-than in text", body: "3 < 4 and <b>bold</b> and <imgur> and [videos]"},
		{name: "brackets", body: "![not an image] and [embedding]"},
		// refused
		{name: "http link alone", body: "http://www.youtube.com/watch?v=" + yt, bad: "line 1: http:// links"},
		{name: "http link inline, upper case", body: "ok\nsee HTTP://example.org", bad: "line 2: http:// links"},
		{name: "iframe", body: `<iframe src="https://www.youtube.com/embed/` + yt + `"></iframe>`, bad: "<iframe>"},
		{name: "iframe upper case", body: "<IFRAME/src=x>", bad: "<iframe>"},
		{name: "script", body: "a\n<script>alert(1)</script>", bad: "line 2: an HTML <script>"},
		{name: "closing video tag", body: "</video", bad: "<video>"},
		{name: "markdown image", body: "![cat](https://example.org/cat.png)", bad: "Markdown image"},
		{name: "shortcode", body: "[embed]https://youtu.be/" + yt + "[/embed]", bad: "[embed] shortcode"},
		{name: "youtube shortcode", body: "[youtube id=1]", bad: "[youtube] shortcode"},
		{name: "ftp alone", body: "ftp://example.org/x", bad: "must start with https://"},
		{name: "javascript alone", body: "JavaScript:alert(1)", bad: "javascript: links"},
		{name: "data alone", body: "data:text/html,<b>", bad: "data: links"},
		{name: "scheme-relative", body: "//www.youtube.com/embed/" + yt, bad: "must start with https://"},
		{name: "youtube without id", body: "https://www.youtube.com/watch?v=", bad: "not a YouTube video link"},
		{name: "youtube short id", body: "https://youtu.be/abc", bad: "not a YouTube video link"},
		{name: "youtube long id", body: "https://youtu.be/" + yt + "x", bad: "not a YouTube video link"},
		{name: "youtube bad id characters", body: "https://youtu.be/dQw4w9WgX%3C", bad: "not a YouTube video link"},
		{name: "youtube two v", body: "https://www.youtube.com/watch?v=" + yt + "&v=" + yt, bad: "not a YouTube video link"},
		{name: "youtube channel", body: "https://www.youtube.com/@someone", bad: "not a YouTube video link"},
		{name: "youtube nested embed", body: "https://www.youtube.com/embed/" + yt + "/x", bad: "not a YouTube video link"},
		{name: "youtube user", body: "https://me@youtu.be/" + yt, bad: "no user name or port"},
		{name: "youtube port", body: "https://youtu.be:8443/" + yt, bad: "no user name or port"},
		{name: "vimeo letters", body: "https://vimeo.com/abc", bad: "not a Vimeo video link"},
		{name: "vimeo player without video", body: "https://player.vimeo.com/123", bad: "not a Vimeo video link"},
		{name: "vimeo too long", body: "https://vimeo.com/1234567890123", bad: "not a Vimeo video link"},
		{name: "bad URL", body: "https://%zz", bad: "not a valid link"},
		{name: "bad host", body: "https://[::1/x", bad: "not a valid link"},
		{name: "another project's file", body: "/v1/projects/p-2/files/f-1", bad: "another project's file"},
		{name: "another project's file as URL", body: "https://x.example/v1/projects/p-2/files/f-1", bad: "another project's file"},
		{name: "file with a bad id", body: "/v1/projects/p-1/files/%2e%2e", bad: "not a file link"},
		{name: "file with a dot-dot id", body: "/v1/projects/p-1/files/..", bad: "not a file link"},
		{name: "too many", body: strings.Repeat("https://vimeo.com/1\n", MaxEmbeds+1), bad: "at most 50"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseEmbeds(c.body, "p-1")
			if c.bad != "" {
				if err == nil || !strings.Contains(err.Error(), c.bad) {
					t.Fatalf("%q: %v (%+v), want an error with %q", c.body, err, got, c.bad)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", c.body, err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%q: %+v, want %+v", c.body, got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("%q: embed %d is %+v, want %+v", c.body, i, got[i], c.want[i])
				}
			}
		})
	}
	// without a project, file links of any project pass the syntax check
	if es, err := ParseEmbeds("/v1/projects/p-2/files/f-1", ""); err != nil || len(es) != 1 || es[0].ID != "f-1" {
		t.Fatalf("without a project: %+v %v", es, err)
	}
}

// Evil inputs: long bodies made to slow a parser down take about as long as plain text of
// the same size (the parse is linear), and never panic.
func TestParseEmbedsLinear(t *testing.T) {
	const size = 64 << 10
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	bodies := map[string]string{
		"plain":          fill("abcdefgh"),
		"angle brackets": fill("<"),
		"almost tags":    fill("<iframx"),
		"almost http":    fill("http:/"),
		"brackets":       fill("!["),
		"square":         fill("[embe"),
		"one long link":  "https://www.youtube.com/watch?" + fill("v=&"),
		"long path":      "https://youtu.be/" + fill("a/"),
		"long file path": "/v1/projects/p-1/files/" + fill("f"),
		"many lines":     fill("https://example.org/x\n"),
		"many embeds":    strings.Repeat("https://vimeo.com/1\n", MaxEmbeds) + fill("\n"),
		"percent":        "https://example.org/" + fill("%"),
		"colons":         fill(":/"),
	}
	base := timeParse(t, bodies["plain"])
	for name, b := range bodies {
		d := timeParse(t, b)
		t.Logf("%s: %v", name, d)
		if d > 50*base+20*time.Millisecond {
			t.Errorf("%s: %v, plain text %v", name, d, base)
		}
	}
}

func timeParse(t *testing.T, body string) time.Duration {
	t.Helper()
	best := time.Duration(1 << 62)
	for i := 0; i < 3; i++ {
		start := time.Now()
		_, _ = ParseEmbeds(body, "p-1")
		best = min(best, time.Since(start))
	}
	return best
}

func TestPagePatchValidate(t *testing.T) {
	v, s := func(n int) *int { return &n }, func(x string) *string { return &x }
	for _, c := range []struct {
		in   PagePatch
		want []string
	}{
		{PagePatch{}, []string{"version", "body"}},
		{PagePatch{Version: v(-1), Title: s(" ")}, []string{"version", "title"}},
		{PagePatch{Version: v(1), Body: s("http://x")}, []string{"body"}},
		{PagePatch{Title: s(strings.Repeat("x", MaxPageTitle+1)), Body: s("<iframe>")}, []string{"version", "title", "body"}},
		{PagePatch{Version: v(0), Body: s("")}, []string{"body"}},
	} {
		got := fieldsOf(c.in.Validate())
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%+v: %v, want %v", c.in, got, c.want)
		}
	}
	for _, in := range []PagePatch{{Version: v(0), Title: s("T")}, {Version: v(3), Body: s("https://youtu.be/" + yt)}} {
		if err := in.Validate(); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	p := PagePatch{Version: v(1), Body: s("/v1/projects/p-2/files/f-1")}
	if err := p.Validate(); err != nil {
		t.Errorf("syntax alone: %v", err)
	}
	if got := fieldsOf(p.ValidateFor("p-1")); len(got) != 1 || got[0] != "body" {
		t.Errorf("another project's file: %v", got)
	}
	if got := fieldsOf((&PageInput{Title: "t", Body: "/v1/projects/p-2/files/f-1"}).ValidateFor("p-1")); len(got) != 1 || got[0] != "body" {
		t.Errorf("POST, another project's file: %v", got)
	}
}

func TestPageApply(t *testing.T) {
	v, s := func(n int) *int { return &n }, func(x string) *string { return &x }
	pg := Page{PageID: "g-1", Title: "Old", Body: "b", Version: 2, CreatedAt: now, UpdatedAt: now}
	later := now.Add(time.Hour)
	got, err := pg.Apply(PagePatch{Version: v(2), Title: s("  New  ")}, later)
	if err != nil || got.Title != "New" || got.Body != "b" || !got.UpdatedAt.Equal(later) || got.Version != 2 || !got.CreatedAt.Equal(now) {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := pg.Apply(PagePatch{Version: v(1), Body: s("x")}, later); status(err) != 409 || fieldsOf(err)[0] != "version" {
		t.Fatalf("stale: %v", err)
	}
	if pg.Title != "Old" {
		t.Fatal("Apply changed the original")
	}
}

func TestPageViewOf(t *testing.T) {
	v := PageViewOf(Page{Body: "https://vimeo.com/7"}, "p-1")
	if len(v.Embeds) != 1 || v.Embeds[0].ID != "7" {
		t.Fatalf("%+v", v)
	}
	if v := PageViewOf(Page{Body: "an old http://x body"}, "p-1"); v.Embeds == nil || len(v.Embeds) != 0 {
		t.Fatalf("a body the rules refuse: %+v", v)
	}
	if v := PageViewOf(Page{Body: "text"}, "p-1"); v.Embeds == nil {
		t.Fatal("embeds must be [] when none")
	}
}

// FuzzParseEmbeds: the parser never panics, takes any input, and what it returns holds:
// embeds in line order, of the three kinds, each a line of the body as written, https or
// the file path; a file embed of the project only.
func FuzzParseEmbeds(f *testing.F) {
	for _, s := range []string{"", "a\nhttps://youtu.be/" + yt, "https://www.youtube.com/watch?v=" + yt + "&v=",
		"https://vimeo.com/1\r\n/v1/projects/p-1/files/f", "<iframe", "![a](b)", "[embed]", "https://x/v1/projects/p-1/files/f-1",
		"http://", "https://%", "https://[", "\xff\xfe", "https://youtu.be/\u00a0" + yt} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		es, err := ParseEmbeds(body, "p-1")
		if err != nil {
			if es != nil || !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("%q: %+v %v", body, es, err)
			}
			return
		}
		lines := strings.Split(body, "\n")
		last := 0
		for _, e := range es {
			if e.Line <= last || e.Line > len(lines) || strings.TrimSpace(lines[e.Line-1]) != e.URL {
				t.Fatalf("%q: %+v", body, e)
			}
			last = e.Line
			switch e.Kind {
			case EmbedYouTube, EmbedVimeo:
				if !strings.HasPrefix(e.EmbedURL, "https://") || !strings.HasSuffix(e.EmbedURL, "/"+e.ID) || !strings.HasPrefix(strings.ToLower(e.URL), "https://") {
					t.Fatalf("%q: %+v", body, e)
				}
			case EmbedFile:
				if e.EmbedURL != "/v1/projects/p-1/files/"+e.ID {
					t.Fatalf("%q: %+v", body, e)
				}
			default:
				t.Fatalf("%q: kind %q", body, e.Kind)
			}
		}
		if len(es) > MaxEmbeds || (utf8.ValidString(body) && strings.Contains(strings.ToLower(body), "http://")) {
			t.Fatalf("%q: accepted", body)
		}
	})
}

// FuzzDecodePagePatch: the PATCH decoder with validation never panics and refuses with a
// 4xx naming a field; what it accepts has a version and something to change.
func FuzzDecodePagePatch(f *testing.F) {
	f.Add(`{"version":1,"title":"t"}`)
	f.Add(`{"version":0,"body":"https://youtu.be/` + yt + `"}`)
	f.Add(`{"version":1.5,"body":"x"}`)
	f.Add(`{"version":null,"title":null}`)
	f.Add(`{"version":1,"body":"<iframe src=x>"}`)
	f.Add(`{"version":-1,"title":"","body":"http://x"}`)
	f.Add(`{"version":99999999999999999999,"title":"t"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var p PagePatch
		err := httpapi.DecodeBytes([]byte(body), &p)
		if err == nil {
			err = p.ValidateFor("p-1")
		}
		if err == nil {
			if p.Version == nil || *p.Version < 0 || (p.Title == nil && p.Body == nil) {
				t.Fatalf("%q accepted: %+v", body, p)
			}
			return
		}
		e, ok := apperr.As(err)
		if !ok || e.Status < 400 || e.Status > 499 || (e.Status != 413 && len(e.Fields) == 0) {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

// fieldsOf names the fields of a 4xx problem.
func fieldsOf(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}
