// Command vocabularies serves GET /v1/vocabularies.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.Vocabularies) }
