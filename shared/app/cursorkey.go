package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// cursorKey returns the secret that signs list cursors, read once per container:
//   - CURSOR_KEY, when set, is the key itself (tests and local tools);
//   - else CURSOR_KEY_PARAMETER names an SSM Parameter Store SecureString, read with
//     decryption (template.yaml gives it, with ssm:GetParameter on that parameter alone,
//     to the functions that page lists);
//   - else there is no key ("", nil) and cursors fail closed.
//
// A parameter that cannot be read, or is not a SecureString, is an error: the function
// does not start rather than serve lists it cannot sign.
func cursorKey(ctx context.Context, cfg aws.Config) (string, error) {
	if k := os.Getenv("CURSOR_KEY"); k != "" {
		return k, nil
	}
	name := os.Getenv("CURSOR_KEY_PARAMETER")
	if name == "" {
		return "", nil
	}
	return secureParameter(ctx, ssm.NewFromConfig(cfg), name)
}

// secureParameter reads the clear value of a SecureString parameter.
func secureParameter(ctx context.Context, c *ssm.Client, name string) (string, error) {
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("reading the cursor key parameter %s: %w", name, err)
	}
	p := out.Parameter
	if p == nil || p.Value == nil {
		return "", errors.New("the cursor key parameter " + name + " has no value")
	}
	if p.Type != types.ParameterTypeSecureString {
		return "", fmt.Errorf("the cursor key parameter %s is a %s; it must be a SecureString", name, p.Type)
	}
	return *p.Value, nil
}
