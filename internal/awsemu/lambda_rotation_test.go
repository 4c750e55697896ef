package awsemu

// lambda_rotation_test.go runs real rotations end to end: Secrets Manager
// invokes the test function (testdata/testfn) through Lambda, which runs
// it as a process with its role's credentials; the function calls back
// into Secrets Manager and prints its steps to CloudWatch Logs.

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	rotatorconfig "github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// lamRotationPolicy is the function role's least-privilege policy for one
// secret; withPut=false leaves out secretsmanager:PutSecretValue.
func lamRotationPolicy(secretARN string, withPut bool) string {
	actions := `"secretsmanager:DescribeSecret","secretsmanager:GetSecretValue","secretsmanager:UpdateSecretVersionStage"`
	if withPut {
		actions += `,"secretsmanager:PutSecretValue"`
	}
	return `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":[` + actions + `],"Resource":"` + secretARN + `"},
		{"Effect":"Allow","Action":"secretsmanager:GetRandomPassword","Resource":"*"}]}`
}

// lamRotationSetup creates a secret, a role, the function and its invoke
// permission; it returns the secret ARN, its first version and the function ARN.
func lamRotationSetup(t *testing.T, c *lamTestClients, name string, withPut bool, env map[string]string) (secretARN, v1, fnARN string) {
	t.Helper()
	goarch, arch := lamHostArch()
	secretARN, v1 = emuCreateSecret(t, c.emuTestClients, "app/"+name, "initial-value")
	role := lamCreateRole(t, c, name+"-role", lamRotationPolicy(secretARN, withPut))
	fnARN = lamCreateFunction(t, c, name, role, lamTestFunctionZip(t, goarch), arch, 30, env)
	if _, err := c.lambda.AddPermission(context.Background(), &lambda.AddPermissionInput{
		FunctionName: aws.String(name), StatementId: aws.String("secretsmanager"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("secretsmanager.amazonaws.com"), SourceAccount: aws.String(c.srv.AccountID()),
	}); err != nil {
		t.Fatalf("AddPermission: %v", err)
	}
	return secretARN, v1, fnARN
}

// lamLabels returns stage -> version name for the secret's staging labels.
func lamLabels(t *testing.T, c *lamTestClients, secretARN string, names map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for version, stages := range emuStages(t, c.emuTestClients, secretARN, names) {
		for _, s := range stages {
			out[s] = version
		}
	}
	return out
}

// lamSteps returns the "STEP <step> <token>" lines the function printed for token.
func lamSteps(t *testing.T, c *lamTestClients, fn, token string) []string {
	t.Helper()
	var steps []string
	for _, m := range lamLogMessages(t, c, fn, `"STEP "`) {
		if f := strings.Fields(m); len(f) == 3 && f[0] == "STEP" && f[2] == token {
			steps = append(steps, f[1])
		}
	}
	return steps
}

func lamCurrentValue(t *testing.T, c *lamTestClients, secretARN string) string {
	t.Helper()
	out, err := c.sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARN)})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
	return aws.ToString(out.SecretString)
}

func TestLambdaRotationEndToEnd(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	goarch, arch := lamHostArch()

	// Without an invoke permission Secrets Manager may not use the function.
	secretARN, v1 := emuCreateSecret(t, c.emuTestClients, "app/unpermitted", "x")
	role := lamCreateRole(t, c, "unpermitted-role", lamRotationPolicy(secretARN, true))
	fnNoPerm := lamCreateFunction(t, c, "unpermitted", role, lamTestFunctionZip(t, goarch), arch, 30, nil)
	_, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), RotationLambdaARN: aws.String(fnNoPerm),
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	if got := emuErrCode(err); got != "AccessDeniedException" {
		t.Errorf("RotateSecret without an invoke permission: code = %q (%v), want AccessDeniedException", got, err)
	}
	_ = v1

	secretARN, v1, fnARN := lamRotationSetup(t, c, "rotator", true, nil)
	tok1, tok2 := emuToken("first"), emuToken("second")
	names := map[string]string{v1: "v1", tok1: "tok1", tok2: "tok2"}

	if _, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), RotationLambdaARN: aws.String(fnARN),
		ClientRequestToken: aws.String(tok1), RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}}); err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	emuWaitRotation(t, c.emuTestClients, tok1) // the rotation runs after RotateSecret answered
	steps := []string{"createSecret", "setSecret", "testSecret", "finishSecret"}
	if diff := cmp.Diff(steps, lamSteps(t, c, "rotator", tok1)); diff != "" {
		t.Errorf("steps of the first rotation (-want +got):\n%s", diff)
	}
	labels := lamLabels(t, c, secretARN, names)
	if labels["AWSCURRENT"] != "tok1" || labels["AWSPREVIOUS"] != "v1" || labels["AWSPENDING"] != "" {
		t.Errorf("labels after the first rotation = %v; want AWSCURRENT on tok1, AWSPREVIOUS on v1, AWSPENDING removed (rotation-lambdas#145)", labels)
	}
	first := lamCurrentValue(t, c, secretARN)
	if first == "initial-value" {
		t.Errorf("AWSCURRENT still holds the initial value after a rotation")
	}

	if _, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), ClientRequestToken: aws.String(tok2)}); err != nil {
		t.Fatalf("second RotateSecret: %v", err)
	}
	emuWaitRotation(t, c.emuTestClients, tok2)
	if diff := cmp.Diff(steps, lamSteps(t, c, "rotator", tok2)); diff != "" {
		t.Errorf("steps of the second rotation (-want +got):\n%s", diff)
	}
	labels = lamLabels(t, c, secretARN, names)
	if labels["AWSCURRENT"] != "tok2" || labels["AWSPREVIOUS"] != "tok1" || labels["AWSPENDING"] != "" {
		t.Errorf("labels after the second rotation = %v; want AWSCURRENT on tok2, AWSPREVIOUS on tok1", labels)
	}
	if second := lamCurrentValue(t, c, secretARN); second == first || second == "initial-value" {
		t.Errorf("the second rotation did not produce a new value")
	}
}

func TestLambdaRotationFailingStep(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	secretARN, v1, fnARN := lamRotationSetup(t, c, "failing", true, map[string]string{"FAIL_AT": "setSecret"})
	tok1 := emuToken("broken")

	// AWS answers RotateSecret before the steps run; a failure shows later.
	_, _ = c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), RotationLambdaARN: aws.String(fnARN),
		ClientRequestToken: aws.String(tok1), RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	emuWaitRotation(t, c.emuTestClients, tok1)
	// Secrets Manager retried the whole rotation: three attempts.
	if diff := cmp.Diff(emuEveryAttempt("createSecret", "setSecret"), lamSteps(t, c, "failing", tok1)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	labels := lamLabels(t, c, secretARN, map[string]string{v1: "v1", tok1: "tok1"})
	if diff := cmp.Diff(map[string]string{"AWSCURRENT": "v1", "AWSPENDING": "tok1"}, labels); diff != "" {
		t.Errorf("labels after the failed rotation (-want +got):\n%s", diff)
	}
	if got := lamCurrentValue(t, c, secretARN); got != "initial-value" {
		t.Errorf("AWSCURRENT changed by a failed rotation")
	}
	_, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), ClientRequestToken: aws.String(emuToken("next"))})
	if got := emuErrCode(err); got != "InvalidRequestException" {
		t.Fatalf("RotateSecret after a failed rotation: code = %q (%v), want InvalidRequestException", got, err)
	}
	if msg := emuErrMessage(err); !strings.HasPrefix(msg, "A previous rotation isn't complete") {
		t.Errorf("message = %q, want it to start with \"A previous rotation isn't complete\"", msg)
	}
}

func TestLambdaRotationLeastPrivilege(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	secretARN, v1, fnARN := lamRotationSetup(t, c, "no-put", false, nil)
	tok1 := emuToken("denied")
	_, _ = c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), RotationLambdaARN: aws.String(fnARN),
		ClientRequestToken: aws.String(tok1), RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	emuWaitRotation(t, c.emuTestClients, tok1)

	// Each of Secrets Manager's three attempts fails the same way.
	failures := lamLogMessages(t, c, "no-put", `"STEP createSecret failed"`)
	if len(failures) != 3 || !strings.Contains(failures[0], "AccessDeniedException") ||
		!strings.Contains(failures[0], "is not authorized to perform: secretsmanager:PutSecretValue on resource: "+secretARN) {
		t.Errorf("createSecret failure lines = %q; want one AccessDeniedException for secretsmanager:PutSecretValue", failures)
	}
	if diff := cmp.Diff(emuEveryAttempt("createSecret"), lamSteps(t, c, "no-put", tok1)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	labels := lamLabels(t, c, secretARN, map[string]string{v1: "v1", tok1: "tok1"})
	if labels["AWSCURRENT"] != "v1" {
		t.Errorf("labels = %v, want AWSCURRENT still on v1", labels)
	}
}

// TestLambdaRotationRealRotator runs the provider's own rotation function
// (internal/rotator/cmd/bootstrap) with the generic strategy.
func TestLambdaRotationRealRotator(t *testing.T) {
	t.Parallel()
	goarch, arch := lamHostArch()
	zipBytes, err := lamBuildZip(t, "../rotator/cmd/bootstrap", goarch)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("the rotation function does not build yet: %v", err)
	}
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	secretARN, v1 := emuCreateSecret(t, c.emuTestClients, "app/real", `{"username":"app","password":"initial-password"}`)
	role := lamCreateRole(t, c, "real-role", lamRotationPolicy(secretARN, true))
	env := rotatorconfig.Config{SecretARN: secretARN, Strategy: rotatorconfig.StrategyGeneric, RotatedField: rotatorconfig.DefaultRotatedField,
		Password: rotatorconfig.DefaultPasswordPolicy()}.Env()
	fnARN := lamCreateFunction(t, c, "real", role, zipBytes, arch, 30, env)
	if _, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("real"), StatementId: aws.String("secretsmanager"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com"), SourceAccount: aws.String(c.srv.AccountID())}); err != nil {
		t.Fatalf("AddPermission: %v", err)
	}
	tok1, tok2 := emuToken("realone"), emuToken("realtwo")
	for i, tok := range []string{tok1, tok2} {
		in := &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN), ClientRequestToken: aws.String(tok)}
		if i == 0 {
			in.RotationLambdaARN, in.RotationRules = aws.String(fnARN), &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}
		}
		if _, err := c.sm.RotateSecret(ctx, in); err != nil {
			t.Fatalf("RotateSecret %d: %v", i+1, err)
		}
		if rec := emuWaitRotation(t, c.emuTestClients, tok); !rec.OK {
			t.Fatalf("rotation %d failed: %+v", i+1, rec)
		}
	}
	labels := lamLabels(t, c, secretARN, map[string]string{v1: "v1", tok1: "tok1", tok2: "tok2"})
	if labels["AWSCURRENT"] != "tok2" || labels["AWSPREVIOUS"] != "tok1" {
		t.Errorf("labels after two rotations = %v; want AWSCURRENT on tok2, AWSPREVIOUS on tok1 (function log: %q)", labels, lamLogMessages(t, c, "real", ""))
	}
	var value map[string]string
	if err := json.Unmarshal([]byte(lamCurrentValue(t, c, secretARN)), &value); err != nil {
		t.Fatalf("the rotated value is not JSON: %v", err)
	}
	if value["username"] != "app" || value["password"] == "initial-password" || len(value["password"]) != rotatorconfig.DefaultPasswordLength {
		t.Errorf("rotated value keeps username=%q, password changed=%v, length %d; want username app and a new %d-character password",
			value["username"], value["password"] != "initial-password", len(value["password"]), rotatorconfig.DefaultPasswordLength)
	}
}
