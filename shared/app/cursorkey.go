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

// cursorKey returns the secret that signs list cursors, read once per container:
//   - CURSOR_KEY, when set, is the key itself (tests and local tools);
//   - else CURSOR_KEY_PARAMETER names an SSM Parameter Store SecureString, read with
//     decryption by read (template.yaml gives it, with ssm:GetParameter on that parameter
//     alone, to the functions that page lists);
//   - else there is no key ("", nil) and cursors fail closed.
//
// A parameter that cannot be read, or is not a SecureString, is an error: the function
// does not start rather than serve lists it cannot sign.
func cursorKey(ctx context.Context, cfg aws.Config, read KeyReader) (string, error) {
	if k := os.Getenv("CURSOR_KEY"); k != "" {
		return k, nil
	}
	name := os.Getenv("CURSOR_KEY_PARAMETER")
	if name == "" {
		return "", nil
	}
	if read == nil {
		return "", errors.New("CURSOR_KEY_PARAMETER is set, but this function reads no parameter: its main.go must pass ssmkey.Read to lambdarun.Serve")
	}
	return read(ctx, cfg, name)
}
