package bench

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"etwin/infra/lambdabuild"
)

// baseline is a reference Lambda in infra/bench/testdata/<Folder>, built and
// cold-started as the functions are; the report gives every function's figures as
// multiples of each baseline's.
type baseline struct {
	Folder    string // its package folder, and its Name in InitResult and SizeResult
	LogicalID string // its resource in the baselines' template
	Row       string // its row in the report
	Column    string // the report's "× Column" ratios
}

// baselines: hello-world (aws-lambda-go returning a constant) and the SDK floor (the
// same plus aws-sdk-go-v2's config and DynamoDB client built at init, as every
// function does). The first is the one the aim is given against.
var baselines = []baseline{
	{Folder: "hello", LogicalID: "HelloFunction", Row: "hello-world baseline", Column: "hello"},
	{Folder: "sdkfloor", LogicalID: "SDKFloorFunction", Row: "SDK floor baseline", Column: "SDK floor"},
}

func (b baseline) pkg() string { return "./infra/bench/testdata/" + b.Folder }

// baselineNamed is the baseline of that folder name.
func baselineNamed(name string) (baseline, bool) {
	for _, b := range baselines {
		if b.Folder == name {
			return b, true
		}
	}
	return baseline{}, false
}

// build compiles the packages (paths relative to root, e.g. ./functions/me-get) for
// goos/goarch as `make build` does, into <dir>/<last path element>/bootstrap.
func build(ctx context.Context, root, dir, goos, goarch string, pkgs []string) error {
	return lambdabuild.Build(ctx, root, dir, []string{"GOOS=" + goos, "GOARCH=" + goarch}, pkgs)
}

// SizeResult is one function's deployment package.
type SizeResult struct {
	Name     string
	Baseline bool  // one of baselines
	Binary   int64 // bootstrap, bytes
	Zipped   int64 // bootstrap alone in a deflated zip, bytes
}

// zipped is the size of a zip holding only the file at bin, named bootstrap and
// executable, deflated as Lambda deployment packages are.
func zipped(bin string) (int64, error) {
	f, err := os.Open(bin)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	var n countingWriter
	zw := zip.NewWriter(&n)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	h.UncompressedSize64 = uint64(info.Size())
	w, err := zw.CreateHeader(h)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(w, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// sizes measures <dir>/<name>/bootstrap for each name.
func sizes(dir string, names []string) ([]SizeResult, error) {
	var out []SizeResult
	for _, name := range names {
		bin := filepath.Join(dir, name, "bootstrap")
		info, err := os.Stat(bin)
		if err != nil {
			return nil, err
		}
		z, err := zipped(bin)
		if err != nil {
			return nil, err
		}
		_, base := baselineNamed(name)
		out = append(out, SizeResult{Name: name, Baseline: base, Binary: info.Size(), Zipped: z})
	}
	return out, nil
}
