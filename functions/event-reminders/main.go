// Command event-reminders runs hourly (EventBridge schedule): it reminds the attendees of
// every event that starts within a day, each registration once (an event_reminder
// notification and its e-mail).
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/event"
	"etwin/shared/lambdarun"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) (event.ReminderReport, error) {
		return d.Events().SendReminders
	})
}
