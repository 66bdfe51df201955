package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// This file is the local event source mapping for DynamoDB Streams: for each DynamoDB
// event of a function, a poller reads the table's stream in DynamoDB Local (same
// endpoint, DynamoDB Streams API) shard by shard, filters and batches the records
// and invokes the function with the event Lambda sends, one batch in flight per
// shard, records in order. Outcomes are handled as Lambda documents them
// (streambatch.go); what is given up goes to the on-failure destination, which is
// kept locally (DeadLetters).
//
// Where it differs from AWS, on purpose: checkpoints live in memory (a restarted
// gateway starts again from StartingPosition); a retry waits a short backoff,
// retryBackoffMin doubling to retryBackoffMax, so tests stay short; the on-failure
// records go to an in-memory store (and a JSON-lines file) instead of SQS.

// Timing of the pollers.
const (
	pollInterval    = 250 * time.Millisecond // GetRecords about 4 times a second per shard, as Lambda
	shardRefresh    = 5 * time.Second        // DescribeStream again to find new shards
	streamWait      = time.Second            // between attempts to find the table's stream
	retryBackoffMin = 200 * time.Millisecond
	retryBackoffMax = 3 * time.Second
	getRecordsLimit = 1000 // the most GetRecords returns
	// streamReadyTimeout bounds how long New waits for the pollers to take their
	// starting positions.
	streamReadyTimeout = 10 * time.Second
)

// streamMapping runs one StreamSource of one function.
type streamMapping struct {
	gw      *Gateway
	fn      *function
	src     *StreamSource
	name    string // Function/Event, for the log
	table   string // the table's local name
	ddb     *dynamodb.Client
	streams *dynamodbstreams.Client
}

// startStreams starts a poller per enabled DynamoDB event source, reading from the
// DynamoDB (Local) at endpoint.
func (g *Gateway) startStreams(endpoint string) {
	ctx, cancel := context.WithCancel(context.Background())
	g.streamCancel = cancel
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	region := pseudoParameters["AWS::Region"]
	ddb := dynamodb.New(dynamodb.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  creds,
		// DynamoDB Local sends no CRC32 header on error replies.
		DisableValidateResponseChecksum: true,
	})
	streams := dynamodbstreams.New(dynamodbstreams.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  creds,
	})
	var starting sync.WaitGroup
	tableName := g.opts.TableName
	if tableName == nil {
		tableName = func(id string) string { return id }
	}
	for _, def := range g.tmpl.Functions {
		for _, src := range def.StreamSources {
			if !src.Enabled {
				continue
			}
			m := &streamMapping{
				gw:      g,
				fn:      g.functions[def.LogicalID],
				src:     src,
				name:    def.LogicalID + "/" + src.Name,
				table:   tableName(src.Table),
				ddb:     ddb,
				streams: streams,
			}
			g.streamWG.Add(1)
			starting.Add(1)
			ready := sync.OnceFunc(starting.Done)
			go func() {
				defer g.streamWG.Done()
				defer ready()
				m.run(ctx, ready)
			}()
		}
	}
	// Like an event source mapping that has become Enabled, every poller has taken
	// its starting position before New returns, so a write that follows is read
	// even from LATEST.
	started := make(chan struct{})
	go func() {
		starting.Wait()
		close(started)
	}()
	select {
	case <-started:
	case <-time.After(streamReadyTimeout):
		g.logf("stream pollers: not all have found their stream within %s; they keep trying", streamReadyTimeout)
	}
}

// stopStreams stops the pollers; wait waits for them.
func (g *Gateway) stopStreams() {
	if g.streamCancel != nil {
		g.streamCancel()
	}
}

type shardState int

const (
	shardWaiting shardState = iota // for its parent to be read to the end
	shardRunning
	shardDone
)

type shardInfo struct {
	id, parent string
	start      types.ShardIteratorType
	state      shardState
	iter       *string // the iterator at start, when run already took it
}

// run finds the stream, then keeps a reader per shard, a child shard only once its
// parent is done, so records stay in order. It calls ready once the shards there are
// at the start have their iterators.
func (m *streamMapping) run(ctx context.Context, ready func()) {
	arn, ok := m.streamARN(ctx)
	if !ok {
		return
	}
	known := map[string]*shardInfo{}
	done := make(chan string)
	var readers sync.WaitGroup
	defer readers.Wait()
	first := true
	logged := ""
	tick := time.NewTicker(shardRefresh)
	defer tick.Stop()
	for {
		shards, err := m.describe(ctx, arn)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if msg := err.Error(); msg != logged {
				m.gw.logf("%s: DescribeStream %s: %v", m.name, arn, err)
				logged = msg
			}
		} else {
			logged = ""
			for _, sh := range shards {
				id := aws.ToString(sh.ShardId)
				if known[id] != nil {
					continue
				}
				info := &shardInfo{id: id, parent: aws.ToString(sh.ParentShardId), start: types.ShardIteratorTypeTrimHorizon}
				closed := sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
				// LATEST applies to the shards there are when the mapping starts; shards
				// that come later are read from their start, as Lambda does.
				if first && m.src.StartingPosition == "LATEST" {
					info.start = types.ShardIteratorTypeLatest
					if closed {
						info.state = shardDone
					}
				}
				known[id] = info
			}
			for _, info := range known {
				if info.state != shardWaiting {
					continue
				}
				if parent := known[info.parent]; parent != nil && parent.state != shardDone {
					continue
				}
				if first {
					if info.iter, ok = m.iterator(ctx, arn, info.id, info.start, ""); !ok {
						return
					}
				}
				info.state = shardRunning
				readers.Add(1)
				go func() {
					defer readers.Done()
					m.readShard(ctx, arn, info)
					select {
					case done <- info.id:
					case <-ctx.Done():
					}
				}()
			}
			if first {
				first = false
				ready()
			}
		}
		select {
		case <-ctx.Done():
			return
		case id := <-done:
			known[id].state = shardDone
		case <-tick.C:
		}
	}
}

// streamARN waits until the table exists with a stream, and returns its ARN.
func (m *streamMapping) streamARN(ctx context.Context) (string, bool) {
	logged := ""
	for {
		out, err := m.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(m.table)})
		if ctx.Err() != nil {
			return "", false
		}
		var problem string
		switch {
		case err != nil:
			problem = err.Error()
		case out.Table.StreamSpecification == nil || !aws.ToBool(out.Table.StreamSpecification.StreamEnabled) || out.Table.LatestStreamArn == nil:
			problem = "the table has no stream enabled"
		default:
			return *out.Table.LatestStreamArn, true
		}
		if problem != logged {
			m.gw.logf("%s: waiting for the stream of table %s: %s", m.name, m.table, problem)
			logged = problem
		}
		if !sleepCtx(ctx, streamWait) {
			return "", false
		}
	}
}

func (m *streamMapping) describe(ctx context.Context, arn string) ([]types.Shard, error) {
	var shards []types.Shard
	var start *string
	for {
		out, err := m.streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn), ExclusiveStartShardId: start})
		if err != nil {
			return nil, err
		}
		shards = append(shards, out.StreamDescription.Shards...)
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return shards, nil
		}
	}
}

// lastFailure is what the last failed invocation of a shard answered, for the
// on-failure record's responseContext.
type lastFailure struct {
	requestID     string
	functionError string // "Unhandled" for a function error, "" for batchItemFailures
}

// readShard reads one shard to its end (or until the gateway closes), invoking the
// function batch by batch.
func (m *streamMapping) readShard(ctx context.Context, arn string, info *shardInfo) {
	b := &shardBatcher{src: m.src}
	iter, ok := info.iter, true
	if iter == nil {
		if iter, ok = m.iterator(ctx, arn, info.id, info.start, ""); !ok {
			return
		}
	}
	var (
		lastSeq   string // of the last record read, to get a new iterator after it
		drained   bool   // the shard is closed and read to its end
		nextRead  time.Time
		notBefore time.Time // a retry waits for its backoff
		backoff   = retryBackoffMin
		failure   *lastFailure
		logged    string
	)
	for ctx.Err() == nil {
		now := time.Now()
		if !drained && b.room() && !now.Before(nextRead) {
			nextRead = now.Add(pollInterval)
			out, err := m.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(getRecordsLimit)})
			var expired *types.ExpiredIteratorException
			var trimmed *types.TrimmedDataAccessException
			var gone *types.ResourceNotFoundException
			switch {
			case ctx.Err() != nil:
				return
			case err == nil:
				logged = ""
				b.add(m.records(arn, out.Records, now))
				if n := len(out.Records); n > 0 {
					lastSeq = aws.ToString(out.Records[n-1].Dynamodb.SequenceNumber)
				}
				iter = out.NextShardIterator
				drained = iter == nil
			case errors.As(err, &expired):
				// Not read for 15 minutes (a long retry): carry on after the last record read.
				if iter, ok = m.iterator(ctx, arn, info.id, info.start, lastSeq); !ok {
					return
				}
			case errors.As(err, &trimmed):
				m.gw.logf("%s: shard %s: records expired before they were read; reading on from the trim horizon", m.name, info.id)
				if iter, ok = m.iterator(ctx, arn, info.id, types.ShardIteratorTypeTrimHorizon, ""); !ok {
					return
				}
			case errors.As(err, &gone):
				m.gw.logf("%s: shard %s is gone (%v); stopped reading it", m.name, info.id, err)
				return
			default:
				if msg := err.Error(); msg != logged {
					m.gw.logf("%s: shard %s: GetRecords: %v (retrying)", m.name, info.id, err)
					logged = msg
				}
				nextRead = now.Add(streamWait)
			}
			continue
		}
		if drained && len(b.pending) == 0 {
			return
		}

		n, wait := 0, time.Duration(0)
		if !now.Before(notBefore) {
			n, wait = b.next(now, drained)
		} else {
			wait = notBefore.Sub(now)
		}
		if n > 0 {
			expired, size := b.expire(n, now)
			if len(expired) > 0 {
				m.giveUp(arn, info.id, expired, conditionRecordAge, failure)
				backoff = retryBackoffMin
			}
			if size == 0 {
				continue
			}
			batch := b.batch(size)
			o, requestID := m.invoke(ctx, arn, batch)
			if ctx.Err() != nil {
				return
			}
			if o.err != nil || o.failedAt >= 0 {
				failure = &lastFailure{requestID: requestID}
				if o.err != nil {
					failure.functionError = "Unhandled"
				}
			}
			givenUp, retry := b.result(size, o)
			switch {
			case len(givenUp) > 0:
				m.giveUp(arn, info.id, givenUp, conditionRetriesExhausted, failure)
				backoff = retryBackoffMin
			case retry:
				m.gw.logf("%s: shard %s: %s; retrying %d record(s) in %s", m.name, info.id, o.describe(), b.plan[0], backoff)
				notBefore = time.Now().Add(backoff)
				backoff = min(2*backoff, retryBackoffMax)
			case o.err != nil:
				m.gw.logf("%s: shard %s: %s; split the batch of %d in two", m.name, info.id, o.describe(), size)
			default:
				backoff = retryBackoffMin
			}
			continue
		}
		// Nothing to invoke yet: sleep until the next read, the end of the batching
		// window or of the backoff, whichever comes first.
		sleep := pollInterval
		if !drained && b.room() {
			sleep = time.Until(nextRead)
		}
		if wait > 0 && wait < sleep {
			sleep = wait
		}
		if !sleepCtx(ctx, sleep) {
			return
		}
	}
}

// iterator gets a shard iterator: after sequence number after if set, else at start.
// It retries until it succeeds or the gateway closes.
func (m *streamMapping) iterator(ctx context.Context, arn, shard string, start types.ShardIteratorType, after string) (*string, bool) {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: start}
	if after != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.SequenceNumber = aws.String(after)
	}
	logged := ""
	for {
		out, err := m.streams.GetShardIterator(ctx, in)
		if ctx.Err() != nil {
			return nil, false
		}
		if err == nil {
			return out.ShardIterator, true
		}
		var gone *types.ResourceNotFoundException
		if errors.As(err, &gone) {
			m.gw.logf("%s: shard %s is gone (%v)", m.name, shard, err)
			return nil, false
		}
		if msg := err.Error(); msg != logged {
			m.gw.logf("%s: shard %s: GetShardIterator: %v (retrying)", m.name, shard, err)
			logged = msg
		}
		if !sleepCtx(ctx, streamWait) {
			return nil, false
		}
	}
}

// records turns stream records into Lambda's event records and keeps those that
// match a filter (all of them when there is none); the others are done.
func (m *streamMapping) records(arn string, recs []types.Record, read time.Time) []*streamRecord {
	var out []*streamRecord
	for _, r := range recs {
		raw, created, err := eventRecord(arn, r)
		if err != nil {
			m.gw.logf("%s: record %s cannot be encoded (%v); skipped", m.name, aws.ToString(r.EventID), err)
			continue
		}
		if !matchAny(m.src.Filters, raw) {
			continue
		}
		out = append(out, &streamRecord{
			seq:     aws.ToString(r.Dynamodb.SequenceNumber),
			raw:     raw,
			created: created,
			read:    read,
			ageFrom: ageOrigin(created, read),
		})
	}
	return out
}

func matchAny(filters []*Filter, raw []byte) bool {
	if len(filters) == 0 {
		return true
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return false
	}
	for _, f := range filters {
		if f.matchValue(v) {
			return true
		}
	}
	return false
}

// eventRecord is a stream record as Lambda puts it in the event (aws-lambda-go's
// events.DynamoDBEventRecord), and its ApproximateCreationDateTime.
func eventRecord(arn string, r types.Record) (json.RawMessage, time.Time, error) {
	d := r.Dynamodb
	if d == nil {
		return nil, time.Time{}, errors.New("no dynamodb part")
	}
	created := aws.ToTime(d.ApproximateCreationDateTime)
	version := aws.ToString(r.EventVersion)
	if version == "" {
		version = "1.1"
	}
	ev := events.DynamoDBEventRecord{
		AWSRegion:      pseudoParameters["AWS::Region"],
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    "aws:dynamodb",
		EventVersion:   version,
		EventSourceArn: arn,
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: created.Truncate(time.Second)},
			Keys:                        eventImage(d.Keys),
			NewImage:                    eventImage(d.NewImage),
			OldImage:                    eventImage(d.OldImage),
			SequenceNumber:              aws.ToString(d.SequenceNumber),
			SizeBytes:                   aws.ToInt64(d.SizeBytes),
			StreamViewType:              string(d.StreamViewType),
		},
	}
	if id := r.UserIdentity; id != nil {
		ev.UserIdentity = &events.DynamoDBUserIdentity{Type: aws.ToString(id.Type), PrincipalID: aws.ToString(id.PrincipalId)}
	}
	raw, err := json.Marshal(ev)
	return raw, created, err
}

func eventImage(m map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = eventAttribute(v)
	}
	return out
}

func eventAttribute(av types.AttributeValue) events.DynamoDBAttributeValue {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, el := range v.Value {
			list[i] = eventAttribute(el)
		}
		return events.NewListAttribute(list)
	case *types.AttributeValueMemberM:
		return events.NewMapAttribute(eventImage(v.Value))
	}
	return events.NewNullAttribute()
}

// invoke runs the function with one batch and reads its reply.
func (m *streamMapping) invoke(ctx context.Context, arn string, batch []*streamRecord) (outcome, string) {
	var payload bytes.Buffer
	payload.WriteString(`{"Records":[`)
	for i, r := range batch {
		if i > 0 {
			payload.WriteByte(',')
		}
		payload.Write(r.raw)
	}
	payload.WriteString(`]}`)
	requestID := newUUID()
	reply, err := m.fn.invokeID(ctx, payload.Bytes(), requestID)
	if err != nil {
		var fe *FunctionError
		if !errors.As(err, &fe) {
			fe = &FunctionError{Function: m.fn.def.LogicalID, Type: "Lambda.InvokeError", Message: err.Error()}
		}
		return outcome{failedAt: -1, err: fe}, requestID
	}
	if !m.src.ReportBatchItemFailures {
		return outcome{failedAt: -1}, requestID
	}
	return batchItemFailures(m.fn.def.LogicalID, reply, batch), requestID
}

// batchItemFailures reads a reply as Lambda does with ReportBatchItemFailures: no
// reply, null, no or an empty batchItemFailures list is success; an itemIdentifier
// that is missing, empty or names no record of the batch fails the whole batch;
// otherwise the batch is done up to the failure with the lowest sequence number.
func batchItemFailures(function string, reply []byte, batch []*streamRecord) outcome {
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(bytes.TrimSpace(reply)) == 0 || json.Unmarshal(reply, &resp) != nil {
		return outcome{failedAt: -1}
	}
	lowest := -1
	for _, f := range resp.BatchItemFailures {
		id := aws.ToString(f.ItemIdentifier)
		at := -1
		for i, r := range batch {
			if r.seq == id {
				at = i
				break
			}
		}
		if at < 0 {
			return outcome{failedAt: -1, err: &FunctionError{Function: function, Type: "Lambda.InvalidBatchItemFailure",
				Message: fmt.Sprintf("batchItemFailures names itemIdentifier %q, which is no sequence number of the batch", id)}}
		}
		if lowest < 0 || at < lowest {
			lowest = at
		}
	}
	return outcome{failedAt: lowest}
}

func (o outcome) describe() string {
	if o.err != nil {
		return fmt.Sprintf("function error %s: %s", o.err.Type, o.err.Message)
	}
	return fmt.Sprintf("batchItemFailures from record %d of the batch", o.failedAt)
}

// onFailureRecord is Lambda's on-failure destination record for a stream source.
type onFailureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext *struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	} `json:"responseContext,omitempty"`
	Version            string `json:"version"`
	Timestamp          string `json:"timestamp"`
	DDBStreamBatchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamARN                       string `json:"streamArn"`
	} `json:"DDBStreamBatchInfo"`
}

// giveUp reports records that will not be retried to the on-failure destination.
func (m *streamMapping) giveUp(arn, shard string, recs []*streamRecord, condition string, last *lastFailure) {
	var rec onFailureRecord
	rec.RequestContext.FunctionARN = functionARN(m.fn.def.LogicalID)
	rec.RequestContext.Condition = condition
	for _, r := range recs {
		rec.RequestContext.ApproximateInvokeCount = max(rec.RequestContext.ApproximateInvokeCount, r.invokes)
	}
	rec.RequestContext.RequestID = newUUID()
	if last != nil && rec.RequestContext.ApproximateInvokeCount > 0 {
		rec.RequestContext.RequestID = last.requestID
		rec.ResponseContext = &struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError,omitempty"`
		}{200, "$LATEST", last.functionError}
	}
	rec.Version = "1.0"
	rec.Timestamp = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	info := &rec.DDBStreamBatchInfo
	info.ShardID = shard
	info.StartSequenceNumber = recs[0].seq
	info.EndSequenceNumber = recs[len(recs)-1].seq
	info.ApproximateArrivalOfFirstRecord = recs[0].created.UTC().Format(time.RFC3339)
	info.ApproximateArrivalOfLastRecord = recs[len(recs)-1].created.UTC().Format(time.RFC3339)
	info.BatchSize = len(recs)
	info.StreamARN = arn
	data, _ := json.Marshal(rec)

	if m.src.OnFailure == "" {
		m.gw.logf("%s: shard %s: gave up %d record(s) (%s, sequence numbers %s to %s); no on-failure destination", m.name, shard, len(recs), condition, info.StartSequenceNumber, info.EndSequenceNumber)
		return
	}
	m.gw.logf("%s: shard %s: gave up %d record(s) (%s, sequence numbers %s to %s); reported to %s", m.name, shard, len(recs), condition, info.StartSequenceNumber, info.EndSequenceNumber, m.src.OnFailure)
	m.gw.deadLetter(m.src.OnFailure, data)
}

// deadLetter keeps an on-failure record for a queue.
func (g *Gateway) deadLetter(queue string, record []byte) {
	g.dlMu.Lock()
	defer g.dlMu.Unlock()
	if g.deadLetters == nil {
		g.deadLetters = map[string][]json.RawMessage{}
	}
	g.deadLetters[queue] = append(g.deadLetters[queue], json.RawMessage(record))
	if dir := g.opts.DeadLetterDir; dir != "" {
		path := filepath.Join(dir, queue+".jsonl")
		err := os.MkdirAll(dir, 0o755)
		var f *os.File
		if err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		}
		if err == nil {
			_, err = f.Write(append(append([]byte{}, record...), '\n'))
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			fmt.Fprintf(g.functionLog, "[gateway] writing the on-failure record to %s: %v\n", path, err)
		}
	}
}

// DeadLetters returns the on-failure records that the stream event sources sent to
// the queue with this logical ID (their DestinationConfig.OnFailure), oldest first:
// Lambda's record for stream sources (requestContext, responseContext, version,
// timestamp, DDBStreamBatchInfo), as it would be the body of an SQS message.
func (g *Gateway) DeadLetters(queueLogicalID string) []json.RawMessage {
	g.dlMu.Lock()
	defer g.dlMu.Unlock()
	return append([]json.RawMessage(nil), g.deadLetters[queueLogicalID]...)
}

// KillFunction SIGKILLs every running instance of a function (by logical ID or
// folder), as a crashed sandbox: an invocation in flight fails as Lambda's "Runtime
// exited" function error, and the next invocation starts a fresh instance. It
// returns how many instances it killed.
func (g *Gateway) KillFunction(name string) (int, error) {
	def := g.tmpl.FunctionByName(name)
	if def == nil {
		return 0, fmt.Errorf("gateway: no function %q in the template", name)
	}
	f := g.functions[def.LogicalID]
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for inst := range f.all {
		if !inst.hasExited() {
			inst.kill()
			n++
		}
	}
	return n, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
