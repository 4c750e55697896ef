package stack

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/uuid"
)

// RotationSeen is what an apply needs to know about the secret's rotation
// configuration to decide whether it calls RotateSecret. Read records it,
// so the plan decides from the same facts as the apply.
type RotationSeen struct {
	// Enabled is DescribeSecret's RotationEnabled.
	Enabled bool `json:"enabled"`
	// LambdaARN is the function the secret rotates with.
	LambdaARN string `json:"lambda_arn,omitempty"`
	// FunctionARN is our rotation function's ARN; "" when it is missing.
	FunctionARN string `json:"function_arn,omitempty"`
	// Rules are the secret's rotation rules; nil when it has none.
	Rules *RotationRules `json:"rules,omitempty"`
}

// RotationRules are the observed rotation rules.
type RotationRules struct {
	AutomaticallyAfterDays int64  `json:"days,omitempty"`
	ScheduleExpression     string `json:"expression,omitempty"`
	Duration               string `json:"duration,omitempty"`
}

// SeenRotation extracts RotationSeen from a secret and our function's ARN.
func SeenRotation(sec *secretsmanager.DescribeSecretOutput, functionARN string) RotationSeen {
	seen := RotationSeen{
		Enabled:     aws.ToBool(sec.RotationEnabled),
		LambdaARN:   aws.ToString(sec.RotationLambdaARN),
		FunctionARN: functionARN,
	}
	if r := sec.RotationRules; r != nil {
		seen.Rules = &RotationRules{
			AutomaticallyAfterDays: aws.ToInt64(r.AutomaticallyAfterDays),
			ScheduleExpression:     aws.ToString(r.ScheduleExpression),
			Duration:               aws.ToString(r.Duration),
		}
	}
	return seen
}

// rotationDrift lists how the secret's rotation differs from want: the
// rotation part of Drift, and what Reconfigures decides from.
func rotationDrift(want RotationSpec, seen RotationSeen) []Drift {
	var d []Drift
	switch {
	case want.Enabled && !seen.Enabled:
		d = append(d, Drift{Kind: DriftRotationDisabled, Message: "rotation is disabled on the secret (apply re-enables it)"})
	case !want.Enabled && seen.Enabled:
		d = append(d, Drift{Kind: DriftRotationEnabled, Message: "rotation was enabled outside Terraform (apply cancels it)"})
	case seen.Enabled:
		if seen.FunctionARN != "" && seen.LambdaARN != seen.FunctionARN {
			d = append(d, Drift{Kind: DriftOtherFunction, Message: fmt.Sprintf("the secret rotates with another function (%s)", seen.LambdaARN)})
		}
		if !rulesMatch(want, seen.Rules) {
			d = append(d, Drift{Kind: DriftSchedule, Message: "the rotation schedule was changed outside Terraform"})
		}
	}
	return d
}

// Reconfigures is the one answer to "does this apply call RotateSecret?",
// shared by the plan (rotates_on_apply), Update and the drift attribute:
// rotation is wanted and the secret is not rotating with our function on
// the wanted schedule, or our function is missing (a new function needs
// RotateSecret to be attached), or a rotation was asked for (RotateNow).
func Reconfigures(want RotationSpec, seen RotationSeen) bool {
	if !want.Enabled {
		return false
	}
	return want.RotateNow || seen.FunctionARN == "" || slices.ContainsFunc(rotationDrift(want, seen), Drift.Reconfigures)
}

// Rotates is the one answer to "does this apply rotate the secret (a new
// AWSCURRENT)?": it calls RotateSecret (Reconfigures) and either
// rotate_immediately is set or a rotation was asked for (RotateNow). The
// plan shows it as rotates_on_apply; Update passes it as RotateImmediately.
func Rotates(want RotationSpec, seen RotationSeen) bool {
	return Reconfigures(want, seen) && (want.RotateImmediately || want.RotateNow)
}

// rotationRules renders exactly one of days and expression, plus duration.
func rotationRules(r RotationSpec) *smtypes.RotationRulesType {
	rules := &smtypes.RotationRulesType{Duration: optString(r.Duration)}
	if r.ScheduleExpression != "" {
		rules.ScheduleExpression = aws.String(r.ScheduleExpression)
	} else {
		rules.AutomaticallyAfterDays = aws.Int64(r.AutomaticallyAfterDays)
	}
	return rules
}

// IsDaysRate reports whether expr is the rate() form AWS reports for a
// schedule of every days days ("rate(N days)", or "rate(1 day)").
func IsDaysRate(expr string, days int64) bool {
	return expr == fmt.Sprintf("rate(%d days)", days) || (days == 1 && expr == "rate(1 day)")
}

// rulesMatch compares the observed schedule with want. AWS reports a days
// schedule as both AutomaticallyAfterDays and "rate(N days)".
func rulesMatch(want RotationSpec, rules *RotationRules) bool {
	if rules == nil {
		return false
	}
	if want.Duration != "" && rules.Duration != want.Duration {
		return false
	}
	if want.ScheduleExpression != "" {
		return rules.ScheduleExpression == want.ScheduleExpression
	}
	// AWS reports AutomaticallyAfterDays for every schedule ("calculated
	// from the rotation schedule", RotationRulesType): a cron() that fires
	// daily also shows 1. It means a days schedule only when no other
	// expression is set.
	if rules.ScheduleExpression != "" {
		return IsDaysRate(rules.ScheduleExpression, want.AutomaticallyAfterDays)
	}
	return rules.AutomaticallyAfterDays == want.AutomaticallyAfterDays
}

// rotate configures rotation (RotateSecret), retrying only while the new
// invoke permission propagates. One token is used for all attempts, so
// retries stay idempotent.
func (s *Stack) rotate(ctx context.Context, spec Spec, st *State) error {
	in := &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(st.SecretARN),
		RotationLambdaARN:  aws.String(st.FunctionARN),
		RotationRules:      rotationRules(spec.Rotation),
		RotateImmediately:  aws.Bool(spec.Rotation.RotateImmediately),
		ClientRequestToken: aws.String(uuid.NewString()),
	}
	started := time.Now()
	err := retryWhile(ctx, invokePermissionTimeout, isInvokeDenied, func() error {
		_, err := s.c.SecretsManager.RotateSecret(ctx, in)
		return err
	})
	if err != nil {
		return stepErr("configuring rotation (RotateSecret)", KindSecret, err)
	}
	st.RotationConfigured = true
	// RotateSecret only started the rotation (or the configuration test):
	// wait for its outcome before anything reads the secret back (wait.go).
	logGroup := st.LogGroupName
	if logGroup == "" {
		logGroup = spec.Names().LogGroup
	}
	return s.waitRotation(ctx, st.SecretARN, logGroup, aws.ToString(in.ClientRequestToken), spec.Rotation.RotateImmediately, started)
}

// cancelRotation turns automatic rotation off (CancelRotateSecret).
func (s *Stack) cancelRotation(ctx context.Context, secretARN string) error {
	_, err := s.c.SecretsManager.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(secretARN)})
	if err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("cancelling rotation", KindSecret, err)
	}
	return nil
}
