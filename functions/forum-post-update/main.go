// Command forum-post-update serves PATCH /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ForumPostUpdate) }
