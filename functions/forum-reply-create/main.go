// Command forum-reply-create serves POST /v1/forums/{ageGroup}/posts/{postId}/replies.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ForumReplyCreate) }
