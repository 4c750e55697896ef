package provider_test

// adopt_seed_test.go builds the seed article's hand-made rotation
// (shared/reference/seed-article.txt) through the AWS APIs, independently
// of this provider: the "before" that the adoption tests and the migration
// guide's test start from. The hashicorp/aws provider is not available
// offline, so the test plays its part: each call below is the one the
// article's aws_* resource makes.

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// seedNames are the names of the article's objects.
type seedNames struct {
	Secret, Role, Policy, Function string
}

// articleNames are the seed article's names, as its configuration has them.
var articleNames = seedNames{Secret: "sensitive-credentials", Role: "lambda_rotation_role", Policy: "lambda_rotation_policy", Function: "SecretRotationFunction"}

// seedSetup is what the article's configuration made.
type seedSetup struct {
	Names       seedNames
	SecretARN   string
	FunctionARN string
	RoleARN     string
	CodeSHA256  string
	// PendingVersion is the version AWSPENDING is stuck on after the first
	// rotation.
	PendingVersion string
}

const seedTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}]}`

// buildSeed creates the article's objects in env and runs the one rotation
// aws_secretsmanager_secret_rotation starts (the AWS provider calls
// RotateSecret, which rotates at once), which leaves AWSPENDING stuck.
func buildSeed(t *testing.T, env *acctest.Env, n seedNames) seedSetup {
	t.Helper()
	ctx := context.Background()
	sm := env.SDK.SecretsManager
	lam, im := env.SDK.Lambda, env.SDK.IAM
	s := seedSetup{Names: n}

	// aws_secretsmanager_secret.credentials and its example_version.
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n.Secret)})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	s.SecretARN = aws.ToString(sec.ARN)
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: sec.ARN, SecretString: aws.String(`{"password":"example_password","username":"example_user"}`),
	}); err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}

	// aws_iam_role, aws_iam_policy + attachment. The emulator has no
	// customer-managed policies, so the article's policy document is put
	// inline under the same name: the same grants on the same role.
	role, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n.Role), AssumeRolePolicyDocument: aws.String(seedTrustPolicy)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	s.RoleARN = aws.ToString(role.Role.Arn)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue",` +
		`"secretsmanager:UpdateSecretVersionStage","secretsmanager:DescribeSecret"],"Resource":["` + s.SecretARN + `"]}]}`
	if _, err := im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(n.Role), PolicyName: aws.String(n.Policy), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}

	// aws_lambda_function.rotation_lambda (the Python script, ported).
	arch, lambdaArch := seedArch()
	// Like the AWS provider, retry while the new role propagates to Lambda
	// ("The role defined for the function cannot be assumed by Lambda").
	var fn *lambda.CreateFunctionOutput
	err = seedRetry(func() (err error) {
		fn, err = lam.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName:  aws.String(n.Function),
			Role:          aws.String(s.RoleARN),
			Runtime:       lambdatypes.RuntimeProvidedal2023,
			Handler:       aws.String("bootstrap"),
			Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(lambdaArch)},
			Code:          &lambdatypes.FunctionCode{ZipFile: seedFunctionZip(t, arch)},
			Environment:   &lambdatypes.Environment{Variables: map[string]string{"SECRET_ARN": s.SecretARN}},
		})
		return err
	}, "cannot be assumed")
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	s.FunctionARN, s.CodeSHA256 = aws.ToString(fn.FunctionArn), aws.ToString(fn.CodeSha256)
	if err := lambda.NewFunctionActiveV2Waiter(lam).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)}, 5*time.Minute); err != nil {
		t.Fatalf("waiting for %s to be Active: %v", n.Function, err)
	}

	// aws_lambda_permission.allow_secretsmanager.
	if _, err := lam.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(n.Function), StatementId: aws.String("AllowSecretsManagerInvoke"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com"), SourceArn: aws.String(s.SecretARN),
	}); err != nil {
		t.Fatalf("AddPermission: %v", err)
	}

	// aws_secretsmanager_secret_rotation.example_rotation: RotateSecret,
	// which rotates at once. The AWS provider retries while the new
	// permission propagates; so does this.
	var rot *secretsmanager.RotateSecretOutput
	err = seedRetry(func() (err error) {
		rot, err = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
			SecretId: aws.String(s.SecretARN), RotationLambdaARN: aws.String(s.FunctionARN),
			RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
		})
		return err
	}, "cannot invoke")
	if err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	waitRotation(t, env, s.SecretARN, aws.ToString(rot.VersionId))
	s.PendingVersion = aws.ToString(rot.VersionId)
	stages := describe(t, env, s.SecretARN).VersionIdsToStages[s.PendingVersion]
	if len(stages) != 1 || stages[0] != "AWSPENDING" {
		t.Fatalf("after the article's rotation, version %s has stages %v; want AWSPENDING stuck", s.PendingVersion, stages)
	}
	return s
}

// seedRetry retries op while its error contains transient, a bounded
// number of attempts (propagation delays are counted in attempts).
func seedRetry(op func() error, transient string) error {
	const attempts = 120
	var err error
	for range attempts {
		if err = op(); err == nil || !strings.Contains(err.Error(), transient) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
	return err
}

// waitRotation waits until the emulator recorded the rotation of version
// token of secretARN (rotations may run in the background) and returns
// whether it succeeded. On real AWS it waits for AWSPENDING to leave token
// or stay without AWSCURRENT for a while.
func waitRotation(t *testing.T, env *acctest.Env, secretARN, token string) bool {
	t.Helper()
	const attempts = 600 // at 100 ms: the rotation function's own timeout bounds it
	for range attempts {
		if env.Admin != nil {
			recs, err := env.Admin.Rotations(context.Background())
			if err != nil {
				t.Fatalf("reading the emulator's rotations: %v", err)
			}
			for _, r := range recs {
				if r.SecretARN == secretARN && r.VersionID == token {
					return r.OK
				}
			}
		} else if stages := describe(t, env, secretARN).VersionIdsToStages[token]; len(stages) > 0 && stages[0] == "AWSCURRENT" {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("rotation %s of %s did not finish", token, secretARN)
	return false
}

// seedArch is the GOARCH and Lambda architecture that run natively here.
func seedArch() (goarch, lambdaArch string) {
	if runtime.GOARCH == "arm64" {
		return "arm64", "arm64"
	}
	return "amd64", "x86_64"
}

var seedZip struct {
	once sync.Once
	zip  []byte
	err  error
}

// seedFunctionZip builds testdata/seedfn as bootstrap for linux/goarch and
// zips it, once per test binary.
func seedFunctionZip(t *testing.T, goarch string) []byte {
	t.Helper()
	seedZip.once.Do(func() {
		dir := t.TempDir()
		bin := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", bin, "./testdata/seedfn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
		if out, err := cmd.CombinedOutput(); err != nil {
			seedZip.err = &buildError{out: string(out), err: err}
			return
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			seedZip.err = err
			return
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err == nil {
			_, err = w.Write(data)
		}
		if err == nil {
			err = zw.Close()
		}
		seedZip.zip, seedZip.err = buf.Bytes(), err
	})
	if seedZip.err != nil {
		t.Fatalf("building the seed article's function: %v", seedZip.err)
	}
	return seedZip.zip
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }
