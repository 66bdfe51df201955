// Command certification-window-current serves GET /v1/certification/windows/current
// (public): the announced or open certification round.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.CertificationWindowCurrent) }
