// Command staff creates a staff account (NSO or CSS) with a password, straight in the
// table: the operator's way to make the first CSS account of a new deployment, which then
// creates the others through POST /v1/staff.
//
//	STAFF_PASSWORD='…' go run ./infra/cmd/staff -table <table> -role css \
//	    -username css-admin -email css@example.eu -first Claire -last Dubois -language en
//
// Without -endpoint it uses the AWS configuration of the environment (profile, region);
// with -endpoint http://127.0.0.1:8000 it writes to the local stack of `make run`. The
// password comes from STAFF_PASSWORD or, when that is unset, from the first line of stdin.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"etwin/infra/demo"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
	"etwin/shared/staff"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "staff:", err)
		os.Exit(1)
	}
}

func run() error {
	var in staff.Input
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (local stack: http://127.0.0.1:8000); empty: AWS")
	table := flag.String("table", "Table", "table name (the deployed stack's table on AWS)")
	flag.StringVar(&in.Role, "role", "css", "nso or css")
	flag.StringVar(&in.Username, "username", "", "username")
	flag.StringVar(&in.Email, "email", "", "e-mail address")
	flag.StringVar(&in.FirstName, "first", "", "first name")
	flag.StringVar(&in.LastName, "last", "", "last name")
	flag.StringVar(&in.Country, "country", "", "country (ISO 3166-1 alpha-2), nso only")
	flag.StringVar(&in.Language, "language", "en", "language of the account's e-mails")
	flag.Parse()

	pw, ok := os.LookupEnv("STAFF_PASSWORD")
	if !ok {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: set STAFF_PASSWORD or give it on stdin")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var store *ddb.Store
	if *endpoint != "" {
		store = ddb.New(localstack.NewDynamoClient(*endpoint), *table)
	} else {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		store = ddb.New(ddb.NewClient(cfg), *table)
	}
	m, err := demo.CreateStaff(ctx, store, in, pw)
	if err != nil {
		return err
	}
	fmt.Printf("created %s account %s (memberId %s)\n", m.Role, m.Username, m.MemberID)
	return nil
}
