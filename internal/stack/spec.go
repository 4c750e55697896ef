package stack

import (
	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// Spec is the desired configuration of one rotated secret.
type Spec struct {
	Region    string
	Account   string
	Partition string

	Name        string
	Description string
	KMSKeyID    string
	// Tags are the user's tags (resource tags merged over default tags).
	// The stack adds ManagedByTag on every object.
	Tags   map[string]string
	Policy string // secret resource policy JSON; "" for none
	// RecoveryWindowDays is used by Delete; 0 deletes without recovery.
	RecoveryWindowDays int32

	// Strategy, RotatedField and Password configure the function
	// (config.Config without the secret ARN, which the stack fills in).
	Strategy        string
	RotatedField    string
	Password        config.PasswordPolicy
	MasterSecretARN string
	// SecretTemplate is the resource's secret_template: the database
	// strategies pin its user and server in the function's configuration.
	SecretTemplate string
	// CABundle is extra PEM CA certificates for the database strategies.
	CABundle string

	Function FunctionSpec
	Rotation RotationSpec
	// Replicas are the secret's replicas in other regions (replica.go).
	Replicas []ReplicaSpec
	// Alerts, when set, sends the secret's rotation failures to an SNS
	// topic (alerts.go); nil for none.
	Alerts *AlertSpec
}

// AlertSpec configures the optional alerts child.
type AlertSpec struct {
	TopicARN string
}

// FunctionSpec configures the rotation function.
type FunctionSpec struct {
	Architecture     string // "arm64" or "x86_64"
	MemorySize       int32
	Timeout          int32
	SubnetIDs        []string
	SecurityGroupIDs []string
	LogRetentionDays int32 // 0 keeps logs forever
	// RoleARN is a role the user brings; empty means the stack creates one.
	RoleARN string
}

// RotationSpec configures the rotation schedule.
type RotationSpec struct {
	Enabled                bool
	AutomaticallyAfterDays int64 // exactly one of this and ScheduleExpression
	ScheduleExpression     string
	Duration               string
	RotateImmediately      bool
	// RotateNow asks this apply to rotate once, whatever the schedule
	// (rotation.rotate_triggers changed since the last successful apply).
	RotateNow bool
}

// State identifies the objects that exist. It is what the provider keeps
// in Terraform state, saved after each child during Create.
type State struct {
	SecretARN    string
	SecretName   string
	RoleARN      string
	RoleName     string // set only when the stack created the role
	LogGroupName string
	FunctionARN  string
	FunctionName string
	CodeSHA256   string
	// RotationConfigured is true once RotateSecret succeeded.
	RotationConfigured bool
	// InitialVersionID is the version CreateSecret wrote (Create only).
	InitialVersionID string
	// ValueWritten is true once Update wrote a new value (Update only), so
	// the caller records it even when a later step fails.
	ValueWritten bool
	// AlertRuleARN is the alert rule, once it exists (spec with alerts).
	AlertRuleARN string
}

// WithAccountFrom fills an unknown account (credentials validation was
// skipped) and partition from an ARN of the account.
func (s Spec) WithAccountFrom(anyARN string) Spec {
	if a, err := arn.Parse(anyARN); err == nil {
		if s.Account == "" {
			s.Account = a.AccountID
		}
		if s.Partition == "" {
			s.Partition = a.Partition
		}
	}
	return s
}

// BringsOwnRole reports whether the user supplies the function's role.
func (s Spec) BringsOwnRole() bool { return s.Function.RoleARN != "" }

// Names are the derived names of the children.
func (s Spec) Names() Names { return NamesFor(s.Region, s.Name) }

// FunctionConfig is the environment contract with the rotation function.
// The database strategies get the pinned target built from the template
// (an invalid template, which plan-time validation rejects, pins nothing
// and the function refuses to run).
func (s Spec) FunctionConfig(secretARN string) config.Config {
	c := config.Config{SecretARN: secretARN, Strategy: s.Strategy, RotatedField: s.RotatedField,
		Password: config.EffectivePassword(s.Strategy, s.Password)}
	if config.IsDatabase(s.Strategy) {
		master := ""
		if config.IsAlternating(s.Strategy) {
			master = s.MasterSecretARN
		}
		if t, err := config.TargetFromTemplate(s.SecretTemplate, master); err == nil {
			c.Target = t
		}
		c.CABundle = s.CABundle
	}
	return c
}

// InVPC reports whether the function runs in a VPC.
func (s Spec) InVPC() bool { return len(s.Function.SubnetIDs) > 0 }

func (s Spec) roleARN() string { return RoleARN(s.partition(), s.Account, s.Names().Role) }

// functionRoleARN is the role the function must run with.
func (s Spec) functionRoleARN() string {
	if s.BringsOwnRole() {
		return s.Function.RoleARN
	}
	return s.roleARN()
}

func (s Spec) logGroupARN() string {
	return LogGroupARN(s.partition(), s.Region, s.Account, s.Names().LogGroup)
}

// partition is the spec's partition, or the region's.
func (s Spec) partition() string {
	if s.Partition == "" {
		return PartitionOf(s.Region)
	}
	return s.Partition
}
