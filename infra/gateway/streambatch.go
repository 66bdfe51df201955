package gateway

import (
	"encoding/json"
	"time"
)

// This file is the bookkeeping of one shard of an event source mapping, with no I/O:
// which records the next batch holds, and what an invocation's outcome does to them.
// The poller (streams.go) feeds it records and invocation outcomes.

// streamRecord is one stream record that matched the filters and is not yet done.
type streamRecord struct {
	seq     string          // dynamodb.SequenceNumber
	raw     json.RawMessage // the record as Lambda sends it
	created time.Time       // dynamodb.ApproximateCreationDateTime
	read    time.Time       // when the poller read it from the shard
	// age is measured from here: created, or later when DynamoDB Local gave only the
	// minute (see ageOrigin).
	ageFrom time.Time
	invokes int // invocations whose batch held it
}

// ageOrigin is when a record's age starts. AWS gives ApproximateCreationDateTime to
// the second or better; DynamoDB Local truncates it to the minute, which would make
// a record up to a minute older than it is. A record cannot have been written after
// it was read, so the origin is the end of that minute or the time it was read,
// whichever is earlier: never older than the record, so never given up too soon.
func ageOrigin(created, read time.Time) time.Time {
	if created.Second() != 0 || created.Nanosecond() != 0 {
		return created
	}
	if end := created.Add(time.Minute); end.Before(read) {
		return end
	}
	return read
}

// outcome is what became of one invocation.
type outcome struct {
	// failedAt is, for a reply that listed batchItemFailures, the index in the batch
	// of the failure with the lowest sequence number; -1 otherwise.
	failedAt int
	// err is the function error (its own error reply, a crash or a timeout), or nil.
	err *FunctionError
}

// Conditions of Lambda's on-failure records for stream sources.
const (
	conditionRetriesExhausted = "RetryAttemptsExhausted"
	conditionRecordAge        = "RecordAgeExceeded"
)

// shardBatcher holds a shard's records that matched the filters and are not yet done,
// in sequence order, and decides the batches.
//
// Retries follow Lambda's documented behaviour. A function error retries the whole
// batch; with BisectBatchOnFunctionError a batch of more than one record is split in
// two halves first, each then tried on its own, the first before the second (splitting
// does not use up a retry, as AWS documents). A reply with batchItemFailures (with
// ReportBatchItemFailures) checkpoints before the lowest failed record and retries
// from it. Every retry of the same records counts against MaximumRetryAttempts; when
// they are used up, or when records are older than MaximumRecordAgeInSeconds, the
// records are given up and the next ones go on.
type shardBatcher struct {
	src     *StreamSource
	pending []*streamRecord
	// plan holds the sizes of the next batches after a failure: the batch to retry, or
	// the two halves of a split one. Empty: the next batch is as large as BatchSize
	// allows.
	plan []int
	// retries is how many retries the batch plan[0] has used.
	retries int
}

// add appends records read from the shard (already filtered).
func (b *shardBatcher) add(recs []*streamRecord) {
	b.pending = append(b.pending, recs...)
}

// room reports whether reading more records is useful: the next batch is not full yet.
func (b *shardBatcher) room() bool { return len(b.pending) < b.src.BatchSize }

// next returns the size of the batch to invoke now, or 0 and how long to wait for the
// batching window (0: nothing to wait for, nothing pending). drained says the shard
// will give no more records, so a partial batch need not wait for its window.
func (b *shardBatcher) next(now time.Time, drained bool) (int, time.Duration) {
	if len(b.pending) == 0 {
		return 0, 0
	}
	if len(b.plan) > 0 {
		n := b.fit(min(b.plan[0], len(b.pending)))
		if n < b.plan[0] {
			b.plan = append([]int{n, b.plan[0] - n}, b.plan[1:]...)
		}
		return n, 0
	}
	n := min(b.src.BatchSize, len(b.pending))
	full := b.fit(n)
	if full < n || n == b.src.BatchSize || drained || b.src.BatchingWindow <= 0 {
		return full, 0
	}
	if wait := b.pending[0].read.Add(b.src.BatchingWindow).Sub(now); wait > 0 {
		return 0, wait
	}
	return n, 0
}

// fit returns how many of the first n pending records fit in one event within
// Lambda's 6 MB invocation payload (at least one).
func (b *shardBatcher) fit(n int) int {
	size := len(`{"Records":[]}`)
	for i := 0; i < n; i++ {
		size += len(b.pending[i].raw) + 1
		if size > maxPayloadBytes && i > 0 {
			return i
		}
	}
	return n
}

// expire gives up, from the batch of n about to be invoked, the records older than
// MaximumRecordAgeInSeconds (a prefix: records are in order). It returns them, and
// the batch's new size.
func (b *shardBatcher) expire(n int, now time.Time) ([]*streamRecord, int) {
	if b.src.MaximumRecordAgeInSeconds < 0 {
		return nil, n
	}
	maxAge := time.Duration(b.src.MaximumRecordAgeInSeconds) * time.Second
	k := 0
	for k < n && now.Sub(b.pending[k].ageFrom) > maxAge {
		k++
	}
	if k == 0 {
		return nil, n
	}
	gone := b.drop(k)
	if len(b.plan) > 0 {
		b.plan[0] -= k
		if b.plan[0] <= 0 {
			b.popPlan()
		}
	}
	return gone, n - k
}

// batch returns the first n pending records, counting the invocation they are in.
func (b *shardBatcher) batch(n int) []*streamRecord {
	recs := b.pending[:n]
	for _, r := range recs {
		r.invokes++
	}
	return recs
}

// result applies the outcome of invoking the batch of the first n pending records.
// It returns the records given up (retries exhausted), and whether the next batch is
// a retry of the same records, which waits for the backoff.
func (b *shardBatcher) result(n int, o outcome) (givenUp []*streamRecord, backoff bool) {
	switch {
	case o.err == nil && o.failedAt < 0:
		b.drop(n)
		b.popPlanIfAny()
		return nil, false

	case o.err == nil: // batchItemFailures: done up to failedAt, retry from it
		b.drop(o.failedAt)
		left := n - o.failedAt
		if b.retriesLeft() {
			b.retries++
			b.setPlanHead(left)
			return nil, true
		}
		givenUp = b.drop(left)
		b.popPlanIfAny()
		return givenUp, false

	case b.src.BisectBatchOnFunctionError && n > 1:
		first := (n + 1) / 2
		if len(b.plan) > 0 {
			b.plan = append([]int{first, n - first}, b.plan[1:]...)
		} else {
			b.plan = []int{first, n - first}
		}
		b.retries = 0
		return nil, false

	case b.retriesLeft():
		b.retries++
		b.setPlanHead(n)
		return nil, true

	default:
		givenUp = b.drop(n)
		b.popPlanIfAny()
		return givenUp, false
	}
}

func (b *shardBatcher) retriesLeft() bool {
	return b.src.MaximumRetryAttempts < 0 || b.retries < b.src.MaximumRetryAttempts
}

func (b *shardBatcher) setPlanHead(n int) {
	if len(b.plan) > 0 {
		b.plan[0] = n
	} else {
		b.plan = []int{n}
	}
}

func (b *shardBatcher) popPlanIfAny() {
	if len(b.plan) > 0 {
		b.popPlan()
	}
	b.retries = 0
}

func (b *shardBatcher) popPlan() {
	b.plan = b.plan[1:]
	b.retries = 0
}

// drop removes the first k pending records and returns them.
func (b *shardBatcher) drop(k int) []*streamRecord {
	gone := append([]*streamRecord(nil), b.pending[:k]...)
	b.pending = b.pending[k:]
	if len(b.pending) == 0 {
		b.pending = nil
	}
	return gone
}
