// Command forum-post-get serves GET /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ForumPostGet, ssmkey.Read) }
