package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/ssmkey"
)

func startSSM(t *testing.T) *SSM {
	t.Helper()
	s, err := StartSSM("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// The SDK's own SSM client reads what the local SSM holds.
func TestSSMGetParameterWithTheSDK(t *testing.T) {
	s := startSSM(t)
	s.Put("/etwinning/test-key", "SecureString", "first")
	s.Put("/etwinning/test-key", "SecureString", "the clear value")
	s.Put("plain", "String", "not secret")
	c := NewSSMClient(s.URL)
	ctx := context.Background()

	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/etwinning/test-key"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Parameter
	if aws.ToString(p.Value) != "the clear value" || p.Type != types.ParameterTypeSecureString || p.Version != 2 ||
		aws.ToString(p.Name) != "/etwinning/test-key" || aws.ToString(p.ARN) != "arn:aws:ssm:eu-central-1:000000000000:parameter/etwinning/test-key" ||
		p.LastModifiedDate == nil || time.Since(*p.LastModifiedDate) > time.Minute {
		t.Errorf("parameter %+v (value %q)", p, aws.ToString(p.Value))
	}

	// Without decryption a SecureString is not given in clear.
	out, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/etwinning/test-key")})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(out.Parameter.Value); v == "" || strings.Contains(v, "clear") {
		t.Errorf("SecureString without decryption: %q", v)
	}

	// A plain String is; names without a slash and ARNs are names too.
	for _, name := range []string{"plain", "arn:aws:ssm:eu-central-1:000000000000:parameter/plain"} {
		out, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if aws.ToString(out.Parameter.Value) != "not secret" || out.Parameter.Type != types.ParameterTypeString {
			t.Errorf("%s: %+v", name, out.Parameter)
		}
	}

	// An unknown name is ParameterNotFound, as the SDK models it.
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/etwinning/nothing"), WithDecryption: aws.Bool(true)})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("unknown parameter: %v (%T)", err, err)
	}

	// Anything but GetParameter is refused in the AWS error shape.
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("x"), Value: aws.String("y")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
		t.Errorf("PutParameter: %v", err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("")})
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
		t.Errorf("empty name: %v", err)
	}
}

// The wire format, checked without the SDK: AWS JSON 1.1, errors with __type.
func TestSSMWire(t *testing.T) {
	s := startSSM(t)
	s.Put(CursorKeyParameter, "SecureString", "v")
	post := func(target, auth, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type %q", ct)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return resp.StatusCode, doc
	}
	signed := "AWS4-HMAC-SHA256 Credential=local/20260101/eu-central-1/ssm/aws4_request, SignedHeaders=host, Signature=00"
	status, doc := post("AmazonSSM.GetParameter", signed, `{"Name":"`+CursorKeyParameter+`","WithDecryption":true}`)
	if p, _ := doc["Parameter"].(map[string]any); status != 200 || p["Value"] != "v" || p["Type"] != "SecureString" || p["Version"] != 1.0 {
		t.Errorf("%d %v", status, doc)
	}
	for _, tc := range []struct{ target, auth, body, errType string }{
		{"AmazonSSM.GetParameter", "", `{"Name":"x"}`, "MissingAuthenticationTokenException"},
		{"AmazonSSM.GetParameter", signed, `{"Name":"/none","WithDecryption":true}`, "ParameterNotFound"},
		{"AmazonSSM.GetParameter", signed, `{"Name":`, "SerializationException"},
		{"AmazonSSM.GetParameter", signed, `{}`, "ValidationException"},
		{"AmazonSSM.DeleteParameter", signed, `{"Name":"x"}`, "UnknownOperationException"},
	} {
		status, doc := post(tc.target, tc.auth, tc.body)
		if status != 400 || doc["__type"] != tc.errType || doc["message"] == "" {
			t.Errorf("%s %s: %d %v, want 400 %s", tc.target, tc.body, status, doc, tc.errType)
		}
	}
}

// loadEnv is the environment of a function built by app.Load, pointed at the local SSM.
func loadEnv(t *testing.T, ssmURL string) {
	t.Helper()
	for k, v := range map[string]string{
		"TABLE_NAME": "t", "SENDER_ADDRESS": "", "PORTAL_URL": "",
		"AWS_REGION": Region, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_SSM": ssmURL,
		"CURSOR_KEY": "", "CURSOR_KEY_PARAMETER": "",
	} {
		t.Setenv(k, v)
	}
}

// opens reports whether a cursor signed by d's key opens with key.
func opens(t *testing.T, d *app.Deps, key string) bool {
	t.Helper()
	now := time.Now()
	c, err := d.Cursors.Encode("m-1", "pos", now)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	var pos string
	return cursor.New(key).Decode(c, "m-1", &pos, now) == nil && pos == "pos"
}

// Deps.LoadCursors (what Paging runs at init) reads the cursor key from the parameter CURSOR_KEY_PARAMETER names, with
// decryption, through the real SDK client; it refuses what it must not use.
func TestLoadReadsTheCursorKeyFromSSM(t *testing.T) {
	s := startSSM(t)
	key := NewCursorKey()
	if len(key) < 32 {
		t.Fatalf("NewCursorKey() = %q", key)
	}
	if other := NewCursorKey(); other == key {
		t.Fatal("NewCursorKey repeats itself")
	}
	s.Put(CursorKeyParameter, "SecureString", key)
	s.Put("/etwinning/plain", "String", NewCursorKey())
	s.Put("/etwinning/short", "SecureString", "too-short")
	loadEnv(t, s.URL)
	ctx := context.Background()
	load := func(ctx context.Context) (*app.Deps, error) {
		d, err := app.Load(ctx)
		if err != nil {
			return nil, err
		}
		d.ReadKey = ssmkey.Read
		return d, d.LoadCursors(ctx)
	}

	t.Setenv("CURSOR_KEY_PARAMETER", CursorKeyParameter)
	d, err := load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !opens(t, d, key) {
		t.Error("the cursors are not signed with the parameter's clear value")
	}

	for name, want := range map[string]string{
		"/etwinning/missing": "ParameterNotFound",
		"/etwinning/plain":   "must be a SecureString",
		"/etwinning/short":   "at least 32 characters",
	} {
		t.Setenv("CURSOR_KEY_PARAMETER", name)
		if _, err := load(ctx); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Load error %v, want %q", name, err, want)
		} else if strings.Contains(err.Error(), "too-short") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}

	// A plain CURSOR_KEY (tests, tools) wins, and SSM is not asked.
	s.Stop()
	t.Setenv("CURSOR_KEY_PARAMETER", CursorKeyParameter)
	own := strings.Repeat("k", 32)
	t.Setenv("CURSOR_KEY", own)
	if d, err = load(ctx); err != nil {
		t.Fatal(err)
	}
	if !opens(t, d, own) {
		t.Error("CURSOR_KEY is not the key")
	}

	// A parameter that cannot be read stops the function.
	t.Setenv("CURSOR_KEY", "")
	if _, err := load(ctx); err == nil {
		t.Error("Load succeeded with the SSM endpoint down")
	}

	// Neither: no key, and cursors fail closed.
	t.Setenv("CURSOR_KEY_PARAMETER", "")
	if d, err = load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Cursors.Encode("m-1", "pos", time.Now()); err == nil {
		t.Error("a function without a key signs cursors")
	}
}
