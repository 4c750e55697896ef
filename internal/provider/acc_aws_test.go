package provider_test

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func deleteFunction(ctx context.Context, c stack.Clients, n stack.Names) error {
	_, err := c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(n.Function)})
	return err
}

func removePermission(ctx context.Context, c stack.Clients, n stack.Names) error {
	_, err := c.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(n.Function), StatementId: aws.String(n.StatementID)})
	return err
}

func deleteLogGroup(ctx context.Context, c stack.Clients, n stack.Names) error {
	_, err := c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(n.LogGroup)})
	return err
}

func deleteRolePolicy(ctx context.Context, c stack.Clients, n stack.Names) error {
	_, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(n.Role), PolicyName: aws.String(n.RolePolicy)})
	return err
}

// deleteRole deletes the role as an operator would right after deleting
// its policy: IAM is eventually consistent, so DeleteRole answers
// DeleteConflict until the policy's removal has propagated, and is
// retried (for at most a minute).
func deleteRole(ctx context.Context, c stack.Clients, n stack.Names) error {
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(n.Role)})
		if stack.ErrorCode(err) != "DeleteConflict" || time.Now().After(deadline) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// widenRolePolicy replaces the inline policy with a broader one.
func widenRolePolicy(ctx context.Context, c stack.Clients, n stack.Names) error {
	_, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(n.Role), PolicyName: aws.String(n.RolePolicy),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`),
	})
	return err
}

func rulesDays(d int64) *smtypes.RotationRulesType {
	return &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(d)}
}
