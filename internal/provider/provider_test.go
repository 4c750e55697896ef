package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// callerRole creates a role the provider assumes with the policy doc.
func callerRole(t *testing.T, env *acctest.Env, name, doc string) string {
	t.Helper()
	ctx := context.Background()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, env.Account)
	out, err := env.SDK.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := env.SDK.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String("terraform"), PolicyDocument: aws.String(doc),
	}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	// The caller's role exists well before Terraform runs: let it
	// propagate (IAM eventual consistency) instead of racing it.
	env.SettleIAM(ctx)
	return aws.ToString(out.Role.Arn)
}

// allDocumentedBut is a policy of every documented caller permission
// except drop, on every resource.
func allDocumentedBut(t *testing.T, drop string) string {
	t.Helper()
	var actions []string
	for _, p := range stack.CallerPermissions() {
		if p.Action != drop {
			actions = append(actions, p.Action)
		}
	}
	doc, err := json.Marshal(map[string]any{
		"Version":   "2012-10-17",
		"Statement": []map[string]any{{"Effect": "Allow", "Action": actions, "Resource": "*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// readmeCallerPolicy is the resource-scoped caller policy the README tells
// users to grant, for account.
func readmeCallerPolicy(t *testing.T, account string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\\n(\\{\\s*\\n\\s*\"Version\": \"2012-10-17\".*?)\\n```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no caller policy block")
	}
	doc := strings.ReplaceAll(string(m[1]), "ACCOUNT", account)
	if !json.Valid([]byte(doc)) {
		t.Fatalf("README's caller policy is not valid JSON:\n%s", doc)
	}
	return doc
}

func assumeRoleConfig(env *acctest.Env, roleARN, secret string) string {
	return assumeRoleConfigWith(env, roleARN, secret, `
  tags = { team = "a" }`+rotateNow30d)
}

// assumeRoleConfigWith is a rotated secret managed through an assumed
// caller role, with body as the resource's arguments.
func assumeRoleConfigWith(env *acctest.Env, roleARN, secret, body string) string {
	return providerWith(env, fmt.Sprintf(`  access_key = "test"
  secret_key = "test"
  assume_role {
    role_arn     = %q
    session_name = "acc"
    duration     = "30m"
  }
`, roleARN)) + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                    = %q
  recovery_window_in_days = 0
%s
}
`, secret, body)
}

// TestAccProvider_documentedPermissionsSuffice runs create, import, an
// update of every attribute the README's policy covers (a replica added,
// then removed), disabling rotation and destroy as a role that has exactly the README's
// resource-scoped caller policy (the emulator enforces role policies).
func TestAccProvider_documentedPermissionsSuffice(t *testing.T) {
	env, name := acctest.StartEmulator(t, "creates an IAM role to assume in the emulator")
	roleARN := callerRole(t, env, "caller-"+name, readmeCallerPolicy(t, env.Account))
	updated := `
  description     = "updated"
  tags            = { team = "b", env = "prod" }
  secret_template = jsonencode({ username = "app" })
  policy          = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:DeleteSecret", Resource = "*" }] })
  rotation {
    schedule_expression = "rate(10 days)"
    duration            = "2h"
  }
  function {
    architecture          = "x86_64"
    memory_size           = 256
    timeout               = 60
    log_retention_in_days = 0
  }
  replica {
    region = "eu-west-1"
  }`
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: assumeRoleConfig(env, roleARN, name), Check: checkChildren(env, name, false)},
			{
				ResourceName: res, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"recovery_window_in_days", "rotation.rotate_immediately", "rotates_on_apply", "current_version_id", "last_rotated_date", "next_rotation_date"},
			},
			{
				Config:           assumeRoleConfigWith(env, roleARN, name, updated),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeTestCheckFunc(
					checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
						r := out.RotationRules
						if aws.ToString(out.Description) != "updated" || aws.ToString(r.ScheduleExpression) != "rate(10 days)" || aws.ToString(r.Duration) != "2h" {
							return fmt.Errorf("description %q, schedule %q, duration %q: the update did not reach AWS",
								aws.ToString(out.Description), aws.ToString(r.ScheduleExpression), aws.ToString(r.Duration))
						}
						pol, err := env.SDK.SecretsManager.GetResourcePolicy(context.Background(), &secretsmanager.GetResourcePolicyInput{SecretId: out.ARN})
						if err != nil || !strings.Contains(aws.ToString(pol.ResourcePolicy), "secretsmanager:DeleteSecret") {
							return fmt.Errorf("resource policy not attached (%v)", err)
						}
						if len(out.ReplicationStatus) != 1 || aws.ToString(out.ReplicationStatus[0].Region) != "eu-west-1" {
							return fmt.Errorf("replication status %+v; want a replica in eu-west-1", out.ReplicationStatus)
						}
						return nil
					}),
					func(*terraform.State) error {
						all, err := rawTags(env, name)
						if err != nil {
							return err
						}
						for object, tags := range all {
							if tags["team"] != "b" || tags["env"] != "prod" {
								return fmt.Errorf("%s tags = %v; want team=b, env=prod", object, tags)
							}
						}
						fn, err := env.SDK.Lambda.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(fnName(env, name))})
						if err != nil {
							return err
						}
						if c := fn.Configuration; aws.ToInt32(c.MemorySize) != 256 || aws.ToInt32(c.Timeout) != 60 {
							return fmt.Errorf("function memory %d, timeout %d; want 256 and 60", aws.ToInt32(c.MemorySize), aws.ToInt32(c.Timeout))
						}
						return nil
					},
				),
			},
			{
				Config: assumeRoleConfigWith(env, roleARN, name, `
  rotation {
    automatically_after_days = 30
    enabled                  = false
  }
  function {
    architecture = "x86_64"
  }`),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
					if aws.ToBool(out.RotationEnabled) {
						return fmt.Errorf("rotation still enabled")
					}
					if len(out.ReplicationStatus) != 0 {
						return fmt.Errorf("replication status %+v; want the replica removed", out.ReplicationStatus)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccProvider_missingPermissionFails shows the diagnostic when the
// caller lacks a documented permission.
func TestAccProvider_missingPermissionFails(t *testing.T) {
	env, name := acctest.StartEmulator(t, "creates an IAM role to assume in the emulator")
	roleARN := callerRole(t, env, "caller-"+name, allDocumentedBut(t, "lambda:CreateFunction"))
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      assumeRoleConfig(env, roleARN, name),
			ExpectError: regexp.MustCompile(`(?s)AWS denied a call the provider needs.*creating the rotation function`),
		}},
	})
}
