package provider_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// TestAccRotatedSecret_updateEachAttribute changes, one step at a time, the
// updatable attributes no other test updates, and checks each on AWS with
// plain SDK calls: function timeout and memory, log retention down to 0
// (never expire), the password policy, kms_key_id on and off, and a user's
// own role and back to a managed one.
func TestAccRotatedSecret_updateEachAttribute(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	n := derivedNames(env, name)
	key, err := env.SDK.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("update test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := env.SDK.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("user-" + name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	userRoleARN := aws.ToString(role.Role.Arn)
	fn := func(check func(*lambda.GetFunctionOutput) error) resource.TestCheckFunc {
		return func(*terraform.State) error {
			out, err := env.SDK.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)})
			if err != nil {
				return err
			}
			return check(out)
		}
	}
	cfg := func(extra, function string) string {
		return basicConfig(env, name, extra+`
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
`+function+`
  }`)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg("", "")},
			{
				Config:           cfg(`password { length = 40 }`, "timeout = 60\n    memory_size = 512\n    log_retention_in_days = 0"),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeTestCheckFunc(
					fn(func(out *lambda.GetFunctionOutput) error {
						c := out.Configuration
						if aws.ToInt32(c.Timeout) != 60 || aws.ToInt32(c.MemorySize) != 512 {
							return fmt.Errorf("timeout %d, memory %d; want 60 and 512", aws.ToInt32(c.Timeout), aws.ToInt32(c.MemorySize))
						}
						if p := c.Environment.Variables["ROTATOR_PASSWORD_POLICY"]; !strings.Contains(p, `"length":40`) {
							return fmt.Errorf("password policy in the function = %s; want length 40", p)
						}
						return nil
					}),
					func(*terraform.State) error {
						out, err := env.SDK.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(n.LogGroup)})
						if err != nil || len(out.LogGroups) != 1 {
							return fmt.Errorf("log group: %v", err)
						}
						if r := out.LogGroups[0].RetentionInDays; r != nil {
							return fmt.Errorf("retention = %d days; want none (0 keeps logs forever)", *r)
						}
						return nil
					},
				),
			},
			{
				ConfigPlanChecks: emptyPlanAfterApply,
				Config:           cfg(fmt.Sprintf(`kms_key_id = %q`, keyARN), ""),
				Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
					if k := aws.ToString(out.KmsKeyId); k != keyARN {
						return fmt.Errorf("KmsKeyId = %q, want %s", k, keyARN)
					}
					doc, err := rolePolicy(env, n)
					if err != nil || !strings.Contains(doc, keyARN) {
						return fmt.Errorf("role policy lacks the new key (%v): %s", err, doc)
					}
					return nil
				}),
			},
			{
				Config:           cfg("", ""),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: checkSecret(env, name, func(out *secretsmanager.DescribeSecretOutput) error {
					if k := aws.ToString(out.KmsKeyId); k != "" && k != "alias/aws/secretsmanager" {
						return fmt.Errorf("KmsKeyId = %q after removing kms_key_id; want the AWS managed key", k)
					}
					return nil
				}),
			},
			{
				Config:           cfg("", fmt.Sprintf("role_arn = %q", userRoleARN)),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: fn(func(out *lambda.GetFunctionOutput) error {
					if r := aws.ToString(out.Configuration.Role); r != userRoleARN {
						return fmt.Errorf("function role = %s, want the user's %s", r, userRoleARN)
					}
					if _, err := env.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n.Role)}); err == nil {
						return fmt.Errorf("the managed role %s was kept after switching to the user's role", n.Role)
					}
					return nil
				}),
			},
			{
				Config:           cfg("", ""),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: fn(func(out *lambda.GetFunctionOutput) error {
					role, err := env.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(n.Role)})
					if err != nil {
						return fmt.Errorf("back to a managed role: %w", err)
					}
					if r := aws.ToString(out.Configuration.Role); r != aws.ToString(role.Role.Arn) {
						return fmt.Errorf("function role = %s, want the managed %s", r, aws.ToString(role.Role.Arn))
					}
					return nil
				}),
			},
		},
	})
}

// TestAccRotatedSecret_updateVPC puts the function into a VPC, moves it to
// other subnets and security groups, and takes it out again (review E10).
// Each step checks on AWS, with plain SDK calls, the function's VpcConfig
// and the managed role's network-interface permissions (which Lambda
// requires of a VPC function's role, and which a function outside any VPC
// does not need), an empty plan after the apply, and that AWSCURRENT kept
// its version and value.
func TestAccRotatedSecret_updateVPC(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	n := derivedNames(env, name)
	cfg := func(vpc string) string {
		return basicConfig(env, name, `
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
`+vpc+`
  }`)
	}
	current := keepCurrent(t, env, name)
	inVPC := func(subnets, groups []string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			out, err := env.SDK.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(n.Function)})
			if err != nil {
				return err
			}
			var gotSubnets, gotGroups []string
			if v := out.Configuration.VpcConfig; v != nil {
				gotSubnets, gotGroups = v.SubnetIds, v.SecurityGroupIds
			}
			if !sameStrings(gotSubnets, subnets) || !sameStrings(gotGroups, groups) {
				return fmt.Errorf("function VpcConfig: subnets %v, security groups %v; want %v and %v", gotSubnets, gotGroups, subnets, groups)
			}
			doc, err := rolePolicy(env, n)
			if err != nil {
				return err
			}
			if has := strings.Contains(doc, "ec2:CreateNetworkInterface"); has != (len(subnets) > 0) {
				return fmt.Errorf("role policy grants ec2:CreateNetworkInterface = %v with subnets %v:\n%s", has, subnets, doc)
			}
			return current.kept(nil)
		}
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(""), Check: resource.ComposeTestCheckFunc(current.remember, inVPC(nil, nil))},
			{
				Config:           cfg(`subnet_ids = ["subnet-0a1"]` + "\n" + `security_group_ids = ["sg-0a1"]`),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            inVPC([]string{"subnet-0a1"}, []string{"sg-0a1"}),
			},
			{
				Config:           cfg(`subnet_ids = ["subnet-0a1", "subnet-0b2"]` + "\n" + `security_group_ids = ["sg-0c3"]`),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            inVPC([]string{"subnet-0a1", "subnet-0b2"}, []string{"sg-0c3"}),
			},
			{
				Config:           cfg(""),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            inVPC(nil, nil),
			},
		},
	})
}

// sameStrings compares two lists as sets (Lambda keeps no order).
func sameStrings(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
