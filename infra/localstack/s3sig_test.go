package localstack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// verifyPresigned accepts the SDK's presigned PUT as it was signed, and refuses it with
// another type, another length, another key, or once expired.
func TestVerifyPresigned(t *testing.T) {
	presign := s3.NewPresignClient(NewS3Client("http://127.0.0.1:9"))
	req, err := presign.PresignPutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("projects/p-1/f é"),
		ContentType: aws.String("image/png"), ContentLength: aws.Int64(4)}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	build := func(url, typ string, length int64) *http.Request {
		r, err := http.NewRequest(http.MethodPut, url, strings.NewReader("body"))
		if err != nil {
			t.Fatal(err)
		}
		r.RequestURI = r.URL.RequestURI()
		r.Host = r.URL.Host
		r.Header.Set("Content-Type", typ)
		r.ContentLength = length
		return r
	}
	now := time.Now()
	for _, tc := range []struct {
		name string
		r    *http.Request
		at   time.Time
		want string
	}{
		{"as signed", build(req.URL, "image/png", 4), now, ""},
		{"another type", build(req.URL, "text/html", 4), now, "SignatureDoesNotMatch"},
		{"another length", build(req.URL, "image/png", 5), now, "SignatureDoesNotMatch"},
		{"another key", build(strings.Replace(req.URL, "f%20", "g%20", 1), "image/png", 4), now, "SignatureDoesNotMatch"},
		{"expired", build(req.URL, "image/png", 4), now.Add(2 * time.Minute), "AccessDenied"},
	} {
		if code, _ := verifyPresigned(tc.r, localSecret, tc.at); code != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, code, tc.want)
		}
	}
}
