// Package app is the composition root every function shares: it reads the environment,
// builds the AWS clients once per container, and starts the Lambda handler with
// structured logging. functions/*/main.go only choose which handler to run.
package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"etwin/shared/account"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/directory"
	"etwin/shared/httpapi"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/sesmail"
)

// Deps is what use cases are built from.
type Deps struct {
	Store     *ddb.Store
	Mail      *sesmail.Sender
	PortalURL string
	Cursors   cursor.Signer
}

// Load reads the environment (TABLE_NAME, PORTAL_URL, SENDER_ADDRESS, CURSOR_KEY) and
// builds the clients.
func Load(ctx context.Context) (*Deps, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	d := &Deps{
		Store:     ddb.New(ddb.NewClient(cfg), table),
		PortalURL: os.Getenv("PORTAL_URL"),
	}
	if from := os.Getenv("SENDER_ADDRESS"); from != "" {
		d.Mail = sesmail.New(cfg, from)
	}
	if k := os.Getenv("CURSOR_KEY"); k != "" {
		if len(k) < 32 {
			return nil, errors.New("CURSOR_KEY must be at least 32 characters")
		}
		d.Cursors = cursor.New(k)
	}
	return d, nil
}

// Registration is the registration service.
func (d *Deps) Registration() *registration.Service {
	return &registration.Service{Store: d.Store, Mail: d.Mail, PortalURL: d.PortalURL}
}

// Account is the account service (sessions, personal page, password resets); it is also
// the authenticator of protected routes.
func (d *Deps) Account() *account.Service {
	return &account.Service{Store: d.Store, Mail: d.Mail, PortalURL: d.PortalURL}
}

// Schools is the school look-up service.
func (d *Deps) Schools() *school.Service {
	return &school.Service{Store: d.Store, Cursors: d.Cursors}
}

// Directory is the member search and the public profiles.
func (d *Deps) Directory() *directory.Service {
	return &directory.Service{Store: d.Store, Cursors: d.Cursors}
}

// Public starts a function serving a public route; build picks the handler.
func Public(build func(*Deps) httpapi.Handler) {
	start(func(d *Deps) httpapi.Handler { return build(d) })
}

// Protected starts a function serving a route that needs a signed-in member: every
// request goes through the one authentication wrapper first.
func Protected(build func(*Deps) httpapi.ProtectedHandler) {
	start(func(d *Deps) httpapi.Handler { return httpapi.Protected(d.Account(), build(d)) })
}

func start(build func(*Deps) httpapi.Handler) {
	slog.SetDefault(lambdacontext.NewLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	d, err := Load(ctx)
	cancel()
	if err != nil {
		// Lambda reports the failed init; the message names only configuration.
		slog.Error("init failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.StartWithOptions(httpapi.Handle(build(d)), lambda.WithEnableSIGTERM())
}
