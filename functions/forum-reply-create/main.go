// Command forum-reply-create serves POST /v1/forums/{ageGroup}/posts/{postId}/replies.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ForumReplyCreate) }
