package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestAccRotatedSecret_scheduledRotation moves the emulator's clock past
// the schedule: a rotation runs, the current version changes, and the
// next plan is empty (the resource owns the secret, not a version).
func TestAccRotatedSecret_scheduledRotation(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs the emulator's clock")
	cfg := basicConfig(env, name, rotation30d)
	var before string

	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					before = currentVersion(describe(t, env, name))
					res, err := env.Admin.AdvanceClock(context.Background(), 31*24*time.Hour)
					if err != nil {
						t.Fatalf("AdvanceClock: %v", err)
					}
					if len(res.Rotations) != 1 || !res.Rotations[0].OK {
						t.Fatalf("rotations after advancing the clock = %+v; want one successful", res.Rotations)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
					if now := currentVersion(out); now == before || now == "" {
						return errorf("AWSCURRENT still on %s after the scheduled rotation", before)
					}
					return nil
				}),
			},
			{
				// The refreshed state shows the new version; still nothing to do.
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

// TestAccRotatedSecret_rotateImmediately shows rotates_on_apply in the
// plan and proves what happens at apply for both values.
func TestAccRotatedSecret_rotateImmediately(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	for _, tc := range []struct{ immediately bool }{{immediately: false}, {immediately: true}} {
		t.Run(fmt.Sprint(tc.immediately), func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			name := acctest.RandomName()
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config: basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 7
    rotate_immediately       = %t
  }
  function {
    architecture = "x86_64"
  }`, tc.immediately)),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(tc.immediately)),
					}},
					Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
						err := rotated(out)
						switch {
						case tc.immediately && err != nil:
							return errorf("rotate_immediately = true: %v", err)
						case !tc.immediately && (err == nil || len(out.VersionIdsToStages) != 1):
							return errorf("rotate_immediately = false rotated the secret: %v", out.VersionIdsToStages)
						}
						return nil
					}),
				}},
			})
		})
	}
}

// TestAccRotatedSecret_disable cancels rotation without destroying
// anything, then resumes it.
func TestAccRotatedSecret_disable(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := func(enabled bool) string {
		return basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 30
    enabled                  = %t
  }
  function {
    architecture = "x86_64"
  }`, enabled))
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(true)},
			{
				Config: cfg(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkChildren(env, name, false),
					checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
						if aws.ToBool(out.RotationEnabled) {
							return errorf("rotation still enabled")
						}
						return nil
					}),
				),
			},
			{
				Config: cfg(true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccRotatedSecret_disappears deletes or changes each child out of
// band: the next plan is an in-place repair that names the drift, and
// after the apply the plan is empty.
func TestAccRotatedSecret_disappears(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	cases := []struct {
		name   string
		drift  string
		break_ func(ctx context.Context, c stack.Clients, n stack.Names, secret string) error
	}{
		{"function", "rotation function .* is missing", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			return deleteFunction(ctx, c, n)
		}},
		{"permission", "invoke permission .* is missing", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			return removePermission(ctx, c, n)
		}},
		{"log_group", "log group .* is missing", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			return deleteLogGroup(ctx, c, n)
		}},
		{"role_policy", "IAM role .* or its inline policy .* is missing", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			return deleteRolePolicy(ctx, c, n)
		}},
		{"role_policy_changed", "inline policy .* was changed outside Terraform", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			return widenRolePolicy(ctx, c, n)
		}},
		{"role", "IAM role .* or its inline policy .* is missing", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			if err := deleteRolePolicy(ctx, c, n); err != nil {
				return err
			}
			return deleteRole(ctx, c, n)
		}},
		{"rotation_disabled", "rotation is disabled", func(ctx context.Context, c stack.Clients, _ stack.Names, secret string) error {
			_, err := c.SecretsManager.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(secret)})
			return err
		}},
		{"tags_changed", "", func(ctx context.Context, c stack.Clients, _ stack.Names, secret string) error {
			_, err := c.SecretsManager.TagResource(ctx, &secretsmanager.TagResourceInput{
				SecretId: aws.String(secret), Tags: []smtypes.Tag{{Key: aws.String("intruder"), Value: aws.String("x")}},
			})
			return err
		}},
		{"function_tags_changed", "rotation function .*: tags changed", func(ctx context.Context, c stack.Clients, n stack.Names, _ string) error {
			fn, err := c.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)})
			if err != nil {
				return err
			}
			_, err = c.Lambda.UntagResource(ctx, &lambda.UntagResourceInput{Resource: fn.Configuration.FunctionArn, TagKeys: []string{stack.ManagedByTag}})
			return err
		}},
		{"schedule_changed", "rotation schedule was changed", func(ctx context.Context, c stack.Clients, _ stack.Names, secret string) error {
			_, err := c.SecretsManager.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
				SecretId: aws.String(secret), RotateImmediately: aws.Bool(false),
				RotationRules: rulesDays(5),
			})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			name := acctest.RandomName()
			cfg := basicConfig(env, name, rotation30d)
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{
					{Config: cfg},
					{
						PreConfig: func() {
							if err := tc.break_(context.Background(), env.Clients, stack.NamesFor(env.Region, name), name); err != nil {
								t.Fatalf("breaking %s: %v", tc.name, err)
							}
						},
						RefreshState:       true,
						ExpectNonEmptyPlan: true,
						RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
							plancheck.ExpectNonEmptyPlan(),
						}},
						Check: refreshCheck(tc.drift),
					},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
						},
						Check: checkChildren(env, name, false),
					},
				},
			})
		})
	}
}

// refreshCheck expects the drift message, or (for tags, shown through
// tags_all as in the AWS provider) the out-of-band tag.
func refreshCheck(drift string) resource.TestCheckFunc {
	if drift == "" {
		return resource.TestCheckResourceAttr(res, "tags_all.intruder", "x")
	}
	return resource.TestMatchResourceAttr(res, "drift.0", regexp.MustCompile(drift))
}

// TestAccRotatedSecret_secretDisappears removes the resource from state
// only when the secret itself is gone.
func TestAccRotatedSecret_secretDisappears(t *testing.T) {
	env, name := acctest.Start(t)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, rotation30d)},
			{
				PreConfig: func() {
					_, err := env.Clients.SecretsManager.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{
						SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
					if err != nil {
						t.Fatalf("DeleteSecret: %v", err)
					}
				},
				Config: basicConfig(env, name, rotation30d),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
				}},
				ExpectError: regexp.MustCompile(`scheduled for deletion`),
			},
		},
	})
}

// TestAccRotatedSecret_namePrefix generates a unique name from the prefix.
func TestAccRotatedSecret_namePrefix(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	prefix := acctest.RandomName() + "-"
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name_prefix             = %q
  recovery_window_in_days = 0
%s
}
`, prefix, rotation30d),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(res, tfjsonpath.New("name")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringRegexp(regexp.MustCompile("^"+regexp.QuoteMeta(prefix)+`[a-z0-9]{7}$`))),
			},
		}},
	})
}
