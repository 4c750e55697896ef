package awsemu

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

func TestIAMRoleLifecycle(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()

	created, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("rotator"), Path: aws.String("/service/"), Description: aws.String("rotation"),
		AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy),
		Tags:                     []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}},
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if got, want := aws.ToString(created.Role.Arn), "arn:aws:iam::123456789012:role/service/rotator"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if id := aws.ToString(created.Role.RoleId); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Errorf("RoleId = %q, want AROA + 17 characters", id)
	}

	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("rotator")})
	if err != nil {
		t.Fatalf("GetRole: %v", err)
	}
	// IAM returns policy documents URL-encoded; the SDK does not decode them.
	doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatalf("QueryUnescape: %v", err)
	}
	if diff := cmp.Diff(lambdaTrustPolicy, doc); diff != "" {
		t.Errorf("AssumeRolePolicyDocument (-want +got):\n%s", diff)
	}
	if got.Role.CreateDate == nil || aws.ToString(got.Role.Description) != "rotation" || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 {
		t.Errorf("GetRole = %+v, want CreateDate, Description and MaxSessionDuration 3600", got.Role)
	}

	_, err = c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ROTATOR"), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("CreateRole with a name differing only in case: err = %v, want EntityAlreadyExists", err)
	}

	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rotator"), PolicyName: aws.String("read"), PolicyDocument: aws.String(inline)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	gp, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("rotator"), PolicyName: aws.String("read")})
	if err != nil {
		t.Fatalf("GetRolePolicy: %v", err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); d != inline {
		t.Errorf("GetRolePolicy document = %q, want %q", d, inline)
	}
	lp, err := c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("rotator")})
	if err != nil {
		t.Fatalf("ListRolePolicies: %v", err)
	}
	if diff := cmp.Diff([]string{"read"}, lp.PolicyNames); diff != "" {
		t.Errorf("ListRolePolicies (-want +got):\n%s", diff)
	}

	const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("rotator"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}
	la, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("rotator")})
	if err != nil {
		t.Fatalf("ListAttachedRolePolicies: %v", err)
	}
	var attached []string
	for _, p := range la.AttachedPolicies {
		attached = append(attached, aws.ToString(p.PolicyName)+"="+aws.ToString(p.PolicyArn))
	}
	if diff := cmp.Diff([]string{"AWSLambdaBasicExecutionRole=" + basic}, attached); diff != "" {
		t.Errorf("ListAttachedRolePolicies (-want +got):\n%s", diff)
	}

	// DeleteRole refuses while policies are attached, then while inline ones exist.
	var conflict *iamtypes.DeleteConflictException
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rotator")}); !errors.As(err, &conflict) {
		t.Errorf("DeleteRole with an attached policy: err = %v, want DeleteConflict", err)
	}
	if _, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("rotator"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatalf("DetachRolePolicy: %v", err)
	}
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rotator")}); !errors.As(err, &conflict) {
		t.Errorf("DeleteRole with an inline policy: err = %v, want DeleteConflict", err)
	}
	if _, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("rotator"), PolicyName: aws.String("read")}); err != nil {
		t.Fatalf("DeleteRolePolicy: %v", err)
	}

	// Tags.
	if _, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("rotator"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("platform")}}}); err != nil {
		t.Fatalf("TagRole: %v", err)
	}
	if _, err := c.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("rotator"), TagKeys: []string{"env"}}); err != nil {
		t.Fatalf("UntagRole: %v", err)
	}
	lt, err := c.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("rotator")})
	if err != nil {
		t.Fatalf("ListRoleTags: %v", err)
	}
	tags := map[string]string{}
	for _, tg := range lt.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if diff := cmp.Diff(map[string]string{"team": "platform"}, tags); diff != "" {
		t.Errorf("ListRoleTags (-want +got):\n%s", diff)
	}

	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("rotator")}); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	var nse *iamtypes.NoSuchEntityException
	if _, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("rotator")}); !errors.As(err, &nse) {
		t.Errorf("GetRole after delete: err = %v, want NoSuchEntity", err)
	} else if got, want := nse.ErrorMessage(), "The role with name rotator cannot be found."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestIAMErrors(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	lamCreateRole(t, c, "existing", "")
	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantMsg  string
	}{
		{
			name: "malformed trust policy",
			call: func() error {
				_, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[`)})
				return err
			},
			wantCode: "MalformedPolicyDocument", wantMsg: "This policy contains invalid Json",
		},
		{
			name: "inline policy with a principal",
			call: func() error {
				_, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("existing"), PolicyName: aws.String("p"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
				return err
			},
			wantCode: "MalformedPolicyDocument", wantMsg: "Policy document should not specify a principal.",
		},
		{
			name: "unknown customer-managed policy",
			call: func() error {
				_, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("existing"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/mine")})
				return err
			},
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::123456789012:policy/mine does not exist or is not attachable.",
		},
		{
			name: "detach a policy that is not attached",
			call: func() error {
				_, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("existing"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")})
				return err
			},
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole was not found.",
		},
		{
			name: "missing inline policy",
			call: func() error {
				_, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("existing"), PolicyName: aws.String("nope")})
				return err
			},
			wantCode: "NoSuchEntity", wantMsg: "The role policy with name nope cannot be found.",
		},
		{
			name: "policy on a missing role",
			call: func() error {
				_, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
				return err
			},
			wantCode: "NoSuchEntity", wantMsg: "The role with name ghost cannot be found.",
		},
		{
			name: "invalid role name",
			call: func() error {
				_, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad name"), AssumeRolePolicyDocument: aws.String(lambdaTrustPolicy)})
				return err
			},
			wantCode: "ValidationError",
		},
		{
			name: "update trust policy of a missing role",
			call: func() error {
				_, err := c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ghost"), PolicyDocument: aws.String(lambdaTrustPolicy)})
				return err
			},
			wantCode: "NoSuchEntity", wantMsg: "The role with name ghost cannot be found.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call()
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

// TestIAMAuthorizesRoleCallers drives Secrets Manager with credentials of
// an assumed role: its inline policy decides, explicit Deny wins.
func TestIAMAuthorizesRoleCallers(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	arn, _ := emuCreateSecret(t, c.emuTestClients, "app/db", "v1")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["secretsmanager:Describe*","secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-??????"},
		{"Effect":"Deny","Action":"secretsmanager:DescribeSecret","Resource":"*"}]}`
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	emuSettleIAM(t, c.srv)
	assumed, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/reader"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	cr := assumed.Credentials
	role := secretsmanager.NewFromConfig(emuTestConfig(c.srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))

	if _, err := role.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); err != nil {
		t.Errorf("GetSecretValue allowed by the policy: %v", err)
	}
	_, err = role.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("v2")})
	if got := emuErrCode(err); got != "AccessDeniedException" {
		t.Fatalf("PutSecretValue: code = %q (%v), want AccessDeniedException", got, err)
	}
	want := "User: arn:aws:sts::123456789012:assumed-role/reader/s1 is not authorized to perform: secretsmanager:PutSecretValue on resource: " + arn + " because no identity-based policy allows the secretsmanager:PutSecretValue action"
	if diff := cmp.Diff(want, emuErrMessage(err)); diff != "" {
		t.Errorf("denial message (-want +got):\n%s", diff)
	}
	_, err = role.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	want = "User: arn:aws:sts::123456789012:assumed-role/reader/s1 is not authorized to perform: secretsmanager:DescribeSecret on resource: " + arn + " with an explicit deny in an identity-based policy"
	if diff := cmp.Diff(want, emuErrMessage(err)); diff != "" {
		t.Errorf("explicit deny (-want +got):\n%s", diff)
	}
	// Nor Lambda: denied before Lambda says whether the function exists.
	roleLambda := lambda.NewFromConfig(emuTestConfig(c.srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	_, err = roleLambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("whatever")})
	if got := emuErrCode(err); got != "AccessDeniedException" {
		t.Errorf("lambda:GetFunction by the role: code = %q (%v), want AccessDeniedException", got, err)
	}
	// The role may not touch IAM either.
	roleIAM := iam.NewFromConfig(emuTestConfig(c.srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
	_, err = roleIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	if got := emuErrCode(err); got != "AccessDenied" {
		t.Errorf("iam:GetRole by the role: code = %q, want AccessDenied", got)
	}
}

func TestIAMCheckAssumable(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	roles := map[string]string{
		"lambda":         lambdaTrustPolicy,
		"ec2":            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		"lambda-account": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`,
		"lambda-other":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}]}`,
		"lambda-denied":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`,
	}
	for _, n := range policySortedKeys(roles) {
		if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(roles[n])}); err != nil {
			t.Fatalf("CreateRole %s: %v", n, err)
		}
	}
	emuSettleIAM(t, c.srv)
	b := lambdaBackendOf(t, c.srv).roles
	var assumable []string
	for _, n := range append(policySortedKeys(roles), "missing") {
		if b.CheckAssumable("arn:aws:iam::123456789012:role/"+n, "lambda.amazonaws.com") == nil {
			assumable = append(assumable, n)
		}
	}
	sort.Strings(assumable)
	if diff := cmp.Diff([]string{"lambda", "lambda-account"}, assumable); diff != "" {
		t.Errorf("assumable roles (-want +got):\n%s", diff)
	}
}

func TestIAMSnapshotRestore(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	lamCreateRole(t, c, "kept", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	orig, ok := lambdaBackendOf(t, c.srv).roles.(*iamBackend)
	if !ok {
		t.Fatalf("the Lambda backend's role store is not the IAM backend")
	}
	creds, err := orig.IssueRoleCredentials("arn:aws:iam::123456789012:role/kept", "fn")
	if err != nil {
		t.Fatalf("IssueRoleCredentials: %v", err)
	}
	data, err := orig.snapshot()
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	restored := newIAM(orig.env)
	if err := restored.restore(data); err != nil {
		t.Fatalf("restore: %v", err)
	}
	p, secret, ok := restored.LookupAccessKey(creds.AccessKeyID)
	if !ok || secret != creds.SecretAccessKey || !restored.CheckSessionToken(creds.AccessKeyID, creds.SessionToken) {
		t.Fatalf("restored credentials not found")
	}
	if diff := cmp.Diff(&Principal{AccountID: "123456789012", AccessKeyID: creds.AccessKeyID, RoleName: "kept", ARN: "arn:aws:sts::123456789012:assumed-role/kept/fn"}, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	if err := restored.Authorize(p, "s3:GetObject", "arn:aws:s3:::b/k", nil); err != nil {
		t.Errorf("restored inline policy not applied: %v", err)
	}
	if err := restored.Authorize(p, "secretsmanager:GetSecretValue", "*", nil); err == nil {
		t.Errorf("restored role allowed an action its policies do not grant")
	}
}

// TestIAMForgetsOldKeys: keys issued long ago are dropped, recent ones kept.
func TestIAMForgetsOldKeys(t *testing.T) {
	t.Parallel()
	env := &Env{AccountID: "123456789012", Region: "us-east-1", Now: time.Now}
	b := newIAM(env)
	b.roles["r"] = &iamRole{Name: "r", ARN: "arn:aws:iam::123456789012:role/r", Inline: map[string]string{}}
	old, err := b.IssueRoleCredentials("arn:aws:iam::123456789012:role/r", "s")
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	b.keys[old.AccessKeyID].IssuedWall = time.Now().Add(-iamKeyRetention - time.Minute)
	b.mu.Unlock()
	fresh, err := b.IssueRoleCredentials("arn:aws:iam::123456789012:role/r", "s")
	if err != nil {
		t.Fatal(err)
	}
	_, _, oldOK := b.LookupAccessKey(old.AccessKeyID)
	_, _, freshOK := b.LookupAccessKey(fresh.AccessKeyID)
	if diff := cmp.Diff([]bool{false, true}, []bool{oldOK, freshOK}); diff != "" {
		t.Errorf("keys known [old, fresh] (-want +got):\n%s", diff)
	}
	if _, err := b.IssueRoleCredentials("arn:aws:iam::123456789012:role/missing", "s"); err == nil {
		t.Errorf("IssueRoleCredentials for a missing role succeeded")
	}
}

// TestSTSAssumeRoleHonoursTrustPolicy: AssumeRole works only when the
// role's trust policy lets the caller's account or ARN assume it.
func TestSTSAssumeRoleHonoursTrustPolicy(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	// The IAM User Guide's third-party role: trust only with the agreed
	// external ID (id_roles_create_for-user_externalid).
	externalIDTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-1"}}}]}`
	cases := []struct {
		role, trust, externalID string
		wantOK                  bool
	}{
		{"account-root", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`, "", true},
		{"account-id", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`, "", true},
		{"service-only", lambdaTrustPolicy, "", false},
		{"other-account", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`, "", false},
		{"denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`, "", false},
		{"external-id-right", externalIDTrust, "Unique-1", true},
		{"external-id-wrong", externalIDTrust, "Unique-2", false},
		{"external-id-missing", externalIDTrust, "", false},
	}
	for _, tc := range cases {
		if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(tc.role), AssumeRolePolicyDocument: aws.String(tc.trust)}); err != nil {
			t.Fatalf("CreateRole %s: %v", tc.role, err)
		}
	}
	emuSettleIAM(t, c.srv)
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/" + tc.role), RoleSessionName: aws.String("session")}
			if tc.externalID != "" {
				in.ExternalId = aws.String(tc.externalID)
			}
			_, err := c.sts.AssumeRole(ctx, in)
			if tc.wantOK && err != nil {
				t.Errorf("AssumeRole: %v; want success", err)
			}
			if !tc.wantOK && emuErrCode(err) != "AccessDenied" {
				t.Errorf("AssumeRole: code = %q (%v); want AccessDenied", emuErrCode(err), err)
			}
		})
	}
}
