// Command vocabularies serves GET /v1/vocabularies.
package main

import (
	"etwin/functions/internal/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.Vocabularies) }
