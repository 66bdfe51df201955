package certification

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"etwin/shared/notify"
)

// memSweep is an in-memory SweepStore (unit speed; the ddb one is tested against
// DynamoDB Local in shared/ddb).
type memSweep struct {
	mu       sync.Mutex
	shards   [][]Summary // each sorted by school id
	cps      map[int]Checkpoint
	judged   map[string]int
	invited  map[string]bool // school/member
	pageSeen func()
	cpReads  int
}

func (m *memSweep) Shards() int { return len(m.shards) }

func (m *memSweep) SummaryPage(_ context.Context, shard int, after string, limit int) ([]Summary, string, error) {
	if m.pageSeen != nil {
		m.pageSeen()
	}
	all := m.shards[shard]
	i := sort.Search(len(all), func(i int) bool { return all[i].SchoolID > after })
	end := min(i+limit, len(all))
	next := ""
	if end < len(all) {
		next = all[end-1].SchoolID
	}
	return all[i:end], next, nil
}

func (m *memSweep) Checkpoint(_ context.Context, _, shard int) (Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cpReads++
	return m.cps[shard], nil
}

func (m *memSweep) Advance(_ context.Context, _, shard int, prev, next Checkpoint) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cps[shard].Version != prev.Version {
		return false, nil
	}
	next.Version = prev.Version + 1
	m.cps[shard] = next
	return true, nil
}

func (m *memSweep) PutVerdicts(_ context.Context, vs []Verdict) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range vs {
		m.judged[v.SchoolID]++
	}
	return nil
}

func (m *memSweep) Invited(_ context.Context, _ int, schoolID string) (map[string]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for k := range m.invited {
		var s, mem string
		fmt.Sscanf(k, "%s %s", &s, &mem)
		if s == schoolID {
			out[mem] = true
		}
	}
	return out, nil
}

func (m *memSweep) Recipients(_ context.Context, ids []string) (map[string]notify.Recipient, error) {
	out := map[string]notify.Recipient{}
	for _, id := range ids {
		out[id] = notify.Recipient{MemberID: id, Email: id + "@example.org", WantsEmail: true}
	}
	return out, nil
}

func (m *memSweep) Invite(_ context.Context, _ int, schoolID string, ns []notify.Notification) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range ns {
		k := schoolID + " " + x.RecipientID
		if !m.invited[k] {
			m.invited[k] = true
			n++
		}
	}
	return n, nil
}

// A run whose deadline comes half way stops at a checkpoint; the next run resumes there:
// every school judged once in all, every eligible school's teachers invited once.
func TestSweepResumesAtItsCheckpoints(t *testing.T) {
	in := Input{AnnounceAt: "2027-02-01T00:00:00Z", OpensAt: "2027-03-01T00:00:00Z", ClosesAt: "2027-05-01T00:00:00Z"}
	w, err := in.Window(2027)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Cutoffs
	st := &memSweep{shards: make([][]Summary, 3), cps: map[int]Checkpoint{}, judged: map[string]int{}, invited: map[string]bool{}}
	eligible := 0
	for i := range 60 {
		s := Summary{SchoolID: fmt.Sprintf("s%03d", i), RegisteredAt: c.RegisteredBefore, Members: []string{"a" + fmt.Sprint(i), "b" + fmt.Sprint(i), "c" + fmt.Sprint(i)},
			LastActive: map[string]time.Time{}, Labels: []LabelFacts{{ProjectID: "p", Kind: LabelKindNational, AwardedAt: c.LabelledTo, European: true}}}
		for _, m := range s.Members {
			s.LastActive[m] = c.ActiveSince
		}
		if i%4 == 0 {
			s.RegisteredAt = c.RegisteredBefore.Add(time.Second)
		} else {
			eligible++
		}
		st.shards[i%3] = append(st.shards[i%3], s)
	}
	// the clock moves a minute per page: a deadline 10 minutes (less the margin) away
	// lets a run read about nine pages
	var mu sync.Mutex
	now := time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)
	st.pageSeen = func() { mu.Lock(); now = now.Add(time.Minute); mu.Unlock() }
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sw := &Sweeper{Store: st, Now: clock, PageSize: 3, Parallel: 1}
	first, err := sw.Sweep(context.Background(), w, clock().Add(10*time.Minute))
	if err != nil || first.Complete || first.Schools == 0 || first.Schools >= 60 {
		t.Fatalf("first run: %+v %v", first, err)
	}
	var total SweepReport
	total.Schools, total.Invited = first.Schools, first.Invited
	for range 10 {
		r, err := sw.Sweep(context.Background(), w, clock().Add(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		total.Schools += r.Schools
		total.Invited += r.Invited
		if r.Complete {
			total.Complete = true
			break
		}
	}
	if !total.Complete || total.Schools != 60 || total.Invited != 3*eligible {
		t.Fatalf("in all: %+v (want 60 schools, %d invitations)", total, 3*eligible)
	}
	for id, n := range st.judged {
		if n != 1 {
			t.Errorf("%s judged %d times", id, n)
		}
	}
	if len(st.judged) != 60 {
		t.Errorf("%d schools judged", len(st.judged))
	}
	// a run on the complete sweep reads each segment's checkpoint once, and nothing else
	st.cpReads = 0
	st.pageSeen = func() { t.Error("a complete sweep read a page") }
	r, err := sw.Sweep(context.Background(), w, clock().Add(10*time.Minute))
	if err != nil || !r.Complete || st.cpReads != len(st.shards) {
		t.Errorf("complete sweep: %+v %v, %d checkpoint reads (want %d)", r, err, st.cpReads, len(st.shards))
	}
}
