// Command session-create serves POST /v1/sessions (login).
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.ServePublic(api.SessionCreate) }
