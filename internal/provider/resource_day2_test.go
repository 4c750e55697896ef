package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// Day-two edits and failures: every test does what a user does in the
// second week and checks AWS with plain SDK calls, not through the
// provider's own Read. The framework fails a step whose next plan is not
// empty, so each step also proves convergence.

// emptyPlanAfterApply states the convergence check explicitly.
var emptyPlanAfterApply = resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}

// injectFault makes the emulator fail the next count calls of op.
func injectFault(t *testing.T, env *acctest.Env, service, op string) {
	t.Helper()
	if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{
		Service: service, Operation: op, Count: 1, Code: "AccessDeniedException", Message: "injected by the test",
	}); err != nil {
		t.Fatalf("InjectFault: %v", err)
	}
}

// TestAccRotatedSecret_removeShortTagKey removes the tag "env" (shorter than
// four characters) and checks that every object lost it on AWS.
func TestAccRotatedSecret_removeShortTagKey(t *testing.T) {
	env, name := acctest.Start(t)
	hasTag := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			all, err := rawTags(env, name)
			if err != nil {
				return err
			}
			for object, tags := range all {
				if _, ok := tags["env"]; ok != want || tags["team"] != "pay" {
					return fmt.Errorf("%s tags = %v; want env present %t and team=pay", object, tags, want)
				}
			}
			return nil
		}
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, `tags = { env = "dev", team = "pay" }`+rotation30d), Check: hasTag(true)},
			{Config: basicConfig(env, name, `tags = { team = "pay" }`+rotation30d), Check: hasTag(false), ConfigPlanChecks: emptyPlanAfterApply},
		},
	})
}

// TestAccRotatedSecret_renameRotatedField renames rotated_field with a
// secret_template: the current value moves to the new key, and the
// function rotates the new key from then on.
func TestAccRotatedSecret_renameRotatedField(t *testing.T) {
	env, name := acctest.Start(t)
	var before map[string]any
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: basicConfig(env, name, `secret_template = jsonencode({ username = "app" })`+rotation30d),
				Check:  func(*terraform.State) error { return currentJSON(env, name, &before) },
			},
			{
				Config: basicConfig(env, name, `secret_template = jsonencode({ username = "app" })
  rotated_field = "token"`+rotation30d),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: func(*terraform.State) error {
					var after map[string]any
					if err := currentJSON(env, name, &after); err != nil {
						return err
					}
					if _, ok := after["password"]; ok || after["token"] == nil || after["token"] != before["password"] || after["username"] != "app" {
						return fmt.Errorf("AWSCURRENT keys after the rename: %v; want username and token (holding the old password), no password", keys(after))
					}
					env, err := functionEnv(env, name)
					if err != nil {
						return err
					}
					if env["ROTATOR_ROTATED_FIELD"] != "token" {
						return fmt.Errorf("function rotates %q, want token", env["ROTATOR_ROTATED_FIELD"])
					}
					return nil
				},
			},
		},
	})
}

// TestAccRotatedSecret_valueWriteRecordedWhenLaterStepFails bumps
// initial_value_wo_version together with a schedule change whose
// RotateSecret fails: the new value is written last and recorded, so the
// retry does not write it again over what the secret holds by then.
func TestAccRotatedSecret_valueWriteRecordedWhenLaterStepFails(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs the emulator's fault injection")
	cfg := func(version, days int) string {
		return initialVariable + basicConfig(env, name, fmt.Sprintf(`
  initial_value_wo         = var.initial
  initial_value_wo_version = %d
  rotation {
    automatically_after_days = %d
  }
  function {
    architecture = "x86_64"
  }`, version, days))
	}
	var written string
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(1, 30), ConfigVariables: config.Variables{"initial": config.StringVariable("first-Value-1")}},
			{
				PreConfig:       func() { injectFault(t, env, "secretsmanager", "RotateSecret") },
				Config:          cfg(2, 10),
				ConfigVariables: config.Variables{"initial": config.StringVariable("second-Value-2")},
				ExpectError:     regexp.MustCompile(`RotateSecret`),
			},
			{
				// The retry: the value was written, so it is not written again.
				PreConfig: func() {
					if v, err := currentValue(env, name); err != nil || v != "second-Value-2" {
						t.Fatalf("after the failed apply AWSCURRENT = %q, %v; want the new value written", v, err)
					}
					written = currentVersion(describe(t, env, name))
				},
				Config:           cfg(2, 10),
				ConfigVariables:  config.Variables{"initial": config.StringVariable("second-Value-2")},
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
					if v := currentVersion(out); v != written {
						return fmt.Errorf("AWSCURRENT moved from %s to %s: the retry wrote initial_value_wo again", written, v)
					}
					if got := aws.ToInt64(out.RotationRules.AutomaticallyAfterDays); got != 10 {
						return fmt.Errorf("AutomaticallyAfterDays = %d, want 10", got)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccRotatedSecret_failedCreateFreesName fails a create after
// CreateSecret with a generated value and a 30-day recovery window: the
// failed create cleans up at once and deletes the secret without
// recovery, so the next apply can create the same name at once.
func TestAccRotatedSecret_failedCreateFreesName(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs the emulator's fault injection")
	cfg := env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                    = %q
  recovery_window_in_days = 30
%s
}
`, name, rotation30d)
	env.Test(t, resource.TestCase{
		CheckDestroy: checkScheduledForDeletion(env, name, 30),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { injectFault(t, env, "lambda", "AddPermission") },
				Config:      cfg,
				ExpectError: regexp.MustCompile(words("held only a value the provider generated", "without recovery", "name is free")),
			},
			{
				PreConfig: func() {
					if _, err := env.Clients.SecretsManager.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}); err == nil {
						t.Fatalf("secret %s still exists (or is scheduled for deletion) after the failed create", name)
					}
				},
				Config: cfg, ConfigPlanChecks: emptyPlanAfterApply, Check: checkChildren(env, name, false),
			},
		},
	})
}

// TestAccRotatedSecret_failedCreateKeepsUsersValue fails a create whose
// secret holds the user's initial_value_wo: the diagnostic says it stays
// recoverable, and the cleanup schedules its deletion instead of purging it.
func TestAccRotatedSecret_failedCreateKeepsUsersValue(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs the emulator's fault injection")
	cfg := initialVariable + env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                     = %q
  recovery_window_in_days  = 7
  initial_value_wo         = var.initial
  initial_value_wo_version = 1
%s
}
`, name, rotation30d)
	env.Test(t, resource.TestCase{
		CheckDestroy: checkScheduledForDeletion(env, name, 7),
		Steps: []resource.TestStep{{
			PreConfig:       func() { injectFault(t, env, "lambda", "AddPermission") },
			Config:          cfg,
			ConfigVariables: config.Variables{"initial": config.StringVariable("users-Own-Value-9")},
			ExpectError:     regexp.MustCompile(words("holds the initial_value_wo you gave", "recoverable", "restore-secret")),
		}},
	})
}

// TestAccRotatedSecret_recreateAfterSecretDeletedOutOfBand deletes the
// secret outside Terraform: the next apply creates it again and adopts the
// function, role and log group it left behind (all tagged as ours).
func TestAccRotatedSecret_recreateAfterSecretDeletedOutOfBand(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := basicConfig(env, name, rotation30d)
	var oldARN string
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					oldARN = aws.ToString(describe(t, env, name).ARN)
					if _, err := env.Clients.SecretsManager.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{
						SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true),
					}); err != nil {
						t.Fatalf("DeleteSecret: %v", err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: func(*terraform.State) error {
					sec := describe(t, env, name)
					arn := aws.ToString(sec.ARN)
					if arn == oldARN {
						return fmt.Errorf("secret ARN %s did not change: not re-created", arn)
					}
					fenv, err := functionEnv(env, name)
					if err != nil {
						return err
					}
					if fenv["ROTATOR_SECRET_ARN"] != arn {
						return fmt.Errorf("function rotates %s, want the new secret %s", fenv["ROTATOR_SECRET_ARN"], arn)
					}
					if !aws.ToBool(sec.RotationEnabled) || aws.ToString(sec.RotationLambdaARN) == "" {
						return fmt.Errorf("rotation not configured on the new secret: %+v", sec.RotationRules)
					}
					pol, err := env.Clients.Lambda.GetPolicy(context.Background(), &lambda.GetPolicyInput{FunctionName: aws.String(fnName(env, name))})
					if err != nil {
						return err
					}
					if p := aws.ToString(pol.Policy); !regexp.MustCompile(regexp.QuoteMeta(arn)).MatchString(p) || regexp.MustCompile(regexp.QuoteMeta(oldARN)+`"`).MatchString(p) {
						return fmt.Errorf("invoke permission does not name only the new secret: %s", p)
					}
					return nil
				},
			},
		},
	})
}

// TestAccRotatedSecret_destroyKeepsUnownedObjects: a role, function and
// log group of the derived names that are not tagged as ours exist before
// the create (which refuses the role). Destroying the tainted resource
// deletes the secret and leaves the three alone.
func TestAccRotatedSecret_destroyKeepsUnownedObjects(t *testing.T) {
	env, name := acctest.Start(t)
	n := derivedNames(env, name)
	ctx := context.Background()
	env.Test(t, resource.TestCase{
		CheckDestroy: func(*terraform.State) error {
			if _, err := env.Clients.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}); err == nil {
				return fmt.Errorf("secret %s still exists", name)
			}
			if _, err := env.Clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n.Role)}); err != nil {
				return fmt.Errorf("the user's role %s was deleted: %w", n.Role, err)
			}
			if _, err := env.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)}); err != nil {
				return fmt.Errorf("the user's function %s was deleted: %w", n.Function, err)
			}
			out, err := env.Clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(n.LogGroup)})
			if err != nil || len(out.LogGroups) != 1 {
				return fmt.Errorf("the user's log group %s was deleted: %v", n.LogGroup, err)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			PreConfig: func() {
				trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
				role, err := env.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n.Role), AssumeRolePolicyDocument: aws.String(trust)})
				if err != nil {
					t.Fatalf("CreateRole: %v", err)
				}
				zip, err := minimalZip()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := env.Clients.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
					FunctionName: aws.String(n.Function), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
					Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: zip},
				}); err != nil {
					t.Fatalf("CreateFunction: %v", err)
				}
				if _, err := env.Clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n.LogGroup)}); err != nil {
					t.Fatalf("CreateLogGroup: %v", err)
				}
			},
			Config:      basicConfig(env, name, rotation30d),
			ExpectError: regexp.MustCompile(words("has no rotator:managed-by=terraform-provider-rotator tag")),
		}},
	})
}

// checkScheduledForDeletion proves a destroy with a recovery window: the
// secret still exists, scheduled for deletion about days from now.
func checkScheduledForDeletion(env *acctest.Env, name string, days int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := env.Clients.SecretsManager.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			return fmt.Errorf("secret %s is gone; want it scheduled for deletion in %d days: %w", name, days, err)
		}
		if out.DeletedDate == nil {
			return fmt.Errorf("secret %s is not scheduled for deletion", name)
		}
		return nil
	}
}

func currentJSON(env *acctest.Env, name string, v any) error {
	s, err := currentValue(env, name)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(s), v)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// words matches the phrases in order, across the line breaks OpenTofu
// inserts when it wraps a diagnostic.
func words(phrases ...string) string {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return "(?s)" + strings.Join(quoted, ".*")
}
