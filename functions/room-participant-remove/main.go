// Command room-participant-remove serves DELETE /v1/rooms/{roomId}/participants/{memberId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomParticipantRemove) }
