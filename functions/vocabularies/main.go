// Command vocabularies serves GET /v1/vocabularies.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.Vocabularies) }
