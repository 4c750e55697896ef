package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// TestAccRotatedSecret_noSecretInStatePlanOrLog applies with a write-only
// initial value, rotates, and proves that neither the initial nor the
// rotated value appears in the state, the plan JSON, or a TF_LOG=trace log
// of the provider and OpenTofu. Not parallel: it sets TF_LOG.
func TestAccRotatedSecret_noSecretInStatePlanOrLog(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs the emulator's clock")
	}
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	name := acctest.RandomName()
	const initial = "Known-Initial-Value-7f3a9c2e1b"
	const second = "Second-Known-Value-0c9d8e7f6a"
	secrets := []string{initial, second}
	// The initial value comes in through an ephemeral variable, as it
	// would in real use, so the configuration itself does not carry it.
	cfg := func(tag string, version int) string {
		return initialVariable + basicConfig(env, name, fmt.Sprintf(`
  initial_value_wo         = var.initial
  initial_value_wo_version = %d
  secret_template          = jsonencode({ username = "app" })
  tags                     = { step = %q }`, version, tag)+rotation30d)
	}
	vars := config.Variables{"initial": config.StringVariable(initial)}
	noSecretInPlan := plancheck.PlanCheck(planSecretCheck{secrets: &secrets})
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:            cfg("one", 1),
				ConfigVariables:   vars,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noSecretInPlan}},
				ConfigStateChecks: []statecheck.StateCheck{stateSecretCheck{secrets: &secrets}},
				Check: func(*terraform.State) error {
					v, err := currentValue(env, name)
					if err != nil {
						return err
					}
					if !strings.Contains(v, initial) {
						return errorf("the write-only initial value was not written")
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					res, err := env.Admin.AdvanceClock(context.Background(), 31*24*time.Hour)
					if err != nil || len(res.Rotations) != 1 || !res.Rotations[0].OK {
						t.Fatalf("scheduled rotation: %+v, %v", res, err)
					}
					v, err := currentValue(env, name)
					if err != nil {
						t.Fatal(err)
					}
					var obj map[string]string
					if err := json.Unmarshal([]byte(v), &obj); err != nil || obj["password"] == "" || obj["password"] == initial {
						t.Fatalf("the rotation did not replace the password")
					}
					secrets = append(secrets, obj["password"])
				},
				Config:            cfg("two", 1),
				ConfigVariables:   vars,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noSecretInPlan}},
				ConfigStateChecks: []statecheck.StateCheck{stateSecretCheck{secrets: &secrets}},
			},
			{
				// Bumping the version writes the new write-only value once.
				Config:            cfg("two", 2),
				ConfigVariables:   config.Variables{"initial": config.StringVariable(second)},
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{noSecretInPlan}},
				ConfigStateChecks: []statecheck.StateCheck{stateSecretCheck{secrets: &secrets}},
				Check: func(*terraform.State) error {
					v, err := currentValue(env, name)
					if err != nil {
						return err
					}
					if !strings.Contains(v, second) || !strings.Contains(v, `"username":"app"`) {
						return errorf("initial_value_wo_version = 2 did not write the new value")
					}
					return nil
				},
			},
		},
	})

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(log), "CreateSecret") || !regexp.MustCompile(`(?i)aws-sdk`).Match(log) {
		t.Fatalf("the trace log has no AWS SDK wire log (%d bytes); the check below would prove nothing", len(log))
	}
	if i, ok := acctest.FindLeak(string(log), secrets); ok {
		t.Errorf("secret value #%d appears in the TF_LOG=trace log (in one of its escaped or encoded forms)", i)
	}
}

// TestAccRotatedSecret_generatedValueNotInState proves the generated first value stays out of state.
func TestAccRotatedSecret_generatedValueNotInState(t *testing.T) {
	env, name := acctest.Start(t)
	var secrets []string
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, rotation30d), Check: func(*terraform.State) error {
				v, err := currentValue(env, name)
				secrets = append(secrets, v)
				return err
			}},
			{
				Config:            basicConfig(env, name, `description = "x"`+rotation30d),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planSecretCheck{secrets: &secrets}}},
				ConfigStateChecks: []statecheck.StateCheck{stateSecretCheck{secrets: &secrets}},
			},
		},
	})
}

type planSecretCheck struct{ secrets *[]string }

func (c planSecretCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if i, ok := acctest.FindLeak(string(b), *c.secrets); ok {
		resp.Error = fmt.Errorf("secret value #%d appears in the plan JSON (in one of its escaped or encoded forms)", i)
	}
}

type stateSecretCheck struct{ secrets *[]string }

func (c stateSecretCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(b), "rotator_rotated_secret") {
		resp.Error = fmt.Errorf("the state JSON has no rotated secret; the check would prove nothing")
		return
	}
	if i, ok := acctest.FindLeak(string(b), *c.secrets); ok {
		resp.Error = fmt.Errorf("secret value #%d appears in the state (in one of its escaped or encoded forms)", i)
	}
}

// TestAccRotatedSecret_stuckPending reports an AWSPENDING left by a failed
// rotation with the version and the fix, and succeeds once it is cleared.
func TestAccRotatedSecret_stuckPending(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	const stuck = "11111111-2222-3333-4444-555555555555"
	cfg := func(days int) string {
		return basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = %d
  }
  function {
    architecture = "x86_64"
  }`, days))
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(30)},
			{
				PreConfig: func() {
					_, err := env.Clients.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
						SecretId: aws.String(name), ClientRequestToken: aws.String(stuck),
						SecretString: aws.String("half-finished"), VersionStages: []string{"AWSPENDING"},
					})
					if err != nil {
						t.Fatalf("PutSecretValue: %v", err)
					}
				},
				Config:      cfg(14),
				ExpectError: regexp.MustCompile(`(?s)An earlier rotation of the secret did not finish.*` + stuck + `.*cancel-rotate-secret`),
			},
			{
				PreConfig: func() {
					sm, ok := env.Clients.SecretsManager.(*secretsmanager.Client)
					if !ok {
						t.Fatalf("Secrets Manager client is %T", env.Clients.SecretsManager)
					}
					_, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
						SecretId: aws.String(name), VersionStage: aws.String("AWSPENDING"), RemoveFromVersionId: aws.String(stuck),
					})
					if err != nil {
						t.Fatalf("UpdateSecretVersionStage: %v", err)
					}
				},
				Config: cfg(14),
				Check: checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
					if aws.ToInt64(o.RotationRules.AutomaticallyAfterDays) != 14 {
						return errorf("schedule = %+v, want 14 days", o.RotationRules)
					}
					return nil
				}),
			},
		},
	})
}
