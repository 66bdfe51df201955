package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// StreamSource is one DynamoDB event of a function: an event source mapping that reads
// a table's stream and invokes the function with batches of its records, as
// AWS::Lambda::EventSourceMapping does. The defaults are Lambda's.
type StreamSource struct {
	Name             string // the event's key under Events, e.g. Outbox
	Table            string // logical ID of the table whose stream it reads (Stream: !GetAtt <Table>.StreamArn)
	StartingPosition string // TRIM_HORIZON or LATEST
	Enabled          bool   // Enabled, default true; a disabled mapping reads nothing
	BatchSize        int    // 1 to 10,000, default 100
	// BatchingWindow is MaximumBatchingWindowInSeconds (0 to 300, default 0): how long
	// records are gathered before the function is invoked with fewer than BatchSize.
	BatchingWindow time.Duration
	// ReportBatchItemFailures: FunctionResponseTypes holds ReportBatchItemFailures, so
	// the reply's batchItemFailures say where to retry from.
	ReportBatchItemFailures    bool
	BisectBatchOnFunctionError bool
	// MaximumRetryAttempts: -1 (the default) retries until the record expires, else 0
	// to 10,000.
	MaximumRetryAttempts int
	// MaximumRecordAgeInSeconds: -1 (the default) means no limit, else 60 to 604,800.
	MaximumRecordAgeInSeconds int
	// Filters are FilterCriteria.Filters: a record is delivered when it matches one of
	// them; with none, every record is.
	Filters []*Filter
	// OnFailure is the logical ID of the AWS::SQS::Queue that DestinationConfig.OnFailure
	// names ("" when there is none): where the records given up are reported.
	OnFailure string
}

// Lambda's limits for a DynamoDB Streams event source mapping.
const (
	maxStreamBatchSize      = 10000
	maxBatchingWindowSecs   = 300
	maxStreamRetryAttempts  = 10000
	minRecordAgeSecs        = 60
	maxRecordAgeSecs        = 604800
	defaultStreamBatchSize  = 100
	reportBatchItemFailures = "ReportBatchItemFailures"
)

func (r *resolver) streamSource(name string, props *yaml.Node) (*StreamSource, error) {
	src := &StreamSource{
		Name:                      name,
		Enabled:                   true,
		MaximumRetryAttempts:      -1,
		MaximumRecordAgeInSeconds: -1,
	}
	table, attr := getAtt(get(props, "Stream"))
	if attr != "StreamArn" || r.resources[table] != "AWS::DynamoDB::Table" {
		return nil, fmt.Errorf("Stream must be !GetAtt <table>.StreamArn of an AWS::DynamoDB::Table in this template")
	}
	if r.streams[table] == "" {
		return nil, fmt.Errorf("Stream: table %s has no StreamSpecification, so no StreamArn", table)
	}
	src.Table = table

	var err error
	if src.StartingPosition, err = r.str(get(props, "StartingPosition")); err != nil {
		return nil, fmt.Errorf("StartingPosition: %w", err)
	}
	if src.StartingPosition != "TRIM_HORIZON" && src.StartingPosition != "LATEST" {
		return nil, fmt.Errorf("StartingPosition %q: a DynamoDB stream starts at TRIM_HORIZON or LATEST", src.StartingPosition)
	}
	if src.Enabled, err = r.boolValue(get(props, "Enabled"), true); err != nil {
		return nil, fmt.Errorf("Enabled: %w", err)
	}
	if src.BatchSize, err = r.intInRange(get(props, "BatchSize"), "BatchSize", defaultStreamBatchSize, 1, maxStreamBatchSize); err != nil {
		return nil, err
	}
	window, err := r.intInRange(get(props, "MaximumBatchingWindowInSeconds"), "MaximumBatchingWindowInSeconds", 0, 0, maxBatchingWindowSecs)
	if err != nil {
		return nil, err
	}
	src.BatchingWindow = time.Duration(window) * time.Second
	for _, n := range seq(get(props, "FunctionResponseTypes")) {
		s, err := r.str(n)
		if err != nil || s != reportBatchItemFailures {
			return nil, fmt.Errorf("FunctionResponseTypes: only %s exists (got %q, %v)", reportBatchItemFailures, s, err)
		}
		src.ReportBatchItemFailures = true
	}
	if src.BisectBatchOnFunctionError, err = r.boolValue(get(props, "BisectBatchOnFunctionError"), false); err != nil {
		return nil, fmt.Errorf("BisectBatchOnFunctionError: %w", err)
	}
	if src.MaximumRetryAttempts, err = r.intInRange(get(props, "MaximumRetryAttempts"), "MaximumRetryAttempts", -1, -1, maxStreamRetryAttempts); err != nil {
		return nil, err
	}
	if src.MaximumRecordAgeInSeconds, err = r.intInRange(get(props, "MaximumRecordAgeInSeconds"), "MaximumRecordAgeInSeconds", -1, -1, maxRecordAgeSecs); err != nil {
		return nil, err
	}
	if age := src.MaximumRecordAgeInSeconds; age != -1 && age < minRecordAgeSecs {
		return nil, fmt.Errorf("MaximumRecordAgeInSeconds %d: Lambda takes -1 or %d to %d", age, minRecordAgeSecs, maxRecordAgeSecs)
	}
	factor, err := r.intInRange(get(props, "ParallelizationFactor"), "ParallelizationFactor", 1, 1, 10)
	if err != nil {
		return nil, err
	}
	if factor != 1 {
		return nil, fmt.Errorf("ParallelizationFactor %d: the local gateway reads each shard with one batch at a time (only 1 is supported)", factor)
	}
	for _, unsupported := range []string{"TumblingWindowInSeconds", "StartingPositionTimestamp"} {
		if get(props, unsupported) != nil {
			return nil, fmt.Errorf("%s is not supported by the local gateway", unsupported)
		}
	}

	for i, f := range seq(get(get(props, "FilterCriteria"), "Filters")) {
		pattern, err := r.str(get(f, "Pattern"))
		if err != nil {
			return nil, fmt.Errorf("FilterCriteria.Filters[%d].Pattern: %w", i, err)
		}
		filter, err := CompileFilter(pattern)
		if err != nil {
			return nil, fmt.Errorf("FilterCriteria.Filters[%d]: %w", i, err)
		}
		src.Filters = append(src.Filters, filter)
	}

	if onFailure := get(get(props, "DestinationConfig"), "OnFailure"); onFailure != nil {
		if typ := scalar(get(onFailure, "Type")); typ != "" && typ != "SQS" {
			return nil, fmt.Errorf("DestinationConfig.OnFailure.Type %q: the local gateway keeps SQS destinations only", typ)
		}
		queue, attr := getAtt(get(onFailure, "Destination"))
		if attr != "Arn" || r.resources[queue] != "AWS::SQS::Queue" {
			return nil, fmt.Errorf("DestinationConfig.OnFailure.Destination must be !GetAtt <queue>.Arn of an AWS::SQS::Queue in this template")
		}
		src.OnFailure = queue
	}
	return src, nil
}

func (r *resolver) intInRange(n *yaml.Node, name string, def, lo, hi int) (int, error) {
	v, err := r.intValue(n, def)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%s %d: Lambda takes %d to %d", name, v, lo, hi)
	}
	return v, nil
}

func (r *resolver) boolValue(n *yaml.Node, def bool) (bool, error) {
	if n == nil {
		return def, nil
	}
	s, err := r.str(n)
	if err != nil {
		return false, err
	}
	return strconv.ParseBool(s)
}

// getAtt returns the logical ID and attribute of !GetAtt X.Attr, !GetAtt [X, Attr] or
// {"Fn::GetAtt": ...}; empty strings for anything else.
func getAtt(n *yaml.Node) (string, string) {
	n = deref(n)
	if n == nil {
		return "", ""
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Fn::GetAtt" {
		n = deref(n.Content[1])
	} else if n.Tag != "!GetAtt" {
		return "", ""
	}
	switch n.Kind {
	case yaml.ScalarNode:
		id, attr, ok := strings.Cut(n.Value, ".")
		if !ok {
			return "", ""
		}
		return id, attr
	case yaml.SequenceNode:
		if len(n.Content) == 2 {
			return scalar(n.Content[0]), scalar(n.Content[1])
		}
	}
	return "", ""
}
