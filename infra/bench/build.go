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

// helloPackage is the baseline Lambda: aws-lambda-go returning a constant.
const helloPackage = "./infra/bench/testdata/hello"

// build compiles the packages (paths relative to root, e.g. ./functions/me-get) for
// goos/goarch as `make build` does, into <dir>/<last path element>/bootstrap.
func build(ctx context.Context, root, dir, goos, goarch string, pkgs []string) error {
	return lambdabuild.Build(ctx, root, dir, []string{"GOOS=" + goos, "GOARCH=" + goarch}, pkgs)
}

// SizeResult is one function's deployment package.
type SizeResult struct {
	Name     string
	Baseline bool  // the hello-world Lambda
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
func sizes(dir string, names []string, baseline string) ([]SizeResult, error) {
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
		out = append(out, SizeResult{Name: name, Baseline: name == baseline, Binary: info.Size(), Zipped: z})
	}
	return out, nil
}
