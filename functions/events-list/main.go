// Command events-list serves GET /v1/events?kind=&language=&from=&to=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.EventsList, ssmkey.Read) }
