package awsemu

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
)

func TestSecretsManagerStagingLabels(t *testing.T) {
	t.Parallel()
	put := func(c *emuTestClients, arn, token, value string, stages ...string) error {
		_, err := c.sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(arn), ClientRequestToken: aws.String(emuToken(token)), SecretString: aws.String(value), VersionStages: stages,
		})
		return err
	}
	move := func(c *emuTestClients, arn, stage, to, from string) error {
		in := &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(stage)}
		if to != "" {
			in.MoveToVersionId = aws.String(to)
		}
		if from != "" {
			in.RemoveFromVersionId = aws.String(from)
		}
		_, err := c.sm.UpdateSecretVersionStage(context.Background(), in)
		return err
	}
	tests := []struct {
		name string
		// run acts on a secret whose first version (AWSCURRENT) is "v1".
		run  func(c *emuTestClients, arn, v1 string) error
		want map[string][]string
	}{
		{
			name: "put without stages moves AWSCURRENT and AWSPREVIOUS follows",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two"); err != nil {
					return err
				}
				return put(c, arn, "t3", "three")
			},
			// v1 lost every label: deprecated, not listed.
			want: map[string][]string{emuToken("t2"): {smPrevious}, emuToken("t3"): {smCurrent}},
		},
		{
			name: "put with AWSPENDING leaves AWSCURRENT alone",
			run:  func(c *emuTestClients, arn, v1 string) error { return put(c, arn, "t2", "two", smPending) },
			want: map[string][]string{"v1": {smCurrent}, emuToken("t2"): {smPending}},
		},
		{
			name: "a label sits on one version only",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two", smPending, "CUSTOM"); err != nil {
					return err
				}
				return put(c, arn, "t3", "three", smPending)
			},
			want: map[string][]string{"v1": {smCurrent}, emuToken("t2"): {"CUSTOM"}, emuToken("t3"): {smPending}},
		},
		{
			name: "same token and same value is a no-op",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two"); err != nil {
					return err
				}
				return put(c, arn, "t2", "two", smPending)
			},
			want: map[string][]string{"v1": {smPrevious}, emuToken("t2"): {smCurrent}},
		},
		{
			name: "moving AWSCURRENT puts AWSPREVIOUS on the old current",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two", smPending); err != nil {
					return err
				}
				return move(c, arn, smCurrent, emuToken("t2"), v1)
			},
			want: map[string][]string{"v1": {smPrevious}, emuToken("t2"): {smCurrent, smPending}},
		},
		{
			name: "moving AWSCURRENT back is the documented rollback",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two"); err != nil {
					return err
				}
				return move(c, arn, smCurrent, v1, emuToken("t2"))
			},
			want: map[string][]string{"v1": {smCurrent}, emuToken("t2"): {smPrevious}},
		},
		{
			name: "RemoveFromVersionId alone removes a label",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two", smPending); err != nil {
					return err
				}
				return move(c, arn, smPending, "", emuToken("t2"))
			},
			want: map[string][]string{"v1": {smCurrent}},
		},
		{
			name: "a label not attached anywhere moves without RemoveFromVersionId",
			run: func(c *emuTestClients, arn, v1 string) error {
				if err := put(c, arn, "t2", "two", "CUSTOM"); err != nil {
					return err
				}
				return move(c, arn, smPending, v1, "")
			},
			want: map[string][]string{"v1": {smCurrent, smPending}, emuToken("t2"): {"CUSTOM"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			arn, v1 := emuCreateSecret(t, c, "labels", "one")
			if err := tt.run(c, arn, v1); err != nil {
				t.Fatalf("run: %v", err)
			}
			got := emuStages(t, c, arn, map[string]string{v1: "v1"})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("VersionIdsToStages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretsManagerErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		call     func(c *emuTestClients, arn, v1 string) error
		wantCode string
		wantMsg  string // substring
	}{
		{
			name: "same token with a different value",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), ClientRequestToken: aws.String(v1), SecretString: aws.String("other")})
				return err
			},
			wantCode: "ResourceExistsException", wantMsg: "You can't modify an existing version",
		},
		{
			name: "PutSecretValue without a value",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn)})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "You must provide either SecretString or SecretBinary.",
		},
		{
			name: "move AWSCURRENT without RemoveFromVersionId",
			call: func(c *emuTestClients, arn, v1 string) error {
				out, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("two"), VersionStages: []string{smPending}})
				if err != nil {
					return err
				}
				_, err = c.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(smCurrent), MoveToVersionId: out.VersionId})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "so you must explicitly reference that version in RemoveFromVersionId",
		},
		{
			name: "RemoveFromVersionId that does not hold the label",
			call: func(c *emuTestClients, arn, v1 string) error {
				out, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("two"), VersionStages: []string{smPending}})
				if err != nil {
					return err
				}
				_, err = c.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(smCurrent), MoveToVersionId: out.VersionId, RemoveFromVersionId: out.VersionId})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "is not attached to version",
		},
		{
			name: "AWSCURRENT cannot be removed, only moved",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(smCurrent), RemoveFromVersionId: aws.String(v1)})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "AWSCURRENT",
		},
		{
			name: "MoveToVersionId that does not exist",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn), VersionStage: aws.String(smCurrent), MoveToVersionId: aws.String(emuToken("missing")), RemoveFromVersionId: aws.String(v1)})
				return err
			},
			wantCode: "ResourceNotFoundException", wantMsg: "VersionId",
		},
		{
			name: "GetSecretValue of an unknown secret",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
				return err
			},
			wantCode: "ResourceNotFoundException", wantMsg: "Secrets Manager can't find the specified secret.",
		},
		{
			name: "GetSecretValue with a stage the version does not hold",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionId: aws.String(v1), VersionStage: aws.String(smPending)})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "You provided a VersionStage that is not associated to the provided VersionId.",
		},
		{
			name: "GetSecretValue of a stage no version holds",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(smPrevious)})
				return err
			},
			wantCode: "ResourceNotFoundException", wantMsg: "staging label: AWSPREVIOUS",
		},
		{
			name: "GetSecretValue of a secret created without a value",
			call: func(c *emuTestClients, arn, v1 string) error {
				if _, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("empty")}); err != nil {
					return err
				}
				_, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("empty")})
				return err
			},
			wantCode: "ResourceNotFoundException", wantMsg: "staging label: AWSCURRENT",
		},
		{
			name: "CreateSecret with an existing name",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s")})
				return err
			},
			wantCode: "ResourceExistsException", wantMsg: "the secret s already exists",
		},
		{
			name: "CreateSecret with an invalid name",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!")})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "Invalid name.",
		},
		{
			name: "CreateSecret with string and binary",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("both"), SecretString: aws.String("a"), SecretBinary: []byte("b")})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "both a binary secret value and a string secret value",
		},
		{
			name: "CreateSecret with a short ClientRequestToken",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("tok"), SecretString: aws.String("a"), ClientRequestToken: aws.String("short")})
				return err
			},
			wantCode: "ValidationException", wantMsg: "clientRequestToken",
		},
		{
			name: "DeleteSecret with a recovery window and force",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "ForceDeleteWithoutRecovery",
		},
		{
			name: "DeleteSecret with a recovery window below 7 days",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(6)})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "between 7 and 30 days",
		},
		{
			name: "reading a secret scheduled for deletion",
			call: func(c *emuTestClients, arn, v1 string) error {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)}); err != nil {
					return err
				}
				_, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "marked for deletion",
		},
		{
			name: "writing a secret scheduled for deletion",
			call: func(c *emuTestClients, arn, v1 string) error {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)}); err != nil {
					return err
				}
				_, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("x")})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "marked for deletion",
		},
		{
			name: "creating a secret whose name is scheduled for deletion",
			call: func(c *emuTestClients, arn, v1 string) error {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)}); err != nil {
					return err
				}
				_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s")})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "already scheduled for deletion",
		},
		{
			name: "deleting twice without force",
			call: func(c *emuTestClients, arn, v1 string) error {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)}); err != nil {
					return err
				}
				_, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)})
				return err
			},
			wantCode: "InvalidRequestException", wantMsg: "already scheduled for deletion",
		},
		{
			name: "resource policy that is not JSON",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String("{not json")})
				return err
			},
			wantCode: "MalformedPolicyDocumentException", wantMsg: "syntax error",
		},
		{
			name: "tag key with the reserved aws: prefix",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(arn), Tags: []smtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "reserved",
		},
		{
			name: "GetRandomPassword with every class excluded",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{ExcludeLowercase: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true)})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "every character class is excluded",
		},
		{
			name: "GetRandomPassword too short for each required type",
			call: func(c *emuTestClients, arn, v1 string) error {
				_, err := c.sm.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(3)})
				return err
			},
			wantCode: "InvalidParameterException", wantMsg: "too short",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			arn, v1 := emuCreateSecret(t, c, "s", "one")
			err := tt.call(c, arn, v1)
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if msg := emuErrMessage(err); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestSecretsManagerTypedErrors(t *testing.T) {
	t.Parallel()
	c := emuTestAdmin(t)
	ctx := context.Background()
	_, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("missing")})
	var rnf *smtypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("DescribeSecret(missing) = %T %v, want *types.ResourceNotFoundException", err, err)
	}
	emuCreateSecret(t, c, "dup", "x")
	_, err = c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("dup")})
	var ree *smtypes.ResourceExistsException
	if !errors.As(err, &ree) {
		t.Errorf("CreateSecret(dup) = %T %v, want *types.ResourceExistsException", err, err)
	}
	_, err = c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("dup"), RecoveryWindowInDays: aws.Int64(31)})
	var ipe *smtypes.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Errorf("DeleteSecret(window 31) = %T %v, want *types.InvalidParameterException", err, err)
	}
}

func TestSecretsManagerGetSecretValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	arn, v1 := emuCreateSecret(t, c, "app/db", "one")
	t2 := emuToken("t2")
	if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), ClientRequestToken: aws.String(t2), SecretString: aws.String("two")}); err != nil {
		t.Fatal(err)
	}
	partialARN := arn[:len(arn)-7]
	tests := []struct {
		name string
		in   secretsmanager.GetSecretValueInput
		want string
	}{
		{"default is AWSCURRENT", secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")}, "two"},
		{"by AWSPREVIOUS", secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(smPrevious)}, "one"},
		{"by version ID", secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionId: aws.String(v1)}, "one"},
		{"by version ID and matching stage", secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionId: aws.String(t2), VersionStage: aws.String(smCurrent)}, "two"},
		{"by partial ARN", secretsmanager.GetSecretValueInput{SecretId: aws.String(partialARN)}, "two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := c.sm.GetSecretValue(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.SecretString); got != tt.want {
				t.Errorf("SecretString = %q, want %q", got, tt.want)
			}
			if aws.ToString(out.ARN) != arn || aws.ToString(out.Name) != "app/db" {
				t.Errorf("ARN, Name = %q, %q", aws.ToString(out.ARN), aws.ToString(out.Name))
			}
		})
	}
}

func TestSecretsManagerDescribeSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	out, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("described"), Description: aws.String("d1"), SecretString: aws.String("x"),
		Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ARN)
	if want := "arn:aws:secretsmanager:us-east-1:123456789012:secret:described-"; !strings.HasPrefix(arn, want) || len(arn) != len(want)+6 {
		t.Errorf("ARN = %q, want %q plus 6 characters", arn, want)
	}
	d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if d.RotationEnabled != nil {
		t.Errorf("RotationEnabled = %v before rotation was configured, want null", *d.RotationEnabled)
	}
	if d.LastAccessedDate != nil {
		t.Errorf("LastAccessedDate = %v before any read, want null", d.LastAccessedDate)
	}
	if d.LastChangedDate == nil || d.CreatedDate == nil {
		t.Errorf("LastChangedDate, CreatedDate = %v, %v; want both set", d.LastChangedDate, d.CreatedDate)
	}
	if _, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(arn), Description: aws.String("d2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sm.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(arn), Tags: []smtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sm.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	d, err = c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("described")})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Description string
		Tags        map[string]string
		Accessed    bool
	}
	got := view{Description: aws.ToString(d.Description), Tags: map[string]string{}, Accessed: d.LastAccessedDate != nil}
	for _, tg := range d.Tags {
		got.Tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	want := view{Description: "d2", Tags: map[string]string{"team": "b"}, Accessed: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DescribeSecret (-want +got):\n%s", diff)
	}
	if got := d.LastAccessedDate.UTC(); !got.Equal(got.Truncate(24 * time.Hour)) {
		t.Errorf("LastAccessedDate = %v, want a date (midnight UTC)", got)
	}
}

func TestSecretsManagerUpdateSecretValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	arn, v1 := emuCreateSecret(t, c, "upd", "one")
	tok := emuToken("u2")
	out, err := c.sm.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(arn), SecretString: aws.String("two"), ClientRequestToken: aws.String(tok)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.VersionId) != tok {
		t.Errorf("VersionId = %q, want %q", aws.ToString(out.VersionId), tok)
	}
	want := map[string][]string{"v1": {smPrevious}, tok: {smCurrent}}
	if diff := cmp.Diff(want, emuStages(t, c, arn, map[string]string{v1: "v1"})); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
}

func TestSecretsManagerDeletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, c *emuTestClients, arn string)
		// wantDescribe is the DescribeSecret error code at the end ("" = exists).
		wantDescribe string
		wantDeleted  bool
	}{
		{
			name: "recovery window then restore",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.sm.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(arn)}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)}); err != nil {
					t.Fatalf("GetSecretValue after restore: %v", err)
				}
			},
		},
		{
			name: "scheduled deletion stays describable",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				out, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(10)})
				if err != nil {
					t.Fatal(err)
				}
				if got := out.DeletionDate.Sub(c.srv.Now()); got < 9*24*time.Hour || got > 10*24*time.Hour {
					t.Errorf("DeletionDate is %v from now, want 10 days", got)
				}
			},
			wantDeleted: true,
		},
		{
			name: "clock advance past the window purges",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
					t.Fatal(err)
				}
				res, err := NewAdminClient(c.srv.URL()).AdvanceClock(ctx, 7*24*time.Hour+time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{arn}, res.PurgedSecrets); diff != "" {
					t.Errorf("PurgedSecrets (-want +got):\n%s", diff)
				}
				if _, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("del")}); err != nil {
					t.Errorf("CreateSecret with the purged name: %v", err)
				}
			},
			wantDescribe: "ResourceNotFoundException",
		},
		{
			name: "clock advance inside the window keeps it",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
					t.Fatal(err)
				}
				if _, err := NewAdminClient(c.srv.URL()).AdvanceClock(ctx, 6*24*time.Hour); err != nil {
					t.Fatal(err)
				}
			},
			wantDeleted: true,
		},
		{
			name: "force delete removes at once",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
					t.Fatal(err)
				}
			},
			wantDescribe: "ResourceNotFoundException",
		},
		{
			name: "force delete of a secret already scheduled",
			run: func(t *testing.T, c *emuTestClients, arn string) {
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn)}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(arn), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
					t.Fatal(err)
				}
			},
			wantDescribe: "ResourceNotFoundException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			arn, _ := emuCreateSecret(t, c, "del", "x")
			tt.run(t, c, arn)
			d, err := c.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
			if got := emuErrCode(err); got != tt.wantDescribe {
				t.Fatalf("DescribeSecret error = %q (%v), want %q", got, err, tt.wantDescribe)
			}
			if err == nil && (d.DeletedDate != nil) != tt.wantDeleted {
				t.Errorf("DeletedDate = %v, want set: %v", d.DeletedDate, tt.wantDeleted)
			}
			list, err := c.sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			if err != nil {
				t.Fatal(err)
			}
			listed := false
			for _, e := range list.SecretList {
				listed = listed || aws.ToString(e.ARN) == arn
			}
			if wantListed := tt.wantDescribe == "" && !tt.wantDeleted; listed != wantListed {
				t.Errorf("ListSecrets lists the secret: %v, want %v", listed, wantListed)
			}
		})
	}
}

func TestSecretsManagerListSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	for _, n := range []string{"app/one", "app/two", "other"} {
		if _, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(n), Tags: []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String(n)}}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		filters []smtypes.Filter
		want    []string
	}{
		{"no filter", nil, []string{"app/one", "app/two", "other"}},
		{"name prefix", []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{"app/"}}}, []string{"app/one", "app/two"}},
		{"name prefix is case-insensitive", []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{"APP/T"}}}, []string{"app/two"}},
		{"negated name", []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{"!app"}}}, []string{"other"}},
		{"tag value", []smtypes.Filter{{Key: smtypes.FilterNameStringTypeTagValue, Values: []string{"oth"}}}, []string{"other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			p := secretsmanager.NewListSecretsPaginator(c.sm, &secretsmanager.ListSecretsInput{Filters: tt.filters, MaxResults: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range page.SecretList {
					got = append(got, aws.ToString(e.Name))
				}
			}
			sort.Strings(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretsManagerListSecretVersionIds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	arn, v1 := emuCreateSecret(t, c, "versions", "1")
	var last string
	for i := 2; i <= 4; i++ {
		out, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String(strings.Repeat("x", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = aws.ToString(out.VersionId)
	}
	for _, tt := range []struct {
		name       string
		deprecated bool
		want       int
	}{{"labeled only", false, 2}, {"with deprecated", true, 4}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := c.sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(arn), IncludeDeprecated: aws.Bool(tt.deprecated)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Versions) != tt.want {
				t.Errorf("got %d versions, want %d", len(out.Versions), tt.want)
			}
			found := map[string]bool{}
			for _, v := range out.Versions {
				found[aws.ToString(v.VersionId)] = true
			}
			if !found[last] || found[v1] != tt.deprecated {
				t.Errorf("versions %v: want the newest, and v1 only with deprecated", found)
			}
		})
	}
}

func TestSecretsManagerVersionQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	arn, _ := emuCreateSecret(t, c, "quota", "0")
	// 99 more versions fit; the 101st fails while every unlabeled version
	// is younger than 24 hours.
	for i := 1; i < smMaxVersions; i++ {
		if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String(strings.Repeat("v", i))}); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	_, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("over")})
	if got := emuErrCode(err); got != "LimitExceededException" {
		t.Fatalf("101st version: %q (%v), want LimitExceededException", got, err)
	}
	if _, err := NewAdminClient(c.srv.URL()).AdvanceClock(ctx, 25*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("over")}); err != nil {
		t.Fatalf("after 24h the oldest deprecated version is pruned, want success: %v", err)
	}
	out, err := c.sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(arn), IncludeDeprecated: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != smMaxVersions {
		t.Errorf("versions = %d, want %d", len(out.Versions), smMaxVersions)
	}
}

func TestSecretsManagerGetRandomPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	tests := []struct {
		name    string
		in      secretsmanager.GetRandomPasswordInput
		wantLen int
		allowed func(r rune) bool
		// required are classes that must each appear.
		required []func(r rune) bool
	}{
		{
			name: "defaults", in: secretsmanager.GetRandomPasswordInput{}, wantLen: 32,
			allowed:  func(r rune) bool { return r < 128 && r != ' ' && unicode.IsPrint(r) },
			required: []func(rune) bool{unicode.IsLower, unicode.IsUpper, unicode.IsDigit, unicode.IsPunct},
		},
		{
			name:    "letters only, excluded characters",
			in:      secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(64), ExcludeNumbers: aws.Bool(true), ExcludePunctuation: aws.Bool(true), ExcludeCharacters: aws.String("aAbB")},
			wantLen: 64,
			allowed: func(r rune) bool { return unicode.IsLetter(r) && !strings.ContainsRune("aAbB", r) },
		},
		{
			name:     "include space",
			in:       secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(8), IncludeSpace: aws.Bool(true), ExcludeUppercase: aws.Bool(true), ExcludeLowercase: aws.Bool(true), ExcludePunctuation: aws.Bool(true)},
			wantLen:  8,
			allowed:  func(r rune) bool { return r == ' ' || unicode.IsDigit(r) },
			required: []func(rune) bool{unicode.IsSpace, unicode.IsDigit},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := c.sm.GetRandomPassword(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			pw := aws.ToString(out.RandomPassword)
			if len(pw) != tt.wantLen {
				t.Errorf("length = %d, want %d", len(pw), tt.wantLen)
			}
			for _, r := range pw {
				if !tt.allowed(r) {
					t.Errorf("character %q is not allowed", r)
				}
			}
			for i, req := range tt.required {
				if strings.IndexFunc(pw, req) < 0 {
					t.Errorf("required class %d missing", i)
				}
			}
		})
	}
}

func TestSecretsManagerResourcePolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	arn, _ := emuCreateSecret(t, c, "pol", "x")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}`
	if _, err := c.sm.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(arn), ResourcePolicy: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ResourcePolicy) != doc {
		t.Errorf("ResourcePolicy = %q, want %q", aws.ToString(got.ResourcePolicy), doc)
	}
	if _, err := c.sm.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.sm.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourcePolicy != nil {
		t.Errorf("ResourcePolicy after delete = %q, want none", aws.ToString(got.ResourcePolicy))
	}
}

func TestSecretsManagerKMSKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		prepare  func(c *emuTestClients, keyID string) error
		wantRead string
		wantPut  string
	}{
		{name: "enabled key", prepare: func(*emuTestClients, string) error { return nil }},
		{
			name: "disabled key",
			prepare: func(c *emuTestClients, keyID string) error {
				_, err := c.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)})
				return err
			},
			wantRead: "DecryptionFailure", wantPut: "EncryptionFailure",
		},
		{
			name: "key pending deletion",
			prepare: func(c *emuTestClients, keyID string) error {
				_, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})
				return err
			},
			wantRead: "DecryptionFailure", wantPut: "EncryptionFailure",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			key, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("secrets")})
			if err != nil {
				t.Fatal(err)
			}
			keyID := aws.ToString(key.KeyMetadata.KeyId)
			if _, err := c.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/secrets"), TargetKeyId: aws.String(keyID)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("enc"), SecretString: aws.String("x"), KmsKeyId: aws.String("alias/secrets")}); err != nil {
				t.Fatal(err)
			}
			if err := tt.prepare(c, keyID); err != nil {
				t.Fatal(err)
			}
			_, err = c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("enc")})
			if got := emuErrCode(err); got != tt.wantRead {
				t.Errorf("GetSecretValue = %q (%v), want %q", got, err, tt.wantRead)
			}
			_, err = c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("enc"), SecretString: aws.String("y")})
			if got := emuErrCode(err); got != tt.wantPut {
				t.Errorf("PutSecretValue = %q (%v), want %q", got, err, tt.wantPut)
			}
			_, err = c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("enc2"), SecretString: aws.String("x"), KmsKeyId: aws.String(keyID)})
			if got := emuErrCode(err); got != tt.wantPut {
				t.Errorf("CreateSecret = %q (%v), want %q", got, err, tt.wantPut)
			}
		})
	}
	t.Run("missing key", func(t *testing.T) {
		t.Parallel()
		c := emuTestAdmin(t)
		_, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("enc"), SecretString: aws.String("x"), KmsKeyId: aws.String("alias/none")})
		if got := emuErrCode(err); got != "EncryptionFailure" {
			t.Errorf("CreateSecret = %q (%v), want EncryptionFailure", got, err)
		}
	})
}
