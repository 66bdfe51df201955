// Command session-create serves POST /v1/sessions (login).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.SessionCreate) }
