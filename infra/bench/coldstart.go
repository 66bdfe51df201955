package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"etwin/infra/gateway"
)

// InitResult is one function's cold start against the local Lambda Runtime API:
// process start to its first /next call (the gateway's InitDurations).
type InitResult struct {
	Name, LogicalID string
	Baseline        bool
	Init            Summary
}

// baselinesTemplate runs the baselines through the same gateway as the functions,
// with the template's Globals.
func baselinesTemplate() string {
	var b strings.Builder
	b.WriteString(`AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: Baselines of the init-time benchmark (written by infra/cmd/bench).
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Handler: bootstrap
    MemorySize: 256
    Timeout: 10
Resources:
`)
	for _, bl := range baselines {
		fmt.Fprintf(&b, "  %s:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: %s\n", bl.LogicalID, strings.TrimPrefix(bl.pkg(), "./"))
	}
	return b.String()
}

// measureInit cold-starts every function (and the baselines) `samples` times: each
// round is a fresh gateway that invokes each function once, then closes (stopping
// the instances), so every start is a new process. Rounds interleave the functions,
// spreading the machine's noise over all of them.
func measureInit(ctx context.Context, opts gateway.Options, fns []*gateway.Function, tmpDir string, samples int, progress io.Writer) ([]InitResult, error) {
	basePath := filepath.Join(tmpDir, "baselines-template.yaml")
	if err := os.WriteFile(basePath, []byte(baselinesTemplate()), 0o644); err != nil {
		return nil, err
	}
	durations := map[string][]time.Duration{}
	round := func(o gateway.Options, ids []string, payloads map[string][]byte) error {
		gw, err := gateway.New(o)
		if err != nil {
			return err
		}
		defer gw.Close()
		for _, id := range ids {
			ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
			_, err := gw.Invoke(ictx, id, payloads[id])
			cancel()
			var fe *gateway.FunctionError
			if err != nil && !errors.As(err, &fe) {
				return fmt.Errorf("cold start of %s: %w", id, err)
			}
		}
		for id, st := range gw.Stats() {
			if len(st.InitDurations) == 0 {
				return fmt.Errorf("cold start of %s: no init measured (see the function log)", id)
			}
			durations[id] = append(durations[id], st.InitDurations...)
		}
		return nil
	}
	ids := make([]string, 0, len(fns))
	var baseIDs []string
	payloads := map[string][]byte{}
	for _, b := range baselines {
		baseIDs = append(baseIDs, b.LogicalID)
		payloads[b.LogicalID] = []byte(`{}`)
	}
	for _, f := range fns {
		ids = append(ids, f.LogicalID)
		payloads[f.LogicalID] = initEvent(f)
	}
	base := opts
	base.TemplatePath = basePath
	base.Parameters, base.TableName = nil, nil
	for k := range samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, "  init round %d/%d\n", k+1, samples)
		if err := round(opts, ids, payloads); err != nil {
			return nil, err
		}
		if err := round(base, baseIDs, payloads); err != nil {
			return nil, err
		}
	}
	var out []InitResult
	for _, b := range baselines {
		out = append(out, InitResult{Name: b.Folder, LogicalID: b.LogicalID, Baseline: true, Init: Summarize(durations[b.LogicalID])})
	}
	for _, f := range fns {
		out = append(out, InitResult{Name: f.Folder, LogicalID: f.LogicalID, Init: Summarize(durations[f.LogicalID])})
	}
	return out, nil
}

// initEvent is a bodiless request for the function's route: enough to be invoked (the
// answer, often a 4xx, does not matter; init is over before the handler runs).
func initEvent(f *gateway.Function) []byte {
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: "/"}
	if r, err := httpRoute(f); err == nil {
		ev.RouteKey, ev.RawPath = r.RouteKey(), r.Path
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = r.Method, r.Path
	}
	ev.RequestContext.RouteKey, ev.RequestContext.Stage = ev.RouteKey, "$default"
	data, _ := json.Marshal(ev)
	return data
}
