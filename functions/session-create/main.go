// Command session-create serves POST /v1/sessions (login).
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.SessionCreate) }
