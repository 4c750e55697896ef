package stack

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

func TestNamesFor(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 512)
	tests := []struct {
		region, name string
		wantPrefix   string
	}{
		{"us-east-1", "app/db", "rotator-app-db-"},
		{"us-east-1", "a+b=c.d@e", "rotator-a-b-c-d-e-"},
		{"us-east-1", long, "rotator-" + strings.Repeat("x", 47) + "-"},
	}
	for _, tc := range tests {
		n := NamesFor(tc.region, tc.name)
		if !strings.HasPrefix(n.Function, tc.wantPrefix) || len(n.Function) > 64 {
			t.Errorf("NamesFor(%q).Function = %q; want prefix %q and at most 64 characters", tc.name, n.Function, tc.wantPrefix)
		}
		if n.LogGroup != "/aws/lambda/"+n.Function || n.Role != n.Function {
			t.Errorf("NamesFor(%q) = %+v; log group and role must follow the function name", tc.name, n)
		}
		if again := NamesFor(tc.region, tc.name); again != n {
			t.Errorf("NamesFor is not deterministic: %+v vs %+v", n, again)
		}
	}
	if NamesFor("us-east-1", "same").Role == NamesFor("eu-west-1", "same").Role {
		t.Error("the same secret name in two regions gets one (global) IAM role name")
	}
	if NamesFor("us-east-1", "a/b").Function == NamesFor("us-east-1", "a-b").Function {
		t.Error("names that sanitize alike must still differ")
	}
}

func TestRolePolicyDocument(t *testing.T) {
	t.Parallel()
	base := PolicyInput{Partition: "aws", SecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:s-abc", LogGroupARN: "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f"}
	tests := []struct {
		name    string
		in      func(PolicyInput) PolicyInput
		wantSid []string
	}{
		{"generic", func(p PolicyInput) PolicyInput { return p }, []string{"RotateThisSecret", "WriteOwnLogs"}},
		{"kms", func(p PolicyInput) PolicyInput { p.KMSKeyARN = "arn:aws:kms:us-east-1:1:key/k"; return p },
			[]string{"RotateThisSecret", "WriteOwnLogs", "UseSecretKey"}},
		{"vpc and master", func(p PolicyInput) PolicyInput { p.VPC = true; p.MasterSecretARN = "arn:m"; return p },
			[]string{"RotateThisSecret", "ReadMasterSecret", "WriteOwnLogs", "ManageVPCNetworkInterfaces"}},
		{"master under a customer key", func(p PolicyInput) PolicyInput {
			p.MasterSecretARN, p.MasterKMSKeyARN = "arn:m", "arn:aws:kms:us-east-1:1:key/mk"
			return p
		}, []string{"RotateThisSecret", "ReadMasterSecret", "WriteOwnLogs", "DecryptMasterSecret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in(base)
			var doc policyDocument
			if err := json.Unmarshal([]byte(RolePolicyDocument(in)), &doc); err != nil {
				t.Fatal(err)
			}
			var sids []string
			for _, s := range doc.Statement {
				sids = append(sids, s.Sid)
				switch s.Sid {
				case "RotateThisSecret":
					if diff := cmp.Diff([]string{in.SecretARN}, s.Resource); diff != "" {
						t.Errorf("rotation actions must be scoped to the secret (-want +got):\n%s", diff)
					}
				case "UseSecretKey":
					if s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"] != in.SecretARN {
						t.Errorf("KMS grant not conditioned on the secret's encryption context: %+v", s.Condition)
					}
				case "DecryptMasterSecret":
					if diff := cmp.Diff([]string{in.MasterKMSKeyARN}, s.Resource); diff != "" || s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"] != in.MasterSecretARN {
						t.Errorf("master key grant must be scoped to the key and the master secret's encryption context: %v %+v", s.Resource, s.Condition)
					}
					if diff := cmp.Diff([]string{"kms:Decrypt"}, s.Action); diff != "" {
						t.Errorf("the master key needs kms:Decrypt only (-want +got):\n%s", diff)
					}
				case "WriteOwnLogs":
					if diff := cmp.Diff([]string{in.LogGroupARN, in.LogGroupARN + ":*"}, s.Resource); diff != "" {
						t.Errorf("logs must be scoped to the function's log group (-want +got):\n%s", diff)
					}
				}
			}
			if diff := cmp.Diff(tc.wantSid, sids); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTrustPolicyHasSourceAccount(t *testing.T) {
	t.Parallel()
	doc := TrustPolicyDocument("123456789012")
	if !strings.Contains(doc, `"aws:SourceAccount":"123456789012"`) || !strings.Contains(doc, "lambda.amazonaws.com") {
		t.Errorf("trust policy = %s", doc)
	}
}

func TestPolicyEqual(t *testing.T) {
	t.Parallel()
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`
	tests := []struct {
		b    string
		want bool
	}{
		{`{"Statement":[{"Resource":"*","Action":"s3:GetObject","Effect":"Allow"}],"Version":"2012-10-17"}`, true},
		{"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D", true},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{`not json`, false},
	}
	for _, tc := range tests {
		if got := PolicyEqual(a, tc.b); got != tc.want {
			t.Errorf("PolicyEqual(a, %s) = %t, want %t", tc.b, got, tc.want)
		}
	}
}

func TestCheckPending(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stages  map[string][]string
		wantErr string
	}{
		{"no pending", map[string][]string{"v1": {"AWSCURRENT"}}, ""},
		{"pending on current", map[string][]string{"v1": {"AWSCURRENT", "AWSPENDING"}, "v0": {"AWSPREVIOUS"}}, ""},
		{"stuck", map[string][]string{"v1": {"AWSCURRENT"}, "v2": {"AWSPENDING"}}, "v2"},
	}
	for _, tc := range tests {
		err := CheckPending(&secretsmanager.DescribeSecretOutput{ARN: aws.String("arn:s"), VersionIdsToStages: tc.stages})
		var pe *PendingRotationError
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: CheckPending = %v, want nil", tc.name, err)
		case tc.wantErr != "" && (!errors.As(err, &pe) || pe.VersionID != tc.wantErr):
			t.Errorf("%s: CheckPending = %v, want PendingRotationError on %s", tc.name, err, tc.wantErr)
		}
	}
}

func TestRulesMatch(t *testing.T) {
	t.Parallel()
	rules := func(days int64, expr, dur string) *secretsmanager.DescribeSecretOutput {
		r := &smtypes.RotationRulesType{}
		if days > 0 {
			r.AutomaticallyAfterDays = aws.Int64(days)
		}
		if expr != "" {
			r.ScheduleExpression = aws.String(expr)
		}
		if dur != "" {
			r.Duration = aws.String(dur)
		}
		return &secretsmanager.DescribeSecretOutput{RotationRules: r}
	}
	tests := []struct {
		name string
		spec RotationSpec
		got  *secretsmanager.DescribeSecretOutput
		want bool
	}{
		{"days as AWS reports them", RotationSpec{AutomaticallyAfterDays: 30}, rules(30, "rate(30 days)", ""), true},
		{"days only", RotationSpec{AutomaticallyAfterDays: 30}, rules(30, "", ""), true},
		{"days changed", RotationSpec{AutomaticallyAfterDays: 30}, rules(7, "rate(7 days)", ""), false},
		{"expression", RotationSpec{ScheduleExpression: "cron(0 4 ? * SUN *)"}, rules(0, "cron(0 4 ? * SUN *)", ""), true},
		{"expression changed", RotationSpec{ScheduleExpression: "rate(10 days)"}, rules(0, "rate(12 days)", ""), false},
		{"duration changed", RotationSpec{ScheduleExpression: "rate(10 days)", Duration: "3h"}, rules(0, "rate(10 days)", "2h"), false},
		{"no rules", RotationSpec{AutomaticallyAfterDays: 1}, &secretsmanager.DescribeSecretOutput{}, false},
	}
	for _, tc := range tests {
		if got := rulesMatch(tc.spec, tc.got); got != tc.want {
			t.Errorf("%s: rulesMatch = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// fakeLambda fails CreateFunction with errs in turn, then succeeds.
type fakeLambda struct {
	LambdaAPI
	errs  []error
	calls int
}

func (f *fakeLambda) CreateFunction(context.Context, *lambda.CreateFunctionInput, ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error) {
	f.calls++
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &lambda.CreateFunctionOutput{FunctionArn: aws.String("arn:f"), State: "Active"}, nil
}

type fakeCode struct{}

func (fakeCode) Zip(string) ([]byte, error)        { return []byte("zip"), nil }
func (fakeCode) CodeSHA256(string) (string, error) { return "sha", nil }

// TestCreateFunctionRetriesOnlyIAMPropagation retries the named IAM
// propagation error and nothing else.
func TestCreateFunctionRetriesOnlyIAMPropagation(t *testing.T) {
	t.Parallel()
	notAssumable := &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "The role defined for the function cannot be assumed by Lambda."}
	otherInvalid := &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "Unzipped size must be smaller than 262144000 bytes"}
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"propagation then success", []error{notAssumable, notAssumable}, 3, false},
		{"other error", []error{otherInvalid}, 1, true},
		{"access denied", []error{&smithy.GenericAPIError{Code: "AccessDeniedException"}}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fl := &fakeLambda{errs: tc.errs}
			s := New(Clients{Lambda: fl}, fakeCode{})
			st := State{RoleARN: "arn:r", SecretARN: "arn:s"}
			err := s.createFunction(context.Background(), Spec{Name: "n", Region: "us-east-1", Function: FunctionSpec{Architecture: "x86_64"}}, &st)
			if (err != nil) != tc.wantErr || fl.calls != tc.wantCalls {
				t.Errorf("err = %v, calls = %d; want error %t, %d calls", err, fl.calls, tc.wantErr, tc.wantCalls)
			}
		})
	}
}

func TestDriftReconfiguresRotation(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		driftRotationDisabled + " (apply re-enables it)":                       true,
		driftOtherFunction + " (arn:x)":                                        true,
		driftScheduleChanged:                                                   true,
		"rotation function rotator-a-1 is missing":                             true,
		"rotation function rotator-a-1: memory_size changed outside Terraform": false,
		"log group /aws/lambda/rotator-a-1 is missing":                         false,
	}
	for item, want := range tests {
		if got := DriftReconfiguresRotation(item); got != want {
			t.Errorf("DriftReconfiguresRotation(%q) = %t, want %t", item, got, want)
		}
	}
}

// fakeSM fails RotateSecret with errs in turn, then succeeds.
type fakeSM struct {
	SecretsManagerAPI
	errs   []error
	tokens []string
}

func (f *fakeSM) RotateSecret(_ context.Context, in *secretsmanager.RotateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error) {
	f.tokens = append(f.tokens, aws.ToString(in.ClientRequestToken))
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &secretsmanager.RotateSecretOutput{}, nil
}

// TestRotateRetriesOnlyPermissionPropagation retries RotateSecret only
// while the new invoke permission propagates, with one idempotency token.
func TestRotateRetriesOnlyPermissionPropagation(t *testing.T) {
	t.Parallel()
	cannotInvoke := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."}
	callerDenied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:RotateSecret"}
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"propagation then success", []error{cannotInvoke}, 2, false},
		{"caller lacks permission", []error{callerDenied}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sm := &fakeSM{errs: tc.errs}
			s := New(Clients{SecretsManager: sm}, fakeCode{})
			st := State{SecretARN: "arn:s", FunctionARN: "arn:f"}
			err := s.rotate(context.Background(), Spec{Rotation: RotationSpec{Enabled: true, AutomaticallyAfterDays: 7}}, &st)
			if (err != nil) != tc.wantErr || len(sm.tokens) != tc.wantCalls {
				t.Fatalf("err = %v, calls = %d; want error %t, %d calls", err, len(sm.tokens), tc.wantErr, tc.wantCalls)
			}
			for _, tok := range sm.tokens {
				if tok != sm.tokens[0] || tok == "" {
					t.Errorf("tokens = %v; retries must reuse one token", sm.tokens)
				}
			}
		})
	}
}

func TestRotationRulesSendExactlyOne(t *testing.T) {
	t.Parallel()
	days := rotationRules(RotationSpec{AutomaticallyAfterDays: 7, Duration: "2h"})
	if days.ScheduleExpression != nil || aws.ToInt64(days.AutomaticallyAfterDays) != 7 || aws.ToString(days.Duration) != "2h" {
		t.Errorf("days rules = %+v", days)
	}
	expr := rotationRules(RotationSpec{ScheduleExpression: "rate(4 hours)"})
	if expr.AutomaticallyAfterDays != nil || aws.ToString(expr.ScheduleExpression) != "rate(4 hours)" || expr.Duration != nil {
		t.Errorf("expression rules = %+v", expr)
	}
}

// TestFunctionConfigPinsTheTarget: the database strategies' function
// configuration pins the template's user and server and the master secret,
// excludes the connection-string characters from passwords by default,
// and carries the CA bundle; the generic strategy gets none of it.
func TestFunctionConfigPinsTheTarget(t *testing.T) {
	t.Parallel()
	spec := Spec{
		Strategy: config.StrategyPostgreSQLAlternatingUsers, RotatedField: "password", Password: config.DefaultPasswordPolicy(),
		MasterSecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:m", CABundle: "PEM",
		SecretTemplate: `{"engine":"postgres","host":"db.internal","port":5432,"username":"app","dbname":"appdb"}`,
	}
	got := spec.FunctionConfig("arn:s")
	want := &config.Target{Username: "app", Host: "db.internal", Port: 5432, Engine: "postgres", DBName: "appdb", MasterARN: spec.MasterSecretARN}
	if diff := cmp.Diff(want, got.Target); diff != "" {
		t.Errorf("Target (-want +got):\n%s", diff)
	}
	if got.CABundle != "PEM" || got.Password.ExcludeCharacters != config.DBExcludeCharacters {
		t.Errorf("CABundle %q, ExcludeCharacters %q", got.CABundle, got.Password.ExcludeCharacters)
	}
	spec.Strategy = config.StrategyGeneric
	if g := spec.FunctionConfig("arn:s"); g.Target != nil || g.CABundle != "" || g.Password.ExcludeCharacters != "" {
		t.Errorf("generic strategy got database settings: %+v", g)
	}
}
