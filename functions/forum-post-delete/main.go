// Command forum-post-delete serves DELETE /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ForumPostDelete) }
