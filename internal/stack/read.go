package stack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Observed is what one Read saw. A nil child pointer means the child is
// missing.
type Observed struct {
	Secret     *secretsmanager.DescribeSecretOutput
	Function   *lambda.GetFunctionOutput
	RolePolicy *string // nil: missing (or the role is gone); not read for a user's role
	Permission *PermissionStatement
	LogGroup   *logtypes.LogGroup
	// ResourcePolicy is read only when the spec has one.
	ResourcePolicy *string
}

// Read observes every child with the fewest calls that can still see each
// one: DescribeSecret, GetFunction (configuration and tags), GetPolicy (the
// invoke permission), GetRolePolicy (only for a role the stack created),
// DescribeLogGroups and, only when the spec sets one, GetResourcePolicy.
// The calls run concurrently (on import the secret is read first, for its
// name). It returns a NotFoundError only when the secret itself is gone.
// secretID is the ARN (or, on import, the name).
func (s *Stack) Read(ctx context.Context, spec Spec, secretID string) (*Observed, error) {
	o := &Observed{}
	if spec.Name == "" {
		sec, err := FindSecret(ctx, s.c.SecretsManager, secretID)
		if err != nil {
			return nil, err
		}
		o.Secret, spec.Name = sec, aws.ToString(sec.Name)
	}
	names := spec.Names()

	// Each task sets its own field of o and its own slot of errs.
	var wg sync.WaitGroup
	errs := make([]error, 6)
	run := func(i int, task func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = task()
		}()
	}
	if o.Secret == nil {
		run(0, func() (err error) {
			o.Secret, err = FindSecret(ctx, s.c.SecretsManager, secretID)
			return err
		})
	}
	run(1, func() error {
		fn, err := FindFunction(ctx, s.c.Lambda, names.Function)
		o.Function = fn
		return ignoreNotFound(stepErr("reading the rotation function", KindFunction, err))
	})
	run(2, func() error {
		perm, err := FindPermission(ctx, s.c.Lambda, names.Function, names.StatementID)
		o.Permission = perm
		return ignoreNotFound(stepErr("reading the invoke permission", KindPermission, err))
	})
	if !spec.BringsOwnRole() {
		run(3, func() error {
			doc, err := FindRolePolicy(ctx, s.c.IAM, names.Role, names.RolePolicy)
			if err == nil {
				o.RolePolicy = &doc
			}
			return ignoreNotFound(stepErr("reading the role's inline policy", KindRolePolicy, err))
		})
	}
	run(4, func() error {
		lg, err := FindLogGroup(ctx, s.c.Logs, names.LogGroup)
		o.LogGroup = lg
		return ignoreNotFound(stepErr("reading the log group", KindLogGroup, err))
	})
	if spec.Policy != "" {
		run(5, func() error {
			out, err := s.c.SecretsManager.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(secretID)})
			if isCode(err, codeResourceNotFound) {
				return &NotFoundError{Kind: KindSecret, ID: secretID, Err: err}
			}
			if err != nil {
				return stepErr("reading the secret's resource policy", KindSecret, err)
			}
			o.ResourcePolicy = aws.String(aws.ToString(out.ResourcePolicy))
			return nil
		})
	}
	wg.Wait()
	if errs[0] != nil {
		return nil, errs[0] // the secret: NotFound removes the resource
	}
	if err := errors.Join(errs[1:]...); err != nil {
		if IsNotFound(err) {
			return nil, &NotFoundError{Kind: KindSecret, ID: secretID, Err: err}
		}
		return nil, err
	}
	if o.Function == nil {
		o.Permission = nil
	}
	return o, nil
}

// ignoreNotFound drops a NotFoundError: a missing child is drift, not an error.
func ignoreNotFound(err error) error {
	if IsNotFound(err) {
		return nil
	}
	return err
}

// Drift lists, in words a user can act on, every way the observed objects
// differ from spec. Rotation itself (new versions, dates) is never drift.
func (s *Stack) Drift(ctx context.Context, spec Spec, o *Observed) ([]string, error) {
	var d []string
	if spec.Name == "" {
		spec.Name = aws.ToString(o.Secret.Name)
	}
	names := spec.Names()
	secretARN := aws.ToString(o.Secret.ARN)
	spec = spec.WithAccountFrom(secretARN)

	// Secret: rotation configuration and resource policy.
	enabled := aws.ToBool(o.Secret.RotationEnabled)
	switch {
	case spec.Rotation.Enabled && !enabled:
		d = append(d, driftRotationDisabled+" (apply re-enables it)")
	case !spec.Rotation.Enabled && enabled:
		d = append(d, "rotation was enabled outside Terraform (apply cancels it)")
	case enabled:
		if o.Function != nil && aws.ToString(o.Secret.RotationLambdaARN) != aws.ToString(o.Function.Configuration.FunctionArn) {
			d = append(d, fmt.Sprintf("%s (%s)", driftOtherFunction, aws.ToString(o.Secret.RotationLambdaARN)))
		}
		if !rulesMatch(spec.Rotation, o.Secret) {
			d = append(d, driftScheduleChanged)
		}
	}
	if o.ResourcePolicy != nil && !PolicyEqual(*o.ResourcePolicy, spec.Policy) {
		d = append(d, "the secret's resource policy was changed outside Terraform")
	}
	if newKey, err := s.keyChange(ctx, spec.KMSKeyID, aws.ToString(o.Secret.KmsKeyId)); err != nil {
		return nil, err
	} else if newKey != "" {
		d = append(d, "the secret's KMS key was changed outside Terraform")
	}

	// Function.
	if o.Function == nil {
		d = append(d, fmt.Sprintf("rotation function %s %s", names.Function, driftFunctionMissing))
	} else {
		for _, f := range functionDiff(spec, secretARN, o.Function) {
			d = append(d, fmt.Sprintf("rotation function %s: %s changed outside Terraform", names.Function, f))
		}
		if want := spec.allTags(); len(changedTags(o.Function.Tags, want)) > 0 || len(removedTags(o.Function.Tags, want)) > 0 {
			d = append(d, fmt.Sprintf("rotation function %s: tags changed outside Terraform", names.Function))
		}
		if o.Permission == nil {
			d = append(d, fmt.Sprintf("the invoke permission %s for Secrets Manager is missing from function %s", names.StatementID, names.Function))
		} else if !o.Permission.Matches(spec.Account, secretARN) {
			d = append(d, fmt.Sprintf("the invoke permission %s on function %s was changed outside Terraform", names.StatementID, names.Function))
		}
	}

	// Role policy.
	if !spec.BringsOwnRole() {
		if o.RolePolicy == nil {
			d = append(d, fmt.Sprintf("IAM role %s or its inline policy %s is missing", names.Role, names.RolePolicy))
		} else {
			want, err := s.rolePolicy(ctx, spec, secretARN)
			if err != nil {
				return nil, err
			}
			if !PolicyEqual(*o.RolePolicy, want) {
				d = append(d, fmt.Sprintf("the inline policy %s of IAM role %s was changed outside Terraform", names.RolePolicy, names.Role))
			}
		}
	}

	// Log group.
	if o.LogGroup == nil {
		d = append(d, fmt.Sprintf("log group %s is missing", names.LogGroup))
	} else if aws.ToInt32(o.LogGroup.RetentionInDays) != spec.Function.LogRetentionDays {
		d = append(d, fmt.Sprintf("log group %s: retention changed outside Terraform", names.LogGroup))
	}
	return d, nil
}

// Drift messages whose repair calls RotateSecret.
const (
	driftRotationDisabled = "rotation is disabled on the secret"
	driftOtherFunction    = "the secret rotates with another function"
	driftScheduleChanged  = "the rotation schedule was changed outside Terraform"
	driftFunctionMissing  = "is missing"
)

// DriftReconfiguresRotation reports whether repairing the drift item (one
// of Drift's messages) calls RotateSecret, and so rotates at once when
// rotate_immediately is set.
func DriftReconfiguresRotation(item string) bool {
	return strings.HasPrefix(item, driftRotationDisabled) || strings.HasPrefix(item, driftOtherFunction) ||
		item == driftScheduleChanged ||
		(strings.HasPrefix(item, "rotation function ") && strings.HasSuffix(item, driftFunctionMissing))
}

// rulesMatch compares the observed schedule with spec. AWS reports a days
// schedule as both AutomaticallyAfterDays and "rate(N days)".
func rulesMatch(r RotationSpec, sec *secretsmanager.DescribeSecretOutput) bool {
	rules := sec.RotationRules
	if rules == nil {
		return false
	}
	if r.Duration != "" && aws.ToString(rules.Duration) != r.Duration {
		return false
	}
	if r.ScheduleExpression != "" {
		return aws.ToString(rules.ScheduleExpression) == r.ScheduleExpression
	}
	// AWS reports AutomaticallyAfterDays for every schedule ("calculated
	// from the rotation schedule", RotationRulesType): a cron() that fires
	// daily also shows 1. It means a days schedule only when no other
	// expression is set.
	if expr := aws.ToString(rules.ScheduleExpression); expr != "" {
		return expr == fmt.Sprintf("rate(%d days)", r.AutomaticallyAfterDays) ||
			(r.AutomaticallyAfterDays == 1 && expr == "rate(1 day)")
	}
	return aws.ToInt64(rules.AutomaticallyAfterDays) == r.AutomaticallyAfterDays
}

// functionDiff names the function settings that differ from spec (code
// is compared through code_sha256 by the caller).
func functionDiff(spec Spec, secretARN string, fn *lambda.GetFunctionOutput) []string {
	c := fn.Configuration
	var out []string
	if aws.ToInt32(c.MemorySize) != spec.Function.MemorySize {
		out = append(out, "memory_size")
	}
	if aws.ToInt32(c.Timeout) != spec.Function.Timeout {
		out = append(out, "timeout")
	}
	if len(c.Architectures) != 1 || string(c.Architectures[0]) != spec.Function.Architecture {
		out = append(out, "architecture")
	}
	if spec.BringsOwnRole() && aws.ToString(c.Role) != spec.Function.RoleARN {
		out = append(out, "role")
	} else if !spec.BringsOwnRole() && aws.ToString(c.Role) != spec.roleARN(spec.Names().Role) {
		out = append(out, "role")
	}
	var env map[string]string
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	if !maps.Equal(env, spec.FunctionConfig(secretARN).Env()) {
		out = append(out, "environment")
	}
	var subnets, sgs []string
	if c.VpcConfig != nil {
		subnets, sgs = c.VpcConfig.SubnetIds, c.VpcConfig.SecurityGroupIds
	}
	if !sameSet(subnets, spec.Function.SubnetIDs) || !sameSet(sgs, spec.Function.SecurityGroupIDs) {
		out = append(out, "VPC configuration")
	}
	if c.Runtime != Runtime || aws.ToString(c.Handler) != Handler {
		out = append(out, "runtime")
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Facts are the computed values a Read reports.
type Facts struct {
	SecretARN        string
	SecretName       string
	Description      string
	KMSKeyID         string
	Tags             map[string]string // user tags (system tags removed)
	CurrentVersionID string
	RotationEnabled  bool
	LastRotatedDate  *time.Time
	NextRotationDate *time.Time
	FunctionARN      string
	CodeSHA256       string
	RoleARN          string
	Architecture     string
}

// Facts extracts the values the resource shows.
func (o *Observed) Facts() Facts {
	f := Facts{
		SecretARN:        aws.ToString(o.Secret.ARN),
		SecretName:       aws.ToString(o.Secret.Name),
		Description:      aws.ToString(o.Secret.Description),
		KMSKeyID:         aws.ToString(o.Secret.KmsKeyId),
		Tags:             UserTags(SecretTags(o.Secret.Tags)),
		RotationEnabled:  aws.ToBool(o.Secret.RotationEnabled),
		LastRotatedDate:  o.Secret.LastRotatedDate,
		NextRotationDate: o.Secret.NextRotationDate,
	}
	for _, id := range slices.Sorted(maps.Keys(o.Secret.VersionIdsToStages)) {
		if slices.Contains(o.Secret.VersionIdsToStages[id], "AWSCURRENT") {
			f.CurrentVersionID = id
		}
	}
	if o.Function != nil {
		c := o.Function.Configuration
		f.FunctionARN = aws.ToString(c.FunctionArn)
		f.CodeSHA256 = aws.ToString(c.CodeSha256)
		f.RoleARN = aws.ToString(c.Role)
		if len(c.Architectures) == 1 {
			f.Architecture = string(c.Architectures[0])
		}
	}
	return f
}

// Managed reports what an imported secret lacks to be one this provider
// set up; nil means it is ours.
func (o *Observed) Managed(names Names) error {
	var missing []string
	if SecretTags(o.Secret.Tags)[ManagedByTag] != ManagedByValue {
		missing = append(missing, fmt.Sprintf("the tag %s=%s on the secret", ManagedByTag, ManagedByValue))
	}
	if o.Function == nil {
		missing = append(missing, "its rotation function "+names.Function)
	} else if o.Function.Tags[ManagedByTag] != ManagedByValue {
		missing = append(missing, fmt.Sprintf("the tag %s=%s on the rotation function", ManagedByTag, ManagedByValue))
	}
	if len(missing) == 0 {
		return nil
	}
	return &NotManagedError{SecretARN: aws.ToString(o.Secret.ARN), Missing: missing}
}

// NotManagedError says an imported secret was not set up by this provider.
type NotManagedError struct {
	SecretARN string
	Missing   []string
}

func (e *NotManagedError) Error() string {
	return fmt.Sprintf("secret %s was not set up by terraform-provider-rotator: missing %v", e.SecretARN, e.Missing)
}
