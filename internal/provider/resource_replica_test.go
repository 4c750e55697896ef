package provider_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// replicaRegions are the replica regions of the tests (the provider's is
// acctest.Region).
var replicaRegions = []string{"us-west-2", "eu-west-1"}

// replicaBlocks are replica blocks for regions.
func replicaBlocks(regions ...string) string {
	out := ""
	for _, r := range regions {
		out += fmt.Sprintf("\n  replica {\n    region = %q\n  }", r)
	}
	return out
}

// replicaState checks the state's replica blocks: exactly these regions,
// each InSync.
func replicaState(regions ...string) statecheck.StateCheck {
	var elems []knownvalue.Check
	for _, r := range regions {
		elems = append(elems, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"region": knownvalue.StringExact(r), "kms_key_id": knownvalue.Null(),
			"status": knownvalue.StringExact("InSync"), "status_message": knownvalue.NotNull(),
		}))
	}
	return statecheck.ExpectKnownValue(res, tfjsonpath.New("replica"), knownvalue.SetExact(elems))
}

// checkReplicaValues reads the secret in each region where applications
// read it and compares with the primary's AWSCURRENT (version and value).
func checkReplicaValues(env *acctest.Env, name string, regions ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		primary, err := env.SDK.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			return err
		}
		for _, region := range regions {
			got, err := env.SecretsManagerIn(region).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
			if err != nil {
				return fmt.Errorf("reading the replica in %s: %w", region, err)
			}
			if aws.ToString(got.VersionId) != aws.ToString(primary.VersionId) || aws.ToString(got.SecretString) != aws.ToString(primary.SecretString) {
				return fmt.Errorf("replica in %s: AWSCURRENT is version %s, the primary's is %s (values equal: %t)", region,
					aws.ToString(got.VersionId), aws.ToString(primary.VersionId), aws.ToString(got.SecretString) == aws.ToString(primary.SecretString))
			}
		}
		return nil
	}
}

// checkNoSecretIn fails when a region still holds the secret.
func checkNoSecretIn(env *acctest.Env, name string, regions ...string) error {
	for _, region := range regions {
		_, err := env.SecretsManagerIn(region).DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		var nf *smtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			return fmt.Errorf("region %s still holds secret %s (DescribeSecret: %v)", region, name, err)
		}
	}
	return nil
}

// TestAccRotatedSecret_replicas creates a rotated secret with two replicas
// and rotates it: each replica region serves the new AWSCURRENT. Removing
// a replica block removes that replica and converges; destroy leaves
// nothing in any region.
func TestAccRotatedSecret_replicas(t *testing.T) {
	env, name := acctest.Start(t)
	const rotateNow = `
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }`
	env.Test(t, resource.TestCase{
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckDestroy(s); err != nil {
				return err
			}
			return checkNoSecretIn(env, name, append(replicaRegions, "ap-southeast-2")...)
		},
		Steps: []resource.TestStep{
			{
				Config: basicConfig(env, name, rotateNow+replicaBlocks(replicaRegions...)),
				ConfigStateChecks: []statecheck.StateCheck{
					replicaState(replicaRegions...),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				},
				Check: resource.ComposeTestCheckFunc(
					checkSecret(env, name, rotated),
					checkReplicaValues(env, name, replicaRegions...),
				),
			},
			{
				// Import reads the replicas from the same DescribeSecret.
				ResourceName:      res,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"recovery_window_in_days", // not readable from AWS
					"current_version_id", "last_rotated_date", "next_rotation_date", "rotation.rotate_immediately", "rotates_on_apply",
				},
			},
			{
				// Order of the blocks makes no diff.
				Config: basicConfig(env, name, rotateNow+replicaBlocks(replicaRegions[1], replicaRegions[0])),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: basicConfig(env, name, rotateNow+replicaBlocks("eu-west-1")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					// The plan after the apply is empty.
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{replicaState("eu-west-1")},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error { return checkNoSecretIn(env, name, "us-west-2") },
					checkReplicaValues(env, name, "eu-west-1"),
				),
			},
			{
				// Adding a region replicates every version to it.
				Config: basicConfig(env, name, rotateNow+replicaBlocks("eu-west-1", "ap-southeast-2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{replicaState("eu-west-1", "ap-southeast-2")},
				Check:             checkReplicaValues(env, name, "eu-west-1", "ap-southeast-2"),
			},
		},
	})
}

// TestAccRotatedSecret_replicaRemovedOutOfBand removes a replica outside
// Terraform: the refresh reports drift and the apply replicates again.
func TestAccRotatedSecret_replicaRemovedOutOfBand(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := basicConfig(env, name, rotation30d+replicaBlocks("eu-west-1"))
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{replicaState("eu-west-1")}},
			{
				PreConfig: func() {
					if _, err := env.SDK.SecretsManager.RemoveRegionsFromReplication(context.Background(), &secretsmanager.RemoveRegionsFromReplicationInput{
						SecretId: aws.String(name), RemoveReplicaRegions: []string{"eu-west-1"},
					}); err != nil {
						t.Fatalf("removing the replica out of band: %v", err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					replicaState("eu-west-1"),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				},
				Check: checkReplicaValues(env, name, "eu-west-1"),
			},
		},
	})
}

// TestAccRotatedSecret_replicaFailed: a replica region that already holds a
// secret of that name fails to replicate; the apply fails with Secrets
// Manager's message, and the other secret is left alone.
func TestAccRotatedSecret_replicaFailed(t *testing.T) {
	env, name := acctest.Start(t)
	west := env.SecretsManagerIn("eu-west-1")
	if _, err := west.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String("someone else's"),
	}); err != nil {
		t.Fatal(err)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      basicConfig(env, name, rotation30d+replicaBlocks("eu-west-1")),
			ExpectError: regexp.MustCompile(`(?s)Replicating the secret to eu-west-1 failed.*as Failed:\s+"Replication\s+failed:\s+Secret\s+name\s+already\s+exists\s+in\s+region\s+eu-west-1`),
		}},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckDestroy(s); err != nil {
				return err
			}
			v, err := west.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
			if err != nil || aws.ToString(v.SecretString) != "someone else's" {
				return fmt.Errorf("the other secret in eu-west-1 was touched: %v", err)
			}
			return nil
		},
	})
}

// TestAccRotatedSecret_replicaValidation rejects, at plan time, the
// primary's own region, a duplicate region, a region the partition does
// not have, and a replica key that is not a key ARN of its region.
func TestAccRotatedSecret_replicaValidation(t *testing.T) {
	env, name := acctest.Start(t)
	tests := []struct {
		blocks string
		want   string
	}{
		{replicaBlocks(acctest.Region), `Replica in the primary region`},
		{`
  replica {
    region = "eu-west-1"
  }
  replica {
    region     = "eu-west-1"
    kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }`, `Duplicate replica region`},
		{replicaBlocks("eu-westt-1"), `Unknown replica region`},
		{replicaBlocks("cn-north-1"), `not a region of partition aws`},
		{`
  replica {
    region     = "eu-west-1"
    kms_key_id = "alias/payments"
  }`, `Replica KMS key is not a key ARN of the replica's region`},
	}
	var steps []resource.TestStep
	for _, tt := range tests {
		steps = append(steps, resource.TestStep{
			Config: basicConfig(env, name, rotation30d+tt.blocks), PlanOnly: true, ExpectError: regexp.MustCompile(tt.want),
		})
	}
	env.Test(t, resource.TestCase{Steps: steps})
}

// TestAccRotatedSecret_replicaKMSKey changes a replica's key to a
// customer key of the replica's region: the replica is replicated again
// under the new key, with every version.
func TestAccRotatedSecret_replicaKMSKey(t *testing.T) {
	env, name := acctest.Start(t)
	created, err := env.SDKIn("eu-west-1").KMS.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("replica key of " + name)})
	if err != nil {
		t.Fatal(err)
	}
	key := aws.ToString(created.KeyMetadata.Arn)
	if !strings.HasPrefix(key, "arn:aws:kms:eu-west-1:") {
		t.Fatalf("key created in eu-west-1 has ARN %s", key)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: basicConfig(env, name, rotation30d+replicaBlocks("eu-west-1"))},
			{
				Config: basicConfig(env, name, rotation30d+fmt.Sprintf(`
  replica {
    region     = "eu-west-1"
    kms_key_id = %q
  }`, key)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("replica"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"region": knownvalue.StringExact("eu-west-1"), "kms_key_id": knownvalue.StringExact(key),
							"status": knownvalue.StringExact("InSync"), "status_message": knownvalue.NotNull(),
						}),
					})),
				},
				Check: resource.ComposeTestCheckFunc(
					checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
						if len(o.ReplicationStatus) != 1 || aws.ToString(o.ReplicationStatus[0].KmsKeyId) != key {
							return fmt.Errorf("ReplicationStatus = %+v, want eu-west-1 under %s", o.ReplicationStatus, key)
						}
						return nil
					}),
					checkReplicaValues(env, name, "eu-west-1"),
				),
			},
		},
	})
}
