// Command registration-read serves GET /v1/registrations/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.ServePublic(api.RegistrationRead) }
