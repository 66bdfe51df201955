// Command notification-mail-retry runs every 15 minutes (EventBridge schedule): it sends
// again the notification e-mails left pending or refused by SES (at most 5 attempts each).
package main

import (
	"context"

	"etwin/functions/internal/lambdarun"
	"etwin/shared/app"
	"etwin/shared/notify"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) (notify.RetryReport, error) {
		return d.Notifications().RetryMails
	})
}
