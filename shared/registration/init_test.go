package registration

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestPackageInitsAllocateLittle runs this test binary again with GODEBUG=inittrace=1
// and no test, and reads what the init of mail, member and school allocated: their
// templates and regexps are compiled on first use, so a function that never renders a
// mail or checks a username pays nothing at start. (At init they took 340 KB, 1.4 MiB
// and 520 KB.) Bytes, not time: the count does not depend on the machine's load.
func TestPackageInitsAllocateLittle(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init (etwin/shared/\w+) @[0-9.]+ ms, [0-9.]+ ms clock, ([0-9]+) bytes`)
	allocated := map[string]int{}
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		allocated[m[1]], _ = strconv.Atoi(m[2])
	}
	if len(allocated) == 0 {
		t.Fatalf("no init trace in the output:\n%s", out)
	}
	for _, pkg := range []string{"etwin/shared/mail", "etwin/shared/member", "etwin/shared/school"} {
		if n := allocated[pkg]; n > 16<<10 {
			t.Errorf("init of %s allocates %d bytes: compile its templates and regexps on first use", pkg, n)
		}
	}
}
