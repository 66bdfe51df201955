// Command forum-post-create serves POST /v1/forums/{ageGroup}/posts.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Forums().HandleCreate })
}
