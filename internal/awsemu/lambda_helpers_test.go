package awsemu

// lambda_helpers_test.go builds the test function (testdata/testfn) into
// Lambda zips and creates roles and functions for the IAM, Logs and Lambda
// tests.

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lamTestClients adds Lambda and Logs clients to the core's test clients.
type lamTestClients struct {
	*emuTestClients
	lambda *lambda.Client
	logs   *cloudwatchlogs.Client
}

// lamTestAdmin starts an emulator and returns administrator clients.
func lamTestAdmin(t *testing.T, opts Options) *lamTestClients {
	t.Helper()
	srv := emuTestServer(t, opts)
	cfg := emuTestConfig(srv, "test", "test", "")
	return &lamTestClients{emuTestClients: emuTestClientsFor(srv, cfg), lambda: lambda.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
}

// lambdaBackendOf returns the emulator's Lambda backend.
func lambdaBackendOf(t *testing.T, srv *Server) *lambdaBackend {
	t.Helper()
	srv.sm.mu.Lock()
	defer srv.sm.mu.Unlock()
	lb, ok := srv.sm.runtime.(*lambdaBackend)
	if !ok {
		t.Fatalf("the Secrets Manager runtime is %T, not the Lambda backend", srv.sm.runtime)
	}
	return lb
}

var lamTestFnZips struct {
	mu   sync.Mutex
	zips map[string][]byte // key: package + " " + GOARCH
}

// lamTestFunctionZip builds testdata/testfn for GOARCH goarch ("amd64" or
// "arm64") once per test binary and returns a Lambda zip holding bootstrap.
func lamTestFunctionZip(t testing.TB, goarch string) []byte {
	t.Helper()
	z, err := lamBuildZip(t, "./testdata/testfn", goarch)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// lamBuildZip builds the main package pkg (a path relative to this
// package) as bootstrap for linux/goarch, once per test binary, and
// returns a Lambda zip of it.
func lamBuildZip(t testing.TB, pkg, goarch string) ([]byte, error) {
	t.Helper()
	lamTestFnZips.mu.Lock()
	defer lamTestFnZips.mu.Unlock()
	key := pkg + " " + goarch
	if z, ok := lamTestFnZips.zips[key]; ok {
		return z, nil
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building %s for %s: %v\n%s", pkg, goarch, err, out)
	}
	z := lamZipFiles(t, map[string]lamFileInZip{"bootstrap": {data: lamMustRead(t, bin), mode: 0o755}})
	if lamTestFnZips.zips == nil {
		lamTestFnZips.zips = map[string][]byte{}
	}
	lamTestFnZips.zips[key] = z
	return z, nil
}

type lamFileInZip struct {
	data []byte
	mode os.FileMode
}

func lamZipFiles(t testing.TB, files map[string]lamFileInZip) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range policySortedKeys(files) {
		f := files[name]
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func lamMustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lamHostArch returns the GOARCH that runs natively, with its Lambda name.
func lamHostArch() (goarch, lambdaArch string) {
	if runtime.GOARCH == "arm64" {
		return "arm64", "arm64"
	}
	return "amd64", "x86_64"
}

const lambdaTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// lamCreateRole creates a role Lambda can assume with an inline policy
// (if any) and AWSLambdaBasicExecutionRole attached, and returns its ARN.
func lamCreateRole(t *testing.T, c *lamTestClients, name, inline string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if inline != "" {
		if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("inline"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatalf("PutRolePolicy: %v", err)
		}
	}
	if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}
	emuSettleIAM(t, c.srv)
	return aws.ToString(out.Role.Arn)
}

// emuSettleIAM moves the emulator clock past the IAM propagation delay, so
// the roles and policies written so far are in effect (tests of other
// behaviour use it instead of turning the delay off).
func emuSettleIAM(t *testing.T, srv *Server) {
	t.Helper()
	srv.AdvanceClock(context.Background(), srv.env.IAMPropagationDelay())
}

// lamWaitSettled polls GetFunction, as the SDK waiters do, until the
// function is Active and its last update Successful.
func lamWaitSettled(t *testing.T, c *lamTestClients, name string) {
	t.Helper()
	for range 10 {
		out, err := c.lambda.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatalf("GetFunction %s: %v", name, err)
		}
		if out.Configuration.State == lambdatypes.StateActive && out.Configuration.LastUpdateStatus == lambdatypes.LastUpdateStatusSuccessful {
			return
		}
	}
	t.Fatalf("function %s did not settle after 10 reads", name)
}

// lamCreateFunction creates a function from zip and returns its ARN.
func lamCreateFunction(t *testing.T, c *lamTestClients, name, role string, zipBytes []byte, arch string, timeout int32, env map[string]string) string {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          aws.String(role),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(arch)},
		Timeout:       aws.Int32(timeout),
		Code:          &lambdatypes.FunctionCode{ZipFile: zipBytes},
	}
	if env != nil {
		in.Environment = &lambdatypes.Environment{Variables: env}
	}
	out, err := c.lambda.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	lamWaitSettled(t, c, name)
	return aws.ToString(out.FunctionArn)
}

// lamLogMessages returns the messages of /aws/lambda/NAME containing pattern.
func lamLogMessages(t *testing.T, c *lamTestClients, fn, pattern string) []string {
	t.Helper()
	out, err := c.logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/" + fn), FilterPattern: aws.String(pattern),
	})
	if err != nil {
		t.Fatalf("FilterLogEvents: %v", err)
	}
	var msgs []string
	for _, e := range out.Events {
		msgs = append(msgs, strings.TrimSpace(aws.ToString(e.Message)))
	}
	return msgs
}

// lamRequireQEMU skips (outside CI) or fails (CI=true) when arm64 code cannot run.
func lamRequireQEMU(t *testing.T) {
	t.Helper()
	if runtime.GOARCH == "arm64" {
		return
	}
	if _, err := exec.LookPath(qemuAarch64); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI (install Debian package qemu-user-static): %v", qemuAarch64, err)
		}
		t.Skipf("%s not installed (Debian package qemu-user-static); skipping the arm64 run", qemuAarch64)
	}
}

// lamEventually polls f until it returns true or the deadline passes.
func lamEventually(t *testing.T, timeout time.Duration, f func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if f() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return f()
}
