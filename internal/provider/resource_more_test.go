package provider_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestAccRotatedSecret_kms encrypts with a customer key; the function
// rotates at once, which only works with the key grant in its role policy.
func TestAccRotatedSecret_kms(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	kmsClient, ok := env.Clients.KMS.(*kms.Client)
	if !ok {
		t.Fatalf("KMS client is %T", env.Clients.KMS)
	}
	out, err := kmsClient.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("acc test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyARN := aws.ToString(out.KeyMetadata.Arn)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, fmt.Sprintf(`
  kms_key_id = %q
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }`, keyARN)),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(res, "kms_key_id", keyARN),
				checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
					if versionCount(o) != 2 || o.LastRotatedDate == nil {
						return errorf("the immediate rotation under the customer key did not complete: %d versions", versionCount(o))
					}
					return nil
				}),
				func(*terraform.State) error {
					n := stack.NamesFor(env.Region, name)
					doc, err := stack.FindRolePolicy(context.Background(), env.Clients.IAM, n.Role, n.RolePolicy)
					if err != nil {
						return err
					}
					if !strings.Contains(doc, keyARN) || !strings.Contains(doc, "kms:EncryptionContext:SecretARN") {
						return errorf("role policy lacks the scoped key grant: %s", doc)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccRotatedSecret_byoRole uses the caller's role: no role is created,
// and destroy leaves the caller's role alone.
func TestAccRotatedSecret_byoRole(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
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
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckDestroy(s); err != nil {
				return err
			}
			_, err := stack.FindRole(ctx, env.Clients.IAM, roleName)
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
					_, err := stack.FindRole(ctx, env.Clients.IAM, stack.NamesFor(env.Region, name).Role)
					if !stack.IsNotFound(err) {
						return errorf("a role was created although function.role_arn is set (err=%v)", err)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccRotatedSecret_faultAtEachCreateStep fails each create call once:
// the apply fails, and destroy of the tainted resource leaves nothing.
func TestAccRotatedSecret_faultAtEachCreateStep(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	steps := []struct{ service, op, code string }{
		{"secretsmanager", "CreateSecret", "AccessDeniedException"},
		{"iam", "CreateRole", "AccessDenied"},
		{"iam", "PutRolePolicy", "AccessDenied"},
		{"logs", "CreateLogGroup", "AccessDeniedException"},
		{"lambda", "CreateFunction", "AccessDeniedException"},
		{"lambda", "AddPermission", "AccessDeniedException"},
		{"secretsmanager", "RotateSecret", "AccessDeniedException"},
	}
	for _, s := range steps {
		t.Run(s.op, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("needs the emulator's fault injection")
			}
			name := acctest.RandomName()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
				CheckDestroy:             env.CheckDestroy,
				Steps: []resource.TestStep{{
					PreConfig: func() {
						if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{
							Service: s.service, Operation: s.op, Count: 1, Code: s.code, Message: "injected by the test",
						}); err != nil {
							t.Fatalf("InjectFault: %v", err)
						}
					},
					Config:      basicConfig(env, name, rotation30d),
					ExpectError: regexp.MustCompile(`AWS denied a call the provider needs`),
				}},
			})
		})
	}
}

// TestAccRotatedSecret_iamPropagation makes IAM changes take an hour of
// emulator clock: create retries CreateFunction ("cannot be assumed by
// Lambda") and destroy retries DeleteRole (DeleteConflict right after
// DeleteRolePolicy); the clock is moved once the retries were seen, so the
// test does not depend on the machine's speed.
func TestAccRotatedSecret_iamPropagation(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs the emulator's IAM propagation delay")
	}
	const delay = time.Hour
	if err := env.Admin.SetIAMPropagationDelay(context.Background(), delay); err != nil {
		t.Fatalf("SetIAMPropagationDelay: %v", err)
	}
	env.AdvanceClockWhen(t, "lambda:CreateFunction", 2, delay)
	env.AdvanceClockWhen(t, "iam:DeleteRole", 2, delay)
	name := acctest.RandomName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
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

// TestAccRotatedSecret_arm64 runs the default architecture (under qemu in
// the emulator) through an immediate rotation.
func TestAccRotatedSecret_arm64(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, `
  rotation {
    schedule_expression = "rate(4 hours)"
    rotate_immediately  = true
  }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("function"), knownvalue.Null()),
			},
			Check: checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
				if versionCount(o) != 2 {
					return errorf("arm64 rotation did not complete: %d versions", versionCount(o))
				}
				return nil
			}),
		}},
	})
}

// TestAccRotatedSecret_codeUpgrade serves new function code (as a new
// provider version would): the plan updates code_sha256 and nothing else.
func TestAccRotatedSecret_codeUpgrade(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	next := &commentedZip{base: code}
	nextSHA, err := next.CodeSHA256("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	cfg := basicConfig(env, name, rotation30d)
	resource.Test(t, resource.TestCase{
		CheckDestroy: env.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t)},
			{
				Config: cfg,
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"rotator": providerserver.NewProtocol6WithError(provider.NewWithCodeSource("next", next)()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("code_sha256"), knownvalue.StringExact(nextSHA)),
					onlyChanged(res, "code_sha256"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("code_sha256"), knownvalue.StringExact(nextSHA)),
				},
			},
		},
	})
}

// commentedZip serves the same function with a zip comment added: a valid
// package with another hash.
type commentedZip struct{ base stack.CodeSource }

func (r *commentedZip) Zip(arch string) ([]byte, error) {
	b, err := r.base.Zip(arch)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			return nil, err
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.SetComment("next provider version"); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (r *commentedZip) CodeSHA256(arch string) (string, error) {
	b, err := r.Zip(arch)
	if err != nil {
		return "", err
	}
	return sha256b64(b), nil
}

// onlyChanged fails unless the planned update changes only attrs (and
// the always-recomputed bookkeeping attributes).
func onlyChanged(addr string, attrs ...string) plancheck.PlanCheck {
	return onlyChangedCheck{addr, attrs}
}

type onlyChangedCheck struct {
	addr  string
	attrs []string
}

func (c onlyChangedCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		for k, v := range before {
			if contains(c.attrs, k) {
				continue
			}
			if u, ok := unknown[k].(bool); ok && u {
				resp.Error = fmt.Errorf("%s becomes unknown; only %v may change", k, c.attrs)
				return
			}
			if fmt.Sprint(after[k]) != fmt.Sprint(v) {
				resp.Error = fmt.Errorf("%s changes from %v to %v; only %v may change", k, v, after[k], c.attrs)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", c.addr)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAccRotatedSecret_applyAfterFailedCreate: the tainted resource a
// failed create leaves is replaced by the next apply.
func TestAccRotatedSecret_applyAfterFailedCreate(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("needs the emulator's fault injection")
	}
	name := acctest.RandomName()
	cfg := basicConfig(env, name, rotation30d)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := env.Admin.InjectFault(context.Background(), awsemu.Fault{
						Service: "lambda", Operation: "AddPermission", Count: 1, Code: "AccessDeniedException",
					}); err != nil {
						t.Fatalf("InjectFault: %v", err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`allowing Secrets Manager to invoke the rotation function`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: checkChildren(env, name, false),
			},
		},
	})
}
