// Command events-calendar serves GET /v1/events.ics?kind=&language= (public, text/calendar).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.EventsCalendar) }
