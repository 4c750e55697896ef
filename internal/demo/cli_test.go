package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCLIConfigOverridesBothRegistries(t *testing.T) {
	t.Parallel()
	want := `provider_installation {
  dev_overrides {
    "registry.terraform.io/rotatorhq/rotator" = "/tmp/p"
    "registry.opentofu.org/rotatorhq/rotator" = "/tmp/p"
  }
  direct {}
}
`
	if diff := cmp.Diff(want, CLIConfig("/tmp/p")); diff != "" {
		t.Errorf("CLIConfig (-want +got):\n%s", diff)
	}
}

func TestCLIEnvDropsHostAWSAndTFSettings(t *testing.T) {
	t.Parallel()
	base := []string{"PATH=/bin", "HOME=/root", "AWS_PROFILE=prod", "AWS_SECRET_ACCESS_KEY=real", "TF_CLI_CONFIG_FILE=/x", "TF_LOG=trace", "CHECKPOINT_DISABLE="}
	got := CLIEnv(base, "/w/cli.tfrc", "/w", Emulator{URL: "http://127.0.0.1:1", Region: "us-east-1"}, "TF_VAR_a=b")
	want := []string{
		"PATH=/bin", "HOME=/root",
		"TF_CLI_CONFIG_FILE=/w/cli.tfrc", "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID=demo", "AWS_SECRET_ACCESS_KEY=demo", "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/w/aws-config", "AWS_SHARED_CREDENTIALS_FILE=/w/aws-credentials",
		"TF_VAR_a=b",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CLIEnv (-want +got):\n%s", diff)
	}
}

func TestSummaryLines(t *testing.T) {
	t.Parallel()
	out := strings.Join([]string{
		"rotator_rotated_secret.demo: Creating...",
		"rotator_rotated_secret.demo: Creation complete after 2s [id=arn:x]",
		"",
		"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
		"Outputs:",
	}, "\n")
	want := []string{
		"rotator_rotated_secret.demo: Creation complete after 2s [id=arn:x]",
		"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
	}
	if diff := cmp.Diff(want, SummaryLines(out)); diff != "" {
		t.Errorf("SummaryLines (-want +got):\n%s", diff)
	}
}

func TestParseShowJSON(t *testing.T) {
	t.Parallel()
	doc := `{"format_version":"1.0","values":{"root_module":{
		"resources":[
			{"address":"rotator_rotated_secret.b","type":"rotator_rotated_secret","name":"b","values":{"arn":"arn:b","rotation":{"strategy":"generic","automatically_after_days":7}}},
			{"address":"other_thing.x","type":"other_thing","name":"x","values":{}}
		],
		"child_modules":[{"resources":[
			{"address":"module.m.rotator_rotated_secret.a","type":"rotator_rotated_secret","name":"a","values":{"arn":"arn:a","rotation":{"schedule_expression":"rate(4 hours)"}}}
		]}]}}}`
	got, err := ParseShowJSON([]byte(doc), "rotator_rotated_secret")
	if err != nil {
		t.Fatal(err)
	}
	var addrs, arns, schedules []string
	for _, r := range got {
		addrs = append(addrs, r.Address)
		arns = append(arns, r.String("arn"))
		schedules = append(schedules, ScheduleOf(r.Block("rotation")))
	}
	if diff := cmp.Diff([]string{"module.m.rotator_rotated_secret.a", "rotator_rotated_secret.b"}, addrs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"arn:a", "arn:b"}, arns); diff != "" {
		t.Errorf("arns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"rate(4 hours)", "every 7 days"}, schedules); diff != "" {
		t.Errorf("schedules (-want +got):\n%s", diff)
	}

	empty, err := ParseShowJSON([]byte(`{"format_version":"1.0"}`), "rotator_rotated_secret")
	if err != nil || len(empty) != 0 {
		t.Errorf("empty state: got %v, %v; want none, nil", empty, err)
	}
	if _, err := ParseShowJSON([]byte(`not json`), "x"); err == nil {
		t.Error("ParseShowJSON(not json) returned no error")
	}
}

func TestExampleInspection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "variable \"architecture\" {\n  default = \"arm64\"\n}\nresource \"x\" \"y\" {\n  initial_value_wo_version = 1\n}\n")
	write("import.tf", "import {\n  to = x.y\n  id = \"z\"\n}\n")
	write("README.md", "not terraform")

	vars, err := DeclaredVariables(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"architecture": true}, vars); diff != "" {
		t.Errorf("DeclaredVariables (-want +got):\n%s", diff)
	}
	wo, err := UsesWriteOnly(dir)
	if err != nil || wo {
		t.Errorf("UsesWriteOnly = %v, %v; want false (only the _version argument is set)", wo, err)
	}
	write("wo.tf", "resource \"x\" \"z\" {\n  initial_value_wo = var.p\n}\n")
	if wo, err := UsesWriteOnly(dir); err != nil || !wo {
		t.Errorf("UsesWriteOnly = %v, %v; want true", wo, err)
	}

	dst := t.TempDir()
	copied, err := CopyTFFiles(dir, dst, "import*.tf")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"main.tf", "wo.tf"}, copied); diff != "" {
		t.Errorf("CopyTFFiles (-want +got):\n%s", diff)
	}
	if _, err := CopyTFFiles(t.TempDir(), dst); err == nil {
		t.Error("CopyTFFiles of an empty dir returned no error")
	}
}

func TestFindRepoRoot(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := FindRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "GNUmakefile")); err != nil {
		t.Errorf("FindRepoRoot(%s) = %s, which has no GNUmakefile", wd, root)
	}
	if _, err := FindRepoRoot(t.TempDir()); err == nil {
		t.Error("FindRepoRoot outside the repository returned no error")
	}
}

func TestEnsureRequiredProviders(t *testing.T) {
	t.Parallel()
	snippet := t.TempDir()
	if err := os.WriteFile(filepath.Join(snippet, "resource.tf"), []byte("resource \"rotator_rotated_secret\" \"x\" {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrote, err := EnsureRequiredProviders(snippet)
	if err != nil || !wrote {
		t.Fatalf("EnsureRequiredProviders(snippet) = %v, %v; want true, nil", wrote, err)
	}
	b, err := os.ReadFile(filepath.Join(snippet, requiredProvidersFile))
	if err != nil || !strings.Contains(string(b), `source = "rotatorhq/rotator"`) {
		t.Errorf("written file = %q, %v; want a rotatorhq/rotator source", b, err)
	}

	full := t.TempDir()
	cfg := "terraform {\n  required_providers {\n    rotator = { source = \"rotatorhq/rotator\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(full, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if wrote, err := EnsureRequiredProviders(full); err != nil || wrote {
		t.Errorf("EnsureRequiredProviders(full config) = %v, %v; want false, nil", wrote, err)
	}
}

// The demo names the CLI it ran after the command a user types.
func TestCommandName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version, want string
	}{
		{"OpenTofu v1.12.6", "tofu"},
		{"Terraform v1.11.4", "terraform"},
		{"Terraform v1.5.7", "terraform"},
	}
	for _, tt := range tests {
		if got := CommandName(tt.version); got != tt.want {
			t.Errorf("CommandName(%q) = %q, want %q", tt.version, got, tt.want)
		}
	}
}
