// Command unsubscribe serves POST /unsubscribe/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.ServePublic(api.Unsubscribe, ssmkey.Read) }
