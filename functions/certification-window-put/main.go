// Command certification-window-put serves PUT /v1/certification/windows/{year} (CSS only).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.CertificationWindowPut) }
