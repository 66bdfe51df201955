// Command room-get serves GET /v1/rooms/{roomId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomGet) }
