// Command forum-reply-delete serves DELETE /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ForumReplyDelete) }
