package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/gateway"
)

// LocalParameters are the template parameter values of every local stack (make run,
// make test, tests): the portal on the Vite dev server, a local sender, and the name of
// the SSM parameter that holds the cursor signing key (the local SSM holds a random one).
var LocalParameters = map[string]string{
	"PortalUrl":                   "http://localhost:5173",
	"SenderAddress":               "no-reply@etwinning.local",
	"CursorKeyParameterName":      CursorKeyParameter,
	"UnsubscribeKeyParameterName": UnsubscribeKeyParameter,
	// The confirmation links in e-mails open the local API itself (make run's address;
	// StartGateway sets the address it listens on).
	"ConfirmUrl": "http://127.0.0.1:3000",
}

// StackOptions configure StartStack.
type StackOptions struct {
	Root       string // repository root; "" means FindRoot()
	DynamoPort int    // 0: a free port
	SESPort    int    // 0: a free port
	SSMPort    int    // 0: a free port
	S3Port     int    // 0: a free port
	// S3DataFile keeps the local S3's objects in a bbolt file; "": in memory.
	S3DataFile    string
	DynamoDataDir string // "": in memory
	// TableName maps a table's logical ID to its local name; nil keeps the logical ID.
	TableName func(logicalID string) string
	// ServiceLog receives DynamoDB Local's and the SES server's output; nil discards.
	ServiceLog io.Writer
	// SkipGateway starts only DynamoDB and SES (StartGateway can follow).
	SkipGateway bool
	Gateway     GatewayOptions
}

// GatewayOptions configure the local API of a stack.
type GatewayOptions struct {
	Addr                    string // listen address; "" means 127.0.0.1 on a free port
	BinDir                  string // <BinDir>/<folder>/bootstrap
	FunctionLog             io.Writer
	AccessLog               io.Writer
	MaxInstancesPerFunction int
	TimeoutScale            float64 // gateway.Options.TimeoutScale
	// DeadLetterDir, if set, gets the on-failure records of the stream event sources
	// as <dir>/<queue>.jsonl (gateway.Options.DeadLetterDir).
	DeadLetterDir string
}

// Stack is a running local stack.
type Stack struct {
	Root      string
	Template  string // path of template.yaml
	Dynamo    *Service
	SES       *Service
	SSM       *SSM       // the local Parameter Store, in this process
	S3        *S3        // the local S3 (gofakes3), in this process
	SESFaults *SESFaults // in front of SES: SES.URL is its URL
	CursorKey string     // the random cursor signing key it holds at CursorKeyParameter
	DDB       *dynamodb.Client
	Gateway   *gateway.Gateway // nil until the gateway runs
	APIURL    string           // e.g. http://127.0.0.1:3000
	tableName func(string) string
}

// StartStack starts DynamoDB Local, the SES server and the local SSM (holding a fresh
// random cursor signing key), creates the template's tables and, unless SkipGateway, the
// gateway. On error, whatever had started is stopped.
func StartStack(ctx context.Context, opts StackOptions) (*Stack, error) {
	root := opts.Root
	if root == "" {
		var err error
		if root, err = FindRoot(); err != nil {
			return nil, err
		}
	}
	s := &Stack{Root: root, Template: filepath.Join(root, "template.yaml"), tableName: opts.TableName}
	if s.tableName == nil {
		s.tableName = func(id string) string { return id }
	}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()

	ssmAddr := ""
	if opts.SSMPort != 0 {
		ssmAddr = fmt.Sprintf("127.0.0.1:%d", opts.SSMPort)
	}
	ssm, err := StartSSM(ssmAddr)
	if err != nil {
		return nil, err
	}
	s.SSM, s.CursorKey = ssm, NewCursorKey()
	s.SSM.Put(CursorKeyParameter, "SecureString", s.CursorKey)
	s.SSM.Put(UnsubscribeKeyParameter, "SecureString", NewCursorKey())

	s3Addr := ""
	if opts.S3Port != 0 {
		s3Addr = fmt.Sprintf("127.0.0.1:%d", opts.S3Port)
	}
	if s.S3, err = StartS3(s3Addr, opts.S3DataFile); err != nil {
		return nil, err
	}
	if err := CreateBuckets(ctx, NewS3Client(s.S3.URL), s.Template); err != nil {
		return nil, err
	}

	// The two services start in parallel: the JVM takes a few seconds.
	type started struct {
		svc *Service
		err error
	}
	sesDone := make(chan started, 1)
	go func() {
		// The SES server on a port of its own, behind SESFaults on the advertised one.
		svc, err := StartSES(ctx, Options{Root: root, LogWriter: opts.ServiceLog})
		sesDone <- started{svc, err}
	}()
	ddb, ddbErr := StartDynamo(ctx, Options{Port: opts.DynamoPort, DataDir: opts.DynamoDataDir, Root: root, LogWriter: opts.ServiceLog})
	ses := <-sesDone
	s.Dynamo, s.SES = ddb, ses.svc
	if err := errors.Join(ddbErr, ses.err); err != nil {
		return nil, err
	}
	sesAddr := ""
	if opts.SESPort != 0 {
		sesAddr = fmt.Sprintf("127.0.0.1:%d", opts.SESPort)
	}
	if s.SESFaults, err = StartSESFaults(sesAddr, s.SES.URL); err != nil {
		return nil, err
	}
	s.SES.URL = s.SESFaults.URL // every user of the stack's SES goes through it

	s.DDB = NewDynamoClient(s.Dynamo.URL)
	if err := CreateTables(ctx, s.DDB, s.Template, s.tableName); err != nil {
		return nil, err
	}
	if !opts.SkipGateway {
		if err := s.StartGateway(opts.Gateway); err != nil {
			return nil, err
		}
	}
	ok = true
	return s, nil
}

// StartGateway starts the local API in front of the functions in opts.BinDir, and the
// pollers of the functions' DynamoDB events on the stack's DynamoDB Local.
func (s *Stack) StartGateway(opts GatewayOptions) error {
	if s.Gateway != nil {
		return errors.New("localstack: the gateway already runs")
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("localstack: API on %s: %w", addr, err)
	}
	params := maps.Clone(LocalParameters)
	params["ConfirmUrl"] = "http://" + ln.Addr().String()
	gw, err := gateway.New(gateway.Options{
		TemplatePath: s.Template,
		BinDir:       opts.BinDir,
		Parameters:   params,
		TableName:    s.tableName,
		ExtraEnv: map[string]string{
			// The SDK's per-service endpoint variables point the functions' clients here.
			"AWS_ENDPOINT_URL_DYNAMODB": s.Dynamo.URL,
			"AWS_ENDPOINT_URL_SESV2":    s.SES.URL,
			"AWS_ENDPOINT_URL_SES":      s.SES.URL,
			"AWS_ENDPOINT_URL_SSM":      s.SSM.URL,
			"AWS_ENDPOINT_URL_S3":       s.S3.URL,
			"S3_USE_PATH_STYLE":         "true", // shared/s3files: the local server has no bucket host names
		},
		FunctionLog:             opts.FunctionLog,
		AccessLog:               opts.AccessLog,
		MaxInstancesPerFunction: opts.MaxInstancesPerFunction,
		TimeoutScale:            opts.TimeoutScale,
		DynamoEndpoint:          s.Dynamo.URL,
		DeadLetterDir:           opts.DeadLetterDir,
	})
	if err != nil {
		ln.Close()
		return err
	}
	go gw.Serve(ln)
	s.Gateway = gw
	s.APIURL = "http://" + ln.Addr().String()
	return nil
}

// TableName is the local name of a table logical ID.
func (s *Stack) TableName(logicalID string) string { return s.tableName(logicalID) }

// Stop stops the gateway (and every function instance) and the services.
func (s *Stack) Stop() {
	if s.Gateway != nil {
		s.Gateway.Close()
	}
	if s.SSM != nil {
		s.SSM.Stop()
	}
	s.S3.Stop()
	s.SESFaults.Stop()
	if s.SES != nil {
		s.SES.Stop()
	}
	if s.Dynamo != nil {
		s.Dynamo.Stop()
	}
}
