package localstack

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// CursorKeyParameter is the SecureString parameter that holds the list-cursor signing key
// in every local stack (the template's CursorKeyParameterName, see LocalParameters).
const CursorKeyParameter = "/etwinning/cursor-key"

// UnsubscribeKeyParameter holds the key that signs one-click unsubscribe links (the
// template's UnsubscribeKeyParameterName), random in every local stack.
const UnsubscribeKeyParameter = "/etwinning/unsubscribe-key"

// localAccount is the account id in the ARNs the local services answer with.
const localAccount = "000000000000"

// SSM is a local stand-in for the part of AWS Systems Manager Parameter Store that the
// functions use: GetParameter, in the AWS JSON 1.1 protocol the SDK speaks (a POST to /
// with X-Amz-Target: AmazonSSM.GetParameter). It runs in this process; its parameters are
// set with Put. SecureString values are only given in clear when WithDecryption is true,
// as in AWS (otherwise an opaque stand-in for the ciphertext is).
type SSM struct {
	// URL is the endpoint, e.g. http://127.0.0.1:8006 (AWS_ENDPOINT_URL_SSM).
	URL string

	srv    *http.Server
	mu     sync.RWMutex
	params map[string]ssmParameter
}

type ssmParameter struct {
	Type     string
	Value    string
	Version  int64
	Modified time.Time
}

// StartSSM serves the local SSM on addr ("" means 127.0.0.1 on a free port).
func StartSSM(addr string) (*SSM, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localstack: SSM on %s: %w", addr, err)
	}
	s := &SSM{URL: "http://" + ln.Addr().String(), params: map[string]ssmParameter{}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Stop closes the server.
func (s *SSM) Stop() error { return s.srv.Close() }

// Put stores (or overwrites, with the next version) a parameter of type String,
// StringList or SecureString.
func (s *SSM) Put(name, typ, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.params[name]
	s.params[name] = ssmParameter{Type: typ, Value: value, Version: p.Version + 1, Modified: time.Now().UTC()}
}

// NewCursorKey returns a fresh random signing key: 32 random bytes, hex-encoded.
func NewCursorKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewSSMClient returns an SSM client for a local endpoint, with static credentials and
// the local region.
func NewSSMClient(endpoint string) *ssm.Client {
	return ssm.New(ssm.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// ssmError is the AWS JSON 1.x error document.
type ssmError struct {
	status int
	Type   string `json:"__type"`
	Msg    string `json:"message"`
}

func (s *SSM) serve(w http.ResponseWriter, r *http.Request) {
	out, err := s.answer(r)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	if err != nil {
		w.Header().Set("X-Amzn-Errortype", err.Type)
		w.WriteHeader(err.status)
		json.NewEncoder(w).Encode(err)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func (s *SSM) answer(r *http.Request) (any, *ssmError) {
	bad := func(status int, typ, format string, args ...any) *ssmError {
		return &ssmError{status: status, Type: typ, Msg: fmt.Sprintf(format, args...)}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return nil, bad(http.StatusNotFound, "UnknownOperationException", "%s %s is not an operation", r.Method, r.URL.Path)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		return nil, bad(http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSSM.")
	if !ok || op != "GetParameter" {
		return nil, bad(http.StatusBadRequest, "UnknownOperationException", "the local SSM only answers AmazonSSM.GetParameter, not %q", target)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, bad(http.StatusBadRequest, "SerializationException", "%v", err)
	}
	var in struct {
		Name           *string
		WithDecryption *bool
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, bad(http.StatusBadRequest, "SerializationException", "%v", err)
	}
	if in.Name == nil || *in.Name == "" || len(*in.Name) > 2048 {
		return nil, bad(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048")
	}
	// A name, or its ARN: arn:aws:ssm:<region>:<account>:parameter/<name>, where a name
	// that starts with a slash keeps just that one.
	candidates := []string{*in.Name}
	if rest, ok := strings.CutPrefix(*in.Name, "arn:aws:ssm:"+Region+":"+localAccount+":parameter/"); ok {
		candidates = []string{"/" + rest, rest}
	}
	var p ssmParameter
	var name string
	found := false
	s.mu.RLock()
	for _, name = range candidates {
		if p, found = s.params[name]; found {
			break
		}
	}
	s.mu.RUnlock()
	if !found {
		return nil, bad(http.StatusBadRequest, "ParameterNotFound", "Parameter %s not found.", *in.Name)
	}
	value := p.Value
	if p.Type == "SecureString" && (in.WithDecryption == nil || !*in.WithDecryption) {
		sum := sha256.Sum256([]byte("kms:" + p.Value)) // stands for the ciphertext
		value = base64.StdEncoding.EncodeToString(sum[:])
	}
	return map[string]any{"Parameter": map[string]any{
		"ARN":              "arn:aws:ssm:" + Region + ":" + localAccount + ":parameter/" + strings.TrimPrefix(name, "/"),
		"DataType":         "text",
		"LastModifiedDate": float64(p.Modified.UnixMilli()) / 1000,
		"Name":             name,
		"Type":             p.Type,
		"Value":            value,
		"Version":          p.Version,
	}}, nil
}

func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
