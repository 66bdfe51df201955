// Command forum-post-create serves POST /v1/forums/{ageGroup}/posts.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ForumPostCreate) }
