// Command forum-posts-list serves GET /v1/forums/{ageGroup}/posts?q=.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Forums().HandleList })
}
