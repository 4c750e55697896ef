package awsemu

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
)

// emuBuildCommand builds the standalone command into a test directory
// (the go build cache makes repeated builds cheap).
func emuBuildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "awsemu")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/awsemu").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/awsemu: %v\n%s", err, out)
	}
	return bin
}

// emuStartCommand starts the standalone emulator command and returns its
// URL and a stop function that sends SIGINT and reports whether the
// command exited cleanly. The test's cleanup stops it if still running.
func emuStartCommand(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	cmd := exec.Command(emuBuildCommand(t), append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("reading the emulator URL: %v; stderr: %s", err, stderr.String())
	}
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGINT)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					stopErr = fmt.Errorf("emulator command did not stop cleanly on SIGINT: %v; stderr: %s", err, stderr.String())
				}
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				stopErr = errors.New("emulator command ignored SIGINT")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return strings.TrimSpace(line), stop
}

// TestCommandPersistsState stops the standalone command and starts it
// again on the same state file, as a demo re-run does.
func TestCommandPersistsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state.json")
	url, stop := emuStartCommand(t, "--state", state)
	sm := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("demo"), SecretString: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	url2, _ := emuStartCommand(t, "--state", state)
	sm2 := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url2),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	got, err := sm2.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("demo")})
	if err != nil {
		t.Fatalf("GetSecretValue after restart: %v", err)
	}
	if aws.ToString(got.ARN) != aws.ToString(created.ARN) || aws.ToString(got.SecretString) != "kept" {
		t.Errorf("after restart: ARN %s, want %s, with the stored value", aws.ToString(got.ARN), aws.ToString(created.ARN))
	}
}

// emuAWSCLI runs the aws CLI against url and returns its JSON output
// decoded, or the error text.
type emuAWSCLI struct {
	t   *testing.T
	url string
	env []string
}

func (a *emuAWSCLI) run(args ...string) (map[string]any, string, error) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append(args, "--output", "json")...)
	cmd.Env = a.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := map[string]any{}
	if err == nil && stdout.Len() > 0 {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			a.t.Fatalf("aws %v: output is not JSON: %v\n%s", args, jerr, stdout.String())
		}
	}
	return out, stderr.String(), err
}

func (a *emuAWSCLI) must(args ...string) map[string]any {
	a.t.Helper()
	out, stderr, err := a.run(args...)
	if err != nil {
		a.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// TestAWSCLI drives the standalone emulator with the real AWS CLI.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the AWS CLI test (about 20 CLI runs)")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the aws CLI is required under CI (Debian package awscli): %v", err)
		}
		t.Skip("aws CLI not installed (Debian package awscli); skipping the CLI test")
	}
	goarch, lambdaArch := lamHostArch()
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	if err := os.WriteFile(zipPath, lamTestFunctionZip(t, goarch), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := emuStartCommand(t, "--state", filepath.Join(t.TempDir(), "state.json"))
	home := t.TempDir()
	cli := &emuAWSCLI{t: t, url: url, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ENDPOINT_URL=" + url, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_PAGER=",
	}}

	created := cli.must("secretsmanager", "create-secret", "--name", "cli-secret", "--secret-string", "first")
	arn, v1 := jsonString(t, created, "ARN"), jsonString(t, created, "VersionId")
	tok := "cli-token-0000000000000000000000000001"
	put := cli.must("secretsmanager", "put-secret-value", "--secret-id", "cli-secret", "--secret-string", "second",
		"--version-stages", "AWSPENDING", "--client-request-token", tok)
	if diff := cmp.Diff([]any{"AWSPENDING"}, put["VersionStages"]); diff != "" {
		t.Errorf("put-secret-value VersionStages (-want +got):\n%s", diff)
	}
	if _, stderr, err := cli.run("secretsmanager", "update-secret-version-stage", "--secret-id", "cli-secret",
		"--version-stage", "AWSCURRENT", "--move-to-version-id", tok); err == nil || !strings.Contains(stderr, "InvalidParameterException") {
		t.Errorf("update-secret-version-stage without --remove-from-version-id: err=%v stderr=%s; want InvalidParameterException", err, stderr)
	}
	cli.must("secretsmanager", "update-secret-version-stage", "--secret-id", "cli-secret",
		"--version-stage", "AWSCURRENT", "--move-to-version-id", tok, "--remove-from-version-id", v1)
	desc := cli.must("secretsmanager", "describe-secret", "--secret-id", arn)
	want := map[string]any{v1: []any{"AWSPREVIOUS"}, tok: []any{"AWSCURRENT", "AWSPENDING"}}
	if diff := cmp.Diff(want, desc["VersionIdsToStages"]); diff != "" {
		t.Errorf("describe-secret VersionIdsToStages (-want +got):\n%s", diff)
	}
	prev := cli.must("secretsmanager", "get-secret-value", "--secret-id", "cli-secret", "--version-stage", "AWSPREVIOUS")
	if prev["SecretString"] != "first" || prev["VersionId"] != v1 {
		t.Errorf("get-secret-value AWSPREVIOUS = version %v, want %s with the first value", prev["VersionId"], v1)
	}

	// A rotation function, created with the CLI too.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := cli.must("iam", "create-role", "--role-name", "cli-rotator", "--assume-role-policy-document", trust)
	roleObj, _ := role["Role"].(map[string]any)
	roleARN := jsonString(t, roleObj, "Arn")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:DescribeSecret","secretsmanager:GetSecretValue","secretsmanager:PutSecretValue","secretsmanager:UpdateSecretVersionStage"],"Resource":"` + arn + `"},{"Effect":"Allow","Action":"secretsmanager:GetRandomPassword","Resource":"*"}]}`
	cli.must("iam", "put-role-policy", "--role-name", "cli-rotator", "--policy-name", "rotate", "--policy-document", policy)
	cli.must("iam", "attach-role-policy", "--role-name", "cli-rotator", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	// The role and its policies propagate (IAM eventual consistency).
	if _, err := NewAdminClient(url).AdvanceClock(context.Background(), DefaultIAMPropagationDelay); err != nil {
		t.Fatal(err)
	}
	fn := cli.must("lambda", "create-function", "--function-name", "cli-rotator", "--runtime", "provided.al2023",
		"--handler", "bootstrap", "--role", roleARN, "--zip-file", "fileb://"+zipPath, "--architectures", lambdaArch, "--timeout", "30")
	fnARN := jsonString(t, fn, "FunctionArn")
	// The function is Pending after create-function; the CLI's waiter polls until it is Active.
	if _, stderr, err := cli.run("lambda", "wait", "function-active-v2", "--function-name", "cli-rotator"); err != nil {
		t.Fatalf("aws lambda wait function-active-v2: %v: %s", err, stderr)
	}

	// Without an invoke permission for Secrets Manager: AccessDenied.
	if _, stderr, err := cli.run("secretsmanager", "rotate-secret", "--secret-id", "cli-secret", "--rotation-lambda-arn", fnARN,
		"--rotation-rules", "AutomaticallyAfterDays=7"); err == nil || !strings.Contains(stderr, "AccessDeniedException") || !strings.Contains(stderr, "Secrets Manager cannot invoke the specified Lambda function") {
		t.Errorf("rotate-secret without permission: err=%v stderr=%s; want AccessDeniedException", err, stderr)
	}
	cli.must("lambda", "add-permission", "--function-name", "cli-rotator", "--statement-id", "sm", "--action", "lambda:InvokeFunction",
		"--principal", "secretsmanager.amazonaws.com", "--source-account", "123456789012")
	// The new statement propagates (IAM eventual consistency).
	if _, err := NewAdminClient(url).AdvanceClock(context.Background(), DefaultIAMPropagationDelay); err != nil {
		t.Fatal(err)
	}
	rot := cli.must("secretsmanager", "rotate-secret", "--secret-id", "cli-secret", "--rotation-lambda-arn", fnARN,
		"--rotation-rules", `{"ScheduleExpression":"rate(10 days)","Duration":"2h"}`)
	newVersion, _ := rot["VersionId"].(string)
	desc = cli.must("secretsmanager", "describe-secret", "--secret-id", "cli-secret")
	stages, _ := desc["VersionIdsToStages"].(map[string]any)
	cur, _ := stages[newVersion].([]any)
	if desc["RotationEnabled"] != true || len(cur) == 0 || cur[0] != "AWSCURRENT" {
		t.Errorf("after rotate-secret: RotationEnabled=%v stages=%v; want AWSCURRENT on %s", desc["RotationEnabled"], stages, newVersion)
	}
	if diff := cmp.Diff([]any{"AWSPREVIOUS"}, stages[tok]); diff != "" {
		t.Errorf("the old current version's stages (-want +got):\n%s", diff)
	}
	if _, ok := desc["LastRotatedDate"]; !ok {
		t.Errorf("LastRotatedDate missing after a successful rotation: %v", desc)
	}
}

// jsonString returns the string at key of a decoded CLI response, failing
// the test when it is missing or not a string.
func jsonString(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	v, ok := m[key].(string)
	if !ok {
		t.Fatalf("CLI response has no string %q: %v", key, m)
	}
	return v
}
