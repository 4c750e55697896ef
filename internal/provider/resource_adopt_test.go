package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

const adoptRes = "rotator_rotated_secret.credentials"

// adoptConfig is the one block that replaces the seed article's
// configuration, with an import {} block for the existing secret.
func adoptConfig(env *acctest.Env, secretName, importTo string) string {
	imp := ""
	if importTo != "" {
		imp = fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", adoptRes, importTo)
	}
	return env.ProviderBlock() + imp + fmt.Sprintf(`
resource "rotator_rotated_secret" "credentials" {
  name            = %q
  secret_template = jsonencode({ username = "example_user" })
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }
}
`, secretName)
}

// TestAccRotatedSecret_adoptSeedArticle adopts the seed article's secret,
// whose hand-written function left AWSPENDING stuck, with one import {}
// block and one apply. What a user migrating cares about: the ARN and the
// current value do not change, the adoption apply rotates nothing, the
// new function then rotates correctly (the old value becomes
// AWSPREVIOUS), the next plan is empty, and the old function and role are
// untouched.
func TestAccRotatedSecret_adoptSeedArticle(t *testing.T) {
	env, _ := acctest.Start(t)
	sfx := acctest.RandomName()[len("tf-acc-"):]
	seed := buildSeed(t, env, seedNames{
		Secret: "sensitive-credentials-" + sfx, Role: "lambda_rotation_role-" + sfx,
		Policy: "lambda_rotation_policy", Function: "SecretRotationFunction-" + sfx,
	})
	before := describe(t, env, seed.SecretARN)
	beforeVersion := currentVersion(before)
	beforeValue, err := currentValue(env, seed.SecretARN)
	if err != nil {
		t.Fatal(err)
	}

	cfg := adoptConfig(env, seed.Names.Secret, seed.SecretARN)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		Steps: []resource.TestStep{
			{
				// The adoption: import and update in place, in one apply.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(adoptRes, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(adoptRes, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(false)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(adoptRes, tfjsonpath.New("arn"), knownvalue.StringExact(seed.SecretARN)),
					statecheck.ExpectKnownValue(adoptRes, tfjsonpath.New("current_version_id"), knownvalue.StringExact(beforeVersion)),
					statecheck.ExpectKnownValue(adoptRes, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(adoptRes, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkValue(env, seed.SecretARN, "AWSCURRENT", beforeValue),
					checkSecret(env, seed.SecretARN, func(out *secretsmanager.DescribeSecretOutput) error {
						if got := currentVersion(out); got != beforeVersion {
							return errorf("AWSCURRENT moved from %s to %s during the adoption apply", beforeVersion, got)
						}
						if err := stack.CheckPending(out); err != nil {
							return errorf("AWSPENDING still stuck after adoption: %v", err)
						}
						if fn := aws.ToString(out.RotationLambdaARN); fn == seed.FunctionARN || !regexp.MustCompile(`:function:rotator-`).MatchString(fn) {
							return errorf("the secret rotates with %s, want the provider's function", fn)
						}
						tags := stack.SecretTags(out.Tags)
						if tags[stack.AdoptedTag] != stack.AdoptedValue || tags[stack.ManagedByTag] != stack.ManagedByValue {
							return errorf("tags %v: want %s and %s", tags, stack.AdoptedTag, stack.ManagedByTag)
						}
						if r := out.RotationRules; r == nil || aws.ToInt64(r.AutomaticallyAfterDays) != 30 {
							return errorf("rotation rules %+v, want every 30 days", r)
						}
						return nil
					}),
					checkSeedUntouched(env, seed),
					checkNoValueInState(beforeValue),
				),
			},
			{
				// The next plan is empty; then the new function rotates.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						return rotateNow(t, env, seed.SecretARN)
					},
					checkValue(env, seed.SecretARN, "AWSPREVIOUS", beforeValue),
					func(*terraform.State) error {
						now, err := currentValue(env, seed.SecretARN)
						if err != nil {
							return err
						}
						if now == beforeValue {
							return errorf("the rotation did not change the value")
						}
						var v map[string]string
						if err := json.Unmarshal([]byte(now), &v); err != nil || v["username"] != "example_user" || v["password"] == "" {
							return errorf("after rotation the value has keys %v, want username kept and a new password", keysOf(v))
						}
						return nil
					},
					checkSeedUntouched(env, seed),
				),
			},
			{
				// A rotation is never a diff.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
	// Destroying the adopted block deleted the secret; the other
	// configuration's function and role are still there for it to remove.
	if err := checkSeedUntouched(env, seed)(nil); err != nil {
		t.Error(err)
	}
}

// rotateNow starts a rotation with the configured function and waits for
// it to succeed.
func rotateNow(t *testing.T, env *acctest.Env, secretARN string) error {
	out, err := env.SDK.SecretsManager.RotateSecret(context.Background(), &secretsmanager.RotateSecretInput{SecretId: aws.String(secretARN)})
	if err != nil {
		return fmt.Errorf("RotateSecret: %w", err)
	}
	if !waitRotation(t, env, secretARN, aws.ToString(out.VersionId)) {
		return errorf("the rotation with the provider's function failed")
	}
	return nil
}

// checkValue checks the value of the version holding stage.
func checkValue(env *acctest.Env, secretARN, stage, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := env.SDK.SecretsManager.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{
			SecretId: aws.String(secretARN), VersionStage: aws.String(stage),
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", stage, err)
		}
		if aws.ToString(out.SecretString) != want {
			return errorf("the %s value is not the value the secret had before adoption", stage) // values never printed
		}
		return nil
	}
}

// checkSeedUntouched checks that the article's function (same code, same
// role, same permission) and role still exist.
func checkSeedUntouched(env *acctest.Env, seed seedSetup) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		fn, err := env.SDK.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(seed.Names.Function)})
		if err != nil {
			return fmt.Errorf("the article's function: %w", err)
		}
		if c := fn.Configuration; aws.ToString(c.CodeSha256) != seed.CodeSHA256 || aws.ToString(c.Role) != seed.RoleARN {
			return errorf("the article's function changed: code %s role %s", aws.ToString(c.CodeSha256), aws.ToString(c.Role))
		}
		if _, err := env.SDK.Lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(seed.Names.Function)}); err != nil {
			return fmt.Errorf("the article's invoke permission: %w", err)
		}
		if _, err := env.SDK.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(seed.Names.Role)}); err != nil {
			return fmt.Errorf("the article's role: %w", err)
		}
		if _, err := env.SDK.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(seed.Names.Role), PolicyName: aws.String(seed.Names.Policy)}); err != nil {
			return fmt.Errorf("the article's role policy: %w", err)
		}
		return nil
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAccRotatedSecret_adoptByCLIImportByName adopts a plain-string secret
// made outside Terraform with `terraform import` by name: the import reads
// the secret's own settings, the apply creates the rest, and the value
// stays.
func TestAccRotatedSecret_adoptByCLIImportByName(t *testing.T) {
	env, name := acctest.Start(t)
	sec, err := env.SDK.SecretsManager.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String("plain-value"), Description: aws.String("made by hand"),
		Tags: smTagList(map[string]string{"team": "payments"}),
	})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	arn := aws.ToString(sec.ARN)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"AccountDescribes","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"secretsmanager:DescribeSecret","Resource":"*"}]}`, env.Account)
	if _, err := env.SDK.SecretsManager.PutResourcePolicy(context.Background(), &secretsmanager.PutResourcePolicyInput{SecretId: sec.ARN, ResourcePolicy: aws.String(policy)}); err != nil {
		t.Fatalf("PutResourcePolicy: %v", err)
	}
	cfg := basicConfig(env, name, fmt.Sprintf(`
  description = "made by hand"
  tags        = { team = "payments" }
  policy      = %q`, policy)+rotation30d)
	resource.Test(t, resource.TestCase{
		// Resource identity needs Terraform/OpenTofu >= 1.12.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg, ResourceName: res, ImportState: true, ImportStateId: name, ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return errorf("imported %d instances", len(states))
					}
					a := states[0].Attributes
					if a["arn"] != arn || a["description"] != "made by hand" || a["tags.team"] != "payments" || a["function_arn"] != "" || a["policy"] == "" {
						return errorf("imported attributes %v", a)
					}
					return nil
				},
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
					statecheck.ExpectIdentity(res, map[string]knownvalue.Check{
						"arn": knownvalue.StringExact(arn), "region": knownvalue.StringExact(env.Region), "account_id": knownvalue.StringExact(env.Account),
					}),
				},
				Check: checkValue(env, arn, "AWSCURRENT", "plain-value"),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccRotatedSecret_importByIdentity imports a rotated secret by its
// resource identity (an import block with identity, OpenTofu/Terraform
// >= 1.12) and gets the same state as import by ARN.
func TestAccRotatedSecret_importByIdentity(t *testing.T) {
	env, name := acctest.Start(t)
	// recovery_window_in_days cannot be read back: keep its default.
	cfg := env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name = %q
%s
}
`, name, rotation30d)
	resource.Test(t, resource.TestCase{
		// Resource identity needs Terraform/OpenTofu >= 1.12.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentityValueMatchesState(res, tfjsonpath.New("arn")),
					statecheck.ExpectIdentityValue(res, tfjsonpath.New("region"), knownvalue.StringExact(env.Region)),
					statecheck.ExpectIdentityValue(res, tfjsonpath.New("account_id"), knownvalue.StringExact(env.Account)),
				},
			},
			{
				Config: cfg, ResourceName: res,
				ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// TestAccRotatedSecret_importOtherRegion refuses an ARN of another region
// and says how to configure a provider for it.
func TestAccRotatedSecret_importOtherRegion(t *testing.T) {
	env, name := acctest.Start(t)
	other := fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:%s:secret:%s-AbCdEf", env.Account, name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, rotation30d), ResourceName: res, ImportState: true, ImportStateId: other,
			ExpectError: regexp.MustCompile(`(?s)Secret is in another region.*eu-west-1.*alias = "eu-west-1"`),
		}},
	})
}

func smTagList(m map[string]string) []smtypes.Tag {
	out := make([]smtypes.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, smtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// TestAccRotatedSecret_adoptPendingWithValue refuses to adopt a secret
// whose unfinished rotation wrote a value, and says how to decide.
func TestAccRotatedSecret_adoptPendingWithValue(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	sec, err := env.SDK.SecretsManager.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("in-use")})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	const pending = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	if _, err := env.SDK.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: sec.ARN, SecretString: aws.String("maybe-in-use"), ClientRequestToken: aws.String(pending), VersionStages: []string{"AWSPENDING"},
	}); err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		Steps: []resource.TestStep{{
			Config:      adoptConfig(env, name, aws.ToString(sec.ARN)),
			ExpectError: regexp.MustCompile(`(?s)left a value in AWSPENDING.*` + pending + `.*NOT in use.*IS in use`),
		}},
	})
	if err := checkValue(env, aws.ToString(sec.ARN), "AWSCURRENT", "in-use")(nil); err != nil {
		t.Error(err)
	}
	if err := checkValue(env, aws.ToString(sec.ARN), "AWSPENDING", "maybe-in-use")(nil); err != nil {
		t.Error(err)
	}
}

// checkNoValueInState fails when the secret value, or its password,
// appears in any attribute of the state.
func checkNoValueInState(value string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		needles := []string{value}
		var v map[string]string
		if json.Unmarshal([]byte(value), &v) == nil && v["password"] != "" {
			needles = append(needles, v["password"])
		}
		for addr, rs := range s.RootModule().Resources {
			for k, a := range rs.Primary.Attributes {
				for _, n := range needles {
					if strings.Contains(a, n) {
						return errorf("%s.%s holds the secret value", addr, k)
					}
				}
			}
		}
		return nil
	}
}

// TestAccRotatedSecret_adoptKMSRotateNow adopts a secret encrypted with a
// customer key, keeping the key and description, and asks for a rotation
// during the adoption apply (rotate_immediately = true): the new function
// rotates under the key and the old value becomes AWSPREVIOUS.
func TestAccRotatedSecret_adoptKMSRotateNow(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	kmsClient := env.SDK.KMS
	key, err := kmsClient.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("adopted secret's key")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	const value = `{"password":"hand-made","username":"app"}`
	sec, err := env.SDK.SecretsManager.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), KmsKeyId: aws.String(keyARN), Description: aws.String("console-made"), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	arn := aws.ToString(sec.ARN)
	cfg := env.ProviderBlock() + fmt.Sprintf(`
import {
  to = rotator_rotated_secret.test
  id = %q
}

resource "rotator_rotated_secret" "test" {
  name                    = %q
  description             = "console-made"
  kms_key_id              = %q
  secret_template         = jsonencode({ username = "app" })
  recovery_window_in_days = 0
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }
}
`, arn, name, keyARN)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(true)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("kms_key_id"), knownvalue.StringExact(keyARN)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSecret(env, arn, func(o *secretsmanager.DescribeSecretOutput) error {
						if aws.ToString(o.KmsKeyId) != keyARN || aws.ToString(o.Description) != "console-made" {
							return errorf("key %s description %q changed", aws.ToString(o.KmsKeyId), aws.ToString(o.Description))
						}
						return nil
					}),
					func(*terraform.State) error {
						// The rotation may finish in the background.
						for range 100 {
							if checkValue(env, arn, "AWSPREVIOUS", value)(nil) == nil {
								return nil
							}
							time.Sleep(100 * time.Millisecond)
						}
						return checkValue(env, arn, "AWSPREVIOUS", value)(nil)
					},
				),
			},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccRotatedSecret_adoptWithoutValue adopts a secret created without a
// value (an aws_secretsmanager_secret without its version): the adoption
// apply writes initial_value_wo as the first value, and the new function
// then rotates from it.
func TestAccRotatedSecret_adoptWithoutValue(t *testing.T) {
	env, name := acctest.Start(t)
	sec, err := env.SDK.SecretsManager.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	arn := aws.ToString(sec.ARN)
	cfg := initialVariable + env.ProviderBlock() + fmt.Sprintf(`
import {
  to = rotator_rotated_secret.test
  id = %q
}

resource "rotator_rotated_secret" "test" {
  name                     = %q
  recovery_window_in_days  = 0
  initial_value_wo         = var.initial
  initial_value_wo_version = 1
%s
}
`, arn, name, rotation30d)
	vars := config.Variables{"initial": config.StringVariable("first-Value-1")}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg, ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				Check: checkValue(env, arn, "AWSCURRENT", "first-Value-1"),
			},
			{
				Config: cfg, ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return rotateNow(t, env, arn) },
					checkValue(env, arn, "AWSPREVIOUS", "first-Value-1"),
				),
			},
		},
	})
}
