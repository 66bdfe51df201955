package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"etwin/infra/gateway"
)

// LoadResult is one route under load through the local gateway.
type LoadResult struct {
	Function, Variant, RouteKey string
	Requests                    int
	Concurrency                 int
	Wall                        time.Duration
	Latency                     Summary // client side: request sent to response read
	Invoke                      Summary // the gateway's measure of the function alone
	ColdStarts                  int     // instances started during the measured requests
	Errors                      int
	Error                       string
}

// RPS is requests per second over the measured run.
func (r LoadResult) RPS() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Wall.Seconds()
}

// runLoad sends reqs[:warm] (concurrently, not measured: they start the instances),
// then reqs[warm:] with conc workers, through the gateway at base.
func runLoad(ctx context.Context, gw *gateway.Gateway, client *http.Client, base string, def *gateway.Function, sc *scenario, reqs []request, warm, conc int) (LoadResult, error) {
	res := LoadResult{Function: sc.Function, Variant: sc.Variant, Requests: len(reqs) - warm, Concurrency: conc}
	route, err := httpRoute(def)
	if err != nil {
		return res, err
	}
	res.RouteKey = route.RouteKey()
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		if res.Errors == 0 {
			res.Error = err.Error()
		}
		res.Errors++
		mu.Unlock()
	}
	// Warm-up: all at once, so that up to conc instances start before measuring.
	if err := parallel(ctx, warm, warm, func(i int) error {
		_, err := send(ctx, client, base, route, reqs[i])
		if err != nil {
			fail(fmt.Errorf("warm-up: %w", err))
		}
		return nil
	}); err != nil {
		return res, err
	}
	gw.ResetStats()
	lat := make([]time.Duration, res.Requests)
	start := time.Now()
	err = parallel(ctx, res.Requests, conc, func(i int) error {
		d, err := send(ctx, client, base, route, reqs[warm+i])
		lat[i] = d
		if err != nil {
			fail(err)
		}
		return nil
	})
	res.Wall = time.Since(start)
	if err != nil {
		return res, err
	}
	st := gw.Stats()[def.LogicalID]
	res.Latency = Summarize(lat)
	res.Invoke = Summarize(st.InvokeDurations)
	res.ColdStarts = st.InstancesStarted
	return res, nil
}

// send makes one HTTP request and reads the whole answer; an unexpected status is an
// error (the latency still counts).
func send(ctx context.Context, client *http.Client, base string, route gateway.Route, r request) (time.Duration, error) {
	body, contentType, err := bodyOf(r)
	if err != nil {
		return 0, err
	}
	u := base + apiPath(route, r.Params)
	if q := rawQuery(r.Query); q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, route.Method, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode != r.Want {
		return took, fmt.Errorf("%d %s", resp.StatusCode, clip(string(data), 200))
	}
	return took, nil
}
