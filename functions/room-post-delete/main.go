// Command room-post-delete serves DELETE /v1/rooms/{roomId}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.RoomPostDelete) }
