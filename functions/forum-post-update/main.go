// Command forum-post-update serves PATCH /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ForumPostUpdate) }
