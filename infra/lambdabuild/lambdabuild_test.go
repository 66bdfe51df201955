package lambdabuild

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A module of two functions: alpha imports lib (and embeds a file), beta has two files.
var module = map[string]string{
	"go.mod":                   "module example.test/fns\n\ngo 1.22\n",
	"lib/lib.go":               "package lib\n\nimport _ \"embed\"\n\n//go:embed greeting.txt\nvar Greeting string\n",
	"lib/greeting.txt":         "hello\n",
	"functions/alpha/main.go":  "package main\n\nimport \"example.test/fns/lib\"\n\nfunc main() { println(lib.Greeting) }\n",
	"functions/beta/main.go":   "package main\n\nfunc main() { println(two()) }\n",
	"functions/beta/two.go":    "package main\n\nfunc two() int { return 2 }\n",
	"functions/beta/x_test.go": "package main\n",
	"functions/empty/README":   "no Go code here\n",
}

func writeModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range module {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// age sets the modification time of every file and folder under dir.
func age(t *testing.T, dir string, at time.Time) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, at, at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func staleNames(t *testing.T, root, bin string, pkgs []string) map[string]string {
	t.Helper()
	reasons, err := Stale(context.Background(), root, bin, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range reasons {
		out[r.Package] = r.Why
	}
	return out
}

func TestStaleBinariesAreFoundAndRebuilt(t *testing.T) {
	ctx := context.Background()
	root := writeModule(t)
	bin := filepath.Join(t.TempDir(), "bin")
	pkgs, err := Packages(root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pkgs, []string{"./functions/alpha", "./functions/beta"}) {
		t.Fatalf("packages %v", pkgs)
	}

	if got := staleNames(t, root, bin, pkgs); len(got) != 2 || got["./functions/alpha"] != "not built" {
		t.Fatalf("nothing built yet: %v", got)
	}
	if rebuilt, err := Update(ctx, root, bin, pkgs); err != nil || len(rebuilt) != 2 {
		t.Fatalf("first update: %v %v", rebuilt, err)
	}
	if got := staleNames(t, root, bin, pkgs); len(got) != 0 {
		t.Fatalf("stale right after the build: %v", got)
	}

	// Sources three hours old, binaries two: up to date.
	now := time.Now()
	age(t, root, now.Add(-3*time.Hour))
	age(t, bin, now.Add(-2*time.Hour))
	if rebuilt, err := Update(ctx, root, bin, pkgs); err != nil || len(rebuilt) != 0 {
		t.Fatalf("update with nothing stale: %v %v", rebuilt, err)
	}

	// An embedded file of an imported package changes: only its importer is stale.
	greeting := filepath.Join(root, "lib", "greeting.txt")
	if err := os.WriteFile(greeting, []byte("salut\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := staleNames(t, root, bin, pkgs)
	if len(got) != 1 || got["./functions/alpha"] != "lib/greeting.txt is newer" {
		t.Fatalf("after editing lib/greeting.txt: %v", got)
	}
	alpha := filepath.Join(bin, "alpha", "bootstrap")
	before, _ := os.Stat(alpha)
	if rebuilt, err := Update(ctx, root, bin, pkgs); err != nil || len(rebuilt) != 1 || rebuilt[0].Package != "./functions/alpha" {
		t.Fatalf("update after the edit: %v %v", rebuilt, err)
	}
	if after, _ := os.Stat(alpha); !after.ModTime().After(before.ModTime()) {
		t.Fatalf("alpha was not rebuilt: %s, then %s", before.ModTime(), after.ModTime())
	}
	if got := staleNames(t, root, bin, pkgs); len(got) != 0 {
		t.Fatalf("stale after the rebuild: %v", got)
	}

	// A file removed: its folder changed, the binary still holds the old code.
	age(t, root, now.Add(-3*time.Hour))
	age(t, bin, now.Add(-2*time.Hour))
	if err := os.Remove(filepath.Join(root, "functions", "beta", "x_test.go")); err != nil {
		t.Fatal(err)
	}
	if got := staleNames(t, root, bin, pkgs); len(got) != 1 || got["./functions/beta"] != "functions/beta is newer" {
		t.Fatalf("after removing a file of beta: %v", got)
	}

	// go.mod changes: everything is stale.
	age(t, root, now.Add(-3*time.Hour))
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(module["go.mod"]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := staleNames(t, root, bin, pkgs); len(got) != 2 || !strings.Contains(got["./functions/beta"], "go.mod") {
		t.Fatalf("after editing go.mod: %v", got)
	}
}

func TestBuildFailureIsReported(t *testing.T) {
	root := writeModule(t)
	if err := os.WriteFile(filepath.Join(root, "functions", "beta", "two.go"), []byte("package main\n\nfunc two() int { return }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Update(context.Background(), root, t.TempDir(), []string{"./functions/beta"})
	if err == nil || !strings.Contains(err.Error(), "two.go") {
		t.Fatalf("a broken function built: %v", err)
	}
}
