package pupil

import (
	"math"
	"regexp"
	"testing"

	"etwin/shared/apperr"
)

func TestCreateInputNamesEveryBadField(t *testing.T) {
	in := CreateInput{FirstName: " ", AgeGroup: "adults"}
	e, ok := apperr.As(in.Validate())
	if !ok || len(e.Fields) != 2 {
		t.Fatalf("%+v", e)
	}
	good := CreateInput{FirstName: " Ana ", AgeGroup: "7-11"}
	if err := good.Validate(); err != nil || good.FirstName != "Ana" {
		t.Fatalf("%v %q", err, good.FirstName)
	}
}

func TestGeneratedCredentials(t *testing.T) {
	if bits := math.Log2(float64(len(consonants)*len(vowels))) * syllablesPerWord * passphraseWords; bits < 50 || int(bits) != PassphraseBits {
		t.Fatalf("passphrase bits %.1f", bits)
	}
	pass := regexp.MustCompile(`^[a-z]{6}-[a-z]{6}-[a-z]{6}$`)
	user := regexp.MustCompile(`^[a-z]{6}\.[0-9]{3}$`)
	seen := map[string]bool{}
	for range 200 {
		p, u := Passphrase(), Username()
		if !pass.MatchString(p) || !user.MatchString(u) || seen[p] {
			t.Fatalf("%q %q", p, u)
		}
		seen[p] = true
	}
}
