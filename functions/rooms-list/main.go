// Command rooms-list serves GET /v1/rooms?tag=&language=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.RoomsList, ssmkey.Read) }
