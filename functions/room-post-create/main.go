// Command room-post-create serves POST /v1/rooms/{roomId}/posts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomPostCreate) }
