// Command vocabularies serves GET /v1/vocabularies.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.ServePublic(api.Vocabularies) }
