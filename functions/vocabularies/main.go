// Command vocabularies serves GET /v1/vocabularies.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
	"etwin/shared/vocab"
)

func main() {
	app.Public(func(*app.Deps) httpapi.Handler { return vocab.Handle })
}
