// Package acctest holds the helpers of the provider's acceptance tests:
// an AWS endpoint (the in-process emulator, or real AWS when
// TF_ACC_AWS_REAL is set), SDK clients for checks, random names,
// CheckDestroy built on the stack's finders, and the rotation function
// bundle for checkouts built before `make bundle`.
package acctest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// Emulator account and region (awsemu's defaults).
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// EnvRealAWS, when set, runs acceptance tests against real AWS with the
// ambient credentials instead of the in-process emulator.
const EnvRealAWS = "TF_ACC_AWS_REAL"

// PreCheck fails fast when the environment cannot run acceptance tests.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run only with TF_ACC=1")
	}
	if os.Getenv(EnvRealAWS) != "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		t.Fatal(EnvRealAWS + " is set: AWS_REGION must name the region to test in")
	}
}

// Env is one AWS endpoint for a test.
type Env struct {
	// URL is the emulator's endpoint; "" for real AWS.
	URL string
	// Admin controls the emulator (clock, faults, call counts); nil for real AWS.
	Admin  *awsemu.AdminClient
	Server *awsemu.Server
	Region string
	// Account is the account the tests run in: the emulator's, or the
	// caller's account on real AWS.
	Account string
	// Clients are the stack's clients; SDK the same clients with their
	// concrete types, for checks that see AWS directly.
	Clients stack.Clients
	SDK     stack.SDKClients

	// cfg and endpoints built the clients (SecretsManagerIn).
	cfg       aws.Config
	endpoints stack.Endpoints
}

// SecretsManagerIn is a plain Secrets Manager client for another region of
// the same endpoint and credentials: replicas are checked where
// applications read them.
func (e *Env) SecretsManagerIn(region string) *secretsmanager.Client {
	return e.SDKIn(region).SecretsManager
}

// SDKIn are plain clients for another region of the same endpoint and
// credentials (e.g. a KMS key of a replica's region).
func (e *Env) SDKIn(region string) stack.SDKClients {
	cfg := e.cfg.Copy()
	cfg.Region = region
	return stack.NewSDKClients(cfg, e.endpoints)
}

// IsEmulator reports whether the test runs against the emulator.
func (e *Env) IsEmulator() bool { return e.URL != "" }

// NewEnv starts an in-process emulator for t (stopped at cleanup), or uses
// real AWS when TF_ACC_AWS_REAL is set. It sets no environment variables,
// so tests using it may run in parallel; use ProviderBlock in configs.
func NewEnv(t *testing.T) *Env {
	t.Helper()
	if os.Getenv(EnvRealAWS) != "" {
		cfg, err := awsconfig.LoadDefaultConfig(context.Background())
		if err != nil {
			t.Fatalf("loading AWS configuration: %v", err)
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("finding the account of the AWS credentials: %v", err)
		}
		sdk := stack.NewSDKClients(cfg, stack.Endpoints{})
		return &Env{Region: cfg.Region, Account: aws.ToString(id.Account), Clients: sdk.Stack(), SDK: sdk, cfg: cfg}
	}
	// Realistic defaults (IAM propagation, Lambda states), and every
	// exchange checked against AWS's published API models: a violation
	// fails the test.
	srv, err := awsemu.Start(awsemu.Options{Validator: awsemu.ModelCheckFor(t)})
	if err != nil {
		t.Fatalf("starting the AWS emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return EnvFor(srv)
}

// EnvFor is the Env of an emulator the test started itself (with
// non-default Options); the test closes it.
func EnvFor(srv *awsemu.Server) *Env {
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	ep := stack.AllEndpoints(srv.URL())
	sdk := stack.NewSDKClients(cfg, ep)
	return &Env{
		URL: srv.URL(), Admin: awsemu.NewAdminClient(srv.URL()), Server: srv, Region: Region, Account: srv.AccountID(),
		Clients: sdk.Stack(), SDK: sdk, cfg: cfg, endpoints: ep,
	}
}

// Emulator is NewEnv plus the standard AWS environment variables
// (AWS_ENDPOINT_URL, test credentials, AWS_REGION) set with t.Setenv, for
// configurations without a provider block (such as the examples). Tests
// using it cannot call t.Parallel.
func Emulator(t *testing.T) *Env {
	t.Helper()
	e := NewEnv(t)
	if e.IsEmulator() {
		t.Setenv("AWS_ENDPOINT_URL", e.URL)
		t.Setenv("AWS_ACCESS_KEY_ID", "test")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
		t.Setenv("AWS_SESSION_TOKEN", "")
		t.Setenv("AWS_REGION", Region)
		t.Setenv("AWS_PROFILE", "")
	}
	return e
}

// EndpointServices are the provider's endpoints block attributes: tests
// point each at the emulator.
var EndpointServices = []string{"secretsmanager", "lambda", "iam", "sts", "logs", "kms", "events", "sns"}

// ProviderBlock is the provider configuration for e: the emulator's
// endpoints and test credentials, or nothing for real AWS.
func (e *Env) ProviderBlock() string {
	if !e.IsEmulator() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"rotator\" {\n  region     = %q\n  access_key = \"test\"\n  secret_key = \"test\"\n  endpoints {\n", e.Region)
	for _, svc := range EndpointServices {
		fmt.Fprintf(&b, "    %-14s = %q\n", svc, e.URL)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// RandomName returns a unique secret name for a test.
func RandomName() string {
	return "tf-acc-" + acctest.RandStringFromCharSet(10, acctest.CharSetAlphaNum)
}

// ProtoV6ProviderFactories serves the provider in-process as main.go serves
// it (provider.NewProtocol6Server), with the function code from Bundle.
func ProtoV6ProviderFactories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	t.Helper()
	code, err := Bundle()
	if err != nil {
		t.Fatalf("rotation function bundle: %v", err)
	}
	server := provider.NewProtocol6Server(provider.NewWithCodeSource("test", code)())
	return map[string]func() (tfprotov6.ProviderServer, error){
		"rotator": func() (tfprotov6.ProviderServer, error) { return server(), nil },
	}
}

// FixCLIConfig drops a TF_CLI_CONFIG_FILE that names a missing file:
// OpenTofu then prints a warning before its version, and
// terraform-plugin-testing cannot parse `tofu version`. Call it from TestMain.
func FixCLIConfig() {
	if p := os.Getenv("TF_CLI_CONFIG_FILE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			_ = os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
}

// Start begins a parallel acceptance test: the pre-check, an endpoint and
// a fresh secret name.
func Start(t *testing.T) (*Env, string) {
	t.Helper()
	t.Parallel()
	PreCheck(t)
	return NewEnv(t), RandomName()
}

// Test runs tc against e with the provider served in-process and, unless
// tc sets its own, e.CheckDestroy.
func (e *Env) Test(t *testing.T, tc resource.TestCase) {
	t.Helper()
	if tc.ProtoV6ProviderFactories == nil {
		tc.ProtoV6ProviderFactories = ProtoV6ProviderFactories(t)
	}
	if tc.CheckDestroy == nil {
		tc.CheckDestroy = e.CheckDestroy
	}
	resource.Test(t, tc)
}

// StartEmulator is Start for a test that needs the emulator (fault
// injection, its clock, roles to assume); why says so when it is skipped.
func StartEmulator(t *testing.T, why string) (*Env, string) {
	t.Helper()
	e, name := Start(t)
	if !e.IsEmulator() {
		t.Skip(why)
	}
	return e, name
}
