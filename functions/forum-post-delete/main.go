// Command forum-post-delete serves DELETE /v1/forums/{ageGroup}/posts/{postId}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Forums().HandleDelete })
}
