// Command echo is a throwaway Lambda for the gateway's tests. It answers an HTTP API
// event with the event itself, and its query string steers it: sleep=<ms>, crash=1,
// fail=1, status=<code>, raw=1 (reply without statusCode), b64=1 (base64 reply body),
// small=1 (reply with the body's length only, not the event), cors=1 (reply with CORS
// headers of its own).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type reply struct {
	Event    json.RawMessage   `json:"event"`
	PID      int               `json:"pid"`
	Env      map[string]string `json:"env"`
	Deadline int64             `json:"deadlineMs"`
	Request  string            `json:"requestId"`
	ARN      string            `json:"arn"`
}

func main() {
	if os.Getenv("ECHO_EXIT_AT_INIT") == "1" {
		os.Exit(3)
	}
	// Like the real functions: SIGTERM handlers run when the sandbox is retired.
	lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM(func() {
		os.Stdout.WriteString("got SIGTERM\n")
	}))
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	r := reply{Event: raw, PID: os.Getpid(), Env: map[string]string{}}
	for _, k := range []string{"TABLE_NAME", "PARAM", "SUBBED", "EXTRA", "AWS_LAMBDA_FUNCTION_NAME",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_LAMBDA_LOG_FORMAT", "_HANDLER", "TZ"} {
		r.Env[k] = os.Getenv(k)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.Request = lc.AwsRequestID
		r.ARN = lc.InvokedFunctionArn
	}
	if d, ok := ctx.Deadline(); ok {
		r.Deadline = d.UnixMilli()
	}

	var ev events.APIGatewayV2HTTPRequest
	if json.Unmarshal(raw, &ev) != nil || ev.RouteKey == "" {
		return r, nil // not an HTTP event (a schedule, a direct invoke)
	}
	q := ev.QueryStringParameters
	os.Stdout.WriteString("handling " + ev.RouteKey + "\n")
	if ms, err := strconv.Atoi(q["sleep"]); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if q["crash"] == "1" {
		os.Exit(2)
	}
	if q["fail"] == "1" {
		return nil, errors.New("asked to fail")
	}
	if q["raw"] == "1" {
		return r, nil
	}
	if q["small"] == "1" {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: strconv.Itoa(len(ev.Body)),
			Headers: map[string]string{"Content-Type": "text/plain", "X-Pid": strconv.Itoa(os.Getpid())}}, nil
	}
	body, _ := json.Marshal(r)
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Echo": "yes"},
		Body:       string(body),
		Cookies:    []string{"a=1; Path=/", "b=2"},
	}
	if q["cors"] == "1" {
		resp.Headers["Access-Control-Allow-Origin"] = "*"
		resp.Headers["Access-Control-Expose-Headers"] = "X-From-Function"
	}
	if s, err := strconv.Atoi(q["status"]); err == nil {
		resp.StatusCode = s
	}
	if q["b64"] == "1" {
		resp.Headers["Content-Type"] = "application/octet-stream"
		resp.Body = base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})
		resp.IsBase64Encoded = true
	}
	return resp, nil
}
