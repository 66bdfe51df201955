// Command forum-post-get serves GET /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ForumPostGet, ssmkey.Read) }
