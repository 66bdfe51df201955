package sesmail

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"etwin/shared/outbox"
)

// TestClassify: SES's answers map to the outbox's retry decisions.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{&types.TooManyRequestsException{Message: new(string)}, outbox.ErrThrottled},
		{&types.LimitExceededException{}, outbox.ErrQuota},
		{&types.SendingPausedException{}, outbox.ErrQuota},
		{&types.MessageRejected{}, outbox.ErrRejected},
		{&types.BadRequestException{}, outbox.ErrRejected},
		{&smithy.GenericAPIError{Code: "Throttling", Message: "Maximum sending rate exceeded.", Fault: smithy.FaultClient}, nil},
		{&smithy.GenericAPIError{Code: "MessageRejected", Message: "Daily message quota exceeded.", Fault: smithy.FaultClient}, outbox.ErrQuota},
		{&smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "x", Fault: smithy.FaultClient}, outbox.ErrRejected},
		{&smithy.GenericAPIError{Code: "InternalFailure", Message: "x", Fault: smithy.FaultServer}, nil},
	} {
		got := classify(c.err)
		if c.want == nil {
			if errors.Is(got, outbox.ErrRejected) || errors.Is(got, outbox.ErrQuota) {
				t.Errorf("%v: %v, want a transient error", c.err, got)
			}
			continue
		}
		if !errors.Is(got, c.want) {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
	if classify(nil) != nil {
		t.Error("nil is not nil")
	}
}
