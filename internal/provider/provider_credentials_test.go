package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// roleSession assumes roleARN as the emulator's administrator and returns
// the session's temporary credentials (an ASIA key that the emulator
// accepts only with its session token).
func roleSession(t *testing.T, env *acctest.Env, roleARN string) aws.Credentials {
	t.Helper()
	client := sts.NewFromConfig(aws.Config{
		Region:      env.Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *sts.Options) { o.BaseEndpoint = aws.String(env.URL) })
	out, err := client.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("acc-files")})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

// providerWith is a provider block on the emulator's endpoints with the
// given credential settings in place of the test keys.
func providerWith(env *acctest.Env, settings string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nprovider \"rotator\" {\n  region = %q\n%s  endpoints {\n", env.Region, settings)
	for _, svc := range acctest.EndpointServices {
		fmt.Fprintf(&b, "    %-14s = %q\n", svc, env.URL)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// TestAccProvider_editCredentialSettings edits, one step at a time, the
// provider settings a user changes when their way of signing in changes
// (review E10): a profile in shared config and credentials files, a session
// token, skip_credentials_validation and assume_role.external_id. Each
// accepted edit leaves the plan empty and the secret's AWSCURRENT where it
// was; each rejected one fails with a diagnostic that says which
// credentials were refused. The emulator verifies the session token of the
// temporary credentials it issues and evaluates the sts:ExternalId
// condition of trust policies, so a setting the provider dropped would fail.
func TestAccProvider_editCredentialSettings(t *testing.T) {
	env, name := acctest.StartEmulator(t, "assumes roles created in the emulator")
	ctx := context.Background()
	// Two caller roles the test signs in as through files: one with every
	// documented permission, one without secretsmanager:DescribeSecret.
	allowedARN := callerRole(t, env, "caller-"+name, allDocumentedBut(t, ""))
	deniedARN := callerRole(t, env, "denied-"+name, allDocumentedBut(t, "secretsmanager:DescribeSecret"))
	allowed, denied := roleSession(t, env, allowedARN), roleSession(t, env, deniedARN)
	// A third-party role as the IAM User Guide sets it up: trusted only
	// with the agreed external ID.
	extTrust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"agreed-id-1"}}}]}`, env.Account)
	ext, err := env.SDK.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("third-party-" + name), AssumeRolePolicyDocument: aws.String(extTrust)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := env.SDK.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: ext.Role.RoleName, PolicyName: aws.String("terraform"), PolicyDocument: aws.String(allDocumentedBut(t, "")),
	}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	env.SettleIAM(ctx)
	extARN := aws.ToString(ext.Role.Arn)

	dir := t.TempDir()
	configFile, credsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	writeFile := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(configFile, fmt.Sprintf("[profile acc]\nregion = %[1]s\n\n[profile denied]\nregion = %[1]s\n", env.Region))
	writeFile(credsFile, fmt.Sprintf("[acc]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n\n[denied]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		allowed.AccessKeyID, allowed.SecretAccessKey, allowed.SessionToken, denied.AccessKeyID, denied.SecretAccessKey, denied.SessionToken))
	files := fmt.Sprintf("  shared_config_files      = [%q]\n  shared_credentials_files = [%q]\n", configFile, credsFile)

	resourceBlock := fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                    = %q
  recovery_window_in_days = 0
%s
}
`, name, rotation30d)
	cfg := func(settings string) string { return providerWith(env, settings) + resourceBlock }
	testKeys := "  access_key = \"test\"\n  secret_key = \"test\"\n"

	// The value and version the first apply leaves: every later edit must
	// keep both.
	current := keepCurrent(t, env, name)
	kept := current.kept
	unchanged := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	stsCalls := func() int {
		c, err := env.Admin.Calls(ctx)
		if err != nil {
			t.Fatalf("emulator call counts: %v", err)
		}
		return c["sts:GetCallerIdentity"]
	}
	var stsBefore int

	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: cfg(testKeys), Check: current.remember},
			// A profile whose role may not describe the secret: the
			// refresh fails and names AWS's refusal, so the profile's
			// credentials (not ambient ones) were used.
			{
				Config:      cfg(files + "  profile = \"denied\"\n"),
				ExpectError: regexp.MustCompile(`(?s)AccessDenied.*secretsmanager:DescribeSecret`),
			},
			{Config: cfg(files + "  profile = \"acc\"\n"), ConfigPlanChecks: unchanged, Check: kept},
			// Temporary keys in the block: with their token they work ...
			{
				Config:           cfg(fmt.Sprintf("  access_key = %q\n  secret_key = %q\n  token      = %q\n", allowed.AccessKeyID, allowed.SecretAccessKey, allowed.SessionToken)),
				ConfigPlanChecks: unchanged, Check: kept,
			},
			// ... and without it they are refused, at Configure, with the
			// advice to check the credentials.
			{
				Config:      cfg(fmt.Sprintf("  access_key = %q\n  secret_key = %q\n", allowed.AccessKeyID, allowed.SecretAccessKey)),
				ExpectError: regexp.MustCompile(`Invalid AWS credentials`),
			},
			// skip_credentials_validation: no sts:GetCallerIdentity at all,
			// and the account the plan needs comes from the state's ARN.
			{
				PreConfig:        func() { stsBefore = stsCalls() },
				Config:           cfg(testKeys + "  skip_credentials_validation = true\n"),
				ConfigPlanChecks: unchanged,
				Check: resource.ComposeTestCheckFunc(current.kept, func(*terraform.State) error {
					if n := stsCalls() - stsBefore; n != 0 {
						return fmt.Errorf("%d sts:GetCallerIdentity calls with skip_credentials_validation = true; want 0", n)
					}
					return nil
				}),
			},
			{
				PreConfig: func() { stsBefore = stsCalls() },
				Config:    cfg(testKeys + "  skip_credentials_validation = false\n"),
				Check: resource.ComposeTestCheckFunc(current.kept, func(*terraform.State) error {
					if stsCalls() == stsBefore {
						return fmt.Errorf("no sts:GetCallerIdentity call with skip_credentials_validation = false")
					}
					return nil
				}),
			},
			// assume_role.external_id: a wrong one is refused by the trust
			// policy, the agreed one works.
			{
				Config:      cfg(testKeys + fmt.Sprintf("  assume_role {\n    role_arn    = %q\n    external_id = \"wrong-id\"\n  }\n", extARN)),
				ExpectError: regexp.MustCompile(`(?s)not authorized to perform: sts:AssumeRole`),
			},
			{
				Config:           cfg(testKeys + fmt.Sprintf("  assume_role {\n    role_arn    = %q\n    external_id = \"agreed-id-1\"\n  }\n", extARN)),
				ConfigPlanChecks: unchanged, Check: kept,
			},
		},
	})
}
