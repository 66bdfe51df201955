// Command forum-post-create serves POST /v1/forums/{ageGroup}/posts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ForumPostCreate) }
