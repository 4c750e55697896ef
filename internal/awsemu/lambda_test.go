package awsemu

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
)

// lamScriptZip is a tiny function package: a shell-script bootstrap is
// enough for control-plane tests that never invoke it.
func lamScriptZip(t *testing.T, body string) []byte {
	t.Helper()
	return lamZipFiles(t, map[string]lamFileInZip{"bootstrap": {data: []byte("#!/bin/sh\n" + body + "\n"), mode: 0o755}})
}

func TestLambdaFunctionLifecycle(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	zip1 := lamScriptZip(t, "echo v1")
	sum := sha256.Sum256(zip1)

	created, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rot"), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		MemorySize: aws.Int32(256), Timeout: aws.Int32(30), Code: &lambdatypes.FunctionCode{ZipFile: zip1},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"MODE": "generic"}},
		Tags:        map[string]string{"app": "rotator"},
	})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	type summary struct {
		Arn, Sha, State, Runtime string
		Arch                     []lambdatypes.Architecture
		Memory, Timeout          int32
		Env                      map[string]string
	}
	sumOf := func(cfg *lambdatypes.FunctionConfiguration) summary {
		s := summary{Arn: aws.ToString(cfg.FunctionArn), Sha: aws.ToString(cfg.CodeSha256), State: string(cfg.State), Runtime: string(cfg.Runtime),
			Arch: cfg.Architectures, Memory: aws.ToInt32(cfg.MemorySize), Timeout: aws.ToInt32(cfg.Timeout)}
		if cfg.Environment != nil {
			s.Env = cfg.Environment.Variables
		}
		return s
	}
	want := summary{
		Arn: "arn:aws:lambda:us-east-1:123456789012:function:rot", Sha: base64.StdEncoding.EncodeToString(sum[:]),
		State: "Active", Runtime: "provided.al2023", Arch: []lambdatypes.Architecture{"arm64"}, Memory: 256, Timeout: 30,
		Env: map[string]string{"MODE": "generic"},
	}
	// "After Lambda creates the function, it sets the state to pending"
	// (functions-states.html); the next read sees it Active.
	want.State = "Pending"
	if diff := cmp.Diff(want, sumOf(&lambdatypes.FunctionConfiguration{FunctionArn: created.FunctionArn, CodeSha256: created.CodeSha256, State: created.State,
		Runtime: created.Runtime, Architectures: created.Architectures, MemorySize: created.MemorySize, Timeout: created.Timeout, Environment: created.Environment})); diff != "" {
		t.Errorf("CreateFunction (-want +got):\n%s", diff)
	}
	want.State = "Active"
	lamWaitSettled(t, c, "rot")
	var conflict *lambdatypes.ResourceConflictException
	if _, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("rot"), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zip1}}); !errors.As(err, &conflict) {
		t.Errorf("CreateFunction duplicate: err = %v, want ResourceConflictException", err)
	}

	got, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:rot")})
	if err != nil {
		t.Fatalf("GetFunction by ARN: %v", err)
	}
	if diff := cmp.Diff(want, sumOf(got.Configuration)); diff != "" {
		t.Errorf("GetFunction (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"app": "rotator"}, got.Tags); diff != "" {
		t.Errorf("GetFunction tags (-want +got):\n%s", diff)
	}

	zip2 := lamScriptZip(t, "echo v2")
	sum2 := sha256.Sum256(zip2)
	upd, err := c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("rot"), ZipFile: zip2, Architectures: []lambdatypes.Architecture{"x86_64"}})
	if err != nil {
		t.Fatalf("UpdateFunctionCode: %v", err)
	}
	want.Sha, want.Arch = base64.StdEncoding.EncodeToString(sum2[:]), []lambdatypes.Architecture{"x86_64"}
	lamWaitSettled(t, c, "rot")
	if _, err := c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("rot"), Timeout: aws.Int32(60),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"MODE": "postgres"}}, RevisionId: upd.RevisionId}); err != nil {
		t.Fatalf("UpdateFunctionConfiguration: %v", err)
	}
	want.Timeout, want.Env = 60, map[string]string{"MODE": "postgres"}
	lamWaitSettled(t, c, "rot")
	cfg, err := c.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("rot")})
	if err != nil {
		t.Fatalf("GetFunctionConfiguration: %v", err)
	}
	if diff := cmp.Diff(want, sumOf(&lambdatypes.FunctionConfiguration{FunctionArn: cfg.FunctionArn, CodeSha256: cfg.CodeSha256, State: cfg.State,
		Runtime: cfg.Runtime, Architectures: cfg.Architectures, MemorySize: cfg.MemorySize, Timeout: cfg.Timeout, Environment: cfg.Environment})); diff != "" {
		t.Errorf("after updates (-want +got):\n%s", diff)
	}
	var precond *lambdatypes.PreconditionFailedException
	if _, err := c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("rot"), Timeout: aws.Int32(5), RevisionId: upd.RevisionId}); !errors.As(err, &precond) {
		t.Errorf("UpdateFunctionConfiguration with a stale RevisionId: err = %v, want PreconditionFailedException", err)
	}

	list, err := c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "rot" {
		t.Errorf("ListFunctions = %+v, %v; want the one function", list, err)
	}

	// Changing the role checks it again.
	_, err = c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("rot"), Role: aws.String("arn:aws:iam::123456789012:role/ghost")})
	if got, msg := emuErrCode(err), emuErrMessage(err); got != "InvalidParameterValueException" || msg != "The role defined for the function cannot be assumed by Lambda." {
		t.Errorf("UpdateFunctionConfiguration with a missing role: %s %q, want InvalidParameterValueException about the role", got, msg)
	}

	// Tags.
	arn := "arn:aws:lambda:us-east-1:123456789012:function:rot"
	if _, err := c.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := c.lambda.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"app"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	lt, err := c.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTags: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"env": "dev"}, lt.Tags); diff != "" {
		t.Errorf("ListTags (-want +got):\n%s", diff)
	}

	if _, err := c.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("rot")}); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	var nf *lambdatypes.ResourceNotFoundException
	_, err = c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("rot")})
	if !errors.As(err, &nf) {
		t.Fatalf("GetFunction after delete: err = %v, want ResourceNotFoundException", err)
	}
	if diff := cmp.Diff("Function not found: "+arn, emuErrMessage(err)); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestLambdaCreateFunctionErrors(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	ec2Role, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ec2-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	zipOK := lamScriptZip(t, "true")
	base := func() *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zipOK}}
	}
	tests := []struct {
		name     string
		mutate   func(in *lambda.CreateFunctionInput)
		wantCode string
		wantMsg  string
	}{
		{"memory too small", func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) }, "ValidationException",
			"1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"memory too large", func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(10241) }, "ValidationException", ""},
		{"timeout too long", func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) }, "ValidationException",
			"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"unsupported runtime", func(in *lambda.CreateFunctionInput) { in.Runtime = lambdatypes.RuntimePython312 }, "InvalidParameterValueException", ""},
		{"two architectures", func(in *lambda.CreateFunctionInput) {
			in.Architectures = []lambdatypes.Architecture{"arm64", "x86_64"}
		}, "ValidationException", ""},
		{"role ARN malformed", func(in *lambda.CreateFunctionInput) { in.Role = aws.String("fn-role") }, "ValidationException", ""},
		{"role not trusted by Lambda", func(in *lambda.CreateFunctionInput) { in.Role = ec2Role.Role.Arn }, "InvalidParameterValueException",
			"The role defined for the function cannot be assumed by Lambda."},
		{"role missing", func(in *lambda.CreateFunctionInput) { in.Role = aws.String("arn:aws:iam::123456789012:role/ghost") }, "InvalidParameterValueException",
			"The role defined for the function cannot be assumed by Lambda."},
		{"reserved environment key", func(in *lambda.CreateFunctionInput) {
			in.Environment = &lambdatypes.Environment{Variables: map[string]string{"AWS_REGION": "eu-west-1"}}
		}, "InvalidParameterValueException",
			"Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
		{"not a zip", func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = []byte("not a zip") }, "InvalidParameterValueException",
			"Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"bad name", func(in *lambda.CreateFunctionInput) { in.FunctionName = aws.String("bad name") }, "ValidationException", ""},
		{"VPC without network permissions", func(in *lambda.CreateFunctionInput) {
			in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0abc"}, SecurityGroupIds: []string{"sg-0abc"}}
		}, "InvalidParameterValueException", "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			tt.mutate(in)
			_, err := c.lambda.CreateFunction(ctx, in)
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantMsg != "" {
				if diff := cmp.Diff(tt.wantMsg, emuErrMessage(err)); diff != "" {
					t.Errorf("message (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLambdaVpcNeedsNetworkPolicy(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	role := lamCreateRole(t, c, "vpc-role", "")
	if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("vpc-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")}); err != nil {
		t.Fatal(err)
	}
	in := &lambda.CreateFunctionInput{FunctionName: aws.String("in-vpc"), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: lamScriptZip(t, "true")},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0abc"}, SecurityGroupIds: []string{"sg-0abc"}}}
	// The attachment has not propagated yet (IAM eventual consistency).
	_, err := c.lambda.CreateFunction(ctx, in)
	if got, want := emuErrMessage(err), "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"; got != want {
		t.Errorf("CreateFunction right after AttachRolePolicy: %v, want %q", err, want)
	}
	emuSettleIAM(t, c.srv)
	out, err := c.lambda.CreateFunction(ctx, in)
	if err != nil {
		t.Fatalf("CreateFunction in a VPC with AWSLambdaVPCAccessExecutionRole: %v", err)
	}
	if out.VpcConfig == nil || !strings.HasPrefix(aws.ToString(out.VpcConfig.VpcId), "vpc-") || len(out.VpcConfig.SubnetIds) != 1 {
		t.Errorf("VpcConfig = %+v, want the subnets and a VpcId", out.VpcConfig)
	}
}

func TestLambdaPermissions(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	role := lamCreateRole(t, c, "fn-role", "")
	fnARN := lamCreateFunction(t, c, "rot", role, lamScriptZip(t, "true"), "x86_64", 3, nil)
	const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"

	var nf *lambdatypes.ResourceNotFoundException
	if _, err := c.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("rot")}); !errors.As(err, &nf) {
		t.Errorf("GetPolicy without a policy: err = %v, want ResourceNotFoundException", err)
	}
	add, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("rot"), StatementId: aws.String("sm"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com"),
		SourceAccount: aws.String("123456789012"), SourceArn: aws.String(secretARN)})
	if err != nil {
		t.Fatalf("AddPermission: %v", err)
	}
	wantStmt := map[string]any{
		"Sid": "sm", "Effect": "Allow", "Principal": map[string]any{"Service": "secretsmanager.amazonaws.com"},
		"Action": "lambda:InvokeFunction", "Resource": fnARN,
		"Condition": map[string]any{
			"StringEquals": map[string]any{"AWS:SourceAccount": "123456789012"},
			"ArnLike":      map[string]any{"AWS:SourceArn": secretARN},
		},
	}
	var gotStmt map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(add.Statement)), &gotStmt); err != nil {
		t.Fatalf("Statement is not JSON: %v", err)
	}
	if diff := cmp.Diff(wantStmt, gotStmt); diff != "" {
		t.Errorf("AddPermission statement (-want +got):\n%s", diff)
	}
	var conflict *lambdatypes.ResourceConflictException
	if _, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("rot"), StatementId: aws.String("sm"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com")}); !errors.As(err, &conflict) {
		t.Errorf("AddPermission with a duplicate sid: err = %v, want ResourceConflictException", err)
	}
	pol, err := c.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("rot")})
	if err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatalf("Policy is not JSON: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": []any{wantStmt}}, doc); diff != "" {
		t.Errorf("GetPolicy (-want +got):\n%s", diff)
	}

	// The resource policy decides whether Secrets Manager may invoke, once
	// its statements have propagated (iam_propagation_test.go).
	emuSettleIAM(t, c.srv)
	lb := lambdaBackendOf(t, c.srv)
	checks := []struct {
		name, principal, account, source string
		allowed                          bool
	}{
		{"matching account and secret", "secretsmanager.amazonaws.com", "123456789012", secretARN, true},
		{"another secret", "secretsmanager.amazonaws.com", "123456789012", "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf", false},
		{"another account", "secretsmanager.amazonaws.com", "999999999999", secretARN, false},
		{"another service", "events.amazonaws.com", "123456789012", secretARN, false},
		{"no source ARN", "secretsmanager.amazonaws.com", "123456789012", "", false},
		{"function by name", "secretsmanager.amazonaws.com", "123456789012", secretARN, true},
	}
	for _, ck := range checks {
		fn := fnARN
		if ck.name == "function by name" {
			fn = "rot"
		}
		err := lb.CheckInvokePermission(fn, ck.principal, ck.account, ck.source)
		if (err == nil) != ck.allowed {
			t.Errorf("%s: CheckInvokePermission = %v, want allowed=%v", ck.name, err, ck.allowed)
		}
	}

	if _, err := c.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("rot"), StatementId: aws.String("sm")}); err != nil {
		t.Fatalf("RemovePermission: %v", err)
	}
	if err := lb.CheckInvokePermission(fnARN, "secretsmanager.amazonaws.com", "123456789012", secretARN); err == nil {
		t.Errorf("CheckInvokePermission after RemovePermission allowed the call")
	}
	if _, err := c.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("rot"), StatementId: aws.String("sm")}); !errors.As(err, &nf) {
		t.Errorf("RemovePermission twice: err = %v, want ResourceNotFoundException", err)
	}
}

// lamInvoke invokes fn with a probe payload and LogType Tail.
func lamInvoke(t *testing.T, c *lamTestClients, fn string, payload any) *lambda.InvokeOutput {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.lambda.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: b, LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatalf("Invoke %s: %v", fn, err)
	}
	return out
}

type lamFunctionError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func TestLambdaInvoke(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	goarch, arch := lamHostArch()
	zipBytes := lamTestFunctionZip(t, goarch)
	role := lamCreateRole(t, c, "fn-role", "")
	lamCreateFunction(t, c, "probe", role, zipBytes, arch, 1, map[string]string{"GREETING": "hi"})
	// A longer timeout for the memory cases, so that a slow machine does
	// not time them out first.
	lamCreateFunction(t, c, "probe-mem", role, zipBytes, arch, 30, nil)
	reqIDRE := regexp.MustCompile(`[0-9a-f-]{36}`)

	tests := []struct {
		name      string
		fn        string // default "probe"
		payload   map[string]any
		wantError string // X-Amz-Function-Error
		check     func(t *testing.T, out *lambda.InvokeOutput)
	}{
		{
			name: "echo", payload: map[string]any{"mode": "echo", "message": "ping"},
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var got map[string]any
				if err := json.Unmarshal(out.Payload, &got); err != nil {
					t.Fatalf("payload %q: %v", out.Payload, err)
				}
				if got["message"] != "ping" || got["mode"] != "echo" {
					t.Errorf("payload = %v, want the event echoed", got)
				}
				if aws.ToString(out.ExecutedVersion) != "$LATEST" {
					t.Errorf("ExecutedVersion = %q, want $LATEST", aws.ToString(out.ExecutedVersion))
				}
			},
		},
		{
			name: "environment", payload: map[string]any{"mode": "env"},
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var env map[string]string
				if err := json.Unmarshal(out.Payload, &env); err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, k := range []string{"GREETING", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
					"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
					got[k] = env[k]
				}
				want := map[string]string{"GREETING": "hi", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": "probe",
					"AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "_HANDLER": "bootstrap", "AWS_ENDPOINT_URL": c.srv.URL(),
					"AWS_ACCESS_KEY_ID": "set:true", "AWS_SECRET_ACCESS_KEY": "set:true", "AWS_SESSION_TOKEN": "set:true"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("environment (-want +got):\n%s", diff)
				}
				if env["AWS_LAMBDA_RUNTIME_API"] == "" || env["LAMBDA_TASK_ROOT"] == "" {
					t.Errorf("AWS_LAMBDA_RUNTIME_API / LAMBDA_TASK_ROOT not set")
				}
			},
		},
		{
			name: "handler error", payload: map[string]any{"mode": "fail", "message": "boom"}, wantError: "Unhandled",
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var fe lamFunctionError
				if err := json.Unmarshal(out.Payload, &fe); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(lamFunctionError{ErrorType: "errorString", ErrorMessage: "boom"}, fe); diff != "" {
					t.Errorf("error payload (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "timeout", payload: map[string]any{"mode": "sleep", "seconds": 5}, wantError: "Unhandled",
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var fe lamFunctionError
				if err := json.Unmarshal(out.Payload, &fe); err != nil {
					t.Fatal(err)
				}
				fe.ErrorMessage = reqIDRE.ReplaceAllString(fe.ErrorMessage, "ID")
				if diff := cmp.Diff(lamFunctionError{ErrorType: "Sandbox.Timedout", ErrorMessage: "RequestId: ID Error: Task timed out after 1.00 seconds"}, fe); diff != "" {
					t.Errorf("timeout payload (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "small allocation", fn: "probe-mem", payload: map[string]any{"mode": "alloc", "mb": 8},
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				if diff := cmp.Diff(`{"allocated":8}`, string(out.Payload)); diff != "" {
					t.Errorf("payload (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "out of memory", fn: "probe-mem", payload: map[string]any{"mode": "alloc", "mb": 300}, wantError: "Unhandled",
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var fe lamFunctionError
				if err := json.Unmarshal(out.Payload, &fe); err != nil {
					t.Fatal(err)
				}
				fe.ErrorMessage = reqIDRE.ReplaceAllString(fe.ErrorMessage, "ID")
				if diff := cmp.Diff(lamFunctionError{ErrorType: "Runtime.OutOfMemory", ErrorMessage: "RequestId: ID Error: Runtime exited with error: signal: killed"}, fe); diff != "" {
					t.Errorf("payload (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "runtime exits", payload: map[string]any{"mode": "exit"}, wantError: "Unhandled",
			check: func(t *testing.T, out *lambda.InvokeOutput) {
				var fe lamFunctionError
				if err := json.Unmarshal(out.Payload, &fe); err != nil {
					t.Fatal(err)
				}
				fe.ErrorMessage = reqIDRE.ReplaceAllString(fe.ErrorMessage, "ID")
				if diff := cmp.Diff(lamFunctionError{ErrorType: "Runtime.ExitError", ErrorMessage: "RequestId: ID Error: Runtime exited with error: exit status 3"}, fe); diff != "" {
					t.Errorf("exit payload (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fn := tt.fn
			if fn == "" {
				fn = "probe"
			}
			out := lamInvoke(t, c, fn, tt.payload)
			if got := aws.ToString(out.FunctionError); got != tt.wantError {
				t.Errorf("FunctionError = %q, want %q (payload %s)", got, tt.wantError, out.Payload)
			}
			tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
			if err != nil {
				t.Fatalf("LogResult: %v", err)
			}
			for _, want := range []string{"START RequestId: ", "END RequestId: ", "REPORT RequestId: "} {
				if !strings.Contains(string(tail), want) {
					t.Errorf("log tail lacks %q:\n%s", want, tail)
				}
			}
			tt.check(t, out)
		})
	}
}

func TestLambdaInvokeWritesLogGroup(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	goarch, arch := lamHostArch()
	role := lamCreateRole(t, c, "fn-role", "")
	lamCreateFunction(t, c, "logger", role, lamTestFunctionZip(t, goarch), arch, 5, nil)
	lamInvoke(t, c, "logger", map[string]any{"mode": "echo", "message": "marker-123"})

	streams, err := c.logs.DescribeLogStreams(context.Background(), &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/logger")})
	if err != nil {
		t.Fatalf("DescribeLogStreams: %v", err)
	}
	if len(streams.LogStreams) != 1 || !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(aws.ToString(streams.LogStreams[0].LogStreamName)) {
		t.Fatalf("log streams = %+v, want one named YYYY/MM/DD/[$LATEST]<hex>", streams.LogStreams)
	}
	msgs := lamLogMessages(t, c, "logger", "")
	var kinds []string
	for _, m := range msgs {
		switch {
		case strings.HasPrefix(m, "START "):
			kinds = append(kinds, "START")
		case strings.Contains(m, "marker-123"):
			kinds = append(kinds, "output")
		case strings.HasPrefix(m, "END "):
			kinds = append(kinds, "END")
		case strings.HasPrefix(m, "REPORT "):
			kinds = append(kinds, "REPORT")
		}
	}
	if diff := cmp.Diff([]string{"START", "output", "END", "REPORT"}, kinds); diff != "" {
		t.Errorf("log lines (-want +got):\n%s\nall: %q", diff, msgs)
	}
}

func TestLambdaLogsNeedPermission(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	goarch, arch := lamHostArch()
	// A role with no policies at all: Lambda cannot write its logs.
	out, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bare"), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	emuSettleIAM(t, c.srv)
	lamCreateFunction(t, c, "silent", aws.ToString(out.Role.Arn), lamTestFunctionZip(t, goarch), arch, 5, nil)
	inv := lamInvoke(t, c, "silent", map[string]any{"mode": "echo"})
	if inv.FunctionError != nil {
		t.Fatalf("FunctionError = %q", aws.ToString(inv.FunctionError))
	}
	_, err = c.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/silent")})
	if got := emuErrCode(err); got != "ResourceNotFoundException" {
		t.Errorf("log group of a function without logs permissions: code = %q, want ResourceNotFoundException", got)
	}
}

func TestLambdaInvokeArchitectures(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	role := lamCreateRole(t, c, "fn-role", "")
	t.Run("arm64 under qemu", func(t *testing.T) {
		t.Parallel()
		lamRequireQEMU(t)
		lamCreateFunction(t, c, "arm", role, lamTestFunctionZip(t, "arm64"), "arm64", 30, nil)
		out := lamInvoke(t, c, "arm", map[string]any{"mode": "echo", "message": "from arm64"})
		if out.FunctionError != nil {
			t.Fatalf("FunctionError %q: %s", aws.ToString(out.FunctionError), out.Payload)
		}
		var got map[string]any
		if err := json.Unmarshal(out.Payload, &got); err != nil || got["message"] != "from arm64" {
			t.Errorf("payload = %s (%v), want the event echoed", out.Payload, err)
		}
	})
	t.Run("binary for the other architecture", func(t *testing.T) {
		t.Parallel()
		goarch, arch := lamHostArch()
		other := map[string]string{"x86_64": "arm64", "arm64": "x86_64"}[arch]
		lamCreateFunction(t, c, "mismatch", role, lamTestFunctionZip(t, goarch), other, 5, nil)
		out := lamInvoke(t, c, "mismatch", map[string]any{"mode": "echo"})
		var fe lamFunctionError
		if err := json.Unmarshal(out.Payload, &fe); err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorType != "Runtime.InvalidEntrypoint" || !strings.HasSuffix(fe.ErrorMessage, "exec format error") {
			t.Errorf("FunctionError %q, payload %+v; want Unhandled Runtime.InvalidEntrypoint exec format error", aws.ToString(out.FunctionError), fe)
		}
	})
	t.Run("bootstrap that exits at once", func(t *testing.T) {
		t.Parallel()
		_, arch := lamHostArch()
		lamCreateFunction(t, c, "quitter", role, lamScriptZip(t, "echo starting; exit 0"), arch, 5, nil)
		out := lamInvoke(t, c, "quitter", map[string]any{})
		var fe lamFunctionError
		if err := json.Unmarshal(out.Payload, &fe); err != nil {
			t.Fatal(err)
		}
		if fe.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(fe.ErrorMessage, "Error: Runtime exited without providing a reason") {
			t.Errorf("payload %+v, want Runtime.ExitError without a reason", fe)
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if !strings.Contains(string(tail), "starting") {
			t.Errorf("log tail lacks the script's output:\n%s", tail)
		}
	})
	t.Run("zip without bootstrap", func(t *testing.T) {
		t.Parallel()
		_, arch := lamHostArch()
		lamCreateFunction(t, c, "empty", role, lamZipFiles(t, map[string]lamFileInZip{"main.py": {data: []byte("x"), mode: 0o644}}), arch, 5, nil)
		out := lamInvoke(t, c, "empty", map[string]any{})
		var fe lamFunctionError
		if err := json.Unmarshal(out.Payload, &fe); err != nil {
			t.Fatal(err)
		}
		if fe.ErrorType != "Runtime.InvalidEntrypoint" || !strings.HasSuffix(fe.ErrorMessage, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]") {
			t.Errorf("payload %+v, want Runtime.InvalidEntrypoint about the missing bootstrap", fe)
		}
	})
}

// TestLambdaStatePersists restarts the emulator on the same state file: the
// role, the function (with its code and policy) and its logs survive, and
// the function still runs.
func TestLambdaStatePersists(t *testing.T) {
	t.Parallel()
	state := t.TempDir() + "/state.json"
	goarch, arch := lamHostArch()
	ctx := context.Background()

	srv1, err := Start(Options{StateFile: state, Validator: ModelCheckFor(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	cfg := emuTestConfig(srv1, "test", "test", "")
	c1 := &lamTestClients{emuTestClients: emuTestClientsFor(srv1, cfg), lambda: lambda.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
	role := lamCreateRole(t, c1, "kept-role", "")
	lamCreateFunction(t, c1, "kept", role, lamTestFunctionZip(t, goarch), arch, 10, map[string]string{"KEPT": "V"})
	if _, err := c1.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("kept"), StatementId: aws.String("sm"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com")}); err != nil {
		t.Fatalf("AddPermission: %v", err)
	}
	lamInvoke(t, c1, "kept", map[string]any{"mode": "echo", "message": "before-restart"})
	before, err := c1.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	srv2, err := Start(Options{StateFile: state, Validator: ModelCheckFor(t)})
	if err != nil {
		t.Fatalf("Start again: %v", err)
	}
	t.Cleanup(func() { _ = srv2.Close() })
	cfg2 := emuTestConfig(srv2, "test", "test", "")
	c2 := &lamTestClients{emuTestClients: emuTestClientsFor(srv2, cfg2), lambda: lambda.NewFromConfig(cfg2), logs: cloudwatchlogs.NewFromConfig(cfg2)}
	after, err := c2.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("kept")})
	if err != nil {
		t.Fatalf("GetFunction after restart: %v", err)
	}
	if diff := cmp.Diff([]string{aws.ToString(before.Configuration.CodeSha256), aws.ToString(before.Configuration.Role), before.Configuration.Environment.Variables["KEPT"]},
		[]string{aws.ToString(after.Configuration.CodeSha256), aws.ToString(after.Configuration.Role), after.Configuration.Environment.Variables["KEPT"]}); diff != "" {
		t.Errorf("function after restart (-want +got):\n%s", diff)
	}
	if _, err := c2.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("kept")}); err != nil {
		t.Errorf("GetPolicy after restart: %v", err)
	}
	if msgs := lamLogMessages(t, c2, "kept", "before-restart"); len(msgs) != 1 {
		t.Errorf("log lines from before the restart = %q, want 1", msgs)
	}
	out := lamInvoke(t, c2, "kept", map[string]any{"mode": "echo", "message": "after-restart"})
	if out.FunctionError != nil {
		t.Errorf("Invoke after restart: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// TestLambdaInvokeTypes covers the Event (asynchronous) and DryRun types.
func TestLambdaInvokeTypes(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	goarch, arch := lamHostArch()
	role := lamCreateRole(t, c, "fn-role", "")
	lamCreateFunction(t, c, "async", role, lamTestFunctionZip(t, goarch), arch, 10, nil)

	dry, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("async"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: status %d, err %v; want 204", dry.StatusCode, err)
	}
	ev, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("async"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"mode":"echo","message":"async-marker"}`)})
	if err != nil || ev.StatusCode != 202 {
		t.Fatalf("Event: status %d, err %v; want 202", ev.StatusCode, err)
	}
	ok := lamEventually(t, 30*time.Second, func() bool {
		out, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/async"), FilterPattern: aws.String("async-marker")})
		return err == nil && len(out.Events) == 1
	})
	if !ok {
		t.Errorf("the asynchronous invocation never logged its event")
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("missing")}); !errors.As(err, &nf) {
		t.Errorf("Invoke of a missing function: err = %v, want ResourceNotFoundException", err)
	}
}

// BenchmarkLambdaInvokeColdStart measures one invocation of the test
// function: a fresh process per call, as the emulator always cold-starts.
func BenchmarkLambdaInvokeColdStart(b *testing.B) {
	srv, err := Start(Options{Validator: ModelCheckFor(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	cfg := emuTestConfig(srv, "test", "test", "")
	c := &lamTestClients{emuTestClients: emuTestClientsFor(srv, cfg), lambda: lambda.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg)}
	ctx := context.Background()
	goarch, arch := lamHostArch()
	zipBytes := lamTestFunctionZip(b, goarch)
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench"), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)}); err != nil {
		b.Fatal(err)
	}
	// The new role propagates first (on the emulator clock): this measures
	// the invocation, not IAM's eventual consistency.
	srv.AdvanceClock(ctx, srv.IAMPropagationDelay())
	if _, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("bench"), Role: aws.String("arn:aws:iam::123456789012:role/bench"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(arch)},
		Code: &lambdatypes.FunctionCode{ZipFile: zipBytes}}); err != nil {
		b.Fatal(err)
	}
	for range 3 { // leave Pending, as the SDK waiter would
		if _, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("bench")}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		out, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("bench"), Payload: []byte(`{"mode":"echo"}`)})
		if err != nil || out.FunctionError != nil {
			b.Fatalf("Invoke: %v %s", err, out.Payload)
		}
	}
}

// TestLambdaCustomLogGroup: LoggingConfig.LogGroup redirects the output.
func TestLambdaCustomLogGroup(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	goarch, arch := lamHostArch()
	role := lamCreateRole(t, c, "fn-role", "")
	out, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("custom"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(arch)},
		Code: &lambdatypes.FunctionCode{ZipFile: lamTestFunctionZip(t, goarch)}, LoggingConfig: &lambdatypes.LoggingConfig{LogGroup: aws.String("/rotator/custom")}})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	if got := aws.ToString(out.LoggingConfig.LogGroup); got != "/rotator/custom" {
		t.Errorf("LoggingConfig.LogGroup = %q, want /rotator/custom", got)
	}
	lamWaitSettled(t, c, "custom")
	lamInvoke(t, c, "custom", map[string]any{"mode": "echo", "message": "custom-marker"})
	ev, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/rotator/custom"), FilterPattern: aws.String("custom-marker")})
	if err != nil || len(ev.Events) != 1 {
		t.Errorf("FilterLogEvents on the custom group: %v, %d events; want 1", err, len(ev.Events))
	}
	if _, err := c.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/custom")}); emuErrCode(err) != "ResourceNotFoundException" {
		t.Errorf("the default log group exists (%v); want the output only in the custom group", err)
	}
}
