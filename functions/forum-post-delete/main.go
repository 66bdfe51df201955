// Command forum-post-delete serves DELETE /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ForumPostDelete) }
