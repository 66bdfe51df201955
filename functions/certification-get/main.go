// Command certification-get serves GET /v1/schools/{schoolId}/certification (members of the school).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.CertificationGet) }
