package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestAccRotatedSecret_byoRole uses the caller's role: no role is created,
// and destroy leaves the caller's role alone.
func TestAccRotatedSecret_byoRole(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	roleName := "byo-" + name
	role, err := env.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(roleName), AssumeRolePolicyDocument: aws.String(stack.TrustPolicyDocument(env.Account)),
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	_, err = env.Clients.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(roleName), PolicyName: aws.String("rotation"),
		PolicyDocument: aws.String(stack.RolePolicyDocument(stack.PolicyInput{
			SecretARN:   fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-??????", env.Region, env.Account, name),
			LogGroupARN: fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", env.Region, env.Account, stack.NamesFor(env.Region, name).LogGroup),
		})),
	})
	if err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	roleARN := aws.ToString(role.Role.Arn)
	env.Test(t, resource.TestCase{
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckDestroy(s); err != nil {
				return err
			}
			_, err := env.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
			return err // the caller's role must survive
		},
		Steps: []resource.TestStep{{
			// First with the role the resource creates…
			Config: basicConfig(env, name, rotation30d),
			Check:  checkChildren(env, name, false),
		}, {
			// …then switched to the caller's role: ours is deleted.
			Config: basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
    role_arn     = %q
  }`, roleARN)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("role_arn"), knownvalue.StringExact(roleARN)),
			},
			Check: resource.ComposeTestCheckFunc(
				checkChildren(env, name, true),
				func(*terraform.State) error {
					_, err := env.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(derivedNames(env, name).Role)})
					if err == nil || !strings.Contains(err.Error(), "NoSuchEntity") {
						return errorf("a role was created although function.role_arn is set (err=%v)", err)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccRotatedSecret_iamPropagation makes the new role unassumable for
// a while: create retries and succeeds.
func TestAccRotatedSecret_iamPropagation(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs the emulator's IAM propagation delay")
	}
	if err := env.Admin.SetIAMPropagationDelay(context.Background(), 3*time.Second); err != nil {
		t.Fatalf("SetIAMPropagationDelay: %v", err)
	}
	name := acctest.RandomName()
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, rotation30d),
			Check: resource.ComposeTestCheckFunc(
				checkChildren(env, name, false),
				func(*terraform.State) error {
					calls, err := env.Admin.Calls(context.Background())
					if err != nil {
						return err
					}
					if calls["lambda:CreateFunction"] < 2 {
						return errorf("CreateFunction calls = %d; the IAM propagation delay was not retried", calls["lambda:CreateFunction"])
					}
					return nil
				},
			),
		}},
	})
}
