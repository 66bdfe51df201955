package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	ok, err := Verify("correct horse battery", h)
	if err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	ok, err = Verify("Correct horse battery", h)
	if err != nil || ok {
		t.Fatalf("Verify(wrong case) = %v, %v", ok, err)
	}
	h2, _ := Hash("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password must differ (salt)")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=19456,t=2,p=1$!!$AA"} {
		if _, err := Verify("x", bad); err == nil {
			t.Errorf("Verify accepted %q", bad)
		}
	}
}

func TestProblem(t *testing.T) {
	cases := []struct {
		pw   string
		ok   bool
		want string
	}{
		{"short", false, "at least 12"},
		{strings.Repeat("a", 129), false, "at most 128"},
		{"Password1234", false, "most common"},
		{"ana.popescu1", false, "username"},
		{"a perfectly fine passphrase", true, ""},
		{"ăîșțâăîșțâăî", true, ""}, // 12 runes, more bytes
	}
	for _, c := range cases {
		got := Problem(c.pw, "Ana.Popescu1", "ana@example.org")
		if (got == "") != c.ok || !strings.Contains(got, c.want) {
			t.Errorf("Problem(%q) = %q", c.pw, got)
		}
	}
}
