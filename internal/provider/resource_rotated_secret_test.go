package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

const res = "rotator_rotated_secret.test"

// basicConfig is a generic rotated secret on x86_64 (native in the emulator).
func basicConfig(env *acctest.Env, name, body string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                    = %q
  recovery_window_in_days = 0
%s
}
`, name, body)
}

const (
	rotation30d = `
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }`
	// rotateNow30d is rotation30d that also rotates on the apply that
	// configures it.
	rotateNow30d = `
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }`
)

func TestAccRotatedSecret_lifecycle(t *testing.T) {
	env, name := acctest.Start(t)

	// payments is the configuration of a PostgreSQL single-user secret
	// whose function runs on arch.
	payments := func(arch string) string {
		return basicConfig(env, name, `
  description = "payments database"
  tags = { team = "payments", env = "prod" }
  secret_template = jsonencode({ engine = "postgres", username = "app", host = "db.internal", port = 5432, dbname = "payments" })
  rotation {
    strategy            = "postgresql_single_user"
    schedule_expression = "rate(10 days)"
  }
  function {
    architecture = "`+arch+`"
    memory_size  = 256
  }`)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: basicConfig(env, name, `
  description = "payments API key"
  tags = { team = "payments" }
  secret_template = jsonencode({ username = "app", host = "db.internal" })`+rotation30d),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(false)),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("function_name"), knownvalue.StringRegexp(regexp.MustCompile(`^rotator-`+name+`-[0-9a-f]{8}$`))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("payments")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("role_arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:iam::\d{12}:role/rotator-`))),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("code_sha256"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("created_date"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				},
				Check: checkChildren(env, name, false),
			},
			{
				ResourceName:      res,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"recovery_window_in_days", // not readable from AWS
					"current_version_id", "last_rotated_date", "next_rotation_date",
				},
			},
			{
				Config: basicConfig(env, name, `
  description = "payments API key"
  tags = { team = "payments", env = "prod" }
  secret_template = jsonencode({ username = "app", host = "db.internal" })
  rotation {
    strategy            = "generic"
    schedule_expression = "rate(10 days)"
  }
  function {
    architecture = "x86_64"
    memory_size  = 256
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("function").AtMapKey("memory_size"), knownvalue.Int64Exact(256)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("tags_all").AtMapKey("env"), knownvalue.StringExact("prod")),
				}, Check: checkFunction(env, name, func(memory int32) error {
					if memory != 256 {
						return fmt.Errorf("memory = %d, want 256", memory)
					}
					return nil
				}),
			},
			{
				// Strategy change: the function's environment and the
				// template's keys change in place; the password is kept.
				Config: payments("x86_64"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation").AtMapKey("strategy"), knownvalue.StringExact("postgresql_single_user")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				},
				Check: func(*terraform.State) error {
					v, err := currentValue(env, name)
					if err != nil {
						return err
					}
					if !strings.Contains(v, `"engine":"postgres"`) || !strings.Contains(v, `"password":`) {
						return fmt.Errorf("secret keys after the template change: want engine and the kept password")
					}
					return nil
				},
			},
			{
				// Architecture change: new code for arm64, in place.
				Config: payments("arm64"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					fn, err := env.SDK.Lambda.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(fnName(env, name))})
					if err != nil {
						return err
					}
					if got := string(fn.Configuration.Architectures[0]); got != "arm64" {
						return fmt.Errorf("architecture = %s, want arm64", got)
					}
					return nil
				},
			},
		},
	})
}

// checkChildren checks every child exists in AWS.
func checkChildren(env *acctest.Env, name string, byoRole bool) resource.TestCheckFunc {
	return func(*terraform.State) error { return env.CheckExists(context.Background(), name, byoRole) }
}

// checkFunction checks the function's memory size with GetFunction.
func checkFunction(env *acctest.Env, name string, check func(memory int32) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fn, err := env.SDK.Lambda.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(fnName(env, name))})
		if err != nil {
			return err
		}
		return check(aws.ToInt32(fn.Configuration.MemorySize))
	}
}
