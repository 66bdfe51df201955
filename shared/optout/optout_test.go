package optout

import (
	"context"
	"slices"
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/principal"
)

func TestSignVerify(t *testing.T) {
	s := NewSigner(strings.Repeat("k", 32))
	tok := s.Sign("m-ana.pop", "contact_request")
	if m, k, ok := s.Verify(tok); !ok || m != "m-ana.pop" || k != "contact_request" {
		t.Fatalf("verify: %q %q %v", m, k, ok)
	}
	if strings.ContainsAny(tok, "/?#+= ") {
		t.Errorf("the token is not URL-safe: %q", tok)
	}
	other := NewSigner(strings.Repeat("j", 32))
	payload, sig, _ := strings.Cut(tok, ".")
	forged := other.Sign("m-ana.pop", "partner_added")
	fp, _, _ := strings.Cut(forged, ".")
	for _, bad := range []string{"", ".", tok + "x", payload, payload + "." + sig[:len(sig)-1], fp + "." + sig,
		other.Sign("m-ana.pop", "contact_request"), strings.Repeat("a", MaxToken+1), "%%%.%%%"} {
		if _, _, ok := s.Verify(bad); ok {
			t.Errorf("accepted %.60q", bad)
		}
	}
	var zero Signer
	if zero.Sign("m", "k") != "" {
		t.Error("the zero signer signs")
	}
	if _, _, ok := zero.Verify(tok); ok {
		t.Error("the zero signer accepts")
	}
}

type memStore struct{ m map[string]member.Member }

func (s *memStore) GetMember(_ context.Context, id string) (member.Member, bool, error) {
	m, ok := s.m[id]
	return m, ok, nil
}

func (s *memStore) MuteEmailKind(_ context.Context, id, kind string) (bool, error) {
	m, ok := s.m[id]
	if !ok {
		return false, nil
	}
	if !slices.Contains(m.MutedEmailKinds, kind) {
		m.MutedEmailKinds = append(m.MutedEmailKinds, kind)
	}
	s.m[id] = m
	return true, nil
}

func TestUnsubscribe(t *testing.T) {
	st := &memStore{m: map[string]member.Member{"m-1": {MemberID: "m-1", FirstName: "Ana", Language: "ro"}}}
	sg := NewSigner(strings.Repeat("k", 32))
	s := &Service{Store: st, Signer: sg, Kinds: []string{"contact_request", "partner_added"}}
	ctx := context.Background()
	tok := sg.Sign("m-1", "partner_added")
	sub, err := s.Read(ctx, principal.Principal{}, tok)
	if err != nil || sub.Muted || sub.Kind != "partner_added" || sub.Language != "ro" {
		t.Fatalf("read: %+v %v", sub, err)
	}
	if len(st.m["m-1"].MutedEmailKinds) != 0 {
		t.Fatal("reading changed something")
	}
	for i := 0; i < 2; i++ {
		if sub, err = s.Unsubscribe(ctx, principal.Principal{}, tok); err != nil || !sub.Muted {
			t.Fatalf("unsubscribe %d: %+v %v", i, sub, err)
		}
	}
	if got := st.m["m-1"].MutedEmailKinds; !slices.Equal(got, []string{"partner_added"}) {
		t.Errorf("muted %v", got)
	}
	// Kinds one may not unsubscribe from, and members that are gone, are unknown links.
	for _, bad := range []string{sg.Sign("m-1", "password_reset"), sg.Sign("m-gone", "partner_added")} {
		if _, err := s.Unsubscribe(ctx, principal.Principal{}, bad); apperr.StatusOf(err) != 404 {
			t.Errorf("%v", err)
		}
	}
}

// FuzzVerify: no token makes Verify panic, and only what the key signed verifies.
func FuzzVerify(f *testing.F) {
	s := NewSigner(strings.Repeat("k", 32))
	for _, tok := range []string{s.Sign("m-1", "contact_request"), "", ".", "a.b", strings.Repeat(".", 50)} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		m, k, ok := s.Verify(tok)
		if ok && s.Sign(m, k) != tok {
			t.Fatalf("verified %q, which is not the signature of %q %q", tok, m, k)
		}
	})
}
