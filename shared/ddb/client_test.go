package ddb

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"etwin/shared/account"
	"etwin/shared/member"
	"etwin/shared/token"
)

// meterLog collects what a metered Store reports.
type meterLog struct {
	mu    sync.Mutex
	calls map[string]int
	units map[string]float64
}

func (l *meterLog) record(op string, u float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[op]++
	l.units[op] += u
}

// take returns what was reported since the last take.
func (l *meterLog) take() (map[string]int, map[string]float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, u := l.calls, l.units
	l.calls, l.units = map[string]int{}, map[string]float64{}
	return c, u
}

// Every kind of call the Store makes is reported once per call by the client wrapper, with
// the capacity DynamoDB returned; a call whose condition fails is reported with 0 units.
func TestMeterReportsEveryCallKindOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	log := &meterLog{}
	log.take()
	s := internalStore(t).WithMeter(log.record)
	now := time.Now().UTC()
	id := token.ID("m-")
	h := token.Hash(token.New())
	sess := account.Session{MemberID: id, TokenHash: h, CreatedAt: now, LastSeenAt: now}
	post := newPost("12-15", "Meter water", "Counting every call", now)
	steps := []struct {
		name string
		run  func() error
		want map[string]int
		// failed: the op whose call is expected to report 0 units.
		failed string
	}{
		{"BulkLoad", func() error {
			return s.BulkLoad(ctx, []member.Member{{MemberID: id, Username: "meter", FirstName: "Ana", LastName: "Pop",
				Email: "meter@example.org", Role: member.RoleTeacher, CreatedAt: now}}, nil)
		}, map[string]int{"BatchWriteItem": 1}, ""},
		{"PutSession", func() error { return s.PutSession(ctx, sess) }, map[string]int{"PutItem": 1}, ""},
		{"PutSession again", func() error {
			// its condition fails (the call reports 0 units), and that is the session's own
			// earlier write: not an error
			return s.PutSession(ctx, sess)
		}, map[string]int{"PutItem": 1}, "PutItem"},
		{"GetSession", func() error { _, _, err := s.GetSession(ctx, id, h); return err }, map[string]int{"GetItem": 1}, ""},
		{"TouchSession", func() error { return s.TouchSession(ctx, id, h, now) }, map[string]int{"UpdateItem": 1}, ""},
		{"DeleteSession", func() error { return s.DeleteSession(ctx, id, h) }, map[string]int{"DeleteItem": 1}, ""},
		{"CreatePost", func() error { return s.CreatePost(ctx, post) }, map[string]int{"TransactWriteItems": 1}, ""},
		{"SearchPosts", func() error {
			if got := search(t, s, "12-15", "water"); len(got) != 1 {
				t.Errorf("search found %d posts", len(got))
			}
			return nil
		}, map[string]int{"Query": 1, "BatchGetItem": 1}, ""},
		{"ListPosts", func() error {
			_, _, err := s.ListPosts(ctx, "12-15", "", 10)
			return err
		}, map[string]int{"Query": 1}, ""},
		{"PutSession and DeleteAllSessions", func() error {
			if err := s.PutSession(ctx, sess); err != nil {
				return err
			}
			return s.DeleteAllSessions(ctx, id)
		}, map[string]int{"PutItem": 1, "Query": 1, "BatchWriteItem": 1}, ""},
	}
	seen := map[string]bool{}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		calls, units := log.take()
		if !maps.Equal(calls, st.want) {
			t.Errorf("%s: reported %v, want %v", st.name, calls, st.want)
		}
		for op := range st.want {
			seen[op] = true
			if op == st.failed {
				if units[op] != 0 {
					t.Errorf("%s: the failed %s reported %v units", st.name, op, units[op])
				}
			} else if units[op] <= 0 {
				t.Errorf("%s: %s reported %v units, want the consumed capacity", st.name, op, units[op])
			}
		}
	}
	for _, op := range []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchGetItem", "BatchWriteItem", "TransactWriteItems"} {
		if !seen[op] {
			t.Errorf("%s was never exercised", op)
		}
	}
	// The store without a meter is untouched by WithMeter.
	plain := &Store{db: newClient(s.db.api, noWait), table: s.table}
	if _, _, err := plain.GetSession(ctx, id, h); err != nil {
		t.Fatal(err)
	}
	if calls, _ := log.take(); len(calls) != 0 {
		t.Errorf("a Store without a meter reported %v", calls)
	}
}
