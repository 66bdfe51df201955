package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer is a bytes.Buffer the test can read while the ticker writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestPlainPhasesCountsRateAndNote(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := newReporter(&buf, false, clock.now, 0)

	r.Phase("check", -1)
	clock.add(2 * time.Second)
	r.Done(80000)
	r.mu.Lock()
	running := r.line(false)
	r.mu.Unlock()
	if want := "check 80000 lines 40000 lines/s, rejected 0\n"; running != want {
		t.Fatalf("running line of unknown total = %q, want %q", running, want)
	}

	r.Phase("members", 1000000)
	clock.add(80 * time.Second)
	r.Done(100000)
	r.Done(20000)
	r.Rejected(2)
	r.Rejected(1)
	r.mu.Lock()
	running = r.line(false)
	r.mu.Unlock()
	// 120000 lines in 80s: 1500 lines/s; 880000 left: 586.67s, so 9m47s.
	if want := "members 120000/1000000 (12.0%) 1500 lines/s, ETA 9m47s, rejected 3\n"; running != want {
		t.Fatalf("running line = %q, want %q", running, want)
	}
	r.Note("search index built: %s", "GET /v1/members now finds every imported member")
	clock.add(500 * time.Millisecond)
	r.Phase("labels", 10)
	r.Finish()
	r.Finish() // a second Finish prints nothing

	want := "check 80000 lines 40000 lines/s, took 2s, rejected 0\n" +
		"search index built: GET /v1/members now finds every imported member\n" +
		"members 120000/1000000 (12.0%) 1491 lines/s, took 1m21s, rejected 3\n" +
		"labels 0/10 (0.0%) 0 lines/s, took 0s, rejected 3\n"
	if got := buf.String(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlainETAEdges(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	r := newReporter(&bytes.Buffer{}, false, clock.now, 0)
	r.Phase("staff", 50)
	r.mu.Lock()
	if got, want := r.line(false), "staff 0/50 (0.0%) 0 lines/s, ETA ?, rejected 0\n"; got != want {
		t.Errorf("no lines yet: %q, want %q", got, want)
	}
	r.mu.Unlock()
	clock.add(time.Second)
	r.Done(50)
	r.mu.Lock()
	if got, want := r.line(false), "staff 50/50 (100.0%) 50 lines/s, ETA 0s, rejected 0\n"; got != want {
		t.Errorf("all done: %q, want %q", got, want)
	}
	r.mu.Unlock()
	r.Finish()
}

func TestPlainTickerPrintsWhilePhaseRuns(t *testing.T) {
	buf := &lockedBuffer{}
	r := newReporter(buf, false, time.Now, 10*time.Millisecond)
	r.Phase("schools", 100)
	r.Done(7)
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(buf.String(), "schools 7/100 (7.0%) ") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.Finish()
	out := buf.String()
	if n := strings.Count(out, "schools 7/100 (7.0%) "); n < 3 { // at least two ticks and the final line
		t.Fatalf("want periodic lines and a final one, got %d:\n%s", n, out)
	}
	if !strings.Contains(out, ", ETA ") || !strings.HasSuffix(out, "rejected 0\n") || !strings.Contains(out, ", took ") {
		t.Fatalf("unexpected lines:\n%s", out)
	}
	time.Sleep(50 * time.Millisecond)
	if after := buf.String(); after != out {
		t.Fatalf("ticker still printing after Finish:\n%s", strings.TrimPrefix(after, out))
	}
}

func TestNilReporterDoesNothing(t *testing.T) {
	var r *Reporter
	r.Phase("check", 10)
	r.Done(1)
	r.Rejected(1)
	r.Note("hello %d", 1)
	r.Finish()
	r.Finish()
}

func TestConcurrentDone(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		buf := &lockedBuffer{}
		r := newReporter(buf, terminal, time.Now, time.Millisecond)
		r.Phase("activities", 8000)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 1000; i++ {
					r.Done(1)
					if i%100 == 0 {
						r.Rejected(1)
					}
					if i == 500 {
						r.Note("goroutine half way")
					}
				}
			}()
		}
		wg.Wait()
		r.Finish()
		out := buf.String()
		if !strings.Contains(out, "activities 8000/8000 (100.0%) ") || !strings.HasSuffix(out, "rejected 80\n") {
			t.Fatalf("terminal=%v: final line missing or wrong:\n%q", terminal, lastLine(out))
		}
		if n := strings.Count(out, "goroutine half way\n"); n != 8 {
			t.Fatalf("terminal=%v: %d notes, want 8", terminal, n)
		}
	}
}

func TestTerminalBar(t *testing.T) {
	buf := &lockedBuffer{}
	r := newReporter(buf, true, time.Now, time.Second)
	r.Phase("members", 100)
	r.Done(40)
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	r.Rejected(3)
	r.Done(10)
	time.Sleep(150 * time.Millisecond)
	r.Note("halfway")
	r.Done(50)
	r.Phase("check", -1) // a spinner, redrawn by the bar every 100ms
	r.Done(5)
	time.Sleep(250 * time.Millisecond)
	r.Finish()
	r.Finish()

	out := buf.String()
	for _, want := range []string{
		"[members] rejected 0",
		"[members] rejected 3",
		"50/100",
		"lines/s",
		"\r\033[Khalfway\n",
		"members 100/100 (100.0%) ",
		"[check] rejected 3 ",
		"(5,",
		"check 5 lines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "rejected 3\n") || !strings.HasPrefix(lastLine(out), "check 5 lines ") {
		t.Errorf("terminal output should end with the check phase's final line, got %q", lastLine(out))
	}
	time.Sleep(250 * time.Millisecond)
	if after := buf.String(); after != out {
		t.Fatalf("spinner still drawing after Finish: %q", strings.TrimPrefix(after, out))
	}
}

func TestForFileNotATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := ForFile(f)
	if r.terminal {
		t.Fatal("a regular file is not a terminal")
	}
	r.Phase("index", 2)
	r.Done(2)
	r.Finish()
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "index 2/2 (100.0%) ") || strings.Contains(string(got), "\r") {
		t.Fatalf("file output = %q", got)
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexAny(s, "\r\n")+1:]
}
