package bench

import (
	"testing"
	"time"

	"etwin/shared/room"
)

// The generated rooms are due as the benchmark says: expiryDueFirst at the base instant
// (half to warn, half to close), expiryDueLater others a day later, none of the rest.
func TestExpiryRoomsDueAsGenerated(t *testing.T) {
	base := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	later := base.Add(24 * time.Hour)
	const n = 2000
	steps := map[string]map[room.Step]int{"base": {}, "later": {}}
	for k := range n {
		r := expiryRoom(k, base)
		due, ok := r.DueAt()
		if !ok {
			t.Fatalf("room %d has no expiry entry", k)
		}
		if !due.After(base) {
			steps["base"][r.NextStep(base)]++
			if r.NextStep(base) == room.Warn { // the first run warns it: due at its expiry
				r.WarnedAt = ptr(base)
			} else {
				continue // closed
			}
		}
		if d, _ := r.DueAt(); !d.After(later) {
			steps["later"][r.NextStep(later)]++
		}
	}
	half := func(x int) map[room.Step]int { return map[room.Step]int{room.Warn: x / 2, room.Close: x / 2} }
	for name, want := range map[string]map[room.Step]int{"base": half(expiryDueFirst), "later": half(expiryDueLater)} {
		if got := steps[name]; len(got) != len(want) || got[room.Warn] != want[room.Warn] || got[room.Close] != want[room.Close] {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}
