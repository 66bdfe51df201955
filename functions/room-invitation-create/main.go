// Command room-invitation-create serves POST /v1/rooms/{roomId}/invitations.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomInvitationCreate) }
