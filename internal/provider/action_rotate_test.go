package provider_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// protoValue builds a DynamicValue of schema s with the given top-level
// attributes set and everything else null.
func protoValue(t *testing.T, s *tfprotov6.Schema, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the schema's type is %s, not an object", s.ValueType())
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
			continue
		}
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name := range set {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// emulatorProviderConfig is the provider block of acctest.Env.ProviderBlock
// as a protocol value.
func emulatorProviderConfig(t *testing.T, s *tfprotov6.Schema, env *acctest.Env) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the provider schema's type is %s, not an object", s.ValueType())
	}
	epType, ok := typ.AttributeTypes["endpoints"].(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema has no endpoints block")
	}
	eps := map[string]tftypes.Value{}
	for name := range epType.AttributeTypes {
		eps[name] = tftypes.NewValue(tftypes.String, env.URL)
	}
	return protoValue(t, s, map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, env.Region),
		"access_key": tftypes.NewValue(tftypes.String, "test"),
		"secret_key": tftypes.NewValue(tftypes.String, "test"),
		"endpoints":  tftypes.NewValue(epType, eps),
	})
}

// invoked is what one InvokeAction call streamed back.
type invoked struct {
	progress    []string
	diagnostics []*tfprotov6.Diagnostic
	completed   int
}

// invokeRotate serves the provider in-process, configures it for env and
// invokes rotator_rotate on secretID, as Terraform >= 1.14 does for
// `terraform apply -invoke=action.rotator_rotate.x`.
func invokeRotate(t *testing.T, env *acctest.Env, secretID string) invoked {
	t.Helper()
	ctx := context.Background()
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := providerserver.NewProtocol6WithError(provider.NewWithCodeSource("test", code)())()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := ps.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // the actions RPCs are only on this interface in terraform-plugin-go v0.31

	if !ok {
		t.Fatalf("the provider server (%T) does not serve actions", ps)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	as := schemas.ActionSchemas["rotator_rotate"]
	if as == nil {
		t.Fatalf("the provider serves no rotator_rotate action schema (actions: %v)", sortedNames(schemas.ActionSchemas))
	}
	conf, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           emulatorProviderConfig(t, schemas.Provider, env),
	})
	if err != nil || hasError(conf.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}
	cfg := protoValue(t, as.Schema, map[string]tftypes.Value{"secret_id": tftypes.NewValue(tftypes.String, secretID)})
	plan, err := srv.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: "rotator_rotate", Config: cfg})
	if err != nil || hasError(plan.Diagnostics) {
		t.Fatalf("PlanAction: %v %v", err, plan.Diagnostics)
	}
	stream, err := srv.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: "rotator_rotate", Config: cfg})
	if err != nil {
		t.Fatalf("InvokeAction: %v", err)
	}
	var out invoked
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			out.progress = append(out.progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			out.completed++
			out.diagnostics = append(out.diagnostics, e.Diagnostics...)
		}
	}
	if out.completed != 1 {
		t.Fatalf("InvokeAction streamed %d completed events, want exactly 1", out.completed)
	}
	return out
}

func hasError(ds []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(ds, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// rotatedSecretOnEmulator sets up one rotated secret (generic strategy,
// rotation configured, no rotation yet) with the provider's own stack code.
func rotatedSecretOnEmulator(t *testing.T, env *acctest.Env, name string) string {
	t.Helper()
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	st, err := stack.New(env.Clients, code).Create(context.Background(), stack.Spec{
		Region: env.Region, Account: env.Account, Partition: "aws", Name: name,
		Strategy: config.StrategyGeneric, RotatedField: "password", Password: config.DefaultPasswordPolicy(),
		Function: stack.FunctionSpec{Architecture: "x86_64", MemorySize: 128, Timeout: 300, LogRetentionDays: 1},
		Rotation: stack.RotationSpec{Enabled: true, AutomaticallyAfterDays: 30},
	}, `{"username":"app","password":"first-value-of-the-test"}`, nil)
	if err != nil {
		t.Fatalf("creating the rotated secret: %v", err)
	}
	return st.SecretARN
}

// stages returns the version IDs holding AWSCURRENT and AWSPENDING.
func stages(t *testing.T, env *acctest.Env, id string) (current, pending string) {
	t.Helper()
	out, err := env.Clients.SecretsManager.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	for v, ss := range out.VersionIdsToStages {
		if slices.Contains(ss, "AWSCURRENT") {
			current = v
		}
		if slices.Contains(ss, "AWSPENDING") && !slices.Contains(ss, "AWSCURRENT") {
			pending = v
		}
	}
	return current, pending
}

// TestActionRotate_protocolSuccess: invoking the action rotates the secret
// once, and its last progress message names the version that is now
// AWSCURRENT, which is not the one before.
func TestActionRotate_protocolSuccess(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	arn := rotatedSecretOnEmulator(t, env, name)
	before, _ := stages(t, env, arn)
	valueBefore, err := currentValue(env, name)
	if err != nil {
		t.Fatal(err)
	}

	out := invokeRotate(t, env, name)
	if hasError(out.diagnostics) {
		t.Fatalf("the rotation failed: %v", out.diagnostics)
	}
	after, pending := stages(t, env, arn)
	if after == before || pending != "" {
		t.Fatalf("AWSCURRENT %s -> %s, AWSPENDING left on %q: want a finished rotation to a new version", before, after, pending)
	}
	valueAfter, err := currentValue(env, name)
	if err != nil {
		t.Fatal(err)
	}
	if jsonField(valueAfter, "password") == jsonField(valueBefore, "password") || jsonField(valueAfter, "username") != "app" {
		t.Fatalf("the rotation did not replace only the password")
	}
	if len(out.progress) == 0 || !strings.Contains(out.progress[len(out.progress)-1], after) {
		t.Fatalf("the last progress message does not report the new version %s: %q", after, out.progress)
	}
	for _, p := range out.progress {
		if strings.Contains(p, jsonField(valueAfter, "password")) || strings.Contains(p, jsonField(valueBefore, "password")) {
			t.Fatalf("a progress message carries a secret value")
		}
	}
}

// TestActionRotate_protocolFailure: when the rotation function fails, the
// action fails with a diagnostic that names the step, quotes the
// function's error line for this rotation and says AWSPENDING was left.
func TestActionRotate_protocolFailure(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	arn := rotatedSecretOnEmulator(t, env, name)
	before, _ := stages(t, env, arn)
	// The function's createSecret stores the new value with
	// PutSecretValue; make that call fail as AWS would for a role that
	// lost its permission.
	if err := env.Server.InjectFault(awsemu.Fault{Service: "secretsmanager", Operation: "PutSecretValue", Code: "AccessDeniedException",
		Message: "User is not authorized to perform: secretsmanager:PutSecretValue", Count: -1}); err != nil {
		t.Fatal(err)
	}

	out := invokeRotate(t, env, name)
	env.Server.ClearFaults()
	after, pending := stages(t, env, arn)
	if after != before || pending == "" {
		t.Fatalf("AWSCURRENT %s -> %s, AWSPENDING on %q: the emulator did not fail the rotation as set up", before, after, pending)
	}
	var d *tfprotov6.Diagnostic
	for _, x := range out.diagnostics {
		if x.Severity == tfprotov6.DiagnosticSeverityError {
			d = x
		}
	}
	if d == nil {
		t.Fatalf("a failed rotation gave no error diagnostic (progress %q)", out.progress)
	}
	if !strings.Contains(d.Summary, "createSecret") {
		t.Errorf("the summary does not name the failed step createSecret: %q", d.Summary)
	}
	for _, want := range []string{
		"User is not authorized to perform: secretsmanager:PutSecretValue", // the function's own error line
		"AWSPENDING is left on version " + pending,
		"update-secret-version-stage --secret-id " + arn, // how to clear it
	} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("the diagnostic lacks %q:\n%s", want, d.Detail)
		}
	}
}

// TestActionRotate_protocolNoRotation: a secret without rotation fails
// with a diagnostic before anything is started.
func TestActionRotate_protocolNoRotation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	if _, err := env.Clients.SecretsManager.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String("plain-value-123"),
	}); err != nil {
		t.Fatal(err)
	}
	out := invokeRotate(t, env, name)
	if !hasError(out.diagnostics) || !strings.Contains(fmt.Sprint(out.diagnostics[0].Detail), "no rotation configured") {
		t.Fatalf("want an error saying the secret has no rotation, got %v", out.diagnostics)
	}
}

// TestActionRotate_terraformEndToEnd runs `terraform apply
// -invoke=action.rotator_rotate.now` with a Terraform >= 1.14 found on the
// PATH (or in TF_ACC_TERRAFORM_14_PATH) against the emulator.
func TestActionRotate_terraformEndToEnd(t *testing.T) {
	tf := terraform114(t)
	env := acctest.NewEnv(t)
	name := acctest.RandomName()
	arn := rotatedSecretOnEmulator(t, env, name)
	before, _ := stages(t, env, arn)

	dir := t.TempDir()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/terraform-provider-rotator", "../..")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, b)
	}
	cli := dir + "/cli.tfrc"
	writeFile(t, cli, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/rotator" = %q
  }
  direct {}
}
`, bin))
	writeFile(t, dir+"/main.tf", env.ProviderBlock()+fmt.Sprintf(`
action "rotator_rotate" "now" {
  config {
    secret_id = %q
  }
}
`, name))
	cmd := exec.Command(tf, "apply", "-auto-approve", "-no-color", "-invoke=action.rotator_rotate.now")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform apply -invoke: %v\n%s", err, b)
	}
	after, pending := stages(t, env, arn)
	if after == before || pending != "" {
		t.Fatalf("AWSCURRENT %s -> %s, AWSPENDING on %q: the action did not rotate", before, after, pending)
	}
	if !strings.Contains(string(b), after) {
		t.Errorf("terraform's output does not report the new version %s:\n%s", after, b)
	}
}

// terraform114 finds a Terraform >= 1.14 binary or skips.
func terraform114(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("TF_ACC_TERRAFORM_14_PATH")}
	if p, err := exec.LookPath("terraform"); err == nil {
		candidates = append(candidates, p)
	}
	re := regexp.MustCompile(`Terraform v(\d+)\.(\d+)\.\d+\S*`)
	var seen []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := exec.Command(c, "version").Output()
		m := re.FindSubmatch(out)
		if err != nil || m == nil {
			continue
		}
		major, _ := strconv.Atoi(string(m[1]))
		minor, _ := strconv.Atoi(string(m[2]))
		if hasActions(major, minor) {
			return c
		}
		seen = append(seen, c+" is "+string(m[0]))
	}
	t.Skipf("no Terraform >= 1.14 found (set TF_ACC_TERRAFORM_14_PATH or put one on the PATH; found: %v): "+
		"the action is tested at the protocol level only", seen)
	return ""
}

// hasActions reports whether Terraform major.minor has actions (>= 1.14).
func hasActions(major, minor int) bool { return major > 1 || major == 1 && minor >= 14 }

// skipWithActions skips a test on CLIs that have actions.
type skipWithActions struct{}

func (skipWithActions) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if seg := req.TerraformVersion.Segments(); len(seg) >= 2 && hasActions(seg[0], seg[1]) {
		resp.Skip = "this CLI has actions; the test is for CLIs without them"
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAccActionRotate_cliWithoutActions: the provider serves the
// rotator_rotate action schema, and a CLI without actions (OpenTofu, or
// Terraform before 1.14) still loads the provider and applies, re-plans
// and destroys a rotated secret with it.
func TestAccActionRotate_cliWithoutActions(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	ps, err := acctest.ProtoV6ProviderFactories(t)["rotator"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := ps.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || schemas.ActionSchemas["rotator_rotate"] == nil {
		t.Fatalf("the provider serves no rotator_rotate action (%v): the test would prove nothing", err)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipWithActions{}},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "test" {
  name                    = %q
  recovery_window_in_days = 0
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }
}
`, acctest.RandomName()),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
