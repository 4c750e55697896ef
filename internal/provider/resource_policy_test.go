package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// TestAccRotatedSecret_policy attaches a resource policy, repairs it after
// an out-of-band change, and removes it.
func TestAccRotatedSecret_policy(t *testing.T) {
	env, name := acctest.Start(t)
	policy := fmt.Sprintf(`
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:DeleteSecret"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = %q } }
    }]
  })`, env.Account)
	hasPolicy := func(want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			out, err := env.Clients.SecretsManager.GetResourcePolicy(context.Background(), &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
			if err != nil {
				return err
			}
			if got := aws.ToString(out.ResourcePolicy) != ""; got != want {
				return errorf("resource policy present = %t, want %t", got, want)
			}
			return nil
		}
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, policy+rotation30d), Check: hasPolicy(true)},
			{
				PreConfig: func() {
					_, err := env.Clients.SecretsManager.PutResourcePolicy(context.Background(), &secretsmanager.PutResourcePolicyInput{
						SecretId:       aws.String(name),
						ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`),
					})
					if err != nil {
						t.Fatalf("PutResourcePolicy: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestMatchResourceAttr(res, "drift.0", regexp.MustCompile(`resource policy was changed`)),
			},
			{
				Config: basicConfig(env, name, policy+rotation30d),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{Config: basicConfig(env, name, rotation30d), Check: hasPolicy(false)},
		},
	})
}
