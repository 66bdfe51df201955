package bench

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"etwin/infra/gateway"
)

// PackageInit is one package's init, as GODEBUG=inittrace=1 reports it, over the
// functions: the slowest and in how many binaries it runs that long.
type PackageInit struct {
	Package   string
	Clock     time.Duration // the longest
	Bytes     int64         // allocated by that init
	Functions int           // binaries where it took at least initTraceMin
}

// initTraceMin is the smallest package init worth listing.
const initTraceMin = 2 * time.Millisecond

var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes`)

// traceInits runs each function binary once with GODEBUG=inittrace=1 and a Runtime
// API address nobody answers (the process ends once it tries it) and collects the
// package inits that took at least initTraceMin.
func traceInits(ctx context.Context, binDir string, fns []*gateway.Function, extraEnv map[string]string) ([]PackageInit, error) {
	byPkg := map[string]*PackageInit{}
	for _, f := range fns {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cmd := exec.CommandContext(rctx, filepath.Join(binDir, f.Folder, "bootstrap"))
		env := []string{"GODEBUG=inittrace=1", "AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(nowhere, "http://"),
			"AWS_REGION=eu-central-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local"}
		for k, v := range f.Env {
			env = append(env, k+"="+v)
		}
		for k, v := range extraEnv {
			env = append(env, k+"="+v)
		}
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // it fails by design, once its inits are done
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s := bufio.NewScanner(&stderr)
		for s.Scan() {
			m := initLine.FindStringSubmatch(s.Text())
			if m == nil {
				continue
			}
			ms, _ := strconv.ParseFloat(m[2], 64)
			d := time.Duration(ms * float64(time.Millisecond))
			if d < initTraceMin {
				continue
			}
			b, _ := strconv.ParseInt(m[3], 10, 64)
			p := byPkg[m[1]]
			if p == nil {
				p = &PackageInit{Package: m[1]}
				byPkg[m[1]] = p
			}
			p.Functions++
			if d > p.Clock {
				p.Clock, p.Bytes = d, b
			}
		}
	}
	out := make([]PackageInit, 0, len(byPkg))
	for _, p := range byPkg {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b PackageInit) int {
		if a.Clock != b.Clock {
			return int(b.Clock - a.Clock)
		}
		return strings.Compare(a.Package, b.Package)
	})
	return out, nil
}
