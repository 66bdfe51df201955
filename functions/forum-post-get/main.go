// Command forum-post-get serves GET /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ForumPostGet) }
