package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStaleBinariesAreRebuiltOrRefused: on a module of one function, ensureBuilt
// builds the missing binary, rebuilds it once its code is newer, and with -build=false
// refuses to go on, naming the file.
func TestStaleBinariesAreRebuiltOrRefused(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                "module example.test/one\n\ngo 1.22\n",
		"functions/one/main.go": "package main\n\nfunc main() { println(1) }\n",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	binDir := filepath.Join(t.TempDir(), "bin")
	bootstrap := filepath.Join(binDir, "one", "bootstrap")

	err := ensureBuilt(root, binDir, false)
	if err == nil || !strings.Contains(err.Error(), "one: not built") {
		t.Fatalf("missing binary with -build=false: %v", err)
	}
	if err := ensureBuilt(root, binDir, true); err != nil {
		t.Fatal(err)
	}
	if err := ensureBuilt(root, binDir, false); err != nil {
		t.Fatalf("fresh binary refused: %v", err)
	}

	// The binary is older than its code.
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{bootstrap, filepath.Dir(bootstrap)} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	err = ensureBuilt(root, binDir, false)
	// (it names the first newer input it finds: functions/one or go.mod, both newer)
	if err == nil || !strings.Contains(err.Error(), "are stale (one: ") {
		t.Fatalf("stale binary with -build=false: %v", err)
	}
	if err := ensureBuilt(root, binDir, true); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(bootstrap); err != nil || !info.ModTime().After(old.Add(time.Minute)) {
		t.Fatalf("not rebuilt: %v %v", info, err)
	}
	out, err := exec.Command(bootstrap).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Fatalf("rebuilt binary: %v %q", err, out)
	}
}

// TestExecRefusesStaleBinaries: `local exec -build=false` with binaries missing stops
// before the stack and the command, with a message that says what to do.
func TestExecRefusesStaleBinaries(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "exec", "-build=false", "-bin", t.TempDir(), "--", "sh", "-c", "echo the command ran")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v (want code 1)\n%s", err, out)
	}
	if s := string(out); !strings.Contains(s, "are stale") || !strings.Contains(s, "make build") || strings.Contains(s, "the command ran") {
		t.Fatalf("output:\n%s", s)
	}
}
