package provider_test

// resource_steer_test.go: steering rotation from Terraform
// (rotation.rotate_triggers) and seeing its health (current_version_created_date,
// rotation_pending, rotation_stuck), checked against the emulator's own
// records and plain SDK calls.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// triggersConfig is a generic secret rotating every 30 days with the given
// rotate_triggers expression.
func triggersConfig(env *acctest.Env, name, triggers string) string {
	return basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 30
    rotate_triggers          = %s
  }
  function {
    architecture = "x86_64"
  }`, triggers))
}

// rotationLedger remembers what the emulator saw at one point: the
// AWSCURRENT version, the RotateSecret calls and the rotations run.
type rotationLedger struct {
	current     string
	rotateCalls int
	rotations   []awsemu.RotationRecord
}

func takeLedger(t *testing.T, env *acctest.Env, name string) rotationLedger {
	t.Helper()
	ctx := context.Background()
	calls, err := env.Admin.Calls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := env.Admin.Rotations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rotationLedger{current: currentVersion(describe(t, env, name)), rotateCalls: calls["secretsmanager:RotateSecret"], rotations: recs}
}

// rotatedOnceSince checks that exactly one rotation ran since before, and
// that it succeeded the way AWS documents one: the old AWSCURRENT holds
// AWSPREVIOUS, the new one is the state's current_version_id, and no
// AWSPENDING is left.
func rotatedOnceSince(t *testing.T, env *acctest.Env, name string, before *rotationLedger) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		now := takeLedger(t, env, name)
		if n := now.rotateCalls - before.rotateCalls; n != 1 {
			return errorf("%d RotateSecret calls during the apply, want 1", n)
		}
		if n := len(now.rotations) - len(before.rotations); n != 1 {
			return errorf("%d rotations ran during the apply, want 1", n)
		}
		if last := now.rotations[len(now.rotations)-1]; !last.OK || last.VersionID != now.current {
			return errorf("the rotation of %s ended ok=%t (%s); AWSCURRENT is on %s", last.VersionID, last.OK, last.Error, now.current)
		}
		o := describe(t, env, name)
		if err := rotated(o); err != nil {
			return err
		}
		if !slices.Contains(o.VersionIdsToStages[before.current], "AWSPREVIOUS") {
			return errorf("the old AWSCURRENT %s is not AWSPREVIOUS: %v", before.current, o.VersionIdsToStages)
		}
		if got := s.RootModule().Resources[res].Primary.Attributes["current_version_id"]; got != now.current {
			return errorf("state current_version_id %s, AWSCURRENT %s", got, now.current)
		}
		*before = now
		return nil
	}
}

// TestAccRotatedSecret_rotateTriggers: creating with triggers does not
// rotate beyond create's own rules, an unchanged trigger plans nothing and
// rotates nothing, and a changed one plans rotates_on_apply = true, rotates
// exactly once (whatever rotate_immediately says) and leaves an empty plan.
// Removing the triggers is a change too.
func TestAccRotatedSecret_rotateTriggers(t *testing.T) {
	env, name := acctest.StartEmulator(t, "counts RotateSecret calls and rotations in the emulator")
	var ledger rotationLedger
	rotatesPlanned := func(action plancheck.ResourceActionType) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(res, action),
			plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(true)),
			plancheck.ExpectUnknownValue(res, tfjsonpath.New("current_version_id")),
		}
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: triggersConfig(env, name, `{ schema = "v1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(false)),
				}},
				Check: func(*terraform.State) error {
					// rotate_immediately = false: create only validated the function.
					ledger = takeLedger(t, env, name)
					if o := describe(t, env, name); len(o.VersionIdsToStages) != 1 {
						return errorf("create rotated the secret: %v", o.VersionIdsToStages)
					}
					return nil
				},
			},
			{
				Config:           triggersConfig(env, name, `{ schema = "v1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					if now := takeLedger(t, env, name); now.rotateCalls != ledger.rotateCalls || now.current != ledger.current {
						return errorf("an unchanged trigger rotated: RotateSecret calls %d -> %d, AWSCURRENT %s -> %s",
							ledger.rotateCalls, now.rotateCalls, ledger.current, now.current)
					}
					return nil
				},
			},
			{
				Config: triggersConfig(env, name, `{ schema = "v2", app = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             rotatesPlanned(plancheck.ResourceActionUpdate),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation").AtMapKey("rotate_triggers"),
						knownvalue.MapExact(map[string]knownvalue.Check{"schema": knownvalue.StringExact("v2"), "app": knownvalue.StringExact("1")})),
				},
				Check: rotatedOnceSince(t, env, name, &ledger),
			},
			{
				Config: triggersConfig(env, name, `null`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             rotatesPlanned(plancheck.ResourceActionUpdate),
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: rotatedOnceSince(t, env, name, &ledger),
			},
		},
	})
}

// TestAccRotatedSecret_rotateTriggersFailure: a trigger change whose
// rotation fails (the function's createSecret is denied PutSecretValue)
// fails the apply with the diagnostic naming the step and quoting the
// function's line; the state keeps the old trigger, so the next plan
// still rotates, and once the cause is gone the next apply rotates (it
// drops the valueless AWSPENDING the failure left) and converges.
func TestAccRotatedSecret_rotateTriggersFailure(t *testing.T) {
	env, name := acctest.StartEmulator(t, "makes the rotation function's PutSecretValue fail in the emulator")
	var ledger rotationLedger
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: triggersConfig(env, name, `{ schema = "v1" }`),
				Check:  func(*terraform.State) error { ledger = takeLedger(t, env, name); return nil },
			},
			{
				PreConfig: func() {
					if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{Service: "secretsmanager", Operation: "PutSecretValue",
						Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:PutSecretValue", Count: -1}); err != nil {
						t.Fatal(err)
					}
				},
				Config: triggersConfig(env, name, `{ schema = "v2" }`),
				ExpectError: regexp.MustCompile(`(?s)The secret's rotation failed in step createSecret.*` +
					`not authorized to perform: secretsmanager:PutSecretValue.*AWSPENDING is left on version`),
			},
			{
				PreConfig: func() {
					if err := env.Admin.ClearFaults(context.Background()); err != nil {
						t.Fatal(err)
					}
					before := ledger.current
					if ledger = takeLedger(t, env, name); ledger.current != before {
						t.Fatalf("the failed rotation moved AWSCURRENT %s -> %s", before, ledger.current)
					}
				},
				Config: triggersConfig(env, name, `{ schema = "v2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(true)),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("rotation").AtMapKey("rotate_triggers").AtMapKey("schema"), knownvalue.StringExact("v2")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: rotatedOnceSince(t, env, name, &ledger),
			},
		},
	})
}

// TestAccRotatedSecret_triggersNeedRotation: a trigger change while
// rotation is disabled would rotate nothing; the plan refuses it.
func TestAccRotatedSecret_triggersNeedRotation(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := func(v string) string {
		return basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 30
    enabled                  = false
    rotate_triggers          = { schema = %q }
  }
  function {
    architecture = "x86_64"
  }`, v))
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg("v1")},
			{Config: cfg("v2"), ExpectError: regexp.MustCompile(`(?s)rotate_triggers changed while rotation is disabled.*keys: schema`)},
		},
	})
}

// TestAccRotatedSecret_health: a fresh secret's current_version_created_date
// is AWSCURRENT's CreatedDate as ListSecretVersionIds reports it, and
// nothing is pending. A rotation started outside Terraform that fails
// leaves AWSPENDING: the refresh shows rotation_pending, not yet stuck;
// an hour later on Secrets Manager's clock it is stuck. A refresh that
// sees no new version makes no ListSecretVersionIds call.
func TestAccRotatedSecret_health(t *testing.T) {
	env, name := acctest.StartEmulator(t, "fails a rotation and moves the clock in the emulator")
	ctx := context.Background()
	cfg := basicConfig(env, name, rotation30d)
	health := func(pending, stuck bool) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation_pending"), knownvalue.Bool(pending)),
			statecheck.ExpectKnownValue(res, tfjsonpath.New("rotation_stuck"), knownvalue.Bool(stuck)),
		}
	}
	listCalls := func() int {
		calls, err := env.Admin.Calls(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return calls["secretsmanager:ListSecretVersionIds"]
	}
	var lists int
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: health(false, false),
				Check: func(s *terraform.State) error {
					out, err := env.Clients.SecretsManager.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name)})
					if err != nil {
						return err
					}
					got := s.RootModule().Resources[res].Primary.Attributes["current_version_created_date"]
					for _, v := range out.Versions {
						if slices.Contains(v.VersionStages, "AWSCURRENT") {
							if want := v.CreatedDate.UTC().Format(time.RFC3339); got != want {
								return errorf("current_version_created_date %q, AWSCURRENT created %s", got, want)
							}
							lists = listCalls()
							return nil
						}
					}
					return errorf("no AWSCURRENT version in %v", out.Versions)
				},
			},
			{
				// Nothing new: the refresh reads no versions.
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: health(false, false),
				Check: func(*terraform.State) error {
					if n := listCalls() - lists; n != 0 {
						return errorf("%d ListSecretVersionIds calls on refreshes that saw no new version", n)
					}
					return nil
				},
			},
			{
				PreConfig: func() {
					// A rotation outside Terraform whose createSecret is denied:
					// Secrets Manager retries it, then leaves AWSPENDING.
					if err := env.Admin.InjectFault(ctx, awsemu.Fault{Service: "secretsmanager", Operation: "PutSecretValue",
						Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:PutSecretValue", Count: -1}); err != nil {
						t.Fatal(err)
					}
					token := uuid.NewString()
					if _, err := env.Clients.SecretsManager.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
						SecretId: aws.String(name), ClientRequestToken: aws.String(token),
					}); err != nil {
						t.Fatal(err)
					}
					wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
					defer cancel()
					if rec, err := env.Admin.WaitRotation(wctx, token); err != nil || rec.OK {
						t.Fatalf("the out-of-band rotation did not fail as set up: %+v, %v", rec, err)
					}
					if err := env.Admin.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg,
				ConfigStateChecks: health(true, false),
			},
			{
				PreConfig: func() {
					if _, err := env.Admin.AdvanceClock(ctx, 2*time.Hour); err != nil {
						t.Fatal(err)
					}
				},
				Config:            cfg,
				ConfigStateChecks: health(true, true),
			},
			{
				// Cleared out of band: healthy again.
				PreConfig: func() {
					o := describe(t, env, name)
					for id, stages := range o.VersionIdsToStages {
						if slices.Contains(stages, "AWSPENDING") && !slices.Contains(stages, "AWSCURRENT") {
							if _, err := env.Clients.SecretsManager.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
								SecretId: aws.String(name), VersionStage: aws.String("AWSPENDING"), RemoveFromVersionId: aws.String(id),
							}); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config:            cfg,
				ConfigStateChecks: health(false, false),
			},
		},
	})
}

// TestAccRotatedSecret_agePostcondition: the age arithmetic of the
// documented postcondition (rotate-triggers.tf) on current_version_created_date
// passes on a fresh secret with the schedule's allowance, and fails the
// plan once the allowance is exceeded (here: a negative one, since a test
// cannot wait 31 days).
func TestAccRotatedSecret_agePostcondition(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := func(allowance string) string {
		return basicConfig(env, name, fmt.Sprintf(`
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }
  lifecycle {
    postcondition {
      condition = timecmp(timeadd(self.current_version_created_date, %q), plantimestamp()) > 0 && !self.rotation_stuck
      error_message = "older than its schedule allows"
    }
  }`, allowance))
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg("744h")}, // (30 + 1) * 24h
			{Config: cfg("-1h"), PlanOnly: true, ExpectError: regexp.MustCompile(`older than its schedule allows`)},
		},
	})
}

// TestAccRotatedSecret_rotateTriggersPendingWithValue: when the failed
// rotation got as far as storing the new value (here finishSecret is
// denied), the next apply does not guess whether that value is in use: it
// stops before RotateSecret with the commands that clear or finish it, and
// still plans the rotation; once cleared, the apply rotates.
func TestAccRotatedSecret_rotateTriggersPendingWithValue(t *testing.T) {
	env, name := acctest.StartEmulator(t, "makes the rotation function's finishSecret fail in the emulator")
	ctx := context.Background()
	var ledger rotationLedger
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: triggersConfig(env, name, `{ schema = "v1" }`)},
			{
				PreConfig: func() {
					if err := env.Admin.InjectFault(ctx, awsemu.Fault{Service: "secretsmanager", Operation: "UpdateSecretVersionStage",
						Code: "AccessDeniedException", Message: "User is not authorized to perform: secretsmanager:UpdateSecretVersionStage", Count: -1}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      triggersConfig(env, name, `{ schema = "v2" }`),
				ExpectError: regexp.MustCompile(`(?s)The secret's rotation failed in step finishSecret.*not authorized.*AWSPENDING is left on version`),
			},
			{
				PreConfig: func() {
					if err := env.Admin.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: triggersConfig(env, name, `{ schema = "v2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(res, tfjsonpath.New("rotates_on_apply"), knownvalue.Bool(true)),
				}},
				ExpectError: regexp.MustCompile(`(?s)An earlier rotation of the secret did not finish.*update-secret-version-stage`),
			},
			{
				PreConfig: func() {
					// The user decides the pending value is not in use and drops it.
					_, pending := stages(t, env, name)
					if pending == "" {
						t.Fatal("no AWSPENDING left by the failed rotation")
					}
					if _, err := env.Clients.SecretsManager.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
						SecretId: aws.String(name), VersionStage: aws.String("AWSPENDING"), RemoveFromVersionId: aws.String(pending),
					}); err != nil {
						t.Fatal(err)
					}
					ledger = takeLedger(t, env, name)
				},
				Config: triggersConfig(env, name, `{ schema = "v2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: rotatedOnceSince(t, env, name, &ledger),
			},
		},
	})
}
