package testenv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// KillFunction SIGKILLs the running instances of functions/<folder> of this test stack
// (the binaries under BinDir, wherever the stack runs: in this process or in `local
// exec`; other stacks on the machine are left alone), as a crash of its Lambda container
// would, and returns how many it killed. The gateway starts a fresh instance on the next
// invocation. Linux only (it reads /proc).
func KillFunction(t testing.TB, folder string) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	APIURL() // the functions run (and BinDir is known)
	want := filepath.Join(BinDir(), folder, "bootstrap")
	killed := 0
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		exe, _, _ := strings.Cut(string(b), "\x00")
		if exe != want {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if err != nil {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			killed++
		}
	}
	return killed
}
