package stack

import (
	"context"
	"errors"
	"fmt"
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
	// Names are the children's names, derived from the secret's.
	Names      Names
	Secret     *secretsmanager.DescribeSecretOutput
	Function   *lambda.GetFunctionOutput
	RolePolicy *string // nil: missing (or the role is gone); not read for a user's role
	Permission *PermissionStatement
	LogGroup   *logtypes.LogGroup
	// ResourcePolicy is read only when the spec has one.
	ResourcePolicy *string
	// VersionDates are the creation dates of the versions holding
	// AWSCURRENT and AWSPENDING, once ReadVersionDates ran (health.go).
	VersionDates VersionDates
	// ServerTime is Secrets Manager's clock when it answered DescribeSecret.
	ServerTime time.Time
	// AlertRule is read only when the spec has alerts; nil when it is
	// missing (or not read). Its RuleARN is derived from its name.
	AlertRule *AlertState
}

// Read observes every child with the fewest calls that can still see each
// one: DescribeSecret, GetFunction (configuration and tags), GetPolicy (the
// invoke permission), GetRolePolicy (only for a role the stack created),
// DescribeLogGroups and, only when the spec sets one, GetResourcePolicy;
// with alerts, a sixth: ListTargetsByRule (FindAlertTarget).
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
	o.Names = names

	// Each task sets its own field of o and its own slot of errs.
	var wg sync.WaitGroup
	errs := make([]error, 7)
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
			pol, err := s.readPolicy(ctx, secretID)
			o.ResourcePolicy = &pol
			return err
		})
	}
	if spec.Alerts != nil {
		run(6, func() error {
			a, err := FindAlertTarget(ctx, s.c.Events, names)
			if err == nil {
				o.AlertRule = &a
			}
			return ignoreNotFound(stepErr("reading the alert rule's target (EventBridge ListTargetsByRule)", KindAlertRule, err))
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
	o.ServerTime = serverTime(o.Secret)
	if a := o.AlertRule; a != nil {
		sp := spec.WithAccountFrom(aws.ToString(o.Secret.ARN))
		a.RuleARN = AlertRuleARN(sp.partition(), sp.Region, sp.Account, a.RuleName)
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
	// Replicas are the secret's replicas, from the same DescribeSecret.
	Replicas []Replica
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
	f.CurrentVersionID = currentVersion(o.Secret)
	f.Replicas = Replicas(o.Secret)
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

// RotationSeen is the secret's rotation configuration and our function.
func (o *Observed) RotationSeen() RotationSeen {
	fn := ""
	if o.Function != nil {
		fn = aws.ToString(o.Function.Configuration.FunctionArn)
	}
	return SeenRotation(o.Secret, fn)
}

// Managed reports what an imported secret lacks to be one this provider
// set up; nil means it is ours.
func (o *Observed) Managed() error {
	names := o.Names
	var missing []string
	if !isOwned(SecretTags(o.Secret.Tags)) {
		missing = append(missing, fmt.Sprintf("the tag %s=%s on the secret", ManagedByTag, ManagedByValue))
	}
	if o.Function == nil {
		missing = append(missing, "its rotation function "+names.Function)
	} else if !isOwned(o.Function.Tags) {
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
