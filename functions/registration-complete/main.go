// Command registration-complete serves POST /v1/registrations/{token}/complete.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.RegistrationComplete) }
