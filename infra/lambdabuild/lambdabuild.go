// Package lambdabuild builds the functions' bootstrap binaries as `make build` does
// (functions/<folder> → <binDir>/<folder>/bootstrap, Lambda flags, CGO_ENABLED=0) and
// tells which built binaries are stale: older than a source file they are built from.
// infra/cmd/local uses it so that `local exec -- go test ./...` never runs binaries
// that predate the code; testenv and the benchmarks use it to build.
package lambdabuild

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Flags are how every Lambda binary is built (Makefile LAMBDA_FLAGS).
var Flags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

// Packages lists ./functions/<folder> for every folder of root/functions that holds
// Go code (test files aside), sorted.
func Packages(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "functions", "*", "*.go"))
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pkg := "./functions/" + filepath.Base(filepath.Dir(f))
		if !slices.Contains(pkgs, pkg) {
			pkgs = append(pkgs, pkg)
		}
	}
	slices.Sort(pkgs)
	return pkgs, nil
}

// Build compiles pkgs (./functions/<folder>, relative to root) into
// <binDir>/<folder>/bootstrap in one go build, which compiles and links in parallel.
// env is added to the build's environment (e.g. GOOS=linux, GOARCH=arm64); CGO is off.
// Each binary is renamed into place, so a process running the old one keeps it.
func Build(ctx context.Context, root, binDir string, env []string, pkgs []string) error {
	if len(pkgs) == 0 {
		return nil
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	out, err := os.MkdirTemp(binDir, ".out-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", out+string(filepath.Separator))
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of the functions: %v\n%s", err, output)
	}
	for _, pkg := range pkgs {
		name := path.Base(pkg)
		if err := os.MkdirAll(filepath.Join(binDir, name), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(out, name), filepath.Join(binDir, name, "bootstrap")); err != nil {
			return err
		}
	}
	return nil
}

// Reason says why one binary is stale.
type Reason struct {
	Package string // ./functions/<folder>
	Why     string // e.g. "shared/mail/mail.go is newer", "not built"
}

// Stale returns the packages among pkgs whose <binDir>/<folder>/bootstrap is missing,
// was built by another Go version, or is older than a file it is built from: the Go
// and embedded files of the package and of every package of root's module it imports,
// their folders (a file added or removed), go.mod and go.sum. One `go list` answers
// for all of them.
func Stale(ctx context.Context, root, binDir string, pkgs []string) ([]Reason, error) {
	if len(pkgs) == 0 {
		return nil, nil
	}
	listed, err := list(ctx, root, pkgs)
	if err != nil {
		return nil, err
	}
	goVersion, err := goEnv(ctx, root, "GOVERSION")
	if err != nil {
		return nil, err
	}
	// The newest input of each module package on its own, then per function over
	// its module dependencies.
	own := map[string]input{}
	for _, p := range listed {
		if p.Module == nil || !p.Module.Main {
			continue
		}
		in, err := newest(p.Dir, true, append(slices.Clone(p.GoFiles), p.EmbedFiles...))
		if err != nil {
			return nil, err
		}
		own[p.ImportPath] = in
	}
	module, err := newest(root, false, []string{"go.mod", "go.sum"})
	if err != nil {
		return nil, err
	}
	byDir := map[string]*pkg{}
	for _, p := range listed {
		byDir[filepath.Clean(p.Dir)] = p
	}
	var stale []Reason
	for _, name := range pkgs {
		p := byDir[filepath.Join(root, filepath.FromSlash(name))]
		if p == nil {
			return nil, fmt.Errorf("lambdabuild: go list did not list %s", name)
		}
		if p.Error != nil {
			stale = append(stale, Reason{name, "go list: " + p.Error.Err})
			continue
		}
		bin := filepath.Join(binDir, path.Base(name), "bootstrap")
		info, err := os.Stat(bin)
		if errors.Is(err, os.ErrNotExist) {
			stale = append(stale, Reason{name, "not built"})
			continue
		} else if err != nil {
			return nil, err
		}
		if bi, err := buildinfo.ReadFile(bin); err != nil || bi.GoVersion != goVersion {
			stale = append(stale, Reason{name, "not built by " + goVersion})
			continue
		}
		in := module
		for _, dep := range append([]string{p.ImportPath}, p.Deps...) {
			if d, ok := own[dep]; ok && d.at.After(in.at) {
				in = d
			}
		}
		if in.at.After(info.ModTime()) {
			rel, err := filepath.Rel(root, in.path)
			if err != nil {
				rel = in.path
			}
			stale = append(stale, Reason{name, filepath.ToSlash(rel) + " is newer"})
		}
	}
	return stale, nil
}

// Update builds the packages whose binaries Stale reports and returns them; with
// nothing stale it builds nothing (one go list).
func Update(ctx context.Context, root, binDir string, pkgs []string) ([]Reason, error) {
	stale, err := Stale(ctx, root, binDir, pkgs)
	if err != nil || len(stale) == 0 {
		return stale, err
	}
	names := make([]string, len(stale))
	for i, r := range stale {
		names[i] = r.Package
	}
	return stale, Build(ctx, root, binDir, nil, names)
}

type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	EmbedFiles []string
	Deps       []string
	Module     *struct{ Main bool }
	Error      *struct{ Err string }
}

// list runs go list -deps with the build's tags over pkgs.
func list(ctx context.Context, root string, pkgs []string) ([]*pkg, error) {
	args := []string{"list", "-e", "-deps", "-json=ImportPath,Dir,GoFiles,EmbedFiles,Deps,Module,Error"}
	args = append(args, Flags[:2]...) // -tags
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list of the functions: %v\n%s", err, stderr.Bytes())
	}
	var all []*pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := &pkg{}
		if err := dec.Decode(p); err == io.EOF {
			return all, nil
		} else if err != nil {
			return nil, fmt.Errorf("go list of the functions: %w", err)
		}
		all = append(all, p)
	}
}

func goEnv(ctx context.Context, root, name string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", name)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// input is the newest of some files.
type input struct {
	path string
	at   time.Time
}

// newest is the most recently modified of files in dir, and of dir itself when
// withDir (its time changes when a file is added or removed). A file that does not
// exist, such as a missing go.sum, is skipped.
func newest(dir string, withDir bool, files []string) (input, error) {
	var in input
	if withDir {
		files = append([]string{""}, files...)
	}
	for _, f := range files {
		p := filepath.Join(dir, f)
		info, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return in, err
		}
		if info.ModTime().After(in.at) {
			in = input{p, info.ModTime()}
		}
	}
	return in, nil
}
