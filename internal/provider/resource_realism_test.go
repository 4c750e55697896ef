package provider_test

// resource_realism_test.go: the provider survives each place where AWS
// (and so the emulator, by default) is asynchronous or strict: a rotation
// that runs after RotateSecret answered and may fail, a name whose forced
// deletion has not finished, a resource policy naming a role IAM has not
// propagated yet, a KMS key change that re-encrypts the versions, and a
// cron schedule that AWS also reports in days.

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("listener address is %T", l.Addr())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr.Port
}

// refusedDBConfig is a PostgreSQL single-user secret whose database at
// 127.0.0.1:port refuses connections, with rotation adding lines to the
// rotation block.
func refusedDBConfig(env *acctest.Env, name string, port int, rotation string) string {
	return basicConfig(env, name, fmt.Sprintf(`
  secret_template = jsonencode({
    engine   = "postgres"
    host     = "127.0.0.1"
    port     = %d
    username = "app"
    dbname   = "app"
  })
  rotation {
    strategy                 = "postgresql_single_user"
    automatically_after_days = 30
    %s
  }
  function {
    architecture = "x86_64"
  }`, port, rotation))
}

// TestAccRotatedSecret_failedRotationFailsApply: a PostgreSQL secret whose
// database refuses connections. The rotation (or, with rotate_immediately
// = false, the configuration test) fails in the background after
// RotateSecret answered; the apply must fail too, naming the step, quoting
// the function's own line and saying AWSPENDING was left, and destroy must
// remove everything it created.
func TestAccRotatedSecret_failedRotationFailsApply(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	for _, tc := range []struct {
		immediately bool
		want        string
	}{
		{true, `(?s)The secret's rotation failed in step setSecret.*logged, for this rotation.*setSecret.*connection refused.*AWSPENDING is left on version.*Do not remove AWSPENDING`},
		{false, `(?s)rotation configuration test \(testSecret, rotate_immediately = false\) failed in step testSecret.*connection refused.*AWSPENDING is left`},
	} {
		t.Run(fmt.Sprint("rotate_immediately=", tc.immediately), func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("needs a database address that refuses connections from the function")
			}
			name := acctest.RandomName()
			cfg := refusedDBConfig(env, name, closedPort(t), fmt.Sprintf("rotate_immediately = %t", tc.immediately))
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      cfg,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccRotatedSecret_failedRotationFailsUpdate: turning rotation on for
// a secret whose database refuses connections is an update that rotates;
// it fails with the same diagnostic, keeps the prior state (rotation off),
// and the next plan still wants to turn rotation on.
func TestAccRotatedSecret_failedRotationFailsUpdate(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs a database address that refuses connections from the function")
	}
	name, port := acctest.RandomName(), closedPort(t)
	cfg := func(enabled bool) string {
		return refusedDBConfig(env, name, port, fmt.Sprintf("rotate_immediately = true\n    enabled            = %t", enabled))
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(false)},
			{
				Config:      cfg(true),
				ExpectError: regexp.MustCompile(`(?s)The secret's rotation failed in step setSecret.*connection refused.*AWSPENDING is left`),
			},
			{
				Config:             cfg(true),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccRotatedSecret_rotationWaited: with rotate_immediately the apply
// returns only once the rotation finished: AWSCURRENT moved off the first
// version, no AWSPENDING is left on another version, and the state's
// current_version_id and last_rotated_date are the rotated ones.
func TestAccRotatedSecret_rotationWaited(t *testing.T) {
	env, name := acctest.Start(t)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, `
  rotation {
    automatically_after_days = 7
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }`),
			Check: func(s *terraform.State) error {
				o := describe(t, env, name)
				cur := currentVersion(o)
				attrs := s.RootModule().Resources[res].Primary.Attributes
				for id, stages := range o.VersionIdsToStages {
					for _, st := range stages {
						if st == "AWSPENDING" && id != cur {
							return errorf("AWSPENDING left on version %s after the apply", id)
						}
						if st == "AWSPREVIOUS" && id == cur {
							return errorf("AWSCURRENT did not move")
						}
					}
				}
				if o.LastRotatedDate == nil || attrs["current_version_id"] != cur || attrs["last_rotated_date"] == "" {
					return errorf("state current_version_id=%q last_rotated_date=%q, AWS AWSCURRENT=%s LastRotatedDate=%v",
						attrs["current_version_id"], attrs["last_rotated_date"], cur, o.LastRotatedDate)
				}
				return nil
			},
		}},
	})
}

// TestAccRotatedSecret_recreateAfterForcedDeletion destroys a secret with
// recovery_window_in_days = 0 and creates it again at once: Secrets
// Manager still answers "scheduled for deletion" for a while, and the
// provider retries CreateSecret until the name is free.
func TestAccRotatedSecret_recreateAfterForcedDeletion(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := basicConfig(env, name, rotation30d)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg},
			{Config: env.ProviderBlock()}, // destroys it (ForceDeleteWithoutRecovery)
			{
				PreConfig: func() {
					if env.IsEmulator() {
						if err := env.Admin.ResetCalls(context.Background()); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: cfg,
				Check: func(*terraform.State) error {
					if !env.IsEmulator() {
						return nil
					}
					calls, err := env.Admin.Calls(context.Background())
					if err != nil {
						return err
					}
					if calls["secretsmanager:CreateSecret"] < 2 {
						return errorf("CreateSecret calls = %d; the name was free at once, so the retry was not exercised", calls["secretsmanager:CreateSecret"])
					}
					return nil
				},
			},
		},
	})
}

// TestAccRotatedSecret_policyNamesNewRole attaches a resource policy that
// names a role created moments before: until IAM has propagated it,
// PutResourcePolicy answers MalformedPolicyDocumentException ("unsupported
// principal"), and the provider retries.
func TestAccRotatedSecret_policyNamesNewRole(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs the emulator's IAM propagation delay")
	}
	ctx := context.Background()
	// A propagation delay long enough to be seen, short enough for a test.
	if err := env.Admin.SetIAMPropagationDelay(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	name, reader := acctest.RandomName(), acctest.RandomName()+"-reader"
	cfg := basicConfig(env, name, fmt.Sprintf(`
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::%s:role/%s" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })`, env.Account, reader)+rotation30d)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			PreConfig: func() {
				trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
				if _, err := env.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(reader), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					_, _ = env.Clients.IAM.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String(reader)})
				})
				if err := env.Admin.ResetCalls(ctx); err != nil {
					t.Fatal(err)
				}
			},
			Config: cfg,
			Check: func(*terraform.State) error {
				calls, err := env.Admin.Calls(ctx)
				if err != nil {
					return err
				}
				if calls["secretsmanager:PutResourcePolicy"] < 2 {
					return errorf("PutResourcePolicy calls = %d; the not-yet-propagated principal was not retried", calls["secretsmanager:PutResourcePolicy"])
				}
				out, err := env.Clients.SecretsManager.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
				if err != nil || aws.ToString(out.ResourcePolicy) == "" {
					return errorf("resource policy not attached: %v", err)
				}
				return nil
			},
		}},
	})
}

// TestAccRotatedSecret_resourcePolicyDenyStopsRotation: a resource
// policy's explicit Deny applies to every caller, the rotation function
// included ("an explicit deny in any policy overrides any allows"). A
// policy that denies secretsmanager:GetSecretValue to everyone makes the
// first rotation fail in createSecret; the apply fails saying so, with the
// function's own line, and destroy removes everything.
func TestAccRotatedSecret_resourcePolicyDenyStopsRotation(t *testing.T) {
	env, name := acctest.Start(t)
	cfg := basicConfig(env, name, `
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })`+rotateNow30d)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: regexp.MustCompile(`(?s)The secret's rotation failed in step createSecret.*createSecret: .*explicit deny in a resource-based policy.*Nothing reached the target yet`),
		}},
	})
}

// TestAccRotatedSecret_kmsKeyChangeReencrypts moves the secret to a new
// key: AWSCURRENT and AWSPREVIOUS are re-encrypted (the caller has
// kms:Encrypt), so disabling the old key afterwards breaks nothing, and
// the next plan is empty.
func TestAccRotatedSecret_kmsKeyChangeReencrypts(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	kmsClient, ok := env.Clients.KMS.(*kms.Client)
	if !ok {
		t.Fatalf("KMS client is %T", env.Clients.KMS)
	}
	newKey := func() string {
		out, err := kmsClient.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("acc test")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.KeyMetadata.Arn)
	}
	oldKey, nextKey := newKey(), newKey()
	cfg := func(key string) string {
		return basicConfig(env, name, fmt.Sprintf(`
  kms_key_id = %q`+rotateNow30d, key))
	}
	sm, ok := env.Clients.SecretsManager.(*secretsmanager.Client)
	if !ok {
		t.Fatalf("Secrets Manager client is %T", env.Clients.SecretsManager)
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(oldKey)},
			{
				Config: cfg(nextKey),
				Check: func(*terraform.State) error {
					out, err := sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name)})
					if err != nil {
						return err
					}
					for _, v := range out.Versions {
						if len(v.KmsKeyIds) != 1 || v.KmsKeyIds[0] != nextKey {
							return errorf("version %s (%v) is under %v, want the new key", aws.ToString(v.VersionId), v.VersionStages, v.KmsKeyIds)
						}
					}
					if _, err := kmsClient.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(oldKey)}); err != nil {
						return err
					}
					for _, stage := range []string{"AWSCURRENT", "AWSPREVIOUS"} {
						if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(stage)}); err != nil {
							return errorf("%s is not readable once the old key is disabled: %v", stage, err)
						}
					}
					return nil
				},
			},
		},
	})
}

// TestAccRotatedSecret_cronScheduleNotMisread: AWS reports
// AutomaticallyAfterDays for a cron() schedule too (1 for a daily one).
// A cron schedule applies and converges; and when the configuration says
// automatically_after_days = 1 but the secret was switched to a daily cron
// outside Terraform, the provider sees the drift instead of taking the
// reported days for the configured ones.
func TestAccRotatedSecret_cronScheduleNotMisread(t *testing.T) {
	env, name := acctest.Start(t)
	ctx := context.Background()
	const daily = "cron(0 10 * * ? *)"
	cron := basicConfig(env, name, `
  rotation {
    schedule_expression = "`+daily+`"
  }
  function {
    architecture = "x86_64"
  }`)
	days := basicConfig(env, name, `
  rotation {
    automatically_after_days = 1
  }
  function {
    architecture = "x86_64"
  }`)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cron,
				Check: checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
					if aws.ToString(o.RotationRules.ScheduleExpression) != daily {
						return errorf("RotationRules = %+v, want %s", o.RotationRules, daily)
					}
					return nil
				}),
			},
			{Config: days},
			{
				PreConfig: func() {
					token := "33333333-4444-4555-8666-777777777777"
					if _, err := env.Clients.SecretsManager.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
						SecretId: aws.String(name), ClientRequestToken: aws.String(token), RotateImmediately: aws.Bool(false),
						RotationRules: &smtypes.RotationRulesType{ScheduleExpression: aws.String(daily)},
					}); err != nil {
						t.Fatalf("RotateSecret outside Terraform: %v", err)
					}
					if env.IsEmulator() {
						wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
						defer cancel()
						if _, err := env.Admin.WaitRotation(wctx, token); err != nil {
							t.Fatal(err)
						}
					}
					if o := describe(t, env, name); aws.ToInt64(o.RotationRules.AutomaticallyAfterDays) != 1 {
						t.Fatalf("AWS reports %+v; this test needs AutomaticallyAfterDays 1 next to the cron schedule", o.RotationRules)
					}
				},
				Config: days,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
					if expr := aws.ToString(o.RotationRules.ScheduleExpression); expr != "" && expr != "rate(1 day)" {
						return errorf("RotationRules = %+v after the repair, want a 1-day schedule", o.RotationRules)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccRotatedSecret_wrongFirstPassword: the user gives a PostgreSQL
// secret a first password the database does not accept. The first rotation
// cannot log in, so the apply must fail (never green), name the step,
// quote the database's own refusal from the function's log and say that
// AWSPENDING was left; the database user's real password must be untouched
// and the value the user wrote must still be AWSCURRENT (nothing lost, and
// nothing but the user can fix it).
func TestAccRotatedSecret_wrongFirstPassword(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("the function must reach the throwaway database on loopback")
	}
	db := startDB(t, testdb.EnginePostgres)
	const realPW, wrongPW = "Real-Pass-1234", "Wrong-Pass-5678"
	dbname := createAppUser(t, db, realPW)
	name := acctest.RandomName()
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config:          dbConfig(env, name, db, dbname, "postgresql_single_user", "", "rotate_immediately = true"),
			ConfigVariables: dbVariables(wrongPW, db),
			// PostgreSQL's own words for SQLSTATE 28P01.
			ExpectError: regexp.MustCompile(`(?s)rotation failed in step setSecret.*password authentication failed.*AWSPENDING is left`),
		}, {
			// The failed create left the resource tainted in state; the
			// database and the secret are checked before destroy.
			Config:          dbConfig(env, name, db, dbname, "postgresql_single_user", "", "rotate_immediately = true"),
			ConfigVariables: dbVariables(wrongPW, db),
			PlanOnly:        true, ExpectNonEmptyPlan: true,
			PreConfig: func() {
				if err := login(db, dbname, "app", realPW, true); err != nil {
					t.Errorf("the database user's real password no longer works: %v", err)
				}
				if got := dbSecret(t, env, name, "AWSCURRENT"); got.Password != wrongPW {
					t.Error("AWSCURRENT is no longer the value the user wrote")
				}
			},
		}},
	})
}
