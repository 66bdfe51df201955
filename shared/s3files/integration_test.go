package s3files_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/files"
	"etwin/shared/s3files"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func store(t *testing.T) files.Blobs {
	t.Helper()
	t.Setenv("S3_USE_PATH_STYLE", "true")
	cfg := aws.Config{Region: localstack.Region, BaseEndpoint: aws.String(testenv.S3URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return s3files.New(cfg, testenv.FilesBucket())
}

func do(t *testing.T, method, rawURL, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, got
}

// TestPresignedUploadAndDownload against the local S3 server: the SDK's presigned PUT
// works with plain net/http and binds the content type and length into the signature;
// the presigned GET returns the bytes as an attachment; Head sees the object; Delete
// removes it.
func TestPresignedUploadAndDownload(t *testing.T) {
	ctx := context.Background()
	s := store(t)
	key := files.Key("p-int", "f-"+time.Now().Format("150405.000000000"))
	content := []byte("a small PDF, as far as this test cares")

	if _, ok, err := s.Head(ctx, key); err != nil || ok {
		t.Fatalf("head before upload: %v %v", ok, err)
	}
	put, err := s.PresignPut(ctx, key, "application/pdf", int64(len(content)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(put)
	if err != nil {
		t.Fatal(err)
	}
	// The type and length are signed headers, and the URL expires.
	signed := strings.Split(u.Query().Get("X-Amz-SignedHeaders"), ";")
	for _, h := range []string{"content-length", "content-type", "host"} {
		if !slices.Contains(signed, h) {
			t.Errorf("X-Amz-SignedHeaders %v lacks %s", signed, h)
		}
	}
	if u.Query().Get("X-Amz-Expires") != "60" || !strings.HasSuffix(u.Path, "/"+testenv.FilesBucket()+"/"+key) {
		t.Errorf("presigned PUT %s: not path-style at the key, or not expiring in 60 s", put)
	}
	// Another type, or a longer body, is refused (the local server checks presigned
	// signatures as S3 does: infra/localstack/s3sig.go).
	if code, body := do(t, http.MethodPut, put, "text/html", content); code != http.StatusForbidden {
		t.Fatalf("PUT with another content type: %d %s", code, body)
	}
	if code, body := do(t, http.MethodPut, put, "application/pdf", append(content, " and more"...)); code != http.StatusForbidden {
		t.Fatalf("PUT of a larger body: %d %s", code, body)
	}
	if _, ok, err := s.Head(ctx, key); err != nil || ok {
		t.Fatalf("a refused PUT stored something: %v %v", ok, err)
	}
	if code, body := do(t, http.MethodPut, put, "application/pdf", content); code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, body)
	}
	obj, ok, err := s.Head(ctx, key)
	if err != nil || !ok || obj.Size != int64(len(content)) || obj.ContentType != "application/pdf" || obj.LastModified.IsZero() {
		t.Fatalf("head after upload: %+v %v %v", obj, ok, err)
	}

	get, err := s.PresignGet(ctx, key, "Élève report.pdf", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, get, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, content) {
		t.Fatalf("GET: %d %q", resp.StatusCode, got)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != s3files.Attachment("Élève report.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}

	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Head(ctx, key); err != nil || ok {
		t.Fatalf("head after delete: %v %v", ok, err)
	}
	if code, _ := do(t, http.MethodGet, get, "", nil); code != http.StatusNotFound {
		t.Fatalf("GET after delete: %d", code)
	}
	if err := s.Delete(ctx, key); err != nil { // deleting an absent key is no error
		t.Fatalf("second delete: %v", err)
	}
}

func TestAttachment(t *testing.T) {
	if got, want := s3files.Attachment(`Ana "x"/é.pdf`), `attachment; filename="Ana _x_/_.pdf"; filename*=UTF-8''Ana%20%22x%22%2F%C3%A9.pdf`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
