// Package sesmail sends mail.Message through Amazon SES (v2 API) for the mail-sender. The
// SDK's standard retryer retries throttling and transient failures within one send; what
// still fails is returned as outbox.ErrThrottled, outbox.ErrQuota or outbox.ErrRejected
// (for good), or as it is (transient), so the outbox can retry or record it.
package sesmail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"etwin/shared/mail"
	"etwin/shared/outbox"
)

// Sender sends from one address, through the configuration set named by
// SES_CONFIGURATION_SET when there is one (reputation metrics, bounce and complaint events).
type Sender struct {
	client *sesv2.Client
	from   string
	set    string
}

// New builds the SES client once per container. A send makes at most 3 attempts, at most
// 1 s apart, so the whole send ends well within outbox.SendBound: a send cut short by that
// bound might have reached SES and be sent again after the claim is released. Longer
// throttling is the stream's to retry.
func New(cfg aws.Config, from string) mail.Sender {
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = time.Second
		})
	})
	return &Sender{client: client, from: from, set: configurationSet()}
}

// Send implements mail.Sender.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	utf8 := aws.String("UTF-8")
	msg := &types.Message{
		Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
		Body: &types.Body{
			Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
			Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
		},
	}
	for name, value := range m.Headers {
		msg.Headers = append(msg.Headers, types.MessageHeader{Name: aws.String(name), Value: aws.String(value)})
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Simple: msg},
	}
	if s.set != "" {
		in.ConfigurationSetName = aws.String(s.set)
	}
	_, err := s.client.SendEmail(ctx, in)
	return classify(err)
}

// classify maps SES's answers to the outbox's errors.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var tooMany *types.TooManyRequestsException
	var limit *types.LimitExceededException
	var paused *types.SendingPausedException
	var rejected *types.MessageRejected
	var bad *types.BadRequestException
	var notVerified *types.MailFromDomainNotVerifiedException
	var suspended *types.AccountSuspendedException
	var api smithy.APIError
	switch {
	case errors.As(err, &limit), errors.As(err, &paused), errors.As(err, &suspended):
		// the daily quota is used up, or sending is paused: nothing more goes for now
		return fmt.Errorf("%w (%s)", outbox.ErrQuota, code(err))
	case errors.As(err, &tooMany):
		return fmt.Errorf("%w (%s)", outbox.ErrThrottled, code(err))
	case errors.As(err, &rejected), errors.As(err, &bad), errors.As(err, &notVerified):
		return fmt.Errorf("%w: %s", outbox.ErrRejected, code(err))
	case errors.As(err, &api) && strings.Contains(strings.ToLower(api.ErrorMessage()), "daily message quota"):
		return fmt.Errorf("%w (%s)", outbox.ErrQuota, api.ErrorCode())
	case errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient && api.ErrorCode() != "Throttling":
		return fmt.Errorf("%w: %s", outbox.ErrRejected, api.ErrorCode())
	}
	return err
}

// code is SES's error code (never the message, which may quote the address).
func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return "error"
}
