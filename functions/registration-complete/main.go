// Command registration-complete serves POST /v1/registrations/{token}/complete.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.RegistrationComplete) }
