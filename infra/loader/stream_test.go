package loader

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The check reads a file of many lines in constant memory: the heap never grows by more
// than a few MiB (the Bloom filter, the batches in the workers' hands), far less than
// the file, which a load holding every line would keep (and more: parsed lines are larger
// than their text). Its only duplicates, planted at both ends of the file, are found.
func TestCheckHoldsNoFile(t *testing.T) {
	const lines = 25_000
	path := filepath.Join(t.TempDir(), "big.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	member := func(i int) string {
		return fmt.Sprintf(`{"type":"member","id":"m-%07d","username":"teacher.%07d","email":"teacher.%07d@example.org","firstName":"Ana","lastName":"Popescu-Ionescu","language":"ro","schoolIds":["s-ro-%05d","s-fr-%05d"],"registeredAt":"2021-03-02T00:00:00Z","profile":{"role":"teacher","subjects":["ict","mathematics"],"ageGroups":["12-15"],"projectExperience":"some","interests":["stem"],"languages":["ro","en"],"projectIdeas":"Water around us, rivers and the sea"}}`+"\n", i, i, i, i%5000, i%7000)
	}
	for i := range lines {
		w.WriteString(member(i))
	}
	w.WriteString(member(0))         // a duplicate of line 1
	w.WriteString(member(lines - 1)) // and of the line before
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	defer debug.SetGCPercent(debug.SetGCPercent(10)) // the heap then stays close to what is live
	var peak atomic.Uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	opt := Options{Workers: 4, Batch: DefaultBatch}
	rn := newRun(nil, f, opt)
	err = rn.check(context.Background())
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	grew := int64(peak.Load()) - int64(base)
	t.Logf("file %d MiB, heap grew by at most %d KiB", st.Size()>>20, grew>>10)
	if grew > 8<<20 || grew > st.Size()/2 {
		t.Fatalf("the check of a %d MiB file grew the heap by %d MiB", st.Size()>>20, grew>>20)
	}
	rep := rn.final()
	if len(rep.Rejected) != 2 || rep.Rejected[0].String() != fmt.Sprintf("line %d: duplicate of line 1 (account:m-0000000)", lines+1) ||
		rep.Rejected[1].String() != fmt.Sprintf("line %d: duplicate of line %d (account:m-%07d)", lines+2, lines, lines-1) {
		t.Fatalf("rejected %v", rep.Rejected)
	}
	if rn.total["member"] != lines || rep.PeakLines > (opt.Workers+1)*opt.Batch {
		t.Fatalf("%d members to write, peak %d lines", rn.total["member"], rep.PeakLines)
	}
}

// typeOf reads the top-level "type" as the decoder does, escapes included, and no other.
func TestTypeOf(t *testing.T) {
	for line, want := range map[string]string{
		`{"type":"member","id":"m-1"}`:                                     "member",
		` { "id" : "x", "type" : "school" }` + "\n":                        "school",
		`{"typ\u0065":"m\u0065mber"}`:                                      "member",
		`{"title":"\"type\":\"school\"","type":"project"}`:                 "project",
		`{"profile":{"type":"x"},"tags":["type",{"type":"y"}],"type":"z"}`: "z",
		`{"kind":"type","type":"label"}`:                                   "label",
		`{"id":"x"}`:                                                       "",
		`{"type":7}`:                                                       "",
	} {
		if got := typeOf([]byte(line)); got != want {
			t.Errorf("typeOf(%s) = %q, want %q", line, got, want)
		}
	}
}

// An interrupted load (its context cancelled) ends with the interruption, not as if done.
func TestInterruptedLoadSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	line := `{"type":"school","id":"s-1","name":"A","country":"RO","city":"B","schoolType":"primary","registeredAt":"2021-03-01T00:00:00Z"}` + "\n"
	_, err := Load(ctx, nil, strings.NewReader(strings.Repeat(line, 3)), Options{Workers: 2, Batch: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled load ended with %v", err)
	}
}
