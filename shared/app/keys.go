package app

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// KeyReader reads a SecureString parameter (ssmkey.Read). A function that signs list
// cursors hands one to Serve; the others never import the SSM client.
type KeyReader func(ctx context.Context, cfg aws.Config, name string) (string, error)

// The signing keys and the environment variables that give them: <NAME>, when set, is the
// key itself (tests and local tools); else <NAME>_PARAMETER names an SSM Parameter Store
// SecureString (template.yaml gives it, with ssm:GetParameter on that parameter alone,
// to the functions that sign or check with it).
const (
	cursorKeyEnv      = "CURSOR_KEY"      // list cursors (the routes that page lists)
	unsubscribeKeyEnv = "UNSUBSCRIBE_KEY" // one-click unsubscribe links (mail-sender, unsubscribe routes)
)

// signingKey returns the key env names, read once per container (see the constants):
// with neither variable set there is no key ("", nil), and what it signs fails closed.
// A parameter that cannot be read, or is not a SecureString, is an error: the function
// does not start rather than serve what it cannot sign.
func signingKey(ctx context.Context, cfg aws.Config, read KeyReader, env string) (string, error) {
	if k := os.Getenv(env); k != "" {
		return k, nil
	}
	name := os.Getenv(env + "_PARAMETER")
	if name == "" {
		return "", nil
	}
	if read == nil {
		return "", errors.New(env + "_PARAMETER is set, but this function reads no parameter: its main.go must pass ssmkey.Read to lambdarun")
	}
	return read(ctx, cfg, name)
}

// minKeyLength is the shortest signing key accepted.
const minKeyLength = 32
