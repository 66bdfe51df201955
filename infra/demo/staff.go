// Package demo holds the local-only demo data `make run` loads: staff accounts with
// documented passwords (README), so that NSO and CSS routes can be tried at once.
package demo

import (
	"context"
	"errors"
	"net/http"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/password"
	"etwin/shared/staff"
	"etwin/shared/token"
)

// Password is the password of every demo staff account. Local stacks only.
const Password = "local-only-password"

// Staff are the demo staff accounts: one CSS account and an NSO per listed country.
var Staff = []staff.Input{
	{Username: "css-admin", Email: "css@demo.etwinning.local", FirstName: "Claire", LastName: "Dubois", Role: member.RoleCSS, Language: "en"},
	{Username: "nso-ro", Email: "nso-ro@demo.etwinning.local", FirstName: "Ioana", LastName: "Marin", Role: member.RoleNSO, Country: "RO", Language: "ro"},
	{Username: "nso-fr", Email: "nso-fr@demo.etwinning.local", FirstName: "Julien", LastName: "Martin", Role: member.RoleNSO, Country: "FR", Language: "en"},
	{Username: "nso-de", Email: "nso-de@demo.etwinning.local", FirstName: "Anna", LastName: "Schmidt", Role: member.RoleNSO, Country: "DE", Language: "en"},
	{Username: "nso-it", Email: "nso-it@demo.etwinning.local", FirstName: "Luca", LastName: "Rossi", Role: member.RoleNSO, Country: "IT", Language: "en"},
	{Username: "nso-es", Email: "nso-es@demo.etwinning.local", FirstName: "Lucía", LastName: "García", Role: member.RoleNSO, Country: "ES", Language: "en"},
	{Username: "nso-pl", Email: "nso-pl@demo.etwinning.local", FirstName: "Piotr", LastName: "Nowak", Role: member.RoleNSO, Country: "PL", Language: "en"},
}

// CreateStaff stores one staff account with a known password (the operator command and the
// demo data; the API never takes a password for someone else).
func CreateStaff(ctx context.Context, st staff.Store, in staff.Input, pw string) (member.Member, error) {
	if err := in.Validate(); err != nil {
		return member.Member{}, err
	}
	if msg := password.Problem(pw, in.Username, in.Email); msg != "" {
		return member.Member{}, errors.New("password: " + msg)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return member.Member{}, err
	}
	m := staff.NewAccount(token.ID("m-"), in, hash, time.Now().UTC())
	return m, staff.Register(ctx, st, m)
}

// LoadStaff creates the demo staff accounts that do not exist yet and says how many it made.
func LoadStaff(ctx context.Context, st staff.Store) (int, error) {
	n := 0
	for _, in := range Staff {
		_, err := CreateStaff(ctx, st, in, Password)
		switch {
		case err == nil:
			n++
		case apperr.StatusOf(err) == http.StatusConflict:
			// already there from an earlier run
		default:
			return n, err
		}
	}
	return n, nil
}
