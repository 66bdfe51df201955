// Command forum-posts-list serves GET /v1/forums/{ageGroup}/posts?q=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ForumPostsList, ssmkey.Read) }
