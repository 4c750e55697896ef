package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ProviderAddresses are the provider's source addresses: the Terraform
// registry's and OpenTofu's spelling of `source = "rotatorhq/rotator"`
// (the dev_overrides configuration maps both to the locally built binary;
// the release check's filesystem mirror serves both).
var ProviderAddresses = []string{
	"registry.terraform.io/rotatorhq/rotator",
	"registry.opentofu.org/rotatorhq/rotator",
}

// ProviderBinaryName is the file name Terraform and OpenTofu look for in a
// dev_overrides directory.
const ProviderBinaryName = "terraform-provider-rotator"

// cliTimeout bounds one Terraform/OpenTofu command (apply of a few secrets
// on the emulator takes seconds; the bound catches a hang).
const cliTimeout = 10 * time.Minute

// CLIConfig returns a Terraform/OpenTofu CLI configuration that makes the
// provider's source addresses use the binary in providerDir, and installs
// every other provider as usual.
func CLIConfig(providerDir string) string {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, a := range ProviderAddresses {
		fmt.Fprintf(&b, "    %q = %q\n", a, providerDir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return b.String()
}

// Emulator is where the CLIs, the provider and the demo send AWS calls.
type Emulator struct {
	URL       string
	Region    string
	AccountID string
}

// emulatorAccessKey is the access key the demo signs with; the emulator
// treats any key it did not issue as the account's administrator.
const emulatorAccessKey = "demo"

// CLIEnv returns the environment for a Terraform/OpenTofu run against the
// emulator: the inherited environment without AWS_*, TF_* and CHECKPOINT_*
// variables, plus the CLI config file, static credentials, the region and
// AWS_ENDPOINT_URL, and the given extra variables (e.g. TF_VAR_x=y).
func CLIEnv(base []string, cliConfigFile, sharedConfigDir string, emu Emulator, extra ...string) []string {
	out := make([]string, 0, len(base)+16)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "CHECKPOINT_") {
			continue
		}
		out = append(out, kv)
	}
	out = append(out,
		"TF_CLI_CONFIG_FILE="+cliConfigFile,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
		"AWS_ACCESS_KEY_ID="+emulatorAccessKey,
		"AWS_SECRET_ACCESS_KEY="+emulatorAccessKey,
		"AWS_REGION="+emu.Region,
		"AWS_ENDPOINT_URL="+emu.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		// Empty shared files, so nothing from the host's ~/.aws applies.
		"AWS_CONFIG_FILE="+filepath.Join(sharedConfigDir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(sharedConfigDir, "aws-credentials"),
	)
	return append(out, extra...)
}

// WriteCLIFiles writes the CLI configuration and the empty AWS shared files
// into dir and returns the CLI configuration's path.
func WriteCLIFiles(dir, providerDir string) (string, error) {
	cfg := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cfg, []byte(CLIConfig(providerDir)), 0o600); err != nil {
		return "", err
	}
	for _, f := range []string{"aws-config", "aws-credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			return "", err
		}
	}
	return cfg, nil
}

// CLI runs one Terraform or OpenTofu binary in a working directory.
type CLI struct {
	Name    string // "tofu" or "terraform", for messages
	Path    string
	Dir     string
	Env     []string
	LogFile string // every command's output is appended here
}

// Run runs the CLI with args and returns its combined output. A failure
// returns an error with the output's last lines; the caller checks those
// for secret values before printing them.
func (c *CLI) Run(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Path, args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	out := buf.String()
	if c.LogFile != "" {
		if f, ferr := os.OpenFile(c.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); ferr == nil {
			fmt.Fprintf(f, "$ %s %s\n%s\n", c.Name, strings.Join(args, " "), out)
			_ = f.Close()
		}
	}
	if err != nil {
		return out, &CLIError{Command: c.Name + " " + strings.Join(args, " "), Err: err, Output: out}
	}
	return out, nil
}

// FindCLIScript picks the CLI the demo uses: a Terraform or OpenTofu >= 1.11
// on the PATH, else OpenTofu built from its Go module (and cached).
const FindCLIScript = "scripts/find-cli.sh"

// CommandName returns the command a version line belongs to: "tofu" for
// "OpenTofu v1.12.6", "terraform" for "Terraform v1.11.4" and anything else.
func CommandName(versionLine string) string {
	if strings.HasPrefix(versionLine, "OpenTofu ") {
		return "tofu"
	}
	return "terraform"
}

// Version returns the first line of `version`, e.g. "OpenTofu v1.12.6".
func (c *CLI) Version(ctx context.Context) (string, error) {
	out, err := c.Run(ctx, "version")
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "OpenTofu v") || strings.HasPrefix(l, "Terraform v") {
			return strings.TrimSpace(l), nil
		}
	}
	return strings.TrimSpace(firstLine(out)), nil
}

// CLIError is a failed Terraform/OpenTofu command.
type CLIError struct {
	Command string
	Err     error
	Output  string
}

func (e *CLIError) Error() string {
	return fmt.Sprintf("%s: %v\n%s", e.Command, e.Err, lastLines(e.Output, 30))
}

func (e *CLIError) Unwrap() error { return e.Err }

// summaryRE matches the lines worth showing from an apply or destroy.
var summaryRE = regexp.MustCompile(`^(Apply complete!|Destroy complete!|No changes\.|Plan: |\S+: (Creation|Destruction|Modifications) complete)`)

// SummaryLines returns the CLI output lines that say what happened.
func SummaryLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if summaryRE.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}

// StateResource is one resource instance in `show -json` output.
type StateResource struct {
	Address string         `json:"address"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Values  map[string]any `json:"values"`
}

type stateModule struct {
	Resources    []StateResource `json:"resources"`
	ChildModules []stateModule   `json:"child_modules"`
}

// ParseShowJSON returns the resources of type typ in a `show -json`
// document, sorted by address.
func ParseShowJSON(doc []byte, typ string) ([]StateResource, error) {
	var st struct {
		Values *struct {
			RootModule stateModule `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(doc, &st); err != nil {
		return nil, fmt.Errorf("parse show -json: %w", err)
	}
	if st.Values == nil {
		return nil, nil
	}
	var out []StateResource
	var walk func(m stateModule)
	walk = func(m stateModule) {
		for _, r := range m.Resources {
			if r.Type == typ {
				out = append(out, r)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(st.Values.RootModule)
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// String returns a string attribute of the resource ("" when absent).
func (r StateResource) String(name string) string {
	s, _ := r.Values[name].(string)
	return s
}

// Block returns a nested single block of the resource (nil when absent).
func (r StateResource) Block(name string) map[string]any {
	m, _ := r.Values[name].(map[string]any)
	return m
}

// ScheduleOf describes a rotation block: "every 7 days" or its expression.
func ScheduleOf(rotation map[string]any) string {
	if rotation == nil {
		return ""
	}
	if e, _ := rotation["schedule_expression"].(string); e != "" {
		return e
	}
	if d, ok := rotation["automatically_after_days"].(float64); ok && d > 0 {
		if d == 1 {
			return "every day"
		}
		return "every " + strconv.Itoa(int(d)) + " days"
	}
	return ""
}

// CopyTFFiles copies the *.tf files of src into dst, skipping the files
// whose base name matches any of the skip globs (e.g. "import*.tf").
func CopyTFFiles(src, dst string, skip ...string) ([]string, error) {
	entries, err := os.ReadDir(src)
	if err != nil {
		return nil, err
	}
	var copied []string
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" {
			continue
		}
		if matchAny(skip, e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return nil, err
		}
		copied = append(copied, e.Name())
	}
	if len(copied) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", src)
	}
	return copied, nil
}

func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := filepath.Match(g, name); ok {
			return true
		}
	}
	return false
}

// requiredProvidersFile pins the provider's source for example snippets
// that have no terraform block (the docs examples), so that both CLIs
// resolve `rotator` to rotatorhq/rotator instead of hashicorp/rotator.
const requiredProvidersFile = "zz_required_providers.tf"

const requiredProvidersConfig = `# Written by the example check: the docs examples omit the terraform block.
terraform {
  required_providers {
    rotator = {
      source = "rotatorhq/rotator"
    }
  }
}
`

var requiredProvidersRE = regexp.MustCompile(`(?m)^\s*required_providers\s*\{`)

// EnsureRequiredProviders writes requiredProvidersFile into dir unless one
// of its .tf files already has a required_providers block. It reports
// whether it wrote the file.
func EnsureRequiredProviders(dir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if requiredProvidersRE.Match(b) {
			return false, nil
		}
	}
	return true, os.WriteFile(filepath.Join(dir, requiredProvidersFile), []byte(requiredProvidersConfig), 0o600)
}

// declaredVariablesRE finds `variable "name"` blocks.
var declaredVariablesRE = regexp.MustCompile(`(?m)^\s*variable\s+"([A-Za-z0-9_-]+)"`)

// DeclaredVariables returns the variables declared in the .tf files of dir.
func DeclaredVariables(dir string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range declaredVariablesRE.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
	}
	return out, nil
}

// writeOnlyRE finds a write-only argument (`<name>_wo = ...`), which needs
// Terraform or OpenTofu 1.11 or later.
var writeOnlyRE = regexp.MustCompile(`(?m)^\s*[a-z0-9_]+_wo\s*=`)

// UsesWriteOnly reports whether any .tf file of dir sets a write-only
// argument.
func UsesWriteOnly(dir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if writeOnlyRE.Match(b) {
			return true, nil
		}
	}
	return false, nil
}

// FindRepoRoot walks up from dir to the directory holding this module's
// go.mod.
func FindRepoRoot(dir string) (string, error) {
	const module = "module github.com/rotatorhq/terraform-provider-rotator"
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), module) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("not inside the terraform-provider-rotator repository (no go.mod found); run from the repository")
		}
		d = parent
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
