// Command unsubscribe-page serves GET /unsubscribe/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.ServePublic(api.UnsubscribePage, ssmkey.Read) }
