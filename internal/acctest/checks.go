package acctest

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// The checks here see AWS with plain SDK calls, never through the stack's
// finders or drift logic, so they judge the provider rather than repeat it.
// Only the naming contract (stack.NamesFor, shown to users as
// function_name and log_group_name) is shared.

// ResourceType is the resource the checks look for in state.
const ResourceType = "rotator_rotated_secret"

// CheckDestroy proves that every child of every rotated secret in the
// state is gone: the function, the log group and, unless the user brought
// one, the role; and the secret as the recovery window says: with 0 it is
// gone for good, with more it is scheduled for deletion.
func (e *Env) CheckDestroy(s *terraform.State) error {
	var errs []error
	for _, rs := range s.RootModule().Resources {
		if rs.Type != ResourceType {
			continue
		}
		a := rs.Primary.Attributes
		window, err := strconv.Atoi(a["recovery_window_in_days"])
		if err != nil {
			window = 30 // the schema's default
		}
		ctx := context.Background()
		errs = append(errs, e.CheckGone(ctx, a["name"], a["function.role_arn"] != ""), e.CheckSecretDeleted(ctx, a["name"], window))
	}
	return errors.Join(errs...)
}

// CheckSecretDeleted checks the secret name was deleted with window days
// of recovery: gone for good when window is 0, else scheduled for deletion.
func (e *Env) CheckSecretDeleted(ctx context.Context, name string, window int) error {
	out, err := e.SDK.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	switch {
	case isCode(err, "ResourceNotFoundException") && window == 0:
		return nil
	case isCode(err, "ResourceNotFoundException"):
		return fmt.Errorf("secret %s is gone for good; recovery_window_in_days = %d must only schedule its deletion", name, window)
	case err != nil:
		return fmt.Errorf("checking secret %s: %w", name, err)
	case out.DeletedDate == nil:
		return fmt.Errorf("secret %s still exists", name)
	case window == 0:
		return fmt.Errorf("secret %s is scheduled for deletion; recovery_window_in_days = 0 must delete it at once", name)
	}
	return nil
}

// CheckGone checks that no child of the rotated secret name remains.
func (e *Env) CheckGone(ctx context.Context, name string, byoRole bool) error {
	names := stack.NamesFor(e.Region, name)
	var errs []error
	left := func(kind, id string, err error, notFound string) {
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("%s %s still exists", kind, id))
		case !isCode(err, notFound):
			errs = append(errs, fmt.Errorf("checking %s %s: %w", kind, id, err))
		}
	}
	_, err := e.SDK.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(names.Function)})
	left("function", names.Function, err, "ResourceNotFoundException")
	if found, err := e.logGroupExists(ctx, names.LogGroup); err != nil || found {
		left("log group", names.LogGroup, err, "")
	}
	if !byoRole {
		_, err = e.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(names.Role)})
		left("role", names.Role, err, "NoSuchEntity")
	}
	rule := stack.AlertRuleName(names)
	_, err = e.SDK.Events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rule)})
	left("alert rule", rule, err, "ResourceNotFoundException")
	return errors.Join(errs...)
}

// CheckExists checks that every child of the rotated secret name exists.
func (e *Env) CheckExists(ctx context.Context, name string, byoRole bool) error {
	names := stack.NamesFor(e.Region, name)
	var errs []error
	if out, err := e.SDK.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}); err != nil {
		errs = append(errs, err)
	} else if out.DeletedDate != nil {
		errs = append(errs, fmt.Errorf("secret %s is scheduled for deletion", name))
	}
	if _, err := e.SDK.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(names.Function)}); err != nil {
		errs = append(errs, err)
	}
	if _, err := e.SDK.Lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(names.Function)}); err != nil {
		errs = append(errs, fmt.Errorf("invoke permission: %w", err))
	}
	if found, err := e.logGroupExists(ctx, names.LogGroup); err != nil || !found {
		errs = append(errs, fmt.Errorf("log group %s missing (%v)", names.LogGroup, err))
	}
	if !byoRole {
		if _, err := e.SDK.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(names.Role), PolicyName: aws.String(names.RolePolicy)}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// logGroupExists looks a log group up by exact name.
func (e *Env) logGroupExists(ctx context.Context, name string) (bool, error) {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(e.SDK.Logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return true, nil
			}
		}
	}
	return false, nil
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
