package localstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v3"

	"etwin/infra/gateway"
)

// S3 is the local S3-compatible server (gofakes3, in this process): path-style
// addressing (http://127.0.0.1:<port>/<bucket>/<key>). It keeps its objects in a bbolt
// file when DataFile is given (make run: .local/s3.db), else in memory.
//
// gofakes3 v1.2.0 checks no signature; presignCheck (s3sig.go) in front of it verifies
// presigned URLs as S3 does, so a PUT with another Content-Type or Content-Length than
// signed is refused here too.
type S3 struct {
	URL string // e.g. http://127.0.0.1:8007 (AWS_ENDPOINT_URL_S3)

	srv   *http.Server
	close func() error
}

// StartS3 serves the local S3 on addr ("" means 127.0.0.1 on a free port); dataFile ""
// keeps everything in memory.
func StartS3(addr, dataFile string) (*S3, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var backend gofakes3.Backend
	closeBackend := func() error { return nil }
	if dataFile == "" {
		backend = s3mem.New()
	} else {
		if err := os.MkdirAll(filepath.Dir(dataFile), 0o755); err != nil {
			return nil, err
		}
		db, err := bolt.Open(dataFile, 0o600, &bolt.Options{Timeout: 2 * time.Second})
		if err != nil {
			return nil, fmt.Errorf("localstack: S3 data %s: %w", dataFile, err)
		}
		backend, closeBackend = s3bolt.New(db), db.Close
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		closeBackend()
		return nil, fmt.Errorf("localstack: S3 on %s: %w", addr, err)
	}
	faker := gofakes3.New(backend, gofakes3.WithoutVersioning(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	s := &S3{URL: "http://" + ln.Addr().String(), close: closeBackend,
		srv: &http.Server{Handler: presignCheck(faker.Server(), localSecret, time.Now), ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// Stop closes the server and its data file.
func (s *S3) Stop() error {
	if s == nil {
		return nil
	}
	err := s.srv.Close()
	if cerr := s.close(); err == nil {
		err = cerr
	}
	return err
}

// localSecret is the secret key of the local credentials (the gateway gives the
// functions local/local).
const localSecret = "local"

// NewS3Client returns an S3 client for a local endpoint: static credentials, the local
// region, path-style addressing.
func NewS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		UsePathStyle: true,
	})
}

// CreateBuckets creates every AWS::S3::Bucket of the template (by its local name,
// gateway.BucketName), unless it exists already.
func CreateBuckets(ctx context.Context, client *s3.Client, templatePath string) error {
	ids, err := resourcesOfType(templatePath, "AWS::S3::Bucket")
	if err != nil {
		return err
	}
	for _, id := range ids {
		name := gateway.BucketName(id)
		if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
			continue
		}
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			return fmt.Errorf("localstack: bucket %s (%s): %w", name, id, err)
		}
	}
	return nil
}

// resourcesOfType are the logical IDs of the template's resources of type typ, sorted.
func resourcesOfType(templatePath, typ string) ([]string, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Resources map[string]struct {
			Type string `yaml:"Type"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("localstack: %s: %w", templatePath, err)
	}
	var ids []string
	for id, res := range doc.Resources {
		if res.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}
