package main

import (
	"errors"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExec runs `local exec` around a shell: the command sees the stack in its
// environment, its exit code comes back, and nothing keeps listening afterwards.
func TestExec(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole stack")
	}
	bin := filepath.Join(t.TempDir(), "local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "exec", "--", "sh", "-c",
		`echo "$ETWIN_DDB_ENDPOINT $ETWIN_SES_ENDPOINT $ETWIN_API_URL $ETWIN_TABLE_NAME"; exit 3`)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("exit: %v (want code 3)", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 4 || fields[3] != "Table" {
		t.Fatalf("environment seen by the command: %q", out)
	}
	for _, endpoint := range fields[:3] {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" {
			t.Fatalf("endpoint %q", endpoint)
		}
		// Stopped means nobody listens there any more.
		if conn, err := net.Dial("tcp", u.Host); err == nil {
			conn.Close()
			t.Errorf("%s still answers after exec returned", endpoint)
		}
	}
}
