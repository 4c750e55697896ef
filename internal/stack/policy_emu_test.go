package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// The role policy the provider attaches must be enough for the real
// rotation function under the emulator's policy evaluation, and every
// statement in it must be needed: these tests run the embedded function.

// emuRotation is one stack on the emulator with a customer-managed key, so
// the role policy has every statement a generic secret can get.
type emuRotation struct {
	t      *testing.T
	env    *acctest.Env
	spec   stack.Spec
	st     stack.State
	keyARN string
}

func newEmuRotation(t *testing.T) *emuRotation {
	t.Helper()
	ctx := context.Background()
	s, env := newStack(t)
	kmsClient, ok := env.Clients.KMS.(*kms.Client)
	if !ok {
		t.Fatal("the KMS client is not an SDK client")
	}
	key, err := kmsClient.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("least privilege test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	spec := testSpec(strings.ToLower(acctest.RandomName()))
	spec.KMSKeyID = aws.ToString(key.KeyMetadata.Arn)
	st, err := s.Create(ctx, spec, `{"username":"app","password":"first-value-0"}`, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return &emuRotation{t: t, env: env, spec: spec, st: st, keyARN: spec.KMSKeyID}
}

func (r *emuRotation) sm() *secretsmanager.Client {
	c, ok := r.env.Clients.SecretsManager.(*secretsmanager.Client)
	if !ok {
		r.t.Fatal("the Secrets Manager client is not an SDK client")
	}
	return c
}

// rotate runs one rotation with token and reports whether it completed.
func (r *emuRotation) rotate(token string) bool {
	r.t.Helper()
	ctx := context.Background()
	if _, err := r.sm().RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String(r.st.SecretARN), ClientRequestToken: aws.String(token),
	}); err != nil {
		r.t.Fatalf("RotateSecret: %v", err)
	}
	// The rotation runs in the background after RotateSecret answered
	// (as on AWS), with Secrets Manager's retries: wait for its record.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	rec, err := r.env.Admin.WaitRotation(wctx, token)
	if err != nil {
		r.t.Fatalf("the emulator recorded no rotation with token %s: %v", token, err)
	}
	return rec.OK
}

func (r *emuRotation) value(stage string) string {
	r.t.Helper()
	out, err := r.sm().GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(r.st.SecretARN), VersionStage: aws.String(stage),
	})
	if err != nil {
		r.t.Fatalf("GetSecretValue(%s): %v", stage, err)
	}
	return aws.ToString(out.SecretString)
}

// labels maps each version that has labels to its sorted labels.
func (r *emuRotation) labels() map[string][]string {
	r.t.Helper()
	out, err := r.sm().DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(r.st.SecretARN)})
	if err != nil {
		r.t.Fatalf("DescribeSecret: %v", err)
	}
	m := map[string][]string{}
	for id, stages := range out.VersionIdsToStages {
		if len(stages) > 0 {
			m[id] = slices.Sorted(slices.Values(stages))
		}
	}
	return m
}

// logEvents counts the lines in the function's log group.
func (r *emuRotation) logEvents() int {
	r.t.Helper()
	c, ok := r.env.Clients.Logs.(*cloudwatchlogs.Client)
	if !ok {
		r.t.Fatal("the Logs client is not an SDK client")
	}
	out, err := c.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(r.st.LogGroupName)})
	if err != nil {
		r.t.Fatalf("FilterLogEvents: %v", err)
	}
	return len(out.Events)
}

// putPolicy replaces the role's inline policy with the provider's policy
// less the statement sid ("" keeps every statement).
func (r *emuRotation) putPolicy(without string) {
	r.t.Helper()
	doc := stack.RolePolicyDocument(stack.PolicyInput{
		Partition: "aws", SecretARN: r.st.SecretARN, KMSKeyARN: r.keyARN,
		LogGroupARN: fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", acctest.Region, acctest.AccountID, r.st.LogGroupName),
	})
	var parsed struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		r.t.Fatal(err)
	}
	if without != "" {
		n := len(parsed.Statement)
		parsed.Statement = slices.DeleteFunc(parsed.Statement, func(s map[string]any) bool { return s["Sid"] == without })
		if len(parsed.Statement) != n-1 {
			r.t.Fatalf("the role policy has no statement %q", without)
		}
	}
	b, _ := json.Marshal(parsed)
	if _, err := r.env.Clients.IAM.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{
		RoleName: aws.String(r.st.RoleName), PolicyName: aws.String(stack.RolePolicyName), PolicyDocument: aws.String(string(b)),
	}); err != nil {
		r.t.Fatalf("PutRolePolicy: %v", err)
	}
}

// TestRealFunctionThreeRotations rotates three times with the embedded
// function and the provider's role policy: the labels end as AWS leaves
// them, and AWSPREVIOUS holds the value from before the last rotation.
func TestRealFunctionThreeRotations(t *testing.T) {
	t.Parallel()
	r := newEmuRotation(t)
	r.putPolicy("") // the policy as the stack computes it, re-put explicitly
	tokens := []string{"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"}
	var before string
	for i, tok := range tokens {
		before = r.value("AWSCURRENT")
		if !r.rotate(tok) {
			t.Fatalf("rotation %d did not complete with the provider's role policy", i+1)
		}
	}
	// AWS's backend removes AWSPENDING once a rotation completed
	// (aws-samples/aws-secrets-manager-rotation-lambdas#145).
	want := map[string][]string{
		tokens[2]: {"AWSCURRENT"},
		tokens[1]: {"AWSPREVIOUS"},
	}
	if diff := cmp.Diff(want, r.labels()); diff != "" {
		t.Errorf("labels after three rotations (-want +got):\n%s", diff)
	}
	if r.value("AWSPREVIOUS") != before {
		t.Error("AWSPREVIOUS does not hold the value from before the last rotation")
	}
	if r.value("AWSCURRENT") == before {
		t.Error("AWSCURRENT did not change in the last rotation")
	}
}

// TestRolePolicyEveryStatementIsNeeded removes each statement of the role
// policy in turn and shows what breaks: without the Secrets Manager or KMS
// statement the rotation fails and AWSCURRENT stays; without the logs
// statement the function's log lines are lost.
func TestRolePolicyEveryStatementIsNeeded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sid        string
		rotationOK bool // whether the rotation still completes
		logsGrow   bool // whether the function's log group gets lines
	}{
		{sid: "", rotationOK: true, logsGrow: true},
		{sid: "RotateThisSecret", rotationOK: false, logsGrow: true},
		{sid: "UseSecretKey", rotationOK: false, logsGrow: true},
		{sid: "WriteOwnLogs", rotationOK: true, logsGrow: false},
	}
	for _, tc := range cases {
		name := tc.sid
		if name == "" {
			name = "all statements"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newEmuRotation(t)
			r.putPolicy(tc.sid)
			current, logs := r.value("AWSCURRENT"), r.logEvents()
			ok := r.rotate("00000000-0000-4000-8000-0000000000aa")
			if ok != tc.rotationOK {
				t.Errorf("rotation completed = %v, want %v", ok, tc.rotationOK)
			}
			if !tc.rotationOK && r.value("AWSCURRENT") != current {
				t.Error("AWSCURRENT moved although the rotation failed")
			}
			if grew := r.logEvents() > logs; grew != tc.logsGrow {
				t.Errorf("function log lines written = %v, want %v", grew, tc.logsGrow)
			}
		})
	}
}
