// Command certification-window-put serves PUT /v1/certification/windows/{year} (CSS only).
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.CertificationWindowPut) }
