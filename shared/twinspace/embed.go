package twinspace

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"etwin/shared/school"
)

// Embeds in a page's body (docs/api.md "TwinSpace pages"). A body is plain text; a video
// is embedded by putting its link alone on a line (spaces around it allowed):
//
//   - YouTube: https://www.youtube.com/watch?v=ID, https://youtu.be/ID,
//     https://www.youtube.com/embed/ID (also youtube.com, m.youtube.com and
//     youtube-nocookie.com), ID 11 letters, digits, '-' or '_';
//   - Vimeo: https://vimeo.com/DIGITS, https://player.vimeo.com/video/DIGITS;
//   - a file of the same TwinSpace: /v1/projects/{projectId}/files/{fileId}, or an
//     https:// URL whose path is that (the API's host differs between stages).
//
// Refused (422 naming body, with the line): any http:// link anywhere in the body; a
// link alone on a line that is not https:// (a scheme-relative //host one, a javascript:,
// data: or vbscript: one);
// a YouTube or Vimeo link alone on a line that is not a video link of the shapes above,
// or with a user or port; a file link of another project, or with a malformed id; HTML
// embedding tags (<iframe>, <video>, <script>, ...), Markdown images (![alt](src)) and
// WordPress-style shortcodes ([embed], [video], [youtube], ...); more than MaxEmbeds
// embeds. Other https:// links (inline, or alone on a line but on another host) are
// plain text: no embed.
//
// Parsing is one pass over the body: every check looks at each byte a bounded number of
// times, and net/url parses each candidate link once.

// MaxEmbeds bounds the embeds of one page.
const MaxEmbeds = 50

// Embed kinds.
const (
	EmbedYouTube = "youtube"
	EmbedVimeo   = "vimeo"
	EmbedFile    = "file"
)

// Embed is a video (or TwinSpace file) a page's body shows.
type Embed struct {
	Kind string `json:"kind"`
	// ID is the YouTube or Vimeo video id, or the fileId.
	ID string `json:"id"`
	// URL is the link as the body has it (its line, trimmed).
	URL string `json:"url"`
	// EmbedURL is what a client shows: the player's address (YouTube's privacy-enhanced
	// youtube-nocookie.com, Vimeo's player), or the API path of the file (GET it for a
	// short-lived downloadUrl).
	EmbedURL string `json:"embedUrl"`
	// Line is the body's line (from 1) the link is on.
	Line int `json:"line"`
}

// ParseEmbeds returns the embeds of body, a page of projectID ("" accepts file links of
// any project: the syntax check alone), or an error saying the first refused line.
func ParseEmbeds(body, projectID string) ([]Embed, error) {
	var out []Embed
	for n, rest := 1, body; ; n++ {
		line := rest
		i := strings.IndexByte(rest, '\n')
		if i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		}
		e, err := parseLine(line, projectID)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s", n, err.Error())
		}
		if e != nil {
			if len(out) == MaxEmbeds {
				return nil, fmt.Errorf("line %d: a page embeds at most %d videos and files", n, MaxEmbeds)
			}
			e.Line = n
			out = append(out, *e)
		}
		if i < 0 {
			return out, nil
		}
	}
}

type lineError string

func (e lineError) Error() string { return string(e) }

// parseLine checks one line and returns its embed, if it is one.
func parseLine(line, projectID string) (*Embed, error) {
	if indexFold(line, "http://") >= 0 {
		return nil, lineError("http:// links are not allowed; use https://")
	}
	if tag := embedTag(line); tag != "" {
		return nil, lineError(fmt.Sprintf("%s is not allowed: put a video's https:// link alone on a line", tag))
	}
	t := strings.TrimSpace(line)
	if t == "" || strings.IndexFunc(t, unicode.IsSpace) >= 0 {
		return nil, nil // text (an inline link is text too)
	}
	for _, scheme := range []string{"javascript:", "data:", "vbscript:"} {
		if hasPrefixFold(t, scheme) {
			return nil, lineError(scheme + " links are not allowed")
		}
	}
	switch {
	case strings.HasPrefix(t, "/v1/"):
		u, err := url.Parse(t)
		if err != nil {
			return nil, lineError("is not a valid link")
		}
		return fileEmbed(t, u, projectID)
	case strings.HasPrefix(t, "//"): // scheme-relative: http on an http page
		return nil, lineError("a link alone on a line must start with https://")
	case !strings.Contains(t, "://"):
		return nil, nil
	}
	u, err := url.Parse(t)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return nil, lineError("is not a valid link")
	}
	if u.Scheme != "https" {
		return nil, lineError("a link alone on a line must start with https://")
	}
	host := strings.ToLower(u.Hostname())
	kind := ""
	switch host {
	case "youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "youtube-nocookie.com", "www.youtube-nocookie.com":
		kind = EmbedYouTube
	case "vimeo.com", "www.vimeo.com", "player.vimeo.com":
		kind = EmbedVimeo
	default:
		return fileEmbed(t, u, projectID)
	}
	if u.User != nil || u.Port() != "" {
		return nil, lineError("a video link takes no user name or port")
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if kind == EmbedYouTube {
		id := ""
		switch {
		case host == "youtu.be":
			id = strings.TrimPrefix(path, "/")
		case path == "/watch":
			if v := u.Query()["v"]; len(v) == 1 {
				id = v[0]
			}
		case strings.HasPrefix(path, "/embed/"):
			id = strings.TrimPrefix(path, "/embed/")
		}
		if !youTubeID(id) {
			return nil, lineError("is not a YouTube video link (youtube.com/watch?v=ID, youtu.be/ID or youtube.com/embed/ID, ID 11 letters, digits, - or _)")
		}
		return &Embed{Kind: EmbedYouTube, ID: id, URL: t, EmbedURL: "https://www.youtube-nocookie.com/embed/" + id}, nil
	}
	prefix := "/"
	if host == "player.vimeo.com" {
		prefix = "/video/"
	}
	id := ""
	if strings.HasPrefix(path, prefix) {
		id = path[len(prefix):]
	}
	if !vimeoID(id) {
		return nil, lineError("is not a Vimeo video link (vimeo.com/DIGITS or player.vimeo.com/video/DIGITS)")
	}
	return &Embed{Kind: EmbedVimeo, ID: id, URL: t, EmbedURL: "https://player.vimeo.com/video/" + id}, nil
}

// fileEmbed is the embed of a link whose path is /v1/projects/{projectId}/files/{fileId}
// (nil for any other path: plain text).
func fileEmbed(t string, u *url.URL, projectID string) (*Embed, error) {
	seg := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	if len(seg) != 5 || seg[0] != "v1" || seg[1] != "projects" || seg[3] != "files" {
		return nil, nil
	}
	if !school.ValidID(seg[2]) || !school.ValidID(seg[4]) {
		return nil, lineError("is not a file link (/v1/projects/{projectId}/files/{fileId})")
	}
	if projectID != "" && seg[2] != projectID {
		return nil, lineError("links to another project's file: only this TwinSpace's files can be embedded")
	}
	return &Embed{Kind: EmbedFile, ID: seg[4], URL: t, EmbedURL: "/v1/projects/" + seg[2] + "/files/" + seg[4]}, nil
}

func youTubeID(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func vimeoID(s string) bool {
	if len(s) == 0 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with prefix (ASCII, lower case), whatever the case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// indexFold is the first index of needle (ASCII, lower case, short) in s, whatever the
// case: at most len(needle) comparisons a byte.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if hasPrefixFold(s[i:], needle) {
			return i
		}
	}
	return -1
}

// embeddingTags are the HTML elements that embed or run something.
var embeddingTags = map[string]bool{
	"iframe": true, "frame": true, "frameset": true, "embed": true, "object": true, "applet": true,
	"video": true, "audio": true, "source": true, "track": true, "img": true, "picture": true,
	"svg": true, "script": true, "style": true, "link": true, "meta": true, "base": true, "portal": true,
}

// shortcodes are the [name ...] codes of blog engines that embed media.
var shortcodes = map[string]bool{
	"embed": true, "video": true, "audio": true, "youtube": true, "vimeo": true, "iframe": true, "playlist": true,
}

// embedTag names the first embedding syntax on the line ("" when none): an HTML
// embedding tag (<name followed by a space, '/', '>' or the line's end), a Markdown image
// (![ ... ]( ), a shortcode ([name followed by a space, ']' or '=').
func embedTag(line string) string {
	if i := strings.Index(line, "!["); i >= 0 && strings.Contains(line[i:], "](") {
		return "a Markdown image (![...](...))"
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != '<' && c != '[' {
			continue
		}
		var name [10]byte
		n, j := 0, i+1
		if c == '<' && j < len(line) && line[j] == '/' {
			j++
		}
		for ; j < len(line) && n < len(name) && isAlnum(line[j]); j++ {
			name[n] = lower(line[j])
			n++
		}
		if n == 0 || (j < len(line) && isAlnum(line[j])) {
			continue
		}
		end := j == len(line)
		switch s := string(name[:n]); {
		case c == '<' && embeddingTags[s] && (end || strings.IndexByte(" \t\r/>", line[j]) >= 0):
			return "an HTML <" + s + "> tag"
		case c == '[' && shortcodes[s] && (end || strings.IndexByte(" \t\r]=", line[j]) >= 0):
			return "a [" + s + "] shortcode"
		}
	}
	return ""
}
