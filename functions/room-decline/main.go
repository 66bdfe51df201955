// Command room-decline serves POST /v1/rooms/{roomId}/decline.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomDecline) }
