package clock

import (
	"testing"
	"time"
)

func TestNow(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	fixed := time.Date(2026, 11, 29, 18, 0, 0, 0, paris)
	if got := Now(func() time.Time { return fixed }); !got.Equal(fixed) || got.Location() != time.UTC {
		t.Fatalf("fixed clock: %v", got)
	}
	if got := Now(nil); time.Since(got) > time.Minute || got.Location() != time.UTC {
		t.Fatalf("real clock: %v", got)
	}
}
