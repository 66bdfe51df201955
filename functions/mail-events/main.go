// Command mail-events reads SES's bounce and complaint events (through SNS) and puts the
// addresses on the suppression list that the mail-sender checks before every send.
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/lambdarun"
)

func main() {
	lambdarun.Topic(func(d *app.Deps) func(context.Context, string) error {
		return d.MailEvents().Record
	})
}
