// Command room-extend serves POST /v1/rooms/{roomId}/extend.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomExtend) }
