package provider_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
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

// rotated reports, from the staging labels alone, whether a rotation
// completed: AWSCURRENT moved to a new version (the old one holds
// AWSPREVIOUS) and no AWSPENDING is left on a version that is not current
// (a stuck rotation also leaves two versions).
func rotated(out *secretsmanager.DescribeSecretOutput) error {
	var current, previous string
	for id, stages := range out.VersionIdsToStages {
		has := func(s string) bool { return slices.Contains(stages, s) }
		switch {
		case has("AWSCURRENT"):
			current = id
		case has("AWSPENDING"):
			return fmt.Errorf("AWSPENDING is stuck on version %s: the rotation did not finish", id)
		}
		if has("AWSPREVIOUS") {
			previous = id
		}
	}
	if current == "" || previous == "" || current == previous || out.LastRotatedDate == nil {
		return fmt.Errorf("no completed rotation: AWSCURRENT on %q, AWSPREVIOUS on %q, last rotated %v", current, previous, out.LastRotatedDate)
	}
	return nil
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

func sha256b64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// derivedNames are the children's names for the secret name (the naming
// contract users see in function_name and log_group_name).
func derivedNames(env *acctest.Env, name string) stack.Names { return stack.NamesFor(env.Region, name) }

func fnName(env *acctest.Env, name string) string { return derivedNames(env, name).Function }

// functionEnv reads the rotation function's environment with GetFunction.
func functionEnv(env *acctest.Env, name string) (map[string]string, error) {
	out, err := env.Clients.Lambda.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(fnName(env, name))})
	if err != nil {
		return nil, err
	}
	if out.Configuration == nil || out.Configuration.Environment == nil {
		return nil, fmt.Errorf("function %s has no environment", fnName(env, name))
	}
	return out.Configuration.Environment.Variables, nil
}

// rawTags reads the tags of the secret, function, role and log group with
// each service's own tag call.
func rawTags(env *acctest.Env, name string) (map[string]map[string]string, error) {
	ctx := context.Background()
	n := derivedNames(env, name)
	out := map[string]map[string]string{}
	sec, err := env.Clients.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return nil, err
	}
	out["secret"] = map[string]string{}
	for _, t := range sec.Tags {
		out["secret"][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	fn, err := env.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)})
	if err != nil {
		return nil, err
	}
	out["function"] = fn.Tags
	role, err := env.Clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n.Role)})
	if err != nil {
		return nil, err
	}
	out["role"] = map[string]string{}
	for _, t := range role.Role.Tags {
		out["role"][aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	lg, err := env.Clients.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{
		ResourceArn: aws.String(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", env.Region, env.Account, n.LogGroup)),
	})
	if err != nil {
		return nil, err
	}
	out["log group"] = lg.Tags
	return out, nil
}

// minimalZip is a deployment package with an empty bootstrap, for objects
// a user made by hand.
func minimalZip() ([]byte, error) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("bootstrap")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte("#!/bin/sh\n")); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// rolePolicy reads the role's inline policy document with GetRolePolicy
// (IAM returns it URL-encoded).
func rolePolicy(env *acctest.Env, n stack.Names) (string, error) {
	out, err := env.SDK.IAM.GetRolePolicy(context.Background(), &iam.GetRolePolicyInput{RoleName: aws.String(n.Role), PolicyName: aws.String(n.RolePolicy)})
	if err != nil {
		return "", err
	}
	return url.QueryUnescape(aws.ToString(out.PolicyDocument))
}

// initialVariable declares the ephemeral variable a configuration feeds
// initial_value_wo from, as real use would.
const initialVariable = `
variable "initial" {
  type      = string
  ephemeral = true
  sensitive = true
}
`

// currentKept remembers AWSCURRENT's version and value (remember, as a
// step's check) and checks in later steps that an edit kept both (kept).
type currentKept struct {
	t              *testing.T
	env            *acctest.Env
	name           string
	version, value string
}

func keepCurrent(t *testing.T, env *acctest.Env, name string) *currentKept {
	return &currentKept{t: t, env: env, name: name}
}

func (k *currentKept) remember(*terraform.State) error {
	var err error
	k.version = currentVersion(describe(k.t, k.env, k.name))
	k.value, err = currentValue(k.env, k.name)
	return err
}

func (k *currentKept) kept(*terraform.State) error {
	v, err := currentValue(k.env, k.name)
	if err != nil {
		return err
	}
	if got := currentVersion(describe(k.t, k.env, k.name)); got != k.version || v != k.value {
		return fmt.Errorf("AWSCURRENT is now version %s (value kept: %v); want version %s and its value", got, v == k.value, k.version)
	}
	return nil
}
