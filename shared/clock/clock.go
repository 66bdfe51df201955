// Package clock is the one way services tell the time: in UTC, from a clock tests may set.
package clock

import "time"

// Now is f's time in UTC, or the real time when f is nil (the services' Now field: nil in
// production, fixed in tests).
func Now(f func() time.Time) time.Time {
	if f != nil {
		return f().UTC()
	}
	return time.Now().UTC()
}
