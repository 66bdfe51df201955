// Command resources-list serves GET /v1/resources?theme=&language=&q=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ResourcesList, ssmkey.Read) }
