package awsemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// emuRawRequest sends an HTTP request to srv and returns status, the
// X-Amzn-ErrorType header and the body.
func emuRawRequest(t *testing.T, srv *Server, method, path string, header map[string]string, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(b)
}

func TestUnsignedAndUnknownRequests(t *testing.T) {
	t.Parallel()
	srv := emuTestServer(t, Options{})
	fakeAuth := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	}
	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantType   string // X-Amzn-ErrorType (JSON protocols)
		wantBody   string // substring
	}{
		{
			name: "unsigned JSON 1.1", method: "POST", path: "/",
			header:     map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets", "Content-Type": "application/x-amz-json-1.1"},
			body:       "{}",
			wantStatus: 400, wantType: "MissingAuthenticationTokenException", wantBody: `"__type":"MissingAuthenticationTokenException"`,
		},
		{
			name: "unsigned query", method: "POST", path: "/",
			header:     map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body:       "Action=GetCallerIdentity&Version=2011-06-15",
			wantStatus: 403, wantBody: "<Code>MissingAuthenticationToken</Code>",
		},
		{
			name: "unsigned REST", method: "GET", path: "/2015-03-31/functions/f",
			wantStatus: 403, wantType: "MissingAuthenticationTokenException", wantBody: `"Type":"User"`,
		},
		{
			name: "incomplete signature", method: "POST", path: "/",
			header:     map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets", "Authorization": "AWS4-HMAC-SHA256 Signature=00"},
			body:       "{}",
			wantStatus: 400, wantType: "IncompleteSignature",
		},
		{
			name: "unknown JSON operation", method: "POST", path: "/",
			header:     map[string]string{"X-Amz-Target": "secretsmanager.Nope", "Authorization": fakeAuth("secretsmanager"), "X-Amz-Date": "20260101T000000Z"},
			body:       "{}",
			wantStatus: 400, wantType: "UnknownOperationException",
		},
		{
			name: "unknown query action", method: "POST", path: "/",
			header:     map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": fakeAuth("iam"), "X-Amz-Date": "20260101T000000Z"},
			body:       "Action=CreateUser&Version=2010-05-08",
			wantStatus: 400, wantBody: "<Code>InvalidAction</Code>",
		},
		{
			name: "temporary key the emulator never issued", method: "POST", path: "/",
			header:     map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets", "Authorization": strings.Replace(fakeAuth("secretsmanager"), "test/", "ASIAUNKNOWN/", 1), "X-Amz-Date": "20260101T000000Z"},
			body:       "{}",
			wantStatus: 403, wantType: "UnrecognizedClientException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, typ, body := emuRawRequest(t, srv, tt.method, tt.path, tt.header, tt.body)
			if status != tt.wantStatus || typ != tt.wantType || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %q %s; want %d %q containing %q", status, typ, body, tt.wantStatus, tt.wantType, tt.wantBody)
			}
		})
	}
}

func TestTypedErrorsPerProtocol(t *testing.T) {
	t.Parallel()
	srv := emuTestServer(t, Options{})
	cfg := emuTestConfig(srv, "test", "test", "")
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		check func(err error) bool
	}{
		{"iam NoSuchEntity", func() error {
			_, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("missing")})
			return err
		}, func(err error) bool { var e *iamtypes.NoSuchEntityException; return errors.As(err, &e) }},
		{"lambda ResourceNotFoundException", func() error {
			_, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("missing")})
			return err
		}, func(err error) bool { var e *lambdatypes.ResourceNotFoundException; return errors.As(err, &e) }},
		{"kms NotFoundException", func() error {
			_, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
			return err
		}, func(err error) bool { var e *kmstypes.NotFoundException; return errors.As(err, &e) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); !tt.check(err) {
				t.Errorf("error %T %v is not the typed error", err, err)
			}
		})
	}
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	roleN := 0 // only the IAM case's goroutine uses it
	tests := []struct {
		name       string
		fault      Fault
		call       func(c *emuTestClients) error
		wantCode   string
		wantStatus int
	}{
		{
			name:  "throttling by default",
			fault: Fault{Service: "secretsmanager", Operation: "ListSecrets"},
			call: func(c *emuTestClients) error {
				_, err := c.sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
				return err
			},
			wantCode: "ThrottlingException", wantStatus: 400,
		},
		{
			name:  "HTTP 500",
			fault: Fault{Service: "kms", Operation: "CreateKey", Status: 500},
			call: func(c *emuTestClients) error {
				_, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{})
				return err
			},
			wantCode: "InternalFailure", wantStatus: 500,
		},
		{
			name:  "named error on a query service",
			fault: Fault{Service: "iam", Operation: "CreateRole", Code: "EntityAlreadyExists", Message: "exists", Status: 409},
			call: func(c *emuTestClients) error {
				roleN++
				_, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%d", roleN)), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
				return err
			},
			wantCode: "EntityAlreadyExists", wantStatus: 409,
		},
		{
			name:  "every operation of a service",
			fault: Fault{Service: "sts", Code: "Throttling"},
			call: func(c *emuTestClients) error {
				_, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "Throttling", wantStatus: 400,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			admin := NewAdminClient(c.srv.URL())
			f := tt.fault
			f.Count = 2
			if err := admin.InjectFault(ctx, f); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				err := tt.call(c)
				var re *smithyhttp.ResponseError
				if emuErrCode(err) != tt.wantCode || !errors.As(err, &re) || re.HTTPStatusCode() != tt.wantStatus {
					t.Fatalf("call %d: %v; want %s with HTTP %d", i+1, err, tt.wantCode, tt.wantStatus)
				}
			}
			if err := tt.call(c); err != nil {
				t.Errorf("third call after a 2-call fault: %v", err)
			}
			f.Count = -1
			if err := admin.InjectFault(ctx, f); err != nil {
				t.Fatal(err)
			}
			if err := admin.ClearFaults(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(c); err != nil {
				t.Errorf("call after ClearFaults: %v", err)
			}
		})
	}
}

func TestCallCounting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	admin := NewAdminClient(c.srv.URL())
	arn, _ := emuCreateSecret(t, c, "count", "x")
	for i := 0; i < 2; i++ {
		if _, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	if _, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	got, err := admin.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"secretsmanager:CreateSecret": 1, "secretsmanager:DescribeSecret": 2, "secretsmanager:GetSecretValue": 1, "sts:GetCallerIdentity": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if err := admin.ResetCalls(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = admin.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{}, got); diff != "" {
		t.Errorf("calls after reset (-want +got):\n%s", diff)
	}
}

// emuTestRole creates a role with an inline policy and returns credentials
// for it from STS AssumeRole.
func emuTestRole(t *testing.T, c *emuTestClients, name, policy string) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	role, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	emuSettleIAM(t, c.srv)
	out, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("test-session")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	return aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
}

func TestTemporaryCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	creds := emuTestRole(t, c, "caller", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:ListSecrets","Resource":"*"}]}`)
	tests := []struct {
		name     string
		secret   string
		token    string
		wantSTS  string // error code of GetCallerIdentity
		wantSM   string // error code of ListSecrets
		wantARN  string
		wantUser string // prefix
	}{
		{name: "valid", secret: creds.SecretAccessKey, token: creds.SessionToken, wantARN: "arn:aws:sts::123456789012:assumed-role/caller/test-session", wantUser: "AROA"},
		{name: "wrong secret key", secret: "wrong" + creds.SecretAccessKey, token: creds.SessionToken, wantSTS: "SignatureDoesNotMatch", wantSM: "InvalidSignatureException"},
		{name: "wrong session token", secret: creds.SecretAccessKey, token: "forged", wantSTS: "InvalidClientTokenId", wantSM: "UnrecognizedClientException"},
		{name: "missing session token", secret: creds.SecretAccessKey, wantSTS: "InvalidClientTokenId", wantSM: "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := emuTestClientsFor(c.srv, emuTestConfig(c.srv, creds.AccessKeyID, tt.secret, tt.token))
			id, err := rc.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if got := emuErrCode(err); got != tt.wantSTS {
				t.Fatalf("GetCallerIdentity: %q (%v), want %q", got, err, tt.wantSTS)
			}
			if err == nil && (aws.ToString(id.Arn) != tt.wantARN || !strings.HasPrefix(aws.ToString(id.UserId), tt.wantUser)) {
				t.Errorf("identity = %s %s, want %s", aws.ToString(id.Arn), aws.ToString(id.UserId), tt.wantARN)
			}
			_, err = rc.sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			if got := emuErrCode(err); got != tt.wantSM {
				t.Errorf("ListSecrets: %q (%v), want %q", got, err, tt.wantSM)
			}
		})
	}
}

func TestLeastPrivilege(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	key, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	plainARN, _ := emuCreateSecret(t, c, "plain", "p")
	otherARN, _ := emuCreateSecret(t, c, "other", "o")
	encOut, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("enc"), SecretString: aws.String("e"), KmsKeyId: aws.String(keyARN)})
	if err != nil {
		t.Fatal(err)
	}
	encARN := aws.ToString(encOut.ARN)
	encNoCtxOut, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("enc2"), SecretString: aws.String("e"), KmsKeyId: aws.String(keyARN)})
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":["` + plainARN + `","arn:aws:secretsmanager:us-east-1:123456789012:secret:enc*"]},
	 {"Effect":"Allow","Action":"secretsmanager:PutSecretValue","Resource":"` + plainARN + `"},
	 {"Effect":"Deny","Action":"secretsmanager:PutSecretValue","Resource":"` + plainARN + `","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
	 {"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + keyARN + `","Condition":{"StringEquals":{"kms:EncryptionContext:SecretARN":"` + encARN + `"}}},
	 {"Effect":"Allow","Action":"secretsmanager:GetRandomPassword","Resource":"*"}
	]}`
	creds := emuTestRole(t, c, "fn-role", policy)
	rc := emuTestClientsFor(c.srv, emuTestConfig(c.srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken))
	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantMsg  string
	}{
		{"read allowed secret", func() error {
			_, err := rc.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(plainARN)})
			return err
		}, "", ""},
		{"write allowed secret", func() error {
			_, err := rc.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(plainARN), SecretString: aws.String("n"), VersionStages: []string{smPending}})
			return err
		}, "", ""},
		{"read another secret", func() error {
			_, err := rc.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(otherARN)})
			return err
		}, "AccessDeniedException", "secretsmanager:GetSecretValue"},
		{"action not granted", func() error {
			_, err := rc.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(plainARN), VersionStage: aws.String("X"), MoveToVersionId: aws.String(emuToken("x"))})
			return err
		}, "AccessDeniedException", "secretsmanager:UpdateSecretVersionStage"},
		{"random password on *", func() error {
			_, err := rc.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
			return err
		}, "", ""},
		{"CMK secret with kms:Decrypt for its SecretARN", func() error {
			_, err := rc.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(encARN)})
			return err
		}, "", ""},
		{"CMK secret whose SecretARN the condition does not name", func() error {
			_, err := rc.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: encNoCtxOut.ARN})
			return err
		}, "AccessDeniedException", "Access to KMS is not allowed"},
		{"CMK secret write without kms:GenerateDataKey", func() error {
			_, err := rc.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(encARN)})
			if err != nil {
				return err
			}
			_, err = rc.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(encARN), SecretString: aws.String("n")})
			return err
		}, "AccessDeniedException", "secretsmanager:PutSecretValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("error = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(emuErrMessage(err), tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", emuErrMessage(err), tt.wantMsg)
			}
		})
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if srv, err := Start(Options{Addr: addr}); err == nil {
			srv.Close()
			t.Errorf("Start(%q) succeeded, want a loopback-only error", addr)
		}
	}
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state.json")
	srv, err := Start(Options{StateFile: state, Validator: ModelCheckFor(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := emuTestClientsFor(srv, emuTestConfig(srv, "test", "test", ""))
	arn, v1 := emuCreateSecret(t, c, "kept", "value-1")
	key, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("kept key")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("kept-role"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	adv, err := NewAdminClient(srv.URL()).AdvanceClock(ctx, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("state file: %v", err)
	}

	srv2 := emuTestServer(t, Options{StateFile: state})
	c2 := emuTestClientsFor(srv2, emuTestConfig(srv2, "test", "test", ""))
	got, err := c2.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetSecretValue after restart: %v", err)
	}
	if aws.ToString(got.SecretString) != "value-1" || aws.ToString(got.VersionId) != v1 {
		t.Errorf("after restart: value/version changed")
	}
	if _, err := c2.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Errorf("DescribeKey after restart: %v", err)
	}
	if _, err := c2.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("kept-role")}); err != nil {
		t.Errorf("GetRole after restart: %v", err)
	}
	if now := srv2.Now(); now.Before(adv.Now) {
		t.Errorf("clock after restart %v is before the advanced clock %v", now, adv.Now)
	}
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emuTestServer(t, Options{})
	admin := NewAdminClient(srv.URL())
	if err := admin.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	before, err := admin.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := admin.AdvanceClock(ctx, 720*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d := res.Now.Sub(before); d < 720*time.Hour {
		t.Errorf("clock moved %v, want at least 720h", d)
	}
	if err := admin.SetIAMPropagationDelay(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := srv.env.IAMPropagationDelay(); got != 3*time.Second {
		t.Errorf("IAM propagation delay = %v, want 3s", got)
	}
	tests := []struct {
		method, path, body string
		wantStatus         int
	}{
		{"POST", "/_emu/clock/advance", `{"duration":"soon"}`, 400},
		{"POST", "/_emu/clock/advance", `{"duration":"-1h"}`, 400},
		{"POST", "/_emu/faults", `{"operation":"X"}`, 400},
		{"POST", "/_emu/iam/propagation-delay", `{"delay":"x"}`, 400},
		{"GET", "/_emu/nope", "", 404},
		{"GET", "/_emu/rotations", "", 200},
		{"GET", "/_emu/faults", "", 200},
	}
	for _, tt := range tests {
		status, _, body := emuRawRequest(t, srv, tt.method, tt.path, nil, tt.body)
		if status != tt.wantStatus {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.path, status, body, tt.wantStatus)
		}
	}
}

// TestDateHeaderIsEmulatorClock: as AWS answers with its own clock in the
// Date header, the emulator answers with its clock, so SDK callers
// (aws/middleware.GetServerTime) measure ages on the clock that dated the
// resources, also after the clock moved.
func TestDateHeaderIsEmulatorClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	admin := NewAdminClient(c.srv.URL())
	arn, _ := emuCreateSecret(t, c, "clock", "x")
	if _, err := admin.AdvanceClock(ctx, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	out, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	now, err := admin.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
	if !ok {
		t.Fatal("the response has no Date header")
	}
	if d := now.Sub(got); d < 0 || d > time.Minute {
		t.Errorf("Date header %s, emulator clock %s: want the emulator clock (3h ahead of %s)", got, now, time.Now().UTC())
	}
}
