package gateway

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestTemplateStreamSources(t *testing.T) {
	tmpl, err := LoadTemplate("testdata/streams.yaml", TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tmpl.TableStreams, map[string]string{"Table": "NEW_IMAGE"}) ||
		!reflect.DeepEqual(tmpl.Queues, []string{"DeadLetterQueue"}) {
		t.Errorf("streams %v, queues %v", tmpl.TableStreams, tmpl.Queues)
	}
	outbox := tmpl.FunctionByName("OutboxFunction")
	if len(outbox.StreamSources) != 1 {
		t.Fatalf("OutboxFunction: %+v", outbox.StreamSources)
	}
	src := *outbox.StreamSources[0]
	if len(src.Filters) != 1 || src.Filters[0].Pattern != `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["outbox"]}}}}` {
		t.Errorf("filters %+v", src.Filters)
	}
	src.Filters = nil
	want := StreamSource{
		Name: "Outbox", Table: "Table", StartingPosition: "TRIM_HORIZON", Enabled: true, BatchSize: 10,
		ReportBatchItemFailures: true, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 3,
		MaximumRecordAgeInSeconds: 3600, OnFailure: "DeadLetterQueue",
	}
	if !reflect.DeepEqual(src, want) {
		t.Errorf("OutboxFunction's source\n%+v, want\n%+v", src, want)
	}
	crash := tmpl.FunctionByName("CrashFunction").StreamSources[0]
	if crash.BatchingWindow != time.Second || crash.MaximumRetryAttempts != -1 || crash.MaximumRecordAgeInSeconds != -1 ||
		crash.ReportBatchItemFailures || crash.BisectBatchOnFunctionError || crash.OnFailure != "" {
		t.Errorf("CrashFunction's source (Lambda's defaults) %+v", crash)
	}
}

// The shape of template.yaml's MailSenderFunction, with the long forms of the
// intrinsic functions, and Lambda's defaults.
func TestTemplateStreamSourceForms(t *testing.T) {
	path := writeStreamTemplate(t, `
          Stream: {"Fn::GetAtt": [Table, StreamArn]}
          StartingPosition: LATEST
          Enabled: false
          FilterCriteria:
            Filters:
              - Pattern: '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["outbox"]}}}}'
              - Pattern: '{"eventName":["REMOVE"]}'
          DestinationConfig:
            OnFailure:
              Destination: !GetAtt [Queue, Arn]`)
	tmpl, err := LoadTemplate(path, TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := tmpl.FunctionByName("F").StreamSources[0]
	if src.Table != "Table" || src.StartingPosition != "LATEST" || src.Enabled || src.BatchSize != 100 ||
		src.BatchingWindow != 0 || len(src.Filters) != 2 || src.OnFailure != "Queue" {
		t.Errorf("source %+v", src)
	}
}

func TestTemplateStreamSourceErrors(t *testing.T) {
	cases := map[string]string{
		"Stream: !GetAtt Table.Arn\n          StartingPosition: LATEST":                                                                                       "Stream must be",
		"Stream: !GetAtt Plain.StreamArn\n          StartingPosition: LATEST":                                                                                 "no StreamSpecification",
		"Stream: arn:aws:dynamodb:x\n          StartingPosition: LATEST":                                                                                      "Stream must be",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: AT_TIMESTAMP":                                                                           "TRIM_HORIZON or LATEST",
		"Stream: !GetAtt Table.StreamArn":                                                                                                                     "StartingPosition",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          ParallelizationFactor: 2":                                             "only 1",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          BatchSize: 0":                                                         "BatchSize 0",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          MaximumBatchingWindowInSeconds: 301":                                  "MaximumBatchingWindowInSeconds",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          MaximumRecordAgeInSeconds: 30":                                        "-1 or 60",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          MaximumRetryAttempts: -2":                                             "MaximumRetryAttempts",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          FunctionResponseTypes: [Partial]":                                     "ReportBatchItemFailures",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          TumblingWindowInSeconds: 60":                                          "not supported",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          BisectBatchOnFunctionError: maybe":                                    "BisectBatchOnFunctionError",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          FilterCriteria: {Filters: [{Pattern: '{\"a\":\"b\"}'}]}":              "Filters[0]",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          DestinationConfig: {OnFailure: {Destination: !GetAtt Table.Arn}}":     "AWS::SQS::Queue",
		"Stream: !GetAtt Table.StreamArn\n          StartingPosition: LATEST\n          DestinationConfig: {OnFailure: {Type: SNS, Destination: !Ref Topic}}": "SQS destinations only",
	}
	for props, want := range cases {
		_, err := LoadTemplate(writeStreamTemplate(t, props), TemplateOptions{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "function F: event S") {
			t.Errorf("%s: error %v, want one saying %q", props, err, want)
		}
	}
}

func writeStreamTemplate(t *testing.T, props string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	text := `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Plain: {Type: AWS::DynamoDB::Table}
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic}
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f
      Events:
        S:
          Type: DynamoDB
          Properties:
            ` + strings.ReplaceAll(strings.TrimLeft(props, " \n"), "\n", "\n  ") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
