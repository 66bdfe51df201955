// Command password-reset-request serves POST /v1/password-resets.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.ServePublic(api.PasswordResetRequest) }
