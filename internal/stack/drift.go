package stack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DriftKind names one way the AWS objects can differ from the spec.
type DriftKind string

// The kinds of drift Drift reports.
const (
	DriftRotationDisabled  DriftKind = "rotation_disabled"
	DriftRotationEnabled   DriftKind = "rotation_enabled"
	DriftOtherFunction     DriftKind = "other_function"
	DriftSchedule          DriftKind = "schedule"
	DriftResourcePolicy    DriftKind = "resource_policy"
	DriftKMSKey            DriftKind = "kms_key"
	DriftFunctionMissing   DriftKind = "function_missing"
	DriftFunctionSetting   DriftKind = "function_setting"
	DriftFunctionTags      DriftKind = "function_tags"
	DriftPermissionMissing DriftKind = "permission_missing"
	DriftPermissionChanged DriftKind = "permission_changed"
	DriftRolePolicyMissing DriftKind = "role_policy_missing"
	DriftRolePolicyChanged DriftKind = "role_policy_changed"
	DriftLogGroupMissing   DriftKind = "log_group_missing"
	DriftLogGroupRetention DriftKind = "log_group_retention"
	// Replicas (replica.go).
	DriftReplicaMissing    DriftKind = "replica_missing"
	DriftReplicaFailed     DriftKind = "replica_failed"
	DriftReplicaKMSKey     DriftKind = "replica_kms_key"
	DriftReplicaUnexpected DriftKind = "replica_unexpected"
	// The alerts child (alerts.go). A refresh sees only the first two (one
	// ListTargetsByRule); ReadAlerts, the full check, sees all four.
	DriftAlertRuleMissing DriftKind = "alert_rule_missing"
	DriftAlertTarget      DriftKind = "alert_target"
	DriftAlertRuleChanged DriftKind = "alert_rule_changed"
	DriftAlertTopicPolicy DriftKind = "alert_topic_policy"
)

// Drift is one difference between the AWS objects and the spec: its kind,
// for code, and a message a user can act on, for the drift attribute.
type Drift struct {
	Kind    DriftKind
	Message string
}

func (d Drift) String() string { return d.Message }

// Reconfigures reports whether repairing d calls RotateSecret (when
// rotation is wanted): see Reconfigures.
func (d Drift) Reconfigures() bool {
	switch d.Kind {
	case DriftRotationDisabled, DriftOtherFunction, DriftSchedule, DriftFunctionMissing:
		return true
	}
	return false
}

// Drift lists every way the observed objects differ from spec. Rotation
// itself (new versions, dates) is never drift.
func (s *Stack) Drift(ctx context.Context, spec Spec, o *Observed) ([]Drift, error) {
	if spec.Name == "" {
		spec.Name = aws.ToString(o.Secret.Name)
	}
	names := spec.Names()
	secretARN := aws.ToString(o.Secret.ARN)
	spec = spec.WithAccountFrom(secretARN)

	// Secret: rotation configuration, resource policy and key.
	d := rotationDrift(spec.Rotation, o.RotationSeen())
	add := func(kind DriftKind, format string, a ...any) {
		d = append(d, Drift{Kind: kind, Message: fmt.Sprintf(format, a...)})
	}
	if o.ResourcePolicy != nil && !PolicyEqual(*o.ResourcePolicy, spec.Policy) {
		add(DriftResourcePolicy, "the secret's resource policy was changed outside Terraform")
	}
	if newKey, err := s.keyChange(ctx, spec.KMSKeyID, aws.ToString(o.Secret.KmsKeyId)); err != nil {
		return nil, err
	} else if newKey != "" {
		add(DriftKMSKey, "the secret's KMS key was changed outside Terraform")
	}
	d = append(d, replicaDrift(spec.Replicas, Replicas(o.Secret))...)

	// Function and its invoke permission.
	if o.Function == nil {
		add(DriftFunctionMissing, "rotation function %s is missing", names.Function)
	} else {
		for _, f := range functionDiff(spec, secretARN, o.Function) {
			add(DriftFunctionSetting, "rotation function %s: %s changed outside Terraform", names.Function, f)
		}
		if tagsDiffer(o.Function.Tags, spec.allTags()) {
			add(DriftFunctionTags, "rotation function %s: tags changed outside Terraform", names.Function)
		}
		if o.Permission == nil {
			add(DriftPermissionMissing, "the invoke permission %s for Secrets Manager is missing from function %s", names.StatementID, names.Function)
		} else if !o.Permission.Matches(spec.Account, secretARN) {
			add(DriftPermissionChanged, "the invoke permission %s on function %s was changed outside Terraform", names.StatementID, names.Function)
		}
	}

	// Role policy.
	if !spec.BringsOwnRole() {
		if o.RolePolicy == nil {
			add(DriftRolePolicyMissing, "IAM role %s or its inline policy %s is missing", names.Role, names.RolePolicy)
		} else {
			want, err := s.rolePolicy(ctx, spec, secretARN)
			if err != nil {
				return nil, err
			}
			if !PolicyEqual(*o.RolePolicy, want) {
				add(DriftRolePolicyChanged, "the inline policy %s of IAM role %s was changed outside Terraform", names.RolePolicy, names.Role)
			}
		}
	}

	// Log group.
	if o.LogGroup == nil {
		add(DriftLogGroupMissing, "log group %s is missing", names.LogGroup)
	} else if aws.ToInt32(o.LogGroup.RetentionInDays) != spec.Function.LogRetentionDays {
		add(DriftLogGroupRetention, "log group %s: retention changed outside Terraform", names.LogGroup)
	}

	// Alert rule (alerts.go): its existence and target; the rest is
	// re-put by every apply.
	d = append(d, alertDrift(spec.Alerts, o.AlertRule, names)...)
	return d, nil
}
