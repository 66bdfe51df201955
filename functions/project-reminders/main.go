// Command project-reminders runs daily (EventBridge schedule): it reminds co-founders and
// NSOs of the projects waiting for them (once per step).
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/lambdarun"
	"etwin/shared/project"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) (project.ReminderReport, error) {
		return d.Projects().SendReminders
	})
}
