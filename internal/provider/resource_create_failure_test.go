package provider_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// TestAccRotatedSecret_faultAtEachCreateStep fails each create call once:
// the apply fails, and destroy of the tainted resource leaves nothing.
func TestAccRotatedSecret_faultAtEachCreateStep(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	steps := []struct{ service, op, code string }{
		{"secretsmanager", "CreateSecret", "AccessDeniedException"},
		{"iam", "CreateRole", "AccessDenied"},
		{"iam", "PutRolePolicy", "AccessDenied"},
		{"logs", "CreateLogGroup", "AccessDeniedException"},
		{"lambda", "CreateFunction", "AccessDeniedException"},
		{"lambda", "AddPermission", "AccessDeniedException"},
		{"secretsmanager", "RotateSecret", "AccessDeniedException"},
	}
	for _, s := range steps {
		t.Run(s.op, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("needs the emulator's fault injection")
			}
			name := acctest.RandomName()
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{
							Service: s.service, Operation: s.op, Count: 1, Code: s.code, Message: "injected by the test",
						}); err != nil {
							t.Fatalf("InjectFault: %v", err)
						}
					},
					Config:      basicConfig(env, name, rotation30d),
					ExpectError: regexp.MustCompile(`AWS denied a call the provider needs`),
				}},
			})
		})
	}
}

// TestAccRotatedSecret_applyAfterFailedCreate: a failed create of a secret
// holding the user's initial_value_wo leaves a tainted resource (a
// generated value is cleaned up at once instead), and the next apply
// replaces it.
func TestAccRotatedSecret_applyAfterFailedCreate(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs the emulator's fault injection")
	cfg := initialVariable + basicConfig(env, name, `
  initial_value_wo         = var.initial
  initial_value_wo_version = 1`+rotation30d)
	vars := config.Variables{"initial": config.StringVariable("users-Value-1")}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{
						Service: "lambda", Operation: "AddPermission", Count: 1, Code: "AccessDeniedException",
					}); err != nil {
						t.Fatalf("InjectFault: %v", err)
					}
				},
				Config:          cfg,
				ConfigVariables: vars,
				ExpectError:     regexp.MustCompile(`allowing Secrets Manager to invoke the rotation function`),
			},
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkChildren(env, name, false),
			},
		},
	})
}
