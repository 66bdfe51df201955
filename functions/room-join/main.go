// Command room-join serves POST /v1/rooms/{roomId}/join.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomJoin) }
