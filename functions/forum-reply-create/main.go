// Command forum-reply-create serves POST /v1/forums/{ageGroup}/posts/{postId}/replies.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ForumReplyCreate) }
