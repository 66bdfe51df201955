// Package loader runs the bulk import (docs/import.md, `make import`). It streams the JSON
// Lines file, never holding more than a few batches of lines: a first read checks every
// line on its own (shared/importer) and finds the duplicates; then one read per line type,
// in dependency order (staff, schools, members, projects, labels, activities), hands that
// type's lines in batches to parallel workers that write them through the ddb import
// methods. References may point at lines of the file or at what is stored: a line is
// written after every type it refers to, so the table answers for both. A bad line is
// reported as "line N: reason"; the good ones are stored.
package loader

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"etwin/infra/loader/progress"
	"etwin/shared/ddb"
	"etwin/shared/importer"
	"etwin/shared/member"
	"etwin/shared/password"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/staff"
	"etwin/shared/stats"
)

// Options tune a load.
type Options struct {
	// Sink, when set, takes the items of a bulk load instead of the table (DynamoDB JSON
	// files for ImportTable): every reference must then be to a line of the file.
	Sink    Sink
	Workers int // parallel writers (default: 4 per CPU)
	// Batch is how many lines a worker takes at once (default 100). The load holds at most
	// (Workers+1)×Batch lines at a time, however long the file.
	Batch    int
	Progress *progress.Reporter // the progress report (nil: none)
	Now      time.Time          // "now" for active projects (default: the time of the load)
}

// DefaultBatch is the default Options.Batch.
const DefaultBatch = 100

// MaxPlainPasswords is how many account lines of a file may carry a plain password (each
// costs an argon2id hash, tens of milliseconds); a file with more has all of them refused.
const MaxPlainPasswords = 1000

// LineError is a rejected line.
type LineError struct {
	Line   int
	Reason string
}

func (e LineError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Report is what a load did.
type Report struct {
	Imported int // lines stored (created, updated or already as in the file)
	Created  int
	Updated  int
	Rejected []LineError // in line order
	// PeakLines is the most lines the load held at once (read and not yet written): at most
	// (Workers+1)×Batch.
	PeakLines int
	// Bulk: the load took the bulk path (a new table, or files).
	Bulk bool
}

type entry struct {
	line int
	rec  importer.Record
}

// rawLine is a line read for a worker, which parses it.
type rawLine struct {
	n    int
	text []byte
}

// failure is a line that parsed but was rejected while writing: the lines referring to
// its key name it.
type failure struct {
	line int
	what string // "school", "member", "staff account", "project"
}

type run struct {
	store *ddb.Store
	src   io.ReadSeeker
	opt   Options

	mu       sync.Mutex
	rejected []LineError
	report   Report
	failed   map[string]failure // record key → the line that failed

	skip      map[int]bool   // lines rejected by the check (written only before the write passes)
	total     map[string]int // lines of each type to write
	passwords []entry        // the account lines with a plain password (line and type), during the check

	held, peak    atomic.Int64
	schools       boundedCache[school.School]
	shownRejected int64 // (rejected lines the progress report has counted)
	// batchDone, when set, learns each batch a pass's workers wrote: its number (in the
	// file's order) and its last line.
	batchDone func(seq, lastLine int)
}

// Load imports the lines read from src. It reads src several times (Seek to its start):
// once to check every line, again when duplicates must be told apart, then once per line
// type found in the file.
func Load(ctx context.Context, store *ddb.Store, src io.ReadSeeker, opt Options) (Report, error) {
	if opt.Workers <= 0 {
		opt.Workers = 4 * runtime.NumCPU()
	}
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	rn := newRun(store, src, opt)
	if err := rn.check(ctx); err != nil {
		return rn.final(), err
	}
	b, err := rn.bulkMode(ctx)
	if err != nil {
		return rn.final(), err
	}
	if b != nil {
		rn.report.Bulk = !b.verify
		err := b.load(ctx)
		return rn.final(), err
	}
	passes := []struct {
		typ, name string
		do        func(context.Context, []entry) error
	}{
		{importer.TypeStaff, "staff", rn.staffLines}, {importer.TypeSchool, "schools", rn.schoolLines},
		{importer.TypeMember, "members", rn.memberLines}, {importer.TypeProject, "projects", rn.projectLines},
		{importer.TypeLabel, "labels", rn.labelLines}, {importer.TypeActivity, "activities", rn.activityLines},
	}
	for _, p := range passes {
		if err := rn.pass(ctx, p.typ, p.name, p.do); err != nil {
			return rn.final(), err
		}
	}
	return rn.final(), nil
}

// bulkMode decides the path: bulk into files; bulk into the table when this file's first
// run found it new (no teacher, school or project counted, no other file's bulk import
// begun) and its runs have not ended (the checkpoint, IMPORTS / <digest>); otherwise nil: the line-by-line path, with its
// conditional writes, for a table in use.
func (rn *run) bulkMode(ctx context.Context) (*bulk, error) {
	if rn.opt.Sink != nil {
		return newBulk(rn, rn.opt.Sink, ddb.ImportState{}), nil
	}
	digest, err := Digest(rn.src)
	if err != nil {
		return nil, err
	}
	st, found, err := rn.store.GetImportState(ctx, digest)
	if err != nil {
		return nil, err
	}
	if !found {
		counts, err := rn.store.GetStats(ctx, stats.All)
		if err != nil || counts != (stats.Counts{}) {
			return nil, err
		}
		// (another file's bulk runs, perhaps unfinished: this one goes line by line)
		if other, err := rn.store.AnyImportState(ctx); err != nil || other {
			return nil, err
		}
		empty, err := rn.store.TableEmpty(ctx)
		if err != nil {
			return nil, err
		}
		st = ddb.ImportState{Digest: digest, Fresh: true, Empty: empty}
		if err := rn.store.PutImportState(ctx, st); err != nil {
			return nil, err
		}
	}
	if !st.Fresh {
		return nil, nil
	}
	b := newBulk(rn, tableSink{rn.store}, st)
	b.checkGuards = !st.Done && !st.Empty // (staff accounts may hold usernames and addresses)
	b.verify = st.Done                    // a re-import: compared, and written line by line where it differs
	return b, nil
}

func newRun(store *ddb.Store, src io.ReadSeeker, opt Options) *run {
	return &run{store: store, src: src, opt: opt, failed: map[string]failure{}, skip: map[int]bool{}, total: map[string]int{},
		schools: boundedCache[school.School]{max: 10000}}
}

func (rn *run) final() Report {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rep := rn.report
	rep.Rejected = append([]LineError{}, rn.rejected...)
	sort.Slice(rep.Rejected, func(i, j int) bool { return rep.Rejected[i].Line < rep.Rejected[j].Line })
	rep.PeakLines = int(rn.peak.Load())
	return rep
}

func (rn *run) reject(line int, format string, args ...any) {
	rn.mu.Lock()
	rn.rejected = append(rn.rejected, LineError{Line: line, Reason: fmt.Sprintf(format, args...)})
	rn.mu.Unlock()
}

// fail rejects a line that parsed, so that the lines referring to it name it.
func (rn *run) fail(e entry, what, format string, args ...any) {
	rn.reject(e.line, format, args...)
	rn.mu.Lock()
	rn.failed[e.rec.Key()] = failure{line: e.line, what: what}
	rn.mu.Unlock()
}

// failedLine is the line that defined key and was rejected while writing, if any.
func (rn *run) failedLine(key string) (failure, bool) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	f, ok := rn.failed[key]
	return f, ok
}

func (rn *run) stored(o ddb.ImportOutcome) {
	rn.mu.Lock()
	rn.report.Imported++
	switch o {
	case ddb.Created:
		rn.report.Created++
	case ddb.Updated:
		rn.report.Updated++
	}
	rn.mu.Unlock()
}

// hold and release count the lines held (read, not yet written), for Report.PeakLines.
func (rn *run) hold(n int) {
	v := rn.held.Add(int64(n))
	for {
		p := rn.peak.Load()
		if v <= p || rn.peak.CompareAndSwap(p, v) {
			return
		}
	}
}

func (rn *run) release(n int) { rn.held.Add(-int64(n)) }

// scan calls fn with every line of src from its start, numbered from 1, blank lines
// skipped; a line longer than importer.MaxLine is skipped to its end and passed as nil.
// The slice is valid only during the call.
func (rn *run) scan(fn func(n int, line []byte) error) error {
	if _, err := rn.src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(rn.src, importer.MaxLine+2) // the longest line and its CR LF
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		long := false
		for errors.Is(err, bufio.ErrBufferFull) {
			long = true
			_, err = br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return err
		}
		switch {
		case long:
			if ferr := fn(n, nil); ferr != nil {
				return ferr
			}
		case len(bytes.TrimSpace(line)) > 0:
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

func parse(line []byte) (importer.Record, error) {
	if line == nil {
		return importer.Record{}, fmt.Errorf("line is longer than %d bytes", importer.MaxLine)
	}
	return importer.Parse(line)
}

// check is the first read: every line parsed and checked on its own (by the workers), and
// the duplicates (a key of an earlier line) rejected. Keys go through a fixed-size Bloom
// filter; only the keys it may have seen before are kept, and a second read tells the
// true duplicates from the filter's false positives.
func (rn *run) check(ctx context.Context) error {
	size, err := rn.src.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	seen := newBloom(size)
	suspect := map[string]bool{}
	var lines atomic.Int64
	stop := rn.progress("checked", -1, &lines)
	err = rn.fanOut(ctx, rn.opt.Batch, func(int, []byte) bool { return true }, &lines, func(_ context.Context, b []rawLine) error {
		for _, l := range b {
			rec, err := parse(l.text)
			if err == nil && typeOf(l.text) != rec.Type {
				err = errors.New(`type: unreadable (give "type" once, at the top level)`) // as the passes read it
			}
			rn.mu.Lock()
			if err != nil {
				rn.rejected = append(rn.rejected, LineError{Line: l.n, Reason: err.Error()})
				rn.skip[l.n] = true
			} else {
				rn.total[rec.Type]++
				for _, k := range rec.Uniques() {
					if seen.add(k) {
						suspect[k] = true
					}
				}
				if rec.HasPassword() {
					rn.passwords = append(rn.passwords, entry{line: l.n, rec: importer.Record{Type: rec.Type}})
				}
			}
			rn.mu.Unlock()
		}
		return nil
	})
	stop()
	if err != nil {
		return err
	}
	if len(rn.passwords) > MaxPlainPasswords {
		// argon2id costs tens of milliseconds a password: a migration brings hashes
		for _, p := range rn.passwords {
			rn.rejected = append(rn.rejected, LineError{Line: p.line, Reason: fmt.Sprintf("password: a file may carry plain passwords "+
				"for at most %d accounts (this one has %d): give passwordHash, or no password (the account then sets one "+
				"through a password reset)", MaxPlainPasswords, len(rn.passwords))})
			rn.skip[p.line] = true
			rn.total[p.rec.Type]--
		}
	}
	rn.passwords = nil
	if len(suspect) == 0 {
		return nil
	}
	at := map[string][]int{} // suspect key → its lines
	types := map[int]string{}
	err = rn.fanOut(ctx, rn.opt.Batch, func(n int, _ []byte) bool { return !rn.skip[n] }, &atomic.Int64{}, func(_ context.Context, b []rawLine) error {
		for _, l := range b {
			rec, err := parse(l.text)
			if err != nil {
				return fmt.Errorf("line %d changed while the import ran: %v", l.n, err)
			}
			for _, k := range rec.Uniques() {
				if suspect[k] {
					rn.mu.Lock()
					at[k] = append(at[k], l.n)
					types[l.n] = rec.Type
					rn.mu.Unlock()
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(at))
	for k := range at {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lines := at[k]
		sort.Ints(lines)
		for _, n := range lines[1:] {
			if !rn.skip[n] {
				rn.reject(n, "duplicate of line %d (%s)", lines[0], k)
				rn.skip[n] = true
				rn.total[types[n]]--
			}
		}
	}
	return nil
}

// fanOut reads src and hands the lines keep selects, in batches of size lines, to the
// workers, which run do on them (and count them in done); it stops at the first error do
// returns (a store failure, not a line's).
func (rn *run) fanOut(ctx context.Context, size int, keep func(n int, line []byte) bool, done *atomic.Int64, do func(context.Context, []rawLine) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type numbered struct {
		seq   int
		lines []rawLine
	}
	batches := make(chan numbered)
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	for w := 0; w < rn.opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if ctx.Err() == nil {
					if err := do(ctx, b.lines); err != nil {
						once.Do(func() { first = err; cancel() })
					} else if rn.batchDone != nil {
						rn.batchDone(b.seq, b.lines[len(b.lines)-1].n)
					}
				}
				done.Add(int64(len(b.lines)))
				rn.release(len(b.lines))
			}
		}()
	}
	var batch []rawLine
	seq := 0
	send := func() error {
		select {
		case batches <- numbered{seq: seq, lines: batch}:
			batch = nil
			seq++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := rn.scan(func(n int, line []byte) error {
		if !keep(n, line) {
			return nil
		}
		rn.hold(1)
		batch = append(batch, rawLine{n: n, text: bytes.Clone(line)})
		if len(batch) < size {
			return nil
		}
		return send()
	})
	if err == nil && len(batch) > 0 {
		err = send()
	}
	rn.release(len(batch)) // not sent
	close(batches)
	wg.Wait()
	if first != nil {
		return first
	}
	if err == nil {
		err = ctx.Err() // cancelled from outside: the workers left batches undone
	}
	return err
}

// pass reads src again and writes the lines of type typ: the workers parse each batch
// (lines the check accepted) and hand it to do.
func (rn *run) pass(ctx context.Context, typ, name string, do func(context.Context, []entry) error) error {
	return rn.passOf(ctx, name, rn.total[typ], func(n int, line []byte) bool { return typeOf(line) == typ }, do)
}

// passOf reads src again and hands the lines keep selects (of those the check accepted),
// total of them, parsed, in batches to do.
func (rn *run) passOf(ctx context.Context, name string, total int, keep func(n int, line []byte) bool, do func(context.Context, []entry) error) error {
	if total == 0 {
		return nil
	}
	var done atomic.Int64
	stop := rn.progress(name, total, &done)
	defer stop()
	// (a few lines go to every worker rather than all to one)
	batch := max(1, min(rn.opt.Batch, (total+rn.opt.Workers-1)/rn.opt.Workers))
	return rn.fanOut(ctx, batch, func(n int, line []byte) bool { return !rn.skip[n] && keep(n, line) }, &done,
		func(ctx context.Context, b []rawLine) error {
			es := make([]entry, len(b))
			for i, l := range b {
				rec, err := importer.Parse(l.text)
				if err != nil {
					return fmt.Errorf("line %d changed while the import ran: %v", l.n, err)
				}
				es[i] = entry{line: l.n, rec: rec}
			}
			return do(ctx, es)
		})
}

// typeOf is the value of the top-level "type" key of a line ("" when there is none), by
// a scan of its bytes (a fraction of the cost of decoding it). Every pass calls it on
// every line; the check rejects a line whose type it would misread.
func typeOf(line []byte) string {
	depth := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			end := stringEnd(line, i)
			if end < 0 {
				return ""
			}
			if depth == 1 {
				j := skipSpace(line, end+1)
				if j < len(line) && line[j] == ':' && isType(line[i:end+1]) {
					j = skipSpace(line, j+1)
					if j < len(line) && line[j] == '"' {
						if vend := stringEnd(line, j); vend > 0 {
							return unquote(line[j : vend+1])
						}
					}
					return ""
				}
			}
			i = end
		}
	}
	return ""
}

// stringEnd is the index of the quote that ends the JSON string starting at line[i].
func stringEnd(line []byte, i int) int {
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func skipSpace(line []byte, j int) int {
	for j < len(line) && (line[j] == ' ' || line[j] == '\t' || line[j] == '\r' || line[j] == '\n') {
		j++
	}
	return j
}

// isType reports whether the quoted JSON string q is "type".
func isType(q []byte) bool {
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q) == `"type"`
	}
	return unquote(q) == "type"
}

// unquote is the text of a quoted JSON string.
func unquote(q []byte) string {
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1])
	}
	var s string
	if json.Unmarshal(q, &s) != nil {
		return ""
	}
	return s
}

// progress starts phase name of the progress report (total lines, -1 unknown) and adds
// what done counts to it about 10 times a second; stop ends it.
func (rn *run) progress(name string, total int, done *atomic.Int64) (stop func()) {
	r := rn.opt.Progress
	if r == nil {
		return func() {}
	}
	r.Phase(name, int64(total))
	quit := make(chan struct{})
	finished := make(chan struct{})
	var shown int64
	show := func() {
		n := done.Load()
		r.Done(n - shown)
		shown = n
		rn.mu.Lock()
		rejected := int64(len(rn.rejected))
		rn.mu.Unlock()
		r.Rejected(rejected - rn.shownRejected)
		rn.shownRejected = rejected
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				show()
				return
			case <-t.C:
				show()
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// bloom is a Bloom filter of a fixed size (at most 4 MiB), for telling keys never seen
// from keys maybe seen before.
type bloom struct {
	mu   sync.Mutex // (two workers adding the same key at once must not both find it new)
	bits []uint64
	mask uint64
	seed maphash.Seed
}

// newBloom sizes the filter for a file of size bytes (a line is some 100 bytes or more:
// about 40 bits a line, at most 2^25 bits).
func newBloom(size int64) *bloom {
	n := uint64(1 << 16)
	for n < uint64(size)/2 && n < 1<<25 {
		n <<= 1
	}
	return &bloom{bits: make([]uint64, n/64), mask: n - 1, seed: maphash.MakeSeed()}
}

// add adds k and reports whether it may have been added before.
func (b *bloom) add(k string) bool {
	h := maphash.String(b.seed, k)
	h1, h2 := h, h>>32|1
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := true
	for i := uint64(0); i < 4; i++ {
		bit := (h1 + i*h2) & b.mask
		w, m := bit/64, uint64(1)<<(bit%64)
		if b.bits[w]&m == 0 {
			seen = false
			b.bits[w] |= m
		}
	}
	return seen
}

// boundedCache keeps up to max values, forgetting all of them when full.
type boundedCache[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	max int
}

func (c *boundedCache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *boundedCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]V)
	}
	c.m[k] = v
}

// lineFault reports whether err is the line's fault (a clash with stored data) rather
// than a failure of the store.
func lineFault(err error) bool {
	var dup *importer.DuplicateSchoolError
	return errors.Is(err, importer.ErrUsernameTaken) || errors.Is(err, importer.ErrEmailTaken) ||
		errors.Is(err, importer.ErrIdentityChanged) || errors.Is(err, importer.ErrCreatedMeanwhile) ||
		errors.Is(err, ddb.ErrNotImported) || errors.As(err, &dup)
}

// secret is the password hash to store: the line's hash, the stored hash when the line's
// password still matches it (re-imports keep the same hash), or a new argon2id hash.
func secret(pw, hash string, stored *member.Member) (string, error) {
	if hash != "" || pw == "" {
		return hash, nil
	}
	if stored != nil && stored.PasswordHash != "" {
		if ok, err := password.Verify(pw, stored.PasswordHash); err == nil && ok {
			return stored.PasswordHash, nil
		}
	}
	return password.Hash(pw)
}

func (rn *run) staffLines(ctx context.Context, es []entry) error {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.rec.Staff.ID
	}
	found, err := rn.store.GetMembers(ctx, ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		st := e.rec.Staff
		var stored *member.Member
		now := rn.opt.Now
		if m, ok := found[st.ID]; ok {
			stored, now = &m, m.CreatedAt
		}
		hash, err := secret(st.Password, st.PasswordHash, stored)
		if err != nil {
			return err
		}
		o, err := rn.store.ImportStaff(ctx, staff.NewAccount(st.ID, st.Input(), hash, now))
		if lineFault(err) {
			rn.fail(e, "staff account", "%v", err)
			continue
		}
		if err != nil {
			return err
		}
		rn.stored(o)
	}
	return nil
}

func (rn *run) schoolLines(ctx context.Context, es []entry) error {
	for _, e := range es {
		o, err := rn.store.ImportSchool(ctx, e.rec.School.School())
		if lineFault(err) {
			rn.fail(e, "school", "%v", err)
			continue
		}
		if err != nil {
			return err
		}
		rn.stored(o)
	}
	return nil
}

// lookupSchools reads the schools ids name (the school lines were all written before):
// from the cache, else in one batch.
func (rn *run) lookupSchools(ctx context.Context, ids []string) (map[string]school.School, error) {
	out := map[string]school.School{}
	var missing []string
	for _, id := range ids {
		if sc, ok := rn.schools.get(id); ok {
			out[id] = sc
		} else {
			missing = append(missing, id)
		}
	}
	found, err := rn.store.GetSchools(ctx, missing)
	if err != nil {
		return nil, err
	}
	for id, sc := range found {
		rn.schools.put(id, sc)
		out[id] = sc
	}
	return out, nil
}

// school is a referenced school (as stored), or why the reference fails: it is not
// stored because its line was rejected, or it is neither a line of the file nor stored.
func (rn *run) school(found map[string]school.School, id string) (school.School, string) {
	if sc, ok := found[id]; ok {
		return sc, ""
	}
	if f, ok := rn.failedLine("school:" + id); ok {
		return school.School{}, fmt.Sprintf("school %s was rejected (line %d) and is not stored", id, f.line)
	}
	return school.School{}, "no school " + id + " in the file or stored"
}

// teacher is a referenced teacher (as stored), or why the reference fails.
func (rn *run) teacher(found map[string]member.Member, id string) (member.Member, string) {
	m, ok := found[id]
	switch {
	case ok && m.Role != member.RoleTeacher:
		return member.Member{}, id + " is a staff account, not a teacher"
	case ok && len(m.Schools) > 0:
		return m, ""
	}
	if f, ok := rn.failedLine("account:" + id); ok {
		return member.Member{}, fmt.Sprintf("%s %s was rejected (line %d) and is not stored", f.what, id, f.line)
	}
	return member.Member{}, "no member " + id + " in the file or stored"
}

func (rn *run) memberLines(ctx context.Context, es []entry) error {
	ids := make([]string, len(es))
	var schoolIDs []string
	for i, e := range es {
		ids[i] = e.rec.Member.ID
		schoolIDs = append(schoolIDs, e.rec.Member.SchoolIDs...)
	}
	stored, err := rn.store.GetMembers(ctx, ids)
	if err != nil {
		return err
	}
	schools, err := rn.lookupSchools(ctx, schoolIDs)
	if err != nil {
		return err
	}
	var fresh []member.Member
	var freshE []entry
	var existing []string
	for _, e := range es {
		l := e.rec.Member
		m := member.Member{MemberID: l.ID, Username: l.Username, FirstName: l.FirstName, LastName: l.LastName,
			Email: l.Email, Language: l.Language, Role: member.RoleTeacher, Profile: l.Profile,
			CreatedAt: l.RegisteredAtTime()}
		bad := ""
		for i, id := range l.SchoolIDs {
			sc, why := rn.school(schools, id)
			if why != "" {
				bad = fmt.Sprintf("schoolIds.%d: %s", i, why)
				break
			}
			m.Schools = append(m.Schools, sc.Ref())
		}
		if bad != "" {
			rn.fail(e, "member", "%s", bad)
			continue
		}
		m.Country = m.Schools[0].Country
		var old *member.Member
		if s, ok := stored[l.ID]; ok {
			old = &s
		}
		if m.PasswordHash, err = secret(l.Password, l.PasswordHash, old); err != nil {
			return err
		}
		if old == nil {
			fresh = append(fresh, m)
			freshE = append(freshE, e)
			continue
		}
		o, err := rn.store.ImportExistingMember(ctx, m)
		if lineFault(err) {
			rn.fail(e, "member", "%v", err)
			continue
		}
		if err != nil {
			return err
		}
		existing = append(existing, m.MemberID)
		rn.stored(o)
	}
	// A run killed after creating a member but before its index entries and school links
	// left them out; this one completes them.
	if _, err := rn.store.ImportRepairMembers(ctx, existing); err != nil {
		return err
	}
	if len(fresh) == 0 {
		return nil
	}
	errs, err := rn.store.ImportNewMembers(ctx, fresh)
	if err != nil {
		return err
	}
	for i, e := range freshE {
		if errs[i] != nil {
			if !lineFault(errs[i]) {
				return errs[i]
			}
			rn.fail(e, "member", "%v", errs[i])
			continue
		}
		rn.stored(ddb.Created)
	}
	return nil
}

func (rn *run) projectLines(ctx context.Context, es []entry) error {
	var ids []string
	for _, e := range es {
		ids = append(append(ids, e.rec.Project.Founders...), e.rec.Project.Partners...)
	}
	members, err := rn.store.GetMembers(ctx, ids)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := rn.project(ctx, e, members); err != nil {
			return err
		}
	}
	return nil
}

func (rn *run) project(ctx context.Context, e entry, members map[string]member.Member) error {
	refs, ok := rn.projectMembers(e, func(id string) (member.Member, string) { return rn.teacher(members, id) })
	if !ok {
		return nil
	}
	p, partners, countries := projectOf(e.rec.Project, refs)
	o, err := rn.store.ImportProject(ctx, p, partners, countries, rn.opt.Now)
	if lineFault(err) {
		rn.fail(e, "project", "%v", err)
		return nil
	}
	if err != nil {
		return err
	}
	rn.stored(o)
	return nil
}

func addTo(list *[]string, v string) {
	for _, x := range *list {
		if x == v {
			return
		}
	}
	*list = append(*list, v)
}

func (rn *run) labelLines(ctx context.Context, es []entry) error {
	var projectIDs, schoolIDs []string
	for _, e := range es {
		projectIDs = append(projectIDs, e.rec.Label.ProjectID)
		schoolIDs = append(schoolIDs, e.rec.Label.SchoolID)
	}
	projects, err := rn.store.LookupProjects(ctx, projectIDs)
	if err != nil {
		return err
	}
	schools, err := rn.lookupSchools(ctx, schoolIDs)
	if err != nil {
		return err
	}
	var labels []project.Label
	for _, e := range es {
		l := e.rec.Label
		if f, ok := rn.failedLine("project:" + l.ProjectID); ok {
			rn.reject(e.line, "projectId: project %s was rejected (line %d)", l.ProjectID, f.line)
			continue
		}
		countries, ok := projects[l.ProjectID]
		if !ok {
			rn.reject(e.line, "projectId: no project %s in the file or stored", l.ProjectID)
			continue
		}
		sc, why := rn.school(schools, l.SchoolID)
		if why != "" {
			rn.reject(e.line, "schoolId: %s", why)
			continue
		}
		if l.Kind == project.LabelEuropean && len(countries) < 2 {
			rn.reject(e.line, "kind: project %s is national (its schools are all in one country); it cannot have a European label", l.ProjectID)
			continue
		}
		labels = append(labels, project.Label{ProjectID: l.ProjectID, Kind: l.Kind, SchoolID: l.SchoolID,
			Country: sc.Country, AwardedAt: l.AwardedAtTime()})
	}
	if err := rn.store.ImportLabels(ctx, labels); err != nil {
		return err
	}
	for range labels {
		rn.stored(ddb.Unchanged)
	}
	return nil
}

// activityLines stores the activity lines: the member must be a teacher (a line of the
// file or stored), the school (when named) a school of the file or stored; the activity
// counts in the summary of its school, or of each of the member's schools.
func (rn *run) activityLines(ctx context.Context, es []entry) error {
	var memberIDs, schoolIDs []string
	for _, e := range es {
		memberIDs = append(memberIDs, e.rec.Activity.MemberID)
		if e.rec.Activity.SchoolID != "" {
			schoolIDs = append(schoolIDs, e.rec.Activity.SchoolID)
		}
	}
	members, err := rn.store.GetMembers(ctx, memberIDs)
	if err != nil {
		return err
	}
	schools, err := rn.lookupSchools(ctx, schoolIDs)
	if err != nil {
		return err
	}
	for _, e := range es {
		l := e.rec.Activity
		m, why := rn.teacher(members, l.MemberID)
		if why != "" {
			rn.reject(e.line, "memberId: %s", why)
			continue
		}
		var ids []string
		if l.SchoolID != "" {
			if _, why := rn.school(schools, l.SchoolID); why != "" {
				rn.reject(e.line, "schoolId: %s", why)
				continue
			}
			ids = []string{l.SchoolID}
		} else {
			for _, sc := range m.Schools {
				ids = append(ids, sc.SchoolID)
			}
		}
		created, err := rn.store.ImportActivity(ctx, ddb.Activity{MemberID: l.MemberID, Kind: l.Kind, At: l.AtTime(), SchoolID: l.SchoolID}, ids)
		if err != nil {
			return err
		}
		o := ddb.Unchanged
		if created {
			o = ddb.Created
		}
		rn.stored(o)
	}
	return nil
}
