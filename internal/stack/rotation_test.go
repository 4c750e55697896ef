package stack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

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
		if got := rulesMatch(tc.spec, SeenRotation(tc.got, "").Rules); got != tc.want {
			t.Errorf("%s: rulesMatch = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// propagation error and nothing else.

// TestReconfigures checks the one "does this apply call RotateSecret"
// predicate against what AWS's RotateSecret documentation requires: a
// secret without rotation, with another function, with another schedule,
// or whose function is new must be (re)configured.
func TestReconfigures(t *testing.T) {
	t.Parallel()
	const fn = "arn:aws:lambda:us-east-1:1:function:f"
	want := RotationSpec{Enabled: true, AutomaticallyAfterDays: 30}
	days30 := &RotationRules{AutomaticallyAfterDays: 30, ScheduleExpression: "rate(30 days)"}
	tests := []struct {
		name string
		want RotationSpec
		seen RotationSeen
		kind DriftKind
		out  bool
	}{
		{"in step", want, RotationSeen{Enabled: true, LambdaARN: fn, FunctionARN: fn, Rules: days30}, "", false},
		{"disabled out of band", want, RotationSeen{LambdaARN: fn, FunctionARN: fn, Rules: days30}, DriftRotationDisabled, true},
		{"other function", want, RotationSeen{Enabled: true, LambdaARN: "arn:other", FunctionARN: fn, Rules: days30}, DriftOtherFunction, true},
		{"schedule changed", want, RotationSeen{Enabled: true, LambdaARN: fn, FunctionARN: fn, Rules: &RotationRules{AutomaticallyAfterDays: 7}}, DriftSchedule, true},
		{"function missing", want, RotationSeen{Enabled: true, LambdaARN: fn, Rules: days30}, "", true},
		{"create", want, RotationSeen{}, DriftRotationDisabled, true},
		{"disabled and wanted off", RotationSpec{}, RotationSeen{}, "", false},
		{"enabled out of band, wanted off", RotationSpec{}, RotationSeen{Enabled: true, LambdaARN: fn, FunctionARN: fn}, DriftRotationEnabled, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Reconfigures(tc.want, tc.seen); got != tc.out {
				t.Errorf("Reconfigures = %t, want %t", got, tc.out)
			}
			var kinds []DriftKind
			for _, d := range rotationDrift(tc.want, tc.seen) {
				kinds = append(kinds, d.Kind)
			}
			var wantKinds []DriftKind
			if tc.kind != "" {
				wantKinds = []DriftKind{tc.kind}
			}
			if diff := cmp.Diff(wantKinds, kinds); diff != "" {
				t.Errorf("drift kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeSM fails RotateSecret with errs in turn, then succeeds.

type fakeSM struct {
	SecretsManagerAPI
	errs   []error
	tokens []string
}

// DescribeSecret shows the last rotation finished: AWSCURRENT on its token.
func (f *fakeSM) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	out := &secretsmanager.DescribeSecretOutput{ARN: in.SecretId, VersionIdsToStages: map[string][]string{}}
	if n := len(f.tokens); n > 0 {
		out.VersionIdsToStages[f.tokens[n-1]] = []string{"AWSCURRENT"}
	}
	return out, nil
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
