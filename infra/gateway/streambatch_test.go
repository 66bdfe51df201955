package gateway

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// A simulated shard: records 1..n, a function that fails on some of them, and the
// batches the batcher makes.
type simulation struct {
	b       *shardBatcher
	now     time.Time
	batches [][]string // sequence numbers of every invocation
	gaveUp  [][]string
	retries int // outcomes that asked for a backoff
}

func newSimulation(src *StreamSource, n int, now time.Time) *simulation {
	s := &simulation{b: &shardBatcher{src: src}, now: now}
	var recs []*streamRecord
	for i := 1; i <= n; i++ {
		recs = append(recs, &streamRecord{seq: fmt.Sprint(i), created: now, read: now, ageFrom: now})
	}
	s.b.add(recs)
	return s
}

// run invokes batches until nothing is pending; fn returns the outcome of a batch.
func (s *simulation) run(t *testing.T, fn func(seqs []string) outcome) {
	t.Helper()
	for steps := 0; len(s.b.pending) > 0; steps++ {
		if steps > 100 {
			t.Fatalf("no end: batches %v", s.batches)
		}
		n, wait := s.b.next(s.now, true)
		if n == 0 {
			t.Fatalf("nothing to invoke (wait %s) with %d pending", wait, len(s.b.pending))
		}
		expired, n := s.b.expire(n, s.now)
		if len(expired) > 0 {
			s.gaveUp = append(s.gaveUp, seqs(expired))
		}
		if n == 0 {
			continue
		}
		batch := seqs(s.b.batch(n))
		s.batches = append(s.batches, batch)
		gone, retry := s.b.result(n, fn(batch))
		if len(gone) > 0 {
			s.gaveUp = append(s.gaveUp, seqs(gone))
		}
		if retry {
			s.retries++
		}
	}
}

func seqs(recs []*streamRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.seq)
	}
	return out
}

var crash = &FunctionError{Type: "Runtime.ExitError"}

func failOn(poison string) func([]string) outcome {
	return func(batch []string) outcome {
		for _, s := range batch {
			if s == poison {
				return outcome{failedAt: -1, err: crash}
			}
		}
		return outcome{failedAt: -1}
	}
}

func TestBatcherBisectsAPoisonRecord(t *testing.T) {
	src := &StreamSource{BatchSize: 6, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 2, MaximumRecordAgeInSeconds: -1}
	s := newSimulation(src, 8, time.Now())
	s.run(t, failOn("4"))
	want := [][]string{
		{"1", "2", "3", "4", "5", "6"}, // fails: split
		{"1", "2", "3"},                // ok
		{"4", "5", "6"},                // fails: split
		{"4", "5"},                     // fails: split
		{"4"}, {"4"}, {"4"},            // fails, then its 2 retries
		{"5"},      // ok
		{"6"},      // ok
		{"7", "8"}, // back to full batches
	}
	if !reflect.DeepEqual(s.batches, want) {
		t.Errorf("batches\n%v, want\n%v", s.batches, want)
	}
	if !reflect.DeepEqual(s.gaveUp, [][]string{{"4"}}) || s.retries != 2 {
		t.Errorf("gave up %v after %d retries", s.gaveUp, s.retries)
	}
}

func TestBatcherRetriesWithoutBisect(t *testing.T) {
	src := &StreamSource{BatchSize: 3, MaximumRetryAttempts: 1, MaximumRecordAgeInSeconds: -1}
	s := newSimulation(src, 5, time.Now())
	s.run(t, failOn("2"))
	want := [][]string{{"1", "2", "3"}, {"1", "2", "3"}, {"4", "5"}}
	if !reflect.DeepEqual(s.batches, want) || !reflect.DeepEqual(s.gaveUp, [][]string{{"1", "2", "3"}}) {
		t.Errorf("batches %v, gave up %v", s.batches, s.gaveUp)
	}
}

func TestBatcherRetriesForeverByDefault(t *testing.T) {
	src := &StreamSource{BatchSize: 10, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1}
	s := newSimulation(src, 3, time.Now())
	failures := 0
	s.run(t, func(batch []string) outcome {
		if failures < 20 {
			failures++
			return outcome{failedAt: -1, err: crash}
		}
		return outcome{failedAt: -1}
	})
	if len(s.batches) != 21 || s.retries != 20 || len(s.gaveUp) != 0 {
		t.Errorf("%d batches, %d retries, gave up %v", len(s.batches), s.retries, s.gaveUp)
	}
}

func TestBatcherPartialFailureRetriesFromTheLowest(t *testing.T) {
	src := &StreamSource{BatchSize: 5, ReportBatchItemFailures: true, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 2, MaximumRecordAgeInSeconds: -1}
	s := newSimulation(src, 7, time.Now())
	fails := map[string]int{"3": 1, "5": 5} // 3 fails once, 5 always
	s.run(t, func(batch []string) outcome {
		for i, seq := range batch {
			if fails[seq] > 0 {
				fails[seq]--
				return outcome{failedAt: i}
			}
		}
		return outcome{failedAt: -1}
	})
	want := [][]string{
		{"1", "2", "3", "4", "5"}, // 3 fails: 1, 2 done
		{"3", "4", "5"},           // retry 1: 5 fails: 3, 4 done
		{"5"},                     // retry 2: fails, retries used up
		{"6", "7"},
	}
	if !reflect.DeepEqual(s.batches, want) || !reflect.DeepEqual(s.gaveUp, [][]string{{"5"}}) {
		t.Errorf("batches %v, gave up %v", s.batches, s.gaveUp)
	}
}

func TestBatcherGivesUpOldRecords(t *testing.T) {
	src := &StreamSource{BatchSize: 10, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: 60}
	start := time.Now()
	s := newSimulation(src, 3, start)
	// The function fails until the records are over a minute old.
	s.run(t, func(batch []string) outcome {
		s.now = s.now.Add(25 * time.Second)
		return outcome{failedAt: -1, err: crash}
	})
	if len(s.batches) != 3 || !reflect.DeepEqual(s.gaveUp, [][]string{{"1", "2", "3"}}) {
		t.Errorf("batches %v, gave up %v", s.batches, s.gaveUp)
	}
}

func TestBatcherBatchingWindow(t *testing.T) {
	src := &StreamSource{BatchSize: 3, BatchingWindow: time.Second, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1}
	now := time.Now()
	b := &shardBatcher{src: src}
	if n, wait := b.next(now, false); n != 0 || wait != 0 {
		t.Errorf("empty: %d, %s", n, wait)
	}
	b.add([]*streamRecord{{seq: "1", read: now}})
	if n, wait := b.next(now.Add(300*time.Millisecond), false); n != 0 || wait != 700*time.Millisecond {
		t.Errorf("in the window: %d, wait %s", n, wait)
	}
	if n, _ := b.next(now.Add(300*time.Millisecond), true); n != 1 {
		t.Errorf("a closed shard does not wait for the window: %d", n)
	}
	if n, _ := b.next(now.Add(time.Second), false); n != 1 {
		t.Errorf("after the window: %d", n)
	}
	b.add([]*streamRecord{{seq: "2", read: now}, {seq: "3", read: now}, {seq: "4", read: now}})
	if n, _ := b.next(now, false); n != 3 || b.room() {
		t.Errorf("a full batch goes at once: %d (room %v)", n, b.room())
	}
}

func TestAgeOrigin(t *testing.T) {
	read := time.Date(2026, 1, 1, 12, 0, 40, 0, time.UTC)
	minute := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	precise := time.Date(2026, 1, 1, 12, 0, 30, 5, time.UTC)
	if got := ageOrigin(minute, read); !got.Equal(read) {
		t.Errorf("a minute-truncated time read within its minute: %s", got)
	}
	if got := ageOrigin(minute, read.Add(time.Hour)); !got.Equal(minute.Add(time.Minute)) {
		t.Errorf("read much later: %s", got)
	}
	if got := ageOrigin(precise, read); !got.Equal(precise) {
		t.Errorf("a precise time: %s", got)
	}
}

func TestBatchItemFailuresReply(t *testing.T) {
	batch := []*streamRecord{{seq: "10"}, {seq: "11"}, {seq: "12"}}
	cases := []struct {
		reply    string
		failedAt int
		err      bool
	}{
		{``, -1, false},
		{`null`, -1, false},
		{`{}`, -1, false},
		{`{"batchItemFailures":null}`, -1, false},
		{`{"batchItemFailures":[]}`, -1, false},
		{`{"batchItemFailures":[{"itemIdentifier":"12"},{"itemIdentifier":"11"}]}`, 1, false},
		{`{"batchItemFailures":[{"itemIdentifier":"10"}]}`, 0, false},
		{`{"batchItemFailures":[{"itemIdentifier":""}]}`, -1, true},
		{`{"batchItemFailures":[{"itemIdentifier":null}]}`, -1, true},
		{`{"batchItemFailures":[{"id":"11"}]}`, -1, true},
		{`{"batchItemFailures":[{"itemIdentifier":"99"}]}`, -1, true},
	}
	for _, c := range cases {
		o := batchItemFailures("F", []byte(c.reply), batch)
		if o.failedAt != c.failedAt || (o.err != nil) != c.err {
			t.Errorf("%s: failedAt %d, err %v; want %d, error %v", c.reply, o.failedAt, o.err, c.failedAt, c.err)
		}
	}
}

// A batch holds no more records than fit in Lambda's 6 MB payload.
func TestBatcherKeepsBatchesUnderThePayloadLimit(t *testing.T) {
	src := &StreamSource{BatchSize: 100, BisectBatchOnFunctionError: true, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1}
	big := make([]byte, 2<<20) // 2 MB records: two fit, three do not
	now := time.Now()
	b := &shardBatcher{src: src}
	for i := 0; i < 5; i++ {
		b.add([]*streamRecord{{seq: fmt.Sprint(i), raw: big, read: now}})
	}
	if n, _ := b.next(now, false); n != 2 {
		t.Fatalf("first batch of %d, want 2", n)
	}
	b.batch(2)
	b.result(2, outcome{failedAt: -1})
	if n, _ := b.next(now, false); n != 2 {
		t.Errorf("second batch of %d, want 2", n)
	}
	// A split batch that is still too large is cut further, and its rest follows.
	b.plan = []int{3}
	b.add([]*streamRecord{{seq: "5", raw: big, read: now}})
	if n, _ := b.next(now, false); n != 2 || !reflect.DeepEqual(b.plan, []int{2, 1}) {
		t.Errorf("planned batch of %d, plan %v", n, b.plan)
	}
}
