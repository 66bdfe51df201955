// Command streamfn is a throwaway Lambda for the gateway's stream tests. It takes a
// DynamoDB Streams event and writes, to $STREAMFN_LOG_DIR/<function name>.jsonl, one
// line when an invocation starts (with the raw event) and one when it ends. The
// records' NewImage steers it: sleepMs (N) sleeps that long, poison (any value) fails
// the whole invocation, failTimes (N) reports the record in batchItemFailures on its
// first N deliveries (counted from the log, so across instances).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Line is one line of the log.
type Line struct {
	Phase   string          `json:"phase"` // start or done
	PID     int             `json:"pid"`
	Request string          `json:"requestId"`
	Keys    []string        `json:"keys"` // the records' PK, in order
	Seqs    []string        `json:"seqs"` // their sequence numbers
	Event   json.RawMessage `json:"event,omitempty"`
	Outcome string          `json:"outcome,omitempty"` // ok, partial or error
	Failed  []string        `json:"failed,omitempty"`  // keys reported in batchItemFailures
}

func main() {
	lambda.Start(handle)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	logPath := filepath.Join(os.Getenv("STREAMFN_LOG_DIR"), os.Getenv("AWS_LAMBDA_FUNCTION_NAME")+".jsonl")
	seen := deliveries(logPath)

	line := Line{Phase: "start", PID: os.Getpid(), Event: raw}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		line.Request = lc.AwsRequestID
	}
	var sleep time.Duration
	poison := false
	var failures []events.DynamoDBBatchItemFailure
	var failed []string
	for _, r := range ev.Records {
		img := r.Change.NewImage
		key := r.Change.Keys["PK"].String()
		line.Keys = append(line.Keys, key)
		line.Seqs = append(line.Seqs, r.Change.SequenceNumber)
		if v, ok := img["sleepMs"]; ok {
			ms, _ := strconv.Atoi(v.Number())
			sleep = max(sleep, time.Duration(ms)*time.Millisecond)
		}
		if _, ok := img["poison"]; ok {
			poison = true
		}
		if v, ok := img["failTimes"]; ok {
			n, _ := strconv.Atoi(v.Number())
			if seen[key] < n {
				failures = append(failures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
				failed = append(failed, key)
			}
		}
	}
	write(logPath, line)
	time.Sleep(sleep)

	done := Line{Phase: "done", PID: line.PID, Request: line.Request, Keys: line.Keys, Seqs: line.Seqs, Outcome: "ok"}
	switch {
	case poison:
		done.Outcome = "error"
		write(logPath, done)
		return nil, errors.New("a poison record")
	case len(failures) > 0:
		done.Outcome, done.Failed = "partial", failed
	}
	write(logPath, done)
	return events.DynamoDBEventResponse{BatchItemFailures: failures}, nil
}

// deliveries counts, by key, the invocations that started with the record so far.
func deliveries(path string) map[string]int {
	seen := map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return seen
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l Line
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Phase == "start" {
			for _, k := range l.Keys {
				seen[k]++
			}
		}
	}
	return seen
}

func write(path string, l Line) {
	data, _ := json.Marshal(l)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if _, err := f.Write(append(data, '\n')); err != nil {
		panic(err)
	}
}
