// Package sesmail sends mail.Message through Amazon SES (v2 API). The SDK's standard
// retryer retries throttling and transient failures; what still fails is returned, so the
// use case can report it rather than pretend.
package sesmail

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"etwin/shared/mail"
)

// Sender sends from one address.
type Sender struct {
	client *sesv2.Client
	from   string
}

// New builds the SES client once per container (up to 5 attempts per send).
func New(cfg aws.Config, from string) *Sender {
	return &Sender{client: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.RetryMaxAttempts = 5 }), from: from}
}

// Send implements mail.Sender.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	utf8 := aws.String("UTF-8")
	_, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.from),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
			},
		}},
	})
	return err
}
