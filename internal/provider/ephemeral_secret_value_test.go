package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// secretValueConfig: a rotated secret "source", the ephemeral
// rotator_secret_value of its password, and a second rotated secret
// "copy" whose write-only initial_value_wo takes that password.
func secretValueConfig(env *acctest.Env, source, target string) string {
	const rotation = `
  secret_template         = jsonencode({ username = "app" })
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }`
	return env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "source" {
  name                    = %q
  recovery_window_in_days = 0
%s
}

ephemeral "rotator_secret_value" "source" {
  secret_id = rotator_rotated_secret.source.arn
  field     = "password"
}

resource "rotator_rotated_secret" "copy" {
  name                     = %q
  recovery_window_in_days  = 0
  initial_value_wo         = ephemeral.rotator_secret_value.source.value
  initial_value_wo_version = 1
%s
}
`, source, rotation, target, rotation)
}

// TestAccSecretValue_writeOnlyNeverStored reads a generated password
// through rotator_secret_value into another resource's write-only
// argument, and proves the value arrived (the second secret holds it) and
// appears nowhere in the state, the plan JSON or a TF_LOG=trace log, in
// any of the encodings a leak would take there. Not parallel: it sets TF_LOG.
func TestAccSecretValue_writeOnlyNeverStored(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	source, target := acctest.RandomName(), acctest.RandomName()
	var secrets []string // the source's whole secret string and its password (acctest.FindLeak checks every encoding)
	noLeakInPlan := plancheck.PlanCheck(planSecretCheck{secrets: &secrets})
	noLeakInState := statecheck.StateCheck(stateSecretCheck{secrets: &secrets})
	cfg := secretValueConfig(env, source, target)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					whole, err := currentValue(env, source)
					if err != nil {
						return err
					}
					password := jsonField(whole, "password")
					if len(password) < 16 {
						return errorf("the source secret has no generated password")
					}
					secrets = append(secrets, whole, password)
					copied, err := currentValue(env, target)
					if err != nil {
						return err
					}
					if got := jsonField(copied, "password"); got != password {
						return errorf("the copy's password is not the source's AWSCURRENT password: the ephemeral value did not reach initial_value_wo")
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{noLeakInState},
			},
			{
				// Re-planning reads the ephemeral value again; nothing
				// changes and nothing leaks into the plan.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noLeakInPlan},
				},
				ConfigStateChecks: []statecheck.StateCheck{noLeakInState},
			},
		},
	})

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(log), "GetSecretValue") || !strings.Contains(string(log), secretValueTypeName) {
		t.Fatalf("the trace log shows no GetSecretValue call of %s (%d bytes); the check below would prove nothing", secretValueTypeName, len(log))
	}
	if len(secrets) == 0 {
		t.Fatal("no secret values were collected; the checks proved nothing")
	}
	if i, ok := acctest.FindLeak(string(log), secrets); ok {
		t.Errorf("secret #%d appears in the TF_LOG=trace log (in one of its encodings)", i)
	}
}

const secretValueTypeName = "rotator_secret_value"

// jsonField returns a top-level string of a JSON object, "" otherwise.
func jsonField(s, key string) string {
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) != nil {
		return ""
	}
	v, _ := obj[key].(string)
	return v
}

// TestAccSecretValue_providerConfiguration configures a second provider
// from an ephemeral value: temporary credentials of a role, kept in a
// secret, read by rotator_secret_value and given to the aliased provider,
// which reads another secret with them and creates a rotated secret from
// its value (initial_value_wo). The emulator verifies the signatures of
// credentials it issued, so the aliased provider works only if the
// ephemeral value arrived intact; a wrong secret key fails the run.
//
// The in-process provider is one server for both provider blocks (the
// last configuration wins), so everything after the credentials are read
// runs as the role, which may do anything.
func TestAccSecretValue_providerConfiguration(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("uses credentials issued by the emulator")
	}
	ctx := context.Background()
	cfg := aws.Config{Region: env.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(env.URL)}
	iamc := iam.NewFromConfig(cfg)
	role := "reader-" + strings.ToLower(acctest.RandomName())
	if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(fmt.Sprintf(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, env.Account))}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + env.Account + ":role/" + role), RoleSessionName: aws.String("tf")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	credsFor := func(secretKey string) string {
		b, _ := json.Marshal(map[string]string{"access_key": aws.ToString(out.Credentials.AccessKeyId),
			"secret_key": secretKey, "token": aws.ToString(out.Credentials.SessionToken)})
		return string(b)
	}
	creds := credsFor(aws.ToString(out.Credentials.SecretAccessKey))
	credsName, badName, targetName, copyName := acctest.RandomName(), acctest.RandomName(), acctest.RandomName(), acctest.RandomName()
	const targetValue = "Value-Read-By-The-Aliased-Provider-42"
	for name, v := range map[string]string{credsName: creds, badName: credsFor("wrong-secret-key-0000000000"), targetName: targetValue} {
		if _, err := env.Clients.SecretsManager.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	var alias strings.Builder
	fmt.Fprintf(&alias, "provider \"rotator\" {\n  alias      = \"reader\"\n  region     = %q\n  access_key = local.creds.access_key\n  secret_key = local.creds.secret_key\n  token      = local.creds.token\n  endpoints {\n", env.Region)
	for _, svc := range []string{"secretsmanager", "lambda", "iam", "sts", "logs", "kms"} {
		fmt.Fprintf(&alias, "    %-14s = %q\n", svc, env.URL)
	}
	alias.WriteString("  }\n}\n")
	config := func(credsSecret string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
ephemeral "rotator_secret_value" "creds" {
  secret_id = %q
}

locals {
  creds = jsondecode(ephemeral.rotator_secret_value.creds.value)
}
`, credsSecret) + alias.String() + fmt.Sprintf(`
ephemeral "rotator_secret_value" "target" {
  provider  = rotator.reader
  secret_id = %q
}

resource "rotator_rotated_secret" "copy" {
  provider                 = rotator.reader
  name                     = %q
  recovery_window_in_days  = 0
  initial_value_wo         = ephemeral.rotator_secret_value.target.value
  initial_value_wo_version = 1
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }
}
`, targetName, copyName)
	}
	secrets := []string{creds, aws.ToString(out.Credentials.SecretAccessKey), targetValue}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{{
			Config:      config(badName),
			ExpectError: regexp.MustCompile(`Invalid AWS credentials`),
		}, {
			Config: config(credsName),
			Check: func(*terraform.State) error {
				got, err := currentValue(env, copyName)
				if err != nil {
					return err
				}
				if got != targetValue {
					return errorf("the copy does not hold the value the aliased provider read")
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{stateSecretCheck{secrets: &secrets}},
		}},
	})
}
