package account

import (
	"errors"
	"slices"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/strictjson"
	"etwin/shared/token"
)

func TestSessionExpiry(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	s := Session{CreatedAt: t0, LastSeenAt: t0}
	if s.Expired(t0.Add(IdleTimeout - time.Second)) {
		t.Fatal("expired before the idle limit")
	}
	if !s.Expired(t0.Add(IdleTimeout)) {
		t.Fatal("alive after the idle limit")
	}
	s.LastSeenAt = t0.Add(AbsoluteTimeout - time.Minute)
	if !s.Expired(t0.Add(AbsoluteTimeout)) {
		t.Fatal("alive after the absolute limit despite activity")
	}
	if s.ExpiresAt() != t0.Add(AbsoluteTimeout) {
		t.Fatal("ExpiresAt is not the absolute limit")
	}
}

func TestSplitToken(t *testing.T) {
	secret := token.New()
	if id, sec, ok := splitToken("m-abc." + secret); !ok || id != "m-abc" || sec != secret {
		t.Fatalf("splitToken: %q %q %v", id, sec, ok)
	}
	for _, bad := range []string{"", secret, ".", "m-abc.", "m-abc.short", "m a." + secret, "m-abc." + secret + "x"} {
		if _, _, ok := splitToken(bad); ok {
			t.Errorf("splitToken accepted %q", bad)
		}
	}
}

// FuzzDecodeAccount: the account request decoders (login, PATCH /me, resets) never panic
// and refuse with a 4xx.
func FuzzDecodeAccount(f *testing.F) {
	f.Add(`{"username":"ana","password":"x"}`)
	f.Add(`{"firstName":"A","profile":{"subjects":["ict"]}}`)
	f.Add(`{"email":"a@b.ro"}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, dst := range []any{&LoginInput{}, &MePatch{}, &ResetRequest{}, &ResetConfirm{}} {
			err := httpapi.DecodeBytes([]byte(body), dst)
			if err != nil {
				if st := apperr.StatusOf(err); st < 400 || st > 499 {
					t.Fatalf("%q: %v", body, err)
				}
			}
		}
	})
}

// TestDecodeNamesEveryBadField: one 400 names the wrong-typed field and the missing ones
// of each account body (their Validate merges into the decoder's answer).
func TestDecodeNamesEveryBadField(t *testing.T) {
	cases := []struct {
		name string
		body string
		dst  any
		want []string
	}{
		{"login", `{"username": 5}`, &LoginInput{}, []string{"username", "password"}},
		{"login, password wrong type", `{"password": true}`, &LoginInput{}, []string{"username", "password"}},
		{"reset request", `{"email": []}`, &ResetRequest{}, []string{"email"}},
		{"reset confirm", `{"other": 1}`, &ResetConfirm{}, []string{"other", "password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := strictjson.Decode([]byte(c.body), c.dst)
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want a field error", err)
			}
			var got []string
			for _, f := range ae.Fields {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("fields %v, want %v", got, want)
			}
		})
	}
}
