// Package lambdarun is the one place the functions meet the Lambda runtime
// (aws-lambda-go): it sets up logging in Lambda's JSON format (the request id on every
// line), builds the dependencies once per container and starts the handler. No other package knows
// of Lambda; functions/<folder>/main.go is one call of Serve, ServePublic, Job, Stream or Topic.
package lambdarun

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"etwin/shared/app"
	"etwin/shared/httpapi"
)

// Serve starts a function serving r, a route for signed-in members. A route that pages
// lists also gets the reader of its cursor key: lambdarun.Serve(api.ProjectList, ssmkey.Read).
func Serve(r app.Route, read ...app.KeyReader) {
	if r.Public {
		panic(r.Function + " is public: its main.go calls lambdarun.ServePublic")
	}
	start(r.MemberChain(initialise(read...)))
}

// ServePublic starts a function serving r, a public route (no session needed).
func ServePublic(r app.Route, read ...app.KeyReader) {
	if !r.Public {
		panic(r.Function + " needs a session: its main.go calls lambdarun.Serve")
	}
	if r.Identify {
		panic(r.Function + " identifies its callers: its main.go calls lambdarun.ServeIdentified")
	}
	start(r.PublicChain(initialise(read...)))
}

// ServeIdentified starts a function serving r, a public route that also knows a
// signed-in caller (an e-mailed link: see httpapi.Identify).
func ServeIdentified(r app.Route, read ...app.KeyReader) {
	if !r.Identify {
		panic(r.Function + " does not identify callers: its main.go calls lambdarun.ServePublic")
	}
	start(r.IdentifiedChain(initialise(read...)))
}

// Job starts a scheduled function (an EventBridge schedule, or `make invoke`): run is
// called once per event, whatever the event holds, and its report is the reply.
func Job[T any](build func(*app.Deps) func(context.Context) (T, error)) {
	run := build(initialise())
	lambda.StartWithOptions(func(ctx context.Context, _ json.RawMessage) (T, error) {
		report, err := run(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "job failed", "error", err.Error())
		} else {
			slog.InfoContext(ctx, "job done", "report", report)
		}
		return report, err
	}, lambda.WithEnableSIGTERM())
}

func start(h httpapi.Handler) {
	lambda.StartWithOptions(httpapi.Handle(h), lambda.WithEnableSIGTERM())
}

func initialise(read ...app.KeyReader) *app.Deps {
	slog.SetDefault(lambdacontext.NewLogger())
	return app.Init(read...)
}
