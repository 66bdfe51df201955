// Command resources-list serves GET /v1/resources?theme=&language=&q=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ResourcesList, ssmkey.Read) }
