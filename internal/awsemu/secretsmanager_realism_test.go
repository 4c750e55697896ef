package awsemu

// secretsmanager_realism_test.go: one table per behaviour where Secrets
// Manager is asynchronous or strict on AWS, each case answering as the AWS
// page cited in doc.go says. They run with the realistic defaults (the zero
// Options) unless a case is about the option that turns one off.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// TestRotateSecretIsAsynchronous: RotateSecret answers before the steps
// run ("starts the asynchronous process", RotateSecret API reference);
// meanwhile DescribeSecret and ListSecretVersionIds show AWSPENDING on the
// token and a second RotateSecret is refused; once done, AWSCURRENT moved
// and AWSPENDING is gone (rotation-lambdas#145).
func TestRotateSecretIsAsynchronous(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	gate := make(chan struct{})
	f.set(func(f *fakeRotationFunction) { f.gate = gate })
	arn, v1 := emuCreateSecret(t, c, "async", "x")
	tok := emuToken("async")
	if err := emuRotate(c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil); err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	names := map[string]string{v1: "v1", tok: "tok"}
	during := map[string][]string{"v1": {smCurrent}, "tok": {smPending}}
	if diff := cmp.Diff(during, emuStages(t, c, arn, names)); diff != "" {
		t.Errorf("DescribeSecret while the rotation runs (-want +got):\n%s", diff)
	}
	lv, err := c.sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string][]string{}
	for _, v := range lv.Versions {
		listed[names[aws.ToString(v.VersionId)]] = v.VersionStages
	}
	if diff := cmp.Diff(during, listed); diff != "" {
		t.Errorf("ListSecretVersionIds while the rotation runs (-want +got):\n%s", diff)
	}
	err = emuRotate(c, arn, emuToken("second"), nil, nil)
	if emuErrCode(err) != "InvalidRequestException" || emuErrMessage(err) != smMsgIncomplete {
		t.Errorf("RotateSecret during a rotation = %v, want InvalidRequestException %q", err, smMsgIncomplete)
	}
	close(gate)
	rec := emuWaitRotation(t, c, tok)
	if !rec.OK || len(rec.Attempts) != 1 {
		t.Errorf("rotation record = %+v, want OK after one attempt", rec)
	}
	after := map[string][]string{"v1": {smPrevious}, "tok": {smCurrent}}
	if diff := cmp.Diff(after, emuStages(t, c, arn, names)); diff != "" {
		t.Errorf("stages after the rotation (-want +got):\n%s", diff)
	}
}

// TestRotateSecretRetries: "If rotation fails, Secrets Manager retries the
// entire rotation process multiple times" (DescribeSecret,
// NextRotationDate). A transient failure is healed by a retry; a
// persistent one leaves AWSPENDING after the last try.
func TestRotateSecretRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         SecretsManagerOptions
		failTimes    int // setSecret fails this many times (0 = always)
		wantOK       bool
		wantAttempts int
		wantStages   map[string][]string
	}{
		{"fails once, the retry succeeds", SecretsManagerOptions{}, 1, true, 2,
			map[string][]string{"v1": {smPrevious}, "tok": {smCurrent}}},
		{"fails twice, the third try succeeds", SecretsManagerOptions{}, 2, true, 3,
			map[string][]string{"v1": {smPrevious}, "tok": {smCurrent}}},
		{"always fails: three tries, AWSPENDING stays", SecretsManagerOptions{}, 0, false, 3,
			map[string][]string{"v1": {smCurrent}, "tok": {smPending}}},
		// The option exists for tests that need one attempt; it is shown working here.
		{"RotationAttempts 1: no retry", SecretsManagerOptions{RotationAttempts: 1}, 1, false, 1,
			map[string][]string{"v1": {smCurrent}, "tok": {smPending}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f := emuTestRotation(t)
			c.srv.SetSecretsManagerOptions(tt.opts)
			f.set(func(f *fakeRotationFunction) { f.failStep, f.failTimes = "setSecret", tt.failTimes })
			arn, v1 := emuCreateSecret(t, c, "retry", "x")
			tok := emuToken("tok")
			rec, err := emuRotateWait(t, c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rec.OK != tt.wantOK || len(rec.Attempts) != tt.wantAttempts {
				t.Errorf("record = %+v, want OK=%v after %d attempts", rec, tt.wantOK, tt.wantAttempts)
			}
			for i, a := range rec.Attempts[:len(rec.Attempts)-1] {
				if !strings.HasPrefix(a.Error, "setSecret: ") {
					t.Errorf("attempt %d error = %q, want the setSecret failure", i+1, a.Error)
				}
			}
			if diff := cmp.Diff(tt.wantStages, emuStages(t, c, arn, map[string]string{v1: "v1", tok: "tok"})); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRotateSecretNotImmediatelyRunsTestSecret: "If you don't immediately
// rotate the secret, Secrets Manager tests the rotation configuration by
// running the testSecret step of the Lambda rotation function. The test
// creates an AWSPENDING version of the secret and then removes it"
// (RotateSecret, RotateImmediately). Where AWS is silent (a failing test)
// the emulator keeps AWSPENDING and does not retry (doc.go).
func TestRotateSecretNotImmediatelyRunsTestSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		failStep   string
		wantOK     bool
		wantStages map[string][]string
	}{
		{"test passes: placeholder removed", "", true, map[string][]string{"v1": {smCurrent}}},
		{"test fails: AWSPENDING stays, not retried", "testSecret", false, map[string][]string{"v1": {smCurrent}, "tok": {smPending}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f := emuTestRotation(t)
			f.set(func(f *fakeRotationFunction) { f.failStep = tt.failStep })
			arn, v1 := emuCreateSecret(t, c, "later", "x")
			tok := emuToken("tok")
			rec, err := emuRotateWait(t, c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, aws.Bool(false))
			if err != nil {
				t.Fatal(err)
			}
			if rec.OK != tt.wantOK || len(rec.Attempts) != 1 || !slices.Equal(f.ranSteps(), []string{"testSecret"}) {
				t.Errorf("record = %+v, steps %v; want OK=%v, one attempt of testSecret", rec, f.ranSteps(), tt.wantOK)
			}
			if diff := cmp.Diff(tt.wantStages, emuStages(t, c, arn, map[string]string{v1: "v1", tok: "tok"})); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSyncRotationOption: SyncRotation (off by default) finishes the
// rotation before RotateSecret answers; shown here so tests can rely on it.
func TestSyncRotationOption(t *testing.T) {
	t.Parallel()
	c, _ := emuTestRotation(t)
	c.srv.SetSecretsManagerOptions(SecretsManagerOptions{SyncRotation: true})
	arn, v1 := emuCreateSecret(t, c, "sync", "x")
	tok := emuToken("tok")
	if err := emuRotate(c, arn, tok, &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]string{"v1": {smPrevious}, "tok": {smCurrent}}, emuStages(t, c, arn, map[string]string{v1: "v1", tok: "tok"})); diff != "" {
		t.Errorf("stages right after RotateSecret (-want +got):\n%s", diff)
	}
}

// TestForceDeletionFinishesInTheBackground: after DeleteSecret with
// ForceDeleteWithoutRecovery the name stays taken for a while: "Secrets
// Manager performs the actual deletion with an asynchronous background
// process, so there might be a short delay before the secret is
// permanently deleted" (DeleteSecret API reference), and CreateSecret answers
// InvalidRequestException "...scheduled for deletion" meanwhile.
func TestForceDeletionFinishesInTheBackground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		opts SecretsManagerOptions
		want []string // CreateSecret error codes, call by call
	}{
		{"default: two calls still blocked", SecretsManagerOptions{}, []string{"InvalidRequestException", "InvalidRequestException", ""}},
		{"ForceDeleteBlockedCalls -1: free at once", SecretsManagerOptions{ForceDeleteBlockedCalls: -1}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			// Through the admin endpoint, as a user of the awsemu command would.
			if err := NewAdminClient(c.srv.URL()).SetSecretsManagerOptions(ctx, tt.opts); err != nil {
				t.Fatal(err)
			}
			arn, _ := emuCreateSecret(t, c, "gone", "x")
			if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for range tt.want {
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gone"), SecretString: aws.String("y")})
				got = append(got, emuErrCode(err))
				if err != nil && !strings.Contains(emuErrMessage(err), "scheduled for deletion") {
					t.Errorf("message = %q, want it to say the name is scheduled for deletion", emuErrMessage(err))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CreateSecret answers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForceDeleteOfMissingSecret: "If you forcibly delete an already
// deleted or nonexistent secret, the operation does not return
// ResourceNotFoundException" (DeleteSecret, ForceDeleteWithoutRecovery); a
// delete with a recovery window still does.
func TestForceDeleteOfMissingSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	for _, tc := range []struct {
		force bool
		want  string
	}{{true, ""}, {false, "ResourceNotFoundException"}} {
		in := &secretsmanager.DeleteSecretInput{SecretId: aws.String("never-was")}
		if tc.force {
			in.ForceDeleteWithoutRecovery = aws.Bool(true)
		}
		_, err := c.sm.DeleteSecret(ctx, in)
		if got := emuErrCode(err); got != tc.want {
			t.Errorf("DeleteSecret(force=%v) of a missing secret = %q (%v), want %q", tc.force, got, err, tc.want)
		}
	}
}

// emuRoleSM returns a Secrets Manager client acting as a new role with
// the given inline policy.
func emuRoleSM(t *testing.T, c *emuTestClients, name, policy string) *secretsmanager.Client {
	t.Helper()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.sts.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/" + name), RoleSessionName: aws.String("session")})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	return secretsmanager.NewFromConfig(emuTestConfig(c.srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)))
}

// TestPerVersionKMSKeys: "When you change the encryption key, Secrets
// Manager re-encrypts AWSCURRENT, AWSPENDING, and AWSPREVIOUS versions with
// the new key" (Change the encryption key for a secret), but "If you don't
// have kms:Encrypt permission to the new key, Secrets Manager does not
// re-encrypt existing secret versions with the new key" (UpdateSecret,
// KmsKeyId). Each version is read with its own key.
func TestPerVersionKMSKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	smAll := `{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}`
	tests := []struct {
		name string
		// policy of the caller that changes the key ("" = account admin).
		policy string
		// wantReencrypted: AWSCURRENT moved to the new key.
		wantReencrypted bool
	}{
		{"administrator: re-encrypted", "", true},
		{"role with kms:Encrypt and kms:Decrypt: re-encrypted",
			`{"Version":"2012-10-17","Statement":[` + smAll + `,{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`, true},
		{"role without kms:Encrypt: versions keep the old key",
			`{"Version":"2012-10-17","Statement":[` + smAll + `,{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`, false},
		{"role without kms:Decrypt on the old key: versions keep the old key",
			`{"Version":"2012-10-17","Statement":[` + smAll + `,{"Effect":"Allow","Action":["kms:Encrypt","kms:GenerateDataKey"],"Resource":"*"}]}`, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			newKey := func() string {
				k, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{})
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(k.KeyMetadata.Arn)
			}
			oldKey, nextKey := newKey(), newKey()
			out, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("keyed"), SecretString: aws.String("v1"), KmsKeyId: aws.String(oldKey)})
			if err != nil {
				t.Fatal(err)
			}
			arn := aws.ToString(out.ARN)
			caller := c.sm
			if tt.policy != "" {
				caller = emuRoleSM(t, c, "keyer"+string(rune('a'+i)), tt.policy)
			}
			if _, err := caller.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(arn), KmsKeyId: aws.String(nextKey)}); err != nil {
				t.Fatalf("UpdateSecret: %v", err)
			}
			lv, err := c.sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(arn)})
			if err != nil || len(lv.Versions) != 1 {
				t.Fatalf("ListSecretVersionIds = %v, %v", lv, err)
			}
			wantKey := oldKey
			if tt.wantReencrypted {
				wantKey = nextKey
			}
			if diff := cmp.Diff([]string{wantKey}, lv.Versions[0].KmsKeyIds); diff != "" {
				t.Errorf("AWSCURRENT's key (-want +got):\n%s", diff)
			}
			// A new value is encrypted with the new key in any case.
			if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("v2")}); err != nil {
				t.Fatal(err)
			}
			// Disabling the old key breaks exactly the versions still under it.
			if _, err := c.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(oldKey)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); err != nil {
				t.Errorf("AWSCURRENT (new value, new key) after disabling the old key: %v", err)
			}
			_, err = c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(smPrevious)})
			wantCode := "DecryptionFailure"
			if tt.wantReencrypted {
				wantCode = ""
			}
			if got := emuErrCode(err); got != wantCode {
				t.Errorf("AWSPREVIOUS after disabling the old key = %q (%v), want %q", got, err, wantCode)
			}
		})
	}
}

// TestSecretResourcePolicies: a secret's resource policy is evaluated
// with the caller's ("an explicit deny in any policy overrides any
// allows", IAM policy evaluation logic), PutResourcePolicy rejects a
// principal IAM does not know (MalformedPolicyDocumentException, which AWS
// answers until a new role has propagated) and, with BlockPublicPolicy,
// a policy that allows broad access (PublicPolicyException; PutResourcePolicy
// API reference).
func TestSecretResourcePolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const acct = "123456789012"
	stmt := func(effect, principal, action string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"` + action + `","Resource":"*"}]}`
	}
	tests := []struct {
		name        string
		policy      string
		blockPublic bool
		wantPut     string // PutResourcePolicy error code
		wantMsg     string
		wantRead    string // the admin's GetSecretValue afterwards
	}{
		{"deny for the account applies to the administrator too",
			stmt("Deny", `{"AWS":"arn:aws:iam::`+acct+`:root"}`, "secretsmanager:GetSecretValue"), false, "", "", "AccessDeniedException"},
		{"deny for everyone",
			stmt("Deny", `"*"`, "secretsmanager:GetSecretValue"), false, "", "", "AccessDeniedException"},
		{"deny of another action does not matter",
			stmt("Deny", `"*"`, "secretsmanager:DeleteSecret"), false, "", "", ""},
		{"principal that does not exist",
			stmt("Allow", `{"AWS":"arn:aws:iam::`+acct+`:role/not-yet"}`, "secretsmanager:GetSecretValue"), false,
			"MalformedPolicyDocumentException", smMsgUnsupportedPrincipal, ""},
		{"public policy with BlockPublicPolicy",
			stmt("Allow", `"*"`, "secretsmanager:GetSecretValue"), true, "PublicPolicyException", smMsgPublicPolicy, ""},
		{"public policy without BlockPublicPolicy",
			stmt("Allow", `"*"`, "secretsmanager:GetSecretValue"), false, "", "", ""},
		{"wildcard principal fixed to the account is not public",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + acct + `"}}}]}`,
			true, "", "", ""},
		{"not JSON", `{"Statement":`, false, "MalformedPolicyDocumentException", smMsgPolicySyntax, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			arn, _ := emuCreateSecret(t, c, "guarded", "x")
			_, err := c.sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String(tt.policy), BlockPublicPolicy: aws.Bool(tt.blockPublic)})
			if got := emuErrCode(err); got != tt.wantPut || (tt.wantMsg != "" && emuErrMessage(err) != tt.wantMsg) {
				t.Fatalf("PutResourcePolicy = %q %q, want %q %q", got, emuErrMessage(err), tt.wantPut, tt.wantMsg)
			}
			_, err = c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
			if got := emuErrCode(err); got != tt.wantRead {
				t.Errorf("GetSecretValue = %q (%v), want %q", got, err, tt.wantRead)
			}
		})
	}

	t.Run("resource policy grants a role what its own policy does not", func(t *testing.T) {
		t.Parallel()
		c := emuTestAdmin(t)
		arn, _ := emuCreateSecret(t, c, "shared", "x")
		role := emuRoleSM(t, c, "consumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:ListSecrets","Resource":"*"}]}`)
		if _, err := role.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); emuErrCode(err) != "AccessDeniedException" {
			t.Fatalf("GetSecretValue before the resource policy = %v, want AccessDeniedException", err)
		}
		pol := stmt("Allow", `{"AWS":"arn:aws:iam::`+acct+`:role/consumer"}`, "secretsmanager:GetSecretValue")
		if _, err := c.sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
		if _, err := role.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); err != nil {
			t.Errorf("GetSecretValue allowed by the resource policy: %v", err)
		}
	})
}

// TestAutomaticallyAfterDaysForSchedules: "In DescribeSecret and
// ListSecrets, this value is calculated from the rotation schedule"
// (RotationRulesType, AutomaticallyAfterDays), for expressions too.
func TestAutomaticallyAfterDaysForSchedules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		expr string
		want int64
	}{
		{"rate(10 days)", 10},
		{"rate(1 day)", 1},
		{"rate(4 hours)", 1},
		{"cron(0 10 * * ? *)", 1},
		{"cron(0 18 ? * SAT *)", 7},
		{"cron(0 4/12 * * ? *)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, _ := emuTestRotation(t)
			arn, _ := emuCreateSecret(t, c, "days", "x")
			if _, err := emuRotateWait(t, c, arn, "", &smtypes.RotationRulesType{ScheduleExpression: aws.String(tt.expr)}, nil); err != nil {
				t.Fatal(err)
			}
			d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if d.RotationRules == nil || aws.ToString(d.RotationRules.ScheduleExpression) != tt.expr || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != tt.want {
				t.Errorf("RotationRules = %+v, want ScheduleExpression %s and AutomaticallyAfterDays %d", d.RotationRules, tt.expr, tt.want)
			}
		})
	}
}
