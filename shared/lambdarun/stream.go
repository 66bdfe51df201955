package lambdarun

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"etwin/shared/app"
)

// Stream starts a function fed by the table's DynamoDB stream (an event source mapping
// with ReportBatchItemFailures): handle gets the "id" of each record's new image, in
// order. The first record it fails is reported as the batch's failure, and the stream
// retries from there (the records after it are not handed over: they come again). A
// function that signs with a key from SSM also gets the reader: Stream(build, ssmkey.Read).
func Stream(build func(*app.Deps) func(ctx context.Context, id string) error, read ...app.KeyReader) {
	handle := build(initialise(read...))
	lambda.StartWithOptions(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		for _, r := range ev.Records {
			id := r.Change.NewImage["id"]
			if id.DataType() != events.DataTypeString {
				slog.WarnContext(ctx, "a stream record without an id", "eventId", r.EventID)
				continue
			}
			if err := handle(ctx, id.String()); err != nil {
				return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
					{ItemIdentifier: r.Change.SequenceNumber}}}, nil
			}
		}
		return events.DynamoDBEventResponse{}, nil
	}, lambda.WithEnableSIGTERM())
}

// Topic starts a function subscribed to an SNS topic: handle gets each message's text.
// A failure fails the invocation, and SNS retries it.
func Topic(build func(*app.Deps) func(ctx context.Context, message string) error) {
	handle := build(initialise())
	lambda.StartWithOptions(func(ctx context.Context, ev events.SNSEvent) error {
		for _, r := range ev.Records {
			if err := handle(ctx, r.SNS.Message); err != nil {
				slog.ErrorContext(ctx, "topic message failed", "messageId", r.SNS.MessageID, "error", err.Error())
				return err
			}
		}
		return nil
	}, lambda.WithEnableSIGTERM())
}
