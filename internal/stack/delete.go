package stack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Delete removes every child in reverse order: it cancels rotation,
// removes the permission, the function, the log group, the role policy
// and the role (only one the stack created), and finally deletes the
// secret with spec.RecoveryWindowDays (0 deletes without recovery). A
// child that is already gone is fine, so Delete also cleans up after a
// failed Create. secretID is the ARN, or the name when Create failed
// before the secret existed (then nothing is deleted).
func (s *Stack) Delete(ctx context.Context, spec Spec, secretID string) error {
	names := spec.Names()
	sec, err := FindSecret(ctx, s.c.SecretsManager, secretID)
	switch {
	case IsNotFound(err):
		sec = nil
	case err != nil:
		return stepErr("reading the secret", KindSecret, err)
	}
	if sec != nil && aws.ToBool(sec.RotationEnabled) {
		if _, err := s.c.SecretsManager.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: sec.ARN}); err != nil && !isCode(err, codeResourceNotFound) {
			return stepErr("cancelling rotation", KindSecret, err)
		}
	}
	if _, err := s.c.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{
		FunctionName: aws.String(names.Function), StatementId: aws.String(names.StatementID),
	}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("removing the invoke permission", KindPermission, err)
	}
	if _, err := s.c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(names.Function)}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the rotation function", KindFunction, err)
	}
	if _, err := s.c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(names.LogGroup)}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the log group", KindLogGroup, err)
	}
	if !spec.BringsOwnRole() {
		if err := s.deleteRole(ctx, names.Role, names.RolePolicy); err != nil {
			return err
		}
	}
	if sec == nil {
		return nil
	}
	in := &secretsmanager.DeleteSecretInput{SecretId: sec.ARN}
	if spec.RecoveryWindowDays == 0 {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(int64(spec.RecoveryWindowDays))
	}
	if _, err := s.c.SecretsManager.DeleteSecret(ctx, in); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the secret", KindSecret, err)
	}
	return nil
}
