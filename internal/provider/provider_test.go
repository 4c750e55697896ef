package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// callerRole creates a role the provider assumes, allowed exactly the
// documented caller permissions minus drop.
func callerRole(t *testing.T, env *acctest.Env, name string, drop string) string {
	t.Helper()
	ctx := context.Background()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, env.Account)
	out, err := env.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
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
	if _, err := env.Clients.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String("terraform"), PolicyDocument: aws.String(string(doc)),
	}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	// The caller's role exists well before Terraform runs: let it
	// propagate (IAM eventual consistency) instead of racing it.
	if env.Server != nil {
		env.Server.AdvanceClock(ctx, env.Server.IAMPropagationDelay())
	}
	return aws.ToString(out.Role.Arn)
}

func assumeRoleConfig(env *acctest.Env, roleARN, secret string) string {
	return fmt.Sprintf(`
provider "rotator" {
  region     = %[1]q
  access_key = "test"
  secret_key = "test"
  assume_role {
    role_arn     = %[2]q
    session_name = "acc"
    duration     = "30m"
  }
  endpoints {
    secretsmanager = %[3]q
    lambda         = %[3]q
    iam            = %[3]q
    sts            = %[3]q
    logs           = %[3]q
    kms            = %[3]q
  }
}

resource "rotator_rotated_secret" "test" {
  name                    = %[4]q
  recovery_window_in_days = 0
  tags                    = { team = "a" }
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }
}
`, env.Region, roleARN, env.URL, secret)
}

// TestAccProvider_documentedPermissionsSuffice runs create, refresh,
// import and destroy as a role that has exactly the permissions the
// resource documentation lists (the emulator enforces role policies).
func TestAccProvider_documentedPermissionsSuffice(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("creates an IAM role to assume in the emulator")
	}
	name := acctest.RandomName()
	roleARN := callerRole(t, env, "caller-"+name, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: assumeRoleConfig(env, roleARN, name), Check: checkChildren(env, name, false)},
			{
				ResourceName: res, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"recovery_window_in_days", "rotation.rotate_immediately", "rotates_on_apply", "current_version_id", "last_rotated_date", "next_rotation_date"},
			},
		},
	})
}

// TestAccProvider_missingPermissionFails shows the diagnostic when the
// caller lacks a documented permission.
func TestAccProvider_missingPermissionFails(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("creates an IAM role to assume in the emulator")
	}
	name := acctest.RandomName()
	roleARN := callerRole(t, env, "caller-"+name, "lambda:CreateFunction")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{{
			Config:      assumeRoleConfig(env, roleARN, name),
			ExpectError: regexp.MustCompile(`(?s)AWS denied a call the provider needs.*creating the rotation function`),
		}},
	})
}
