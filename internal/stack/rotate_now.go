package stack

// rotate_now.go starts one rotation of a secret with its stored rotation
// configuration (the rotator_rotate action) and waits for its outcome
// with waitRotation (wait.go).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
)

// RotateNow rotates the secret once with its stored rotation configuration
// and waits for the outcome (wait.go: up to RotationWaitTimeout). It
// returns the new AWSCURRENT version ID, or a *RotationFailedError naming
// the failed step and quoting the function's own lines.
func (s *Stack) RotateNow(ctx context.Context, secretID string) (string, error) {
	secret, err := FindSecret(ctx, s.c.SecretsManager, secretID)
	if err != nil {
		return "", err
	}
	secretARN := aws.ToString(secret.ARN)
	fn := aws.ToString(secret.RotationLambdaARN)
	if fn == "" || !aws.ToBool(secret.RotationEnabled) {
		return "", fmt.Errorf("secret %s has no rotation configured: set up its rotation (rotator_rotated_secret does) before rotating it", secretARN)
	}
	if err := CheckPending(secret); err != nil {
		return "", err
	}
	token := uuid.NewString()
	started := time.Now()
	if _, err := s.c.SecretsManager.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(secretARN),
		ClientRequestToken: aws.String(token),
	}); err != nil {
		return "", stepErr("starting a rotation (RotateSecret)", KindSecret, err)
	}
	if err := s.waitRotation(ctx, secretARN, logGroupOf(fn), token, true, started); err != nil {
		return "", err
	}
	return token, nil
}

// logGroupOf is the log group Lambda writes a function's lines to.
func logGroupOf(functionARN string) string {
	name := functionARN
	if a, err := arn.Parse(functionARN); err == nil {
		name = strings.TrimPrefix(a.Resource, "function:")
		name, _, _ = strings.Cut(name, ":") // drop a qualifier
	}
	return "/aws/lambda/" + name
}
