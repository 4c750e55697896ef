package awsemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// TestIAMEventualConsistency: a new or changed role, trust policy or role
// policy takes effect only after the propagation delay (emulator clock),
// and until then the rest of AWS answers as it does on AWS (IAM
// troubleshooting guide, "Changes that I make are not always immediately
// visible"; Lambda's and the AWS provider's documented retry messages).
// The delay is an hour here and the clock is moved explicitly, so no
// amount of machine load changes the answers.
func TestIAMEventualConsistency(t *testing.T) {
	t.Parallel()
	const delay = time.Hour
	const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	const accountTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	const vpcPolicy = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
	const cannotAssume = "The role defined for the function cannot be assumed by Lambda."
	const noENI = "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"

	type env struct {
		t   *testing.T
		c   *lamTestClients
		ctx context.Context
	}
	createFn := func(e env, name, role string, vpc bool) error {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: lamScriptZip(e.t, "true")}}
		if vpc {
			in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0abc"}, SecurityGroupIds: []string{"sg-0abc"}}
		}
		_, err := e.c.lambda.CreateFunction(e.ctx, in)
		return err
	}
	createRole := func(e env, name, trust string) string {
		out, err := e.c.iam.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		if err != nil {
			e.t.Fatalf("CreateRole: %v", err)
		}
		return aws.ToString(out.Role.Arn)
	}
	type result struct{ code, message string }
	tests := []struct {
		name string
		// setup runs with the clock settled; change makes the change
		// under test; call is what the rest of AWS is asked.
		setup  func(e env) string
		change func(e env, role string)
		call   func(e env, role string) error
		during result // answer while the change propagates
		after  result // answer once the delay has passed
	}{
		{
			name:  "new role: CreateFunction",
			setup: func(env) string { return "" },
			change: func(e env, _ string) {
				createRole(e, "new", lambdaTrustPolicy)
			},
			call: func(e env, _ string) error {
				return createFn(e, "f-new", "arn:aws:iam::123456789012:role/new", false)
			},
			during: result{"InvalidParameterValueException", cannotAssume},
		},
		{
			name:  "trust policy changed to allow Lambda",
			setup: func(e env) string { return createRole(e, "was-ec2", ec2Trust) },
			change: func(e env, _ string) {
				if _, err := e.c.iam.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("was-ec2"), PolicyDocument: aws.String(lambdaTrustPolicy)}); err != nil {
					e.t.Fatal(err)
				}
			},
			call:   func(e env, role string) error { return createFn(e, "f-trust", role, false) },
			during: result{"InvalidParameterValueException", cannotAssume},
		},
		{
			name:  "VPC policy attached to an assumable role",
			setup: func(e env) string { return createRole(e, "vpc", lambdaTrustPolicy) },
			change: func(e env, _ string) {
				if _, err := e.c.iam.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("vpc"), PolicyArn: aws.String(vpcPolicy)}); err != nil {
					e.t.Fatal(err)
				}
			},
			call:   func(e env, role string) error { return createFn(e, "f-vpc", role, true) },
			during: result{"InvalidParameterValueException", noENI},
		},
		{
			name:  "role policy granting the role's own call",
			setup: func(e env) string { return createRole(e, "caller", accountTrust) },
			change: func(e env, _ string) {
				doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:ListSecrets","Resource":"*"}]}`
				if _, err := e.c.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("caller"), PolicyName: aws.String("list"), PolicyDocument: aws.String(doc)}); err != nil {
					e.t.Fatal(err)
				}
			},
			call: func(e env, role string) error {
				creds, err := e.c.sts.AssumeRole(e.ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("session")})
				if err != nil {
					return err
				}
				cfg := emuTestConfig(e.c.srv, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
				cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
				_, err = secretsmanager.NewFromConfig(cfg).ListSecrets(e.ctx, &secretsmanager.ListSecretsInput{})
				return err
			},
			during: result{"AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/caller/session is not authorized to perform: secretsmanager:ListSecrets on resource: * because no identity-based policy allows the secretsmanager:ListSecrets action"},
		},
		{
			name: "invoke permission for Secrets Manager",
			setup: func(e env) string {
				arn := createRole(e, "fn-role", lambdaTrustPolicy)
				e.c.srv.AdvanceClock(e.ctx, delay)
				if err := createFn(e, "f-perm", arn, false); err != nil {
					e.t.Fatal(err)
				}
				lamWaitSettled(e.t, e.c, "f-perm")
				return arn
			},
			change: func(e env, _ string) {
				if _, err := e.c.lambda.AddPermission(e.ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f-perm"), StatementId: aws.String("sm"),
					Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("secretsmanager.amazonaws.com")}); err != nil {
					e.t.Fatal(err)
				}
			},
			call: func(e env, _ string) error {
				// What RotateSecret asks Lambda before it answers.
				err := lambdaBackendOf(e.t, e.c.srv).CheckInvokePermission("arn:aws:lambda:us-east-1:123456789012:function:f-perm", "secretsmanager.amazonaws.com", "", "")
				var ae *APIError
				if errors.As(err, &ae) {
					return &smithy.GenericAPIError{Code: ae.Code, Message: ae.Message}
				}
				return err
			},
			during: result{"AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."},
		},
		{
			name: "DeleteRole right after DeleteRolePolicy",
			setup: func(e env) string {
				arn := createRole(e, "doomed", lambdaTrustPolicy)
				if _, err := e.c.iam.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("doomed"), PolicyName: aws.String("p"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)}); err != nil {
					e.t.Fatal(err)
				}
				return arn
			},
			change: func(e env, _ string) {
				if _, err := e.c.iam.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("doomed"), PolicyName: aws.String("p")}); err != nil {
					e.t.Fatal(err)
				}
			},
			call: func(e env, _ string) error {
				_, err := e.c.iam.DeleteRole(e.ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")})
				return err
			},
			during: result{"DeleteConflict", "Cannot delete entity, must delete policies first."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := lamTestAdmin(t, Options{IAMPropagationDelay: delay})
			e := env{t: t, c: c, ctx: context.Background()}
			role := tt.setup(e)
			c.srv.AdvanceClock(e.ctx, delay)
			tt.change(e, role)
			err := tt.call(e, role)
			if got := (result{emuErrCode(err), emuErrMessage(err)}); got != tt.during {
				t.Errorf("during the propagation delay: %+v (%v), want %+v", got, err, tt.during)
			}
			c.srv.AdvanceClock(e.ctx, delay-time.Second)
			if err := tt.call(e, role); emuErrCode(err) != tt.during.code {
				t.Errorf("a second before the delay ends: %v, want %s still", err, tt.during.code)
			}
			c.srv.AdvanceClock(e.ctx, time.Second)
			err = tt.call(e, role)
			if got := (result{emuErrCode(err), emuErrMessage(err)}); got != tt.after {
				t.Errorf("after the propagation delay: %+v (%v), want %+v", got, err, tt.after)
			}
		})
	}
}

// TestIAMPropagationDefaultsAndOff: the delay is on by default (of the
// order of seconds) and a negative option turns it off.
func TestIAMPropagationDefaultsAndOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opt       time.Duration
		wantDelay time.Duration
		wantCode  string
	}{
		{"default", 0, DefaultIAMPropagationDelay, "InvalidParameterValueException"},
		{"off", -1, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := lamTestAdmin(t, Options{IAMPropagationDelay: tt.opt})
			if got := c.srv.env.IAMPropagationDelay(); got != tt.wantDelay {
				t.Errorf("delay = %v, want %v", got, tt.wantDelay)
			}
			ctx := context.Background()
			out, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Role: out.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
				Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: lamScriptZip(t, "true")}})
			if got := emuErrCode(err); got != tt.wantCode {
				t.Errorf("CreateFunction right after CreateRole: %q (%v), want %q", got, err, tt.wantCode)
			}
		})
	}
}
