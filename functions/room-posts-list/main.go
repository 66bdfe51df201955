// Command room-posts-list serves GET /v1/rooms/{roomId}/posts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.RoomPostsList, ssmkey.Read) }
