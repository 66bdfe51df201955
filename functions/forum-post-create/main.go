// Command forum-post-create serves POST /v1/forums/{ageGroup}/posts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ForumPostCreate) }
