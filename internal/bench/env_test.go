package bench

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// emulator is one in-process AWS emulator with administrator clients.
type emulator struct {
	srv    *awsemu.Server
	admin  *awsemu.AdminClient
	sm     *secretsmanager.Client
	lambda *lambda.Client
	iam    *iam.Client
	logs   *cloudwatchlogs.Client
	sns    *sns.Client
}

// startEmulator starts an emulator for b, closed at cleanup.
func startEmulator(tb testing.TB) *emulator {
	tb.Helper()
	srv, err := awsemu.Start(awsemu.Options{Validator: awsemu.ModelCheckFor(tb)})
	if err != nil {
		tb.Fatalf("starting the AWS emulator: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{
		Region:      srv.Region(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	ep := aws.String(srv.URL())
	return &emulator{
		srv:    srv,
		admin:  awsemu.NewAdminClient(srv.URL()),
		sm:     secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = ep }),
		lambda: lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = ep }),
		iam:    iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = ep }),
		logs:   cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = ep }),
		sns:    sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = ep }),
	}
}

// topic creates an SNS topic (the user's, for an alerts block).
func (e *emulator) topic(tb testing.TB, name string) string {
	tb.Helper()
	out, err := e.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		tb.Fatalf("CreateTopic: %v", err)
	}
	return aws.ToString(out.TopicArn)
}

// calls returns the emulator's request counts.
func (e *emulator) calls(tb testing.TB) map[string]int {
	tb.Helper()
	c, err := e.admin.Calls(context.Background())
	if err != nil {
		tb.Fatalf("reading the emulator's call counts: %v", err)
	}
	return c
}

// inCI reports whether the benchmarks run under CI, where a missing
// external program fails instead of skipping.
func inCI() bool { return os.Getenv("CI") == "true" }

// missingTool skips b outside CI and fails it under CI=true.
func missingTool(tb testing.TB, msg string) {
	tb.Helper()
	if inCI() {
		tb.Fatal(msg + " (CI=true: a missing tool fails the benchmark)")
	}
	tb.Skip(msg)
}

// moduleRoot is the directory of the provider's go.mod.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		tb.Fatalf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		tb.Fatal("not inside the provider's Go module")
	}
	return filepath.Dir(mod)
}

// toolsDir is where scripts/install-tofu.sh caches OpenTofu.
func toolsDir() string {
	if d := os.Getenv("ROTATOR_TOOLS_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "rotator-tools")
}

// tofuVersion is the OpenTofu version .ci/run builds.
const tofuVersion = "1.12.6"

// findTofu returns the OpenTofu binary: $TOFU, $TF_ACC_TERRAFORM_PATH,
// the cached build, or tofu in PATH.
func findTofu() (string, error) {
	for _, env := range []string{"TOFU", "TF_ACC_TERRAFORM_PATH"} {
		if p := os.Getenv(env); p != "" {
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				return "", errors.New(env + "=" + p + " is not an executable file")
			}
			return p, nil
		}
	}
	if d := toolsDir(); d != "" {
		p := filepath.Join(d, "tofu-"+tofuVersion)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath("tofu")
	if err != nil {
		return "", errors.New("OpenTofu not found: set TOFU or TF_ACC_TERRAFORM_PATH, or run `make tools`")
	}
	return p, nil
}
