// Package s3files is the object store of the TwinSpace files (files.Blobs) on S3:
// presigned PUTs and GETs, HeadObject and DeleteObject on one bucket. Only the file
// functions link it (their main.go hands New to app.UseBlobStore), so no other function
// pays for the S3 client's package init.
//
// The client is the SDK's, from the function's configuration: AWS_ENDPOINT_URL_S3 points
// it at the local S3 server, and S3_USE_PATH_STYLE=true (set locally) addresses the bucket
// in the path (http://127.0.0.1:8007/<bucket>/<key>), as a local server needs.
package s3files

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"etwin/shared/files"
)

// Store is files.Blobs on one S3 bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

// New is the store of bucket, its client built from cfg (once per container).
func New(cfg aws.Config, bucket string) files.Blobs {
	pathStyle := os.Getenv("S3_USE_PATH_STYLE") == "true"
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
	return &Store{client: c, presign: s3.NewPresignClient(c), bucket: bucket}
}

// PresignPut implements files.Blobs: Content-Type and Content-Length are signed headers
// (X-Amz-SignedHeaders), so S3 refuses a PUT of another type or length.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, expires time.Duration) (string, error) {
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(size)}, s3.WithPresignExpires(expires))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

// PresignGet implements files.Blobs: the download is offered as an attachment named name.
func (s *Store) PresignGet(ctx context.Context, key, name string, expires time.Duration) (string, error) {
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key),
		ResponseContentDisposition: aws.String(Attachment(name))}, s3.WithPresignExpires(expires))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

// Attachment is a Content-Disposition that downloads as name (RFC 6266: an ASCII
// fallback, and the UTF-8 name percent-encoded).
func Attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + strings.ReplaceAll(url.PathEscape(name), "+", "%2B")
}

// Head implements files.Blobs (HeadObject; IAM checks s3:GetObject for it).
func (s *Store) Head(ctx context.Context, key string) (files.Object, bool, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		var re interface{ HTTPStatusCode() int }
		var api smithy.APIError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound || errors.As(err, &api) && api.ErrorCode() == "NotFound" {
			return files.Object{}, false, nil
		}
		return files.Object{}, false, err
	}
	return files.Object{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		LastModified: aws.ToTime(out.LastModified)}, true, nil
}

// Delete implements files.Blobs (DeleteObject, which succeeds on an absent key).
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	return err
}
