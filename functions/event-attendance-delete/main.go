// Command event-attendance-delete serves DELETE /v1/events/{eventId}/attendance.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.EventAttendanceDelete) }
