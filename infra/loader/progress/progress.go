// Package progress shows how far the bulk import has got: a progress bar on a terminal,
// plain lines about once a second otherwise (for logs and CI).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter shows the import's progress: a bar on a terminal (phase, lines done/total, rejected, rate, ETA),
// plain lines about once a second otherwise (for logs and CI).
type Reporter struct {
	mu       sync.Mutex
	out      *syncWriter
	terminal bool
	now      func() time.Time
	every    time.Duration // plain lines interval; 0: no ticker (tests)

	phase    string // "" when no phase runs
	total    int64  // <= 0: unknown
	done     int64
	rejected int64 // whole import
	start    time.Time
	bar      *progressbar.ProgressBar // terminal mode only
	stop     chan struct{}            // closed to stop the ticker; nil when it does not run
}

// New writes to w; terminal says whether w is a terminal (use ForFile for *os.File).
func New(w io.Writer, terminal bool) *Reporter {
	return newReporter(w, terminal, time.Now, time.Second)
}

// ForFile is New(f, term.IsTerminal(int(f.Fd()))).
func ForFile(f *os.File) *Reporter {
	return New(f, term.IsTerminal(int(f.Fd())))
}

func newReporter(w io.Writer, terminal bool, now func() time.Time, every time.Duration) *Reporter {
	return &Reporter{out: &syncWriter{w: w}, terminal: terminal, now: now, every: every}
}

// Phase starts a phase ("check", "staff", "schools", "members", "projects", "labels", "activities", "index", "counters", ...)
// with total lines (or -1 when unknown). It finishes the previous phase (prints its final line).
func (r *Reporter) Phase(name string, total int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endPhase()
	r.phase, r.total, r.done, r.start = name, total, 0, r.now()
	if r.terminal {
		r.bar = r.newBar()
	} else if r.stop == nil && r.every > 0 {
		r.stop = make(chan struct{})
		go r.tick(r.stop)
	}
}

// Done adds n lines done to the current phase.
func (r *Reporter) Done(n int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	if r.bar != nil {
		_ = r.bar.Add64(n) // errors only say the bar went past its total; the final line has the real count
	}
}

// Rejected adds n rejected lines (counted for the whole import and shown).
func (r *Reporter) Rejected(n int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected += n
	if r.bar != nil {
		r.bar.Describe(r.description())
	}
}

// Note prints a message line (e.g. "search index built: GET /v1/members now finds every imported member"), not garbling the bar.
func (r *Reporter) Note(format string, args ...any) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n") + "\n"
	if r.bar == nil {
		r.out.writeString(msg)
		return
	}
	r.out.writeString("\r\033[K" + msg) // erase the bar's line, then the bar draws itself again below
	_ = r.bar.RenderBlank()
}

// Finish ends the current phase and stops the ticker. Safe to call twice.
// All methods are safe for concurrent use and a nil *Reporter does nothing.
func (r *Reporter) Finish() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endPhase()
	if r.stop != nil {
		close(r.stop)
		r.stop = nil
	}
}

// endPhase removes the bar (if any) and prints the phase's final line. r.mu is held.
func (r *Reporter) endPhase() {
	if r.phase == "" {
		return
	}
	if r.bar != nil {
		_ = r.bar.Finish() // clears the bar (OptionClearOnFinish) and stops the spinner's goroutine
		r.bar = nil
	}
	r.out.writeString(r.line(true))
	r.phase = ""
}

func (r *Reporter) tick(stop <-chan struct{}) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			r.mu.Lock()
			if r.phase != "" {
				r.out.writeString(r.line(false))
			}
			r.mu.Unlock()
		}
	}
}

// line is the plain line of the current phase, e.g.
// "members 120000/1000000 (12.0%) 1523 lines/s, ETA 9m38s, rejected 3"; final lines say "took 9m38s" instead of the ETA.
func (r *Reporter) line(final bool) string {
	elapsed := r.now().Sub(r.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(r.done) / elapsed.Seconds()
	}
	var b strings.Builder
	if r.total > 0 {
		fmt.Fprintf(&b, "%s %d/%d (%.1f%%) %.0f lines/s, ", r.phase, r.done, r.total, 100*float64(r.done)/float64(r.total), rate)
	} else {
		fmt.Fprintf(&b, "%s %d lines %.0f lines/s, ", r.phase, r.done, rate)
	}
	switch {
	case final:
		fmt.Fprintf(&b, "took %s, ", roundDuration(elapsed))
	case r.total > 0 && r.done >= r.total:
		b.WriteString("ETA 0s, ")
	case r.total > 0 && rate > 0:
		fmt.Fprintf(&b, "ETA %s, ", roundDuration(time.Duration(float64(r.total-r.done)/rate*float64(time.Second))))
	case r.total > 0:
		b.WriteString("ETA ?, ")
	}
	fmt.Fprintf(&b, "rejected %d\n", r.rejected)
	return b.String()
}

func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

func (r *Reporter) description() string {
	return fmt.Sprintf("[%s] rejected %d", r.phase, r.rejected)
}

// newBar draws the bar of the current phase, or a spinner when its total is unknown. r.mu is held.
func (r *Reporter) newBar() *progressbar.ProgressBar {
	max := r.total
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(r.out),
		progressbar.OptionSetDescription(r.description()),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("lines"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),           // endPhase prints the final line with the real counts
		progressbar.OptionSetRenderBlankState(true), // shows the phase at once (and starts the bar before its spinner goroutine)
	}
	if max <= 0 {
		max = -1
		opts = append(opts, progressbar.OptionShowTotalBytes(false)) // "80000", not "80000/-"
	}
	return progressbar.NewOptions64(max, opts...)
}

// syncWriter serialises the writes of the Reporter and of the bar (whose spinner redraws from its own goroutine).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) writeString(str string) { _, _ = io.WriteString(s, str) }
