// Package ssmkey reads a SecureString from SSM Parameter Store. It is its own package so
// that only the functions that need it (those that sign list cursors) import the SSM
// client, whose package init costs milliseconds at every cold start: their main.go hands
// Read to lambdarun.Serve.
package ssmkey

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Read returns the clear value of the SecureString parameter name. A parameter that cannot
// be read, or is not a SecureString, is an error (naming the parameter, never its value).
func Read(ctx context.Context, cfg aws.Config, name string) (string, error) {
	out, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
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
