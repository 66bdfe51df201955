// Command forum-posts-list serves GET /v1/forums/{ageGroup}/posts?q=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ForumPostsList, ssmkey.Read) }
