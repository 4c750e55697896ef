package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// requiredProviders drops a terraform { required_providers } block: the
// in-process provider is reattached as hashicorp/rotator.
var requiredProviders = regexp.MustCompile(`(?s)terraform \{\s*required_providers \{.*?\n\}\n`)

func readExamples(t *testing.T, files ...string) string {
	t.Helper()
	var out string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatalf("reading example: %v", err)
		}
		out += requiredProviders.ReplaceAllString(string(b), "") + "\n"
	}
	return out
}

// TestAccExamples applies every example configuration on the emulator
// (through the standard AWS environment variables, as a user would) and
// destroys it. Not parallel: it sets environment variables.
func TestAccExamples(t *testing.T) {
	acctest.PreCheck(t)
	for _, tc := range []struct {
		name   string
		files  []string
		secret string
		// topicVar, when set, is a variable that gets an SNS topic's ARN.
		topicVar string
	}{
		{"resource", []string{"provider/provider.tf", "resources/rotator_rotated_secret/resource.tf"}, "payments/api-key", ""},
		{"health check and triggers", []string{"provider/provider.tf", "resources/rotator_rotated_secret/resource.tf",
			"resources/rotator_rotated_secret/health-check.tf", "resources/rotator_rotated_secret/rotate-triggers.tf"}, "payments/signing-key", ""},
		{"alerts", []string{"provider/provider.tf", "resources/rotator_rotated_secret/alerts.tf"}, "payments/webhook-signing-key", "rotation_alerts_topic_arn"},
		{"demo", []string{"demo/main.tf"}, "demo/app-token", ""},
		{"replicas", []string{"provider/provider.tf", "resources/rotator_rotated_secret/replicas.tf"}, "payments/partner-token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.Emulator(t)
			var vars tfconfig.Variables
			if tc.topicVar != "" {
				vars = tfconfig.Variables{tc.topicVar: tfconfig.StringVariable(alertTopic(t, env, "rotation-alerts"))}
			}
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:          readExamples(t, tc.files...),
					ConfigVariables: vars,
					Check: func(*terraform.State) error {
						return env.CheckExists(context.Background(), tc.secret, false)
					},
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				}},
			})
		})
	}
}

// TestAccExamples_importBlock imports a rotated secret with the example's
// import block.
func TestAccExamples_importBlock(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.Emulator(t)
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	// The objects resource.tf describes, made by the same stack code.
	pol := config.DefaultPasswordPolicy()
	pol.Length, pol.ExcludePunctuation = 40, true
	_, err = stack.New(env.Clients, code).Create(context.Background(), stack.Spec{
		Region: env.Region, Account: env.Account, Partition: "aws",
		Name: "payments/api-key", Description: "API key of the payments service",
		Tags:     map[string]string{"team": "payments", "managed-by": "terraform"},
		Strategy: config.StrategyGeneric, RotatedField: "password", Password: pol,
		Function: stack.FunctionSpec{Architecture: "arm64", MemorySize: 128, Timeout: 30, LogRetentionDays: 30},
		Rotation: stack.RotationSpec{Enabled: true, ScheduleExpression: "rate(30 days)", Duration: "3h"},
	}, `{"client_id":"payments","password":"x"}`, nil)
	if err != nil {
		t.Fatalf("creating the stack to import: %v", err)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: readExamples(t, "provider/provider.tf", "resources/rotator_rotated_secret/resource.tf",
				"resources/rotator_rotated_secret/import-by-block.tf"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("rotator_rotated_secret.api_key", plancheck.ResourceActionNoop),
			}},
		}},
	})
}
