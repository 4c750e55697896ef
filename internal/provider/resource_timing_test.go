package provider_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// withMaxRetries adds max_retries to env's provider block.
func withMaxRetries(env *acctest.Env, n string) string {
	return strings.Replace(env.ProviderBlock(), "provider \"rotator\" {\n", "provider \"rotator\" {\n  max_retries = "+n+"\n", 1)
}

// TestAccRotatedSecret_maxRetries: the SDK retryer, sized by max_retries,
// absorbs throttling (ThrottlingException on Secrets Manager,
// TooManyRequestsException on Lambda); with max_retries = 0 the first
// throttle fails the apply with the AWS error named, and nothing is left.
func TestAccRotatedSecret_maxRetries(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	tests := []struct {
		name       string
		maxRetries string
		wantErr    *regexp.Regexp
	}{
		{"three retries absorb two throttles", "3", nil},
		{"no retries", "0", regexp.MustCompile(`(?s)creating the secret.*ThrottlingException`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("needs the emulator's fault injection")
			}
			ctx := context.Background()
			for _, f := range []awsemu.Fault{
				{Service: "secretsmanager", Operation: "CreateSecret", Count: 2, Code: "ThrottlingException"},
				{Service: "lambda", Operation: "CreateFunction", Count: 2, Code: "TooManyRequestsException", Status: 429, Message: "Rate exceeded"},
			} {
				if err := env.Admin.InjectFault(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			name := acctest.RandomName()
			config := withMaxRetries(env, tt.maxRetries) + strings.TrimPrefix(basicConfig(env, name, rotation30d), env.ProviderBlock())
			step := resource.TestStep{Config: config, ExpectError: tt.wantErr}
			if tt.wantErr == nil {
				step.Check = resource.ComposeTestCheckFunc(
					checkChildren(env, name, false),
					func(*terraform.State) error {
						calls, err := env.Admin.Calls(ctx)
						if err != nil {
							return err
						}
						if calls["secretsmanager:CreateSecret"] != 3 || calls["lambda:CreateFunction"] < 3 {
							return errorf("CreateSecret calls = %d (want 3), CreateFunction calls = %d (want at least 3)", calls["secretsmanager:CreateSecret"], calls["lambda:CreateFunction"])
						}
						return nil
					})
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
				CheckDestroy:             env.CheckDestroy,
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}

// TestAccRotatedSecret_functionStates: with Lambda's states on (the
// emulator's default: Pending after create, InProgress after each update),
// an update of the function's configuration and tags applies, and the plan
// after it is empty.
func TestAccRotatedSecret_functionStates(t *testing.T) {
	env, name := acctest.Start(t)
	fn := func(memory, team string) string {
		return `
  tags = { team = "` + team + `" }
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
    memory_size  = ` + memory + `
  }`
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, fn("128", "a")), Check: checkChildren(env, name, false)},
			{
				Config: basicConfig(env, name, fn("256", "b")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("rotator_rotated_secret.test", plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
