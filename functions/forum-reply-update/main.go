// Command forum-reply-update serves PATCH /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ForumReplyUpdate) }
