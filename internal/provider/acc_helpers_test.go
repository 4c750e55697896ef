package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// describe returns the secret's current version and rotation state.
func describe(t *testing.T, env *acctest.Env, name string) *secretsmanager.DescribeSecretOutput {
	t.Helper()
	out, err := env.Clients.SecretsManager.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeSecret %s: %v", name, err)
	}
	return out
}

func currentVersion(out *secretsmanager.DescribeSecretOutput) string {
	for id, stages := range out.VersionIdsToStages {
		for _, s := range stages {
			if s == "AWSCURRENT" {
				return id
			}
		}
	}
	return ""
}

// currentValue reads the live secret value through the SDK (only to prove
// it appears nowhere else).
func currentValue(env *acctest.Env, name string) (string, error) {
	out, err := env.Clients.SecretsManager.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.SecretString), nil
}

// checkSecret runs f on DescribeSecret's answer.
func checkSecret(env *acctest.Env, name string, f func(*secretsmanager.DescribeSecretOutput) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := env.Clients.SecretsManager.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			return err
		}
		return f(out)
	}
}

// rotated says whether a rotation completed, judged by the labels as AWS
// leaves them (a stuck AWSPENDING also makes two versions, review E2):
// AWSPREVIOUS sits on a version other than AWSCURRENT, no AWSPENDING is
// left on another version, and LastRotatedDate is set.
func rotated(out *secretsmanager.DescribeSecretOutput) error {
	cur, moved := currentVersion(out), false
	for id, stages := range out.VersionIdsToStages {
		for _, st := range stages {
			if st == "AWSPREVIOUS" && id != cur {
				moved = true
			}
			if st == "AWSPENDING" && id != cur {
				return errorf("AWSPENDING left on version %s: the rotation did not finish", id)
			}
		}
	}
	if !moved || out.LastRotatedDate == nil {
		return errorf("no completed rotation: AWSCURRENT moved = %t, LastRotatedDate = %v", moved, out.LastRotatedDate)
	}
	return nil
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

func sha256b64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}
