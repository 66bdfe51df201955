package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/gateway"
	"etwin/shared/app"
	"etwin/shared/httpapi"
	"etwin/shared/token"
)

// DDBResult is what one use case did with DynamoDB, per request, run in process.
type DDBResult struct {
	Function, Variant string
	Requests          int
	// Patterns are the distinct sets of calls requests made, most frequent first.
	Patterns []Pattern
	Units    float64 // mean consumed capacity units per request, as DynamoDB Local reports them
	UnitsAWS float64 // the same with transactions counted by AWS's rule (see txUnits)
	Trips    float64 // mean SDK round trips per request
	Calls    float64 // mean calls the Store reported per request
	DDBTime  Summary // per request: the DynamoDB round trips added up
	UseCase  Summary // per request: the whole handler, in process
	Errors   int     // answers with another status than expected
	Error    string  // the first of them
}

// Pattern is one set of calls and how many requests made it.
type Pattern struct {
	Calls string
	Count int
}

// inProcessWarmup requests run first and are not measured (connections, caches).
const inProcessWarmup = 2

// runInProcess runs n requests of sc through the function's handler in this process,
// one at a time, with deps whose Store reports to m.
func runInProcess(ctx context.Context, def *gateway.Function, sc *scenario, ds *dataset, deps *app.Deps, m *meter, plain *dynamodb.Client, n int) (DDBResult, error) {
	res := DDBResult{Function: sc.Function, Variant: sc.Variant, Requests: n}
	route, err := httpRoute(def)
	if err != nil {
		return res, err
	}
	total := n + inProcessWarmup
	own, err := ds.take(sc.members(total))
	if err != nil {
		return res, err
	}
	reqs, err := sc.prepare(ctx, ds, own, total)
	if err != nil {
		return res, fmt.Errorf("%s: preparing data: %w", sc.Name(), err)
	}
	h := httpapi.Handle(handlers[sc.Function](deps))
	patterns := map[string]int{}
	var ddbTimes, useCase []time.Duration
	var units, unitsAWS float64
	var trips, calls int
	for i, r := range reqs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		ev, err := event(route, r)
		if err != nil {
			return res, err
		}
		p := newProbe()
		measured := i >= inProcessWarmup
		if measured {
			m.cur.Store(p)
		}
		start := time.Now()
		resp, err := h(ctx, ev)
		took := time.Since(start)
		m.cur.Store(nil)
		if err == nil && resp.StatusCode != r.Want {
			err = fmt.Errorf("%d %s", resp.StatusCode, clip(resp.Body, 200))
		}
		if err != nil {
			if res.Errors == 0 {
				res.Error = err.Error()
			}
			res.Errors++
		}
		if !measured {
			continue
		}
		useCase = append(useCase, took)
		ddbTimes = append(ddbTimes, p.rtt)
		units += p.units
		tx, err := txUnits(ctx, plain, p.txs)
		if err != nil {
			return res, fmt.Errorf("%s: estimating transaction capacity: %w", sc.Name(), err)
		}
		unitsAWS += p.units - p.opUnits["TransactWriteItems"] + tx + float64(p.failedWrites)
		trips += p.trips
		for _, c := range p.ops {
			calls += c
		}
		patterns[signature(p.ops)]++
	}
	for calls, count := range patterns {
		res.Patterns = append(res.Patterns, Pattern{calls, count})
	}
	slices.SortFunc(res.Patterns, func(a, b Pattern) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Calls, b.Calls)
	})
	res.Units = units / float64(n)
	res.UnitsAWS = unitsAWS / float64(n)
	res.Trips = float64(trips) / float64(n)
	res.Calls = float64(calls) / float64(n)
	res.DDBTime = Summarize(ddbTimes)
	res.UseCase = Summarize(useCase)
	return res, nil
}

// httpRoute is the function's (first) HTTP route.
func httpRoute(def *gateway.Function) (gateway.Route, error) {
	for _, r := range def.Routes {
		if r.Path != "" && r.Method != "ANY" {
			return r, nil
		}
	}
	return gateway.Route{}, fmt.Errorf("%s has no HTTP route with a method", def.LogicalID)
}

// apiPath fills a route's path parameters.
func apiPath(route gateway.Route, params map[string]string) string {
	p := route.Path
	for k, v := range params {
		p = strings.ReplaceAll(p, "{"+k+"}", url.PathEscape(v))
	}
	return p
}

func rawQuery(q map[string]string) string {
	if len(q) == 0 {
		return ""
	}
	v := url.Values{}
	for k, x := range q {
		v.Set(k, x)
	}
	return v.Encode()
}

// bodyOf is r's body and its content type.
func bodyOf(r request) ([]byte, string, error) {
	if r.Form != "" {
		return []byte(r.Form), "application/x-www-form-urlencoded", nil
	}
	if r.Body == nil {
		return nil, "", nil
	}
	b, err := json.Marshal(r.Body)
	return b, "application/json", err
}

// event is r as the HTTP API hands it to the function (payload 2.0).
func event(route gateway.Route, r request) (httpapi.Request, error) {
	body, contentType, err := bodyOf(r)
	if err != nil {
		return httpapi.Request{}, err
	}
	path := apiPath(route, r.Params)
	headers := map[string]string{"user-agent": userAgent, "host": "bench.local"}
	if body != nil {
		headers["content-type"] = contentType
	}
	encoded := false
	if r.Form != "" { // the HTTP API hands form bodies over base64-encoded
		body, encoded = []byte(base64.StdEncoding.EncodeToString(body)), true
	}
	if r.Token != "" {
		headers["authorization"] = "Bearer " + r.Token
	}
	now := time.Now()
	return httpapi.Request{
		Version: "2.0", RouteKey: route.RouteKey(), RawPath: path, RawQueryString: rawQuery(r.Query),
		Headers: headers, QueryStringParameters: r.Query, PathParameters: r.Params, Body: string(body), IsBase64Encoded: encoded,
		RequestContext: httpapi.RequestContext{
			RouteKey: route.RouteKey(), Stage: "$default", RequestID: token.ID(""), DomainName: "bench.local",
			Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: httpapi.RequestHTTP{Method: route.Method, Path: path,
				Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: userAgent},
		},
	}, nil
}

const userAgent = "etwin-bench"

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
