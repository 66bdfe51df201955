package ddb

import (
	"testing"
	"time"
)

func TestKeyHelpers(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	k := splitKey(keyRef(memberPK("m-1"), sessionSK("h|x")))
	if str(k, "PK") != "MEMBER#m-1" || str(k, "SK") != "SESSION#h|x" {
		t.Errorf("keyRef round trip: %v", k)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	pos := memberProjectsGSI1SK(at.Format(keyTime), "p-0123")
	start := memberProjectsStart("m-1", pos)
	want := key(projectPK("p-0123"), projectMemberSK("m-1"))
	if len(start) != len(want)+2 ||
		str(start, "PK") != "PROJECT#p-0123" || str(start, "SK") != "MEMBER#m-1" ||
		str(start, "GSI1PK") != memberProjectsGSI1PK("m-1") || str(start, "GSI1SK") != pos {
		t.Errorf("memberProjectsStart: %v", start)
	}
	if projectIDOf(projectPK("p-9")) != "p-9" {
		t.Error("projectIDOf")
	}
	due := projectRemindersDueBy(at)
	for _, id := range []string{"p-zzzz", "~", "~~~~", "RO~1234"} {
		if got := projectReminderGSI1SK(at.Format(keyTime), id); got > due {
			t.Errorf("a reminder due at now (%q) sorts after the bound %q", got, due)
		}
	}
	if got := projectReminderGSI1SK(at.Add(time.Millisecond).Format(keyTime), "p-0"); got <= due {
		t.Errorf("a reminder due later (%q) sorts within the bound %q", got, due)
	}
	older, newer := newestFirst(at, "a"), newestFirst(at.Add(time.Second), "a")
	if newer >= older {
		t.Errorf("newestFirst: %q should sort before %q", newer, older)
	}
}
