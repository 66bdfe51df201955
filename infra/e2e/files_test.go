package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"etwin/shared/project"
)

// putBytes PUTs body to a presigned URL with plain net/http, as a browser would.
func putBytes(t *testing.T, rawURL, contentType string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestTwinSpaceFiles(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	c, stranger := tsTeacher(t, "Carla", "RO"), tsTeacher(t, "Dan", "IT")
	pid := tsProject(t, a, b, project.Approved)
	tsContacts(t, a, c)
	expect(t, call(t, "POST", "/v1/projects/"+pid+"/members", a.Session, map[string]string{"memberId": c.ID}), 201)
	files := "/v1/projects/" + pid + "/files"
	content := []byte("%PDF-1.4 our class newsletter")

	// An administrator declares the file and gets an upload URL.
	r := expect(t, call(t, "POST", files, a.Session, map[string]any{"name": "newsletter.pdf", "contentType": "application/pdf", "size": len(content)}), 201)
	fileID, uploadURL := r.JSON["fileId"].(string), r.JSON["uploadUrl"].(string)
	u, err := url.Parse(uploadURL)
	if err != nil || fileID == "" {
		t.Fatalf("created: %s", r.Raw)
	}
	if !strings.Contains(u.Path, "/projects/"+pid+"/"+fileID) {
		t.Fatalf("upload URL %s is not at projects/<projectId>/<fileId>", uploadURL)
	}
	signed := strings.Split(u.Query().Get("X-Amz-SignedHeaders"), ";")
	for _, h := range []string{"content-length", "content-type", "host"} {
		if !slices.Contains(signed, h) {
			t.Errorf("upload URL signs %v, not %s", signed, h)
		}
	}

	// Before the upload, the file is not listed, and cannot be read.
	if got := items(expect(t, call(t, "GET", files, b.Session, nil), 200)); len(got) != 0 {
		t.Fatalf("pending file listed: %v", got)
	}
	expect(t, call(t, "GET", files+"/"+fileID, b.Session, nil), 404)

	// The bytes go straight to storage, then partners list and download them.
	if code := putBytes(t, uploadURL, "application/pdf", content); code != 200 {
		t.Fatalf("PUT to the upload URL: %d", code)
	}
	list := items(expect(t, call(t, "GET", files, c.Session, nil), 200))
	if len(list) != 1 || list[0]["fileId"] != fileID || list[0]["name"] != "newsletter.pdf" || list[0]["uploadedBy"] != a.ID ||
		list[0]["size"] != float64(len(content)) || list[0]["contentType"] != "application/pdf" {
		t.Fatalf("list: %v", list)
	}
	r = expect(t, call(t, "GET", files+"/"+fileID, c.Session, nil), 200)
	downloadURL := r.JSON["downloadUrl"].(string)
	resp, err := http.Get(downloadURL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, content) {
		t.Fatalf("download: %d %q", resp.StatusCode, got)
	}

	// Rights: a member may not upload or delete (403), a stranger sees nothing (404),
	// nobody anonymous (401).
	body := map[string]any{"name": "x.png", "contentType": "image/png", "size": 10}
	expect(t, call(t, "POST", files, c.Session, body), 403)
	expect(t, call(t, "DELETE", files+"/"+fileID, c.Session, nil), 403)
	for _, p := range []string{files, files + "/" + fileID} {
		expect(t, call(t, "GET", p, stranger.Session, nil), 404)
		expect(t, call(t, "GET", p, "", nil), 401)
	}
	expect(t, call(t, "DELETE", files+"/"+fileID, stranger.Session, nil), 404)
	expect(t, call(t, "POST", files, stranger.Session, body), 404)

	// Bad input: every bad field is named.
	for _, tc := range []struct {
		body   map[string]any
		fields []string
	}{
		{map[string]any{"contentType": "image/png", "size": 10}, []string{"name"}},
		{map[string]any{"name": "a.png", "contentType": "image/png", "size": 0}, []string{"size"}},
		{map[string]any{"name": "a.mp4", "contentType": "video/mp4", "size": 100<<20 + 1}, []string{"size"}},
		{map[string]any{"name": "a.exe", "contentType": "application/x-msdownload", "size": 10}, []string{"contentType"}},
		{map[string]any{"name": "", "contentType": "text/html", "size": -1}, []string{"contentType", "name", "size"}},
	} {
		r := call(t, "POST", files, a.Session, tc.body)
		if r.Status != 422 || !slices.Equal(slices.Sorted(slices.Values(fieldsOf(r))), tc.fields) {
			t.Errorf("%v: %d %s (want 422 naming %v)", tc.body, r.Status, r.Raw, tc.fields)
		}
	}
	r = call(t, "POST", files, a.Session, map[string]any{"name": "a.png", "contentType": "image/png", "size": 1, "public": true})
	if r.Status/100 != 4 || !slices.Contains(fieldsOf(r), "public") {
		t.Errorf("unknown field: %d %s", r.Status, r.Raw)
	}

	// An administrator deletes it: the entry and the bytes go.
	expect(t, call(t, "DELETE", files+"/"+fileID, b.Session, nil), 204)
	expect(t, call(t, "GET", files+"/"+fileID, a.Session, nil), 404)
	if got := items(expect(t, call(t, "GET", files, a.Session, nil), 200)); len(got) != 0 {
		t.Fatalf("deleted file listed: %v", got)
	}
	if resp, err = http.Get(downloadURL); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("the deleted object still downloads: %d", resp.StatusCode)
	}
}

// A closed project's files stay readable; uploads and deletes are refused (409).
func TestTwinSpaceFilesClosedProject(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	pid := tsProject(t, a, b, project.Closed)
	files := "/v1/projects/" + pid + "/files"
	expect(t, call(t, "POST", files, a.Session, map[string]any{"name": "a.png", "contentType": "image/png", "size": 10}), 409)
	expect(t, call(t, "GET", files, b.Session, nil), 200)
	expect(t, call(t, "DELETE", files+"/f-none", a.Session, nil), 409)
}
