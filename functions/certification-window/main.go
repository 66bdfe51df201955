// Command certification-window runs hourly (EventBridge schedule): it takes each
// certification round through its dates (announcement, sweep, reminders, closing), each
// step once however often it runs.
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/certification"
	"etwin/shared/lambdarun"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) ([]certification.RoundReport, error) {
		jobs := d.CertificationJobs()
		return func(ctx context.Context) ([]certification.RoundReport, error) {
			return jobs.Run(ctx, certification.DeadlineOf(ctx))
		}
	})
}
