// Command event-create serves POST /v1/events.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.EventCreate) }
