// Command certification-applications-list serves GET /v1/nso/certification/applications (the NSO's queue).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.CertificationApplicationsList, ssmkey.Read) }
