// Command mail-sender delivers the outbox: each new outbox item from the table's stream,
// once, through SES (the only function that links the SES client).
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/lambdarun"
	"etwin/shared/sesmail"
	"etwin/shared/ssmkey"
)

func main() {
	lambdarun.Stream(func(d *app.Deps) func(context.Context, string) error {
		return d.Outbox(sesmail.New).Deliver
	}, ssmkey.Read) // the key that signs the unsubscribe links
}
