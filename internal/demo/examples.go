package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// alertsTopicVar is the variable of the alerts example
// (examples/resources/rotator_rotated_secret/alerts.tf): the ARN of an SNS
// topic the user owns, which the check creates in the emulator.
const alertsTopicVar = "rotation_alerts_topic_arn"

// writeOnlyMinVersion is the first Terraform/OpenTofu minor version with
// write-only attributes (1.11).
var writeOnlyMinVersion = [2]int{1, 11}

// ExampleCLI is one Terraform or OpenTofu binary to check the examples with.
type ExampleCLI struct {
	Name string // e.g. "tofu", "terraform"
	Path string
}

// ExampleOptions configure CheckExamples.
type ExampleOptions struct {
	RepoRoot string
	// Dirs are the example directories (default: every directory under
	// RepoRoot/examples holding .tf files).
	Dirs []string
	CLIs []ExampleCLI
	// Skip lists base names of .tf files left out (default import*.tf: the
	// import examples name objects that do not exist).
	Skip []string
	Out  io.Writer
}

// ExampleResult is the outcome of one example with one CLI.
type ExampleResult struct {
	Dir, CLI, Version string
	Skipped           string // reason, when skipped
	Imported          bool   // the example's import {} blocks were exercised
	Err               error
	Duration          time.Duration
}

// CheckExamples builds the provider and, for each example directory and
// each CLI, plans, applies, re-plans (which must show no changes) and
// destroys the example against a fresh emulator. Examples that set a
// write-only argument are skipped for CLIs older than 1.11.
func CheckExamples(ctx context.Context, o ExampleOptions) ([]ExampleResult, error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if len(o.Skip) == 0 {
		o.Skip = []string{"import*.tf"}
	}
	if len(o.Dirs) == 0 {
		dirs, err := FindExampleDirs(filepath.Join(o.RepoRoot, "examples"))
		if err != nil {
			return nil, err
		}
		o.Dirs = dirs
	}
	if len(o.Dirs) == 0 {
		return nil, errors.New("no example directories found")
	}
	work, err := os.MkdirTemp("", "rotator-examples-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	providerDir := filepath.Join(work, "provider")
	if err := os.MkdirAll(providerDir, 0o700); err != nil {
		return nil, err
	}
	if _, err := BuildProvider(ctx, o.RepoRoot, providerDir, o.Out); err != nil {
		return nil, err
	}

	var results []ExampleResult
	for i, dir := range o.Dirs {
		for j, cli := range o.CLIs {
			rel, _ := filepath.Rel(o.RepoRoot, dir)
			res := ExampleResult{Dir: rel, CLI: cli.Name}
			start := time.Now()
			res.Version, res.Skipped, res.Imported, res.Err = checkExample(ctx, filepath.Join(work, fmt.Sprintf("run-%d-%d", i, j)), providerDir, dir, cli, o.Skip)
			res.Duration = time.Since(start)
			switch {
			case res.Skipped != "":
				fmt.Fprintf(o.Out, "skip  %-10s %-45s %s\n", cli.Name, rel, res.Skipped)
			case res.Err != nil:
				fmt.Fprintf(o.Out, "FAIL  %-10s %-45s %s\n%s\n", cli.Name, rel, roundDuration(res.Duration), indent(res.Err.Error(), "      "))
			default:
				steps := "plan, apply, empty re-plan, destroy"
				if res.Imported {
					steps = "plan, apply, empty re-plan, import {} blocks, destroy"
				}
				fmt.Fprintf(o.Out, "ok    %-10s %-45s %s  (%s: %s)\n", cli.Name, rel, roundDuration(res.Duration), res.Version, steps)
			}
			results = append(results, res)
		}
	}
	return results, nil
}

// checkExample runs one example with one CLI against its own emulator, so
// that fixed secret names never collide with a secret pending deletion.
func checkExample(ctx context.Context, work, providerDir, dir string, cli ExampleCLI, skip []string) (version, skipped string, imported bool, err error) {
	tfDir := filepath.Join(work, "tf")
	if err := os.MkdirAll(tfDir, 0o700); err != nil {
		return "", "", false, err
	}
	if _, err := CopyTFFiles(dir, tfDir, skip...); err != nil {
		return "", "", false, err
	}
	if _, err := EnsureRequiredProviders(tfDir); err != nil {
		return "", "", false, err
	}
	emu, err := awsemu.Start(awsemu.Options{Addr: "127.0.0.1:0", WorkDir: filepath.Join(work, "emulator")})
	if err != nil {
		return "", "", false, err
	}
	defer emu.Close()
	cliConfig, err := WriteCLIFiles(work, providerDir)
	if err != nil {
		return "", "", false, err
	}
	e := Emulator{URL: emu.URL(), Region: emu.Region(), AccountID: emu.AccountID()}
	vars, err := DeclaredVariables(tfDir)
	if err != nil {
		return "", "", false, err
	}
	var extra []string
	if vars["architecture"] {
		extra = append(extra, "TF_VAR_architecture="+hostArchitecture())
	}
	if vars["endpoint_url"] {
		extra = append(extra, "TF_VAR_endpoint_url="+e.URL)
	}
	if vars[alertsTopicVar] {
		topic, err := createTopic(ctx, e, "rotation-alerts")
		if err != nil {
			return "", "", false, err
		}
		extra = append(extra, "TF_VAR_"+alertsTopicVar+"="+topic)
	}
	c := &CLI{Name: cli.Name, Path: cli.Path, Dir: tfDir, Env: CLIEnv(os.Environ(), cliConfig, work, e, extra...), LogFile: filepath.Join(work, "cli.log")}
	if version, err = c.Version(ctx); err != nil {
		return "", "", false, err
	}
	wo, err := UsesWriteOnly(tfDir)
	if err != nil {
		return version, "", false, err
	}
	if wo && !atLeast(version, writeOnlyMinVersion) {
		return version, fmt.Sprintf("sets a write-only argument, which needs %d.%d or later (%s)", writeOnlyMinVersion[0], writeOnlyMinVersion[1], version), false, nil
	}
	if skip, err := actionSkip(tfDir, version); err != nil || skip != "" {
		return version, skip, false, err
	}
	applied := false
	defer func() {
		if applied {
			if _, derr := c.Run(context.WithoutCancel(ctx), "destroy", "-auto-approve", "-input=false", "-no-color"); derr != nil && err == nil {
				err = derr
			}
		}
	}()
	if _, err := c.Run(ctx, "plan", "-input=false", "-no-color"); err != nil {
		return version, "", false, err
	}
	applied = true
	if _, err := c.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return version, "", false, err
	}
	// After an apply, a new plan must be empty (exit code 0; 2 = changes).
	if out, err := c.Run(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		return version, "", false, fmt.Errorf("the plan after apply is not empty: %w\n%s", err, lastLines(out, 20))
	}
	if imported, err = checkImportBlocks(ctx, c, dir, tfDir); err != nil {
		return version, "", imported, err
	}
	applied = false
	if _, err := c.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return version, "", imported, err
	}
	return version, "", imported, nil
}

// importToRE finds the `to = ADDRESS` of an import block.
var importToRE = regexp.MustCompile(`(?m)^\s*to\s*=\s*([A-Za-z0-9_.\[\]"-]+)\s*$`)

// checkImportBlocks exercises the example's import*.tf files that hold
// import {} blocks: the resources they name are removed from the state (not
// from AWS), the import files are added, and an apply must import them
// again, after which the plan must be empty.
func checkImportBlocks(ctx context.Context, c *CLI, srcDir, tfDir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(srcDir, "import*.tf"))
	if err != nil || len(files) == 0 {
		return false, err
	}
	var addrs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		for _, m := range importToRE.FindAllStringSubmatch(string(b), -1) {
			addrs = append(addrs, m[1])
		}
	}
	if len(addrs) == 0 {
		return false, nil
	}
	if _, err := c.Run(ctx, append([]string{"state", "rm"}, addrs...)...); err != nil {
		return false, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		if err := os.WriteFile(filepath.Join(tfDir, filepath.Base(f)), b, 0o600); err != nil {
			return false, err
		}
	}
	out, err := c.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return false, fmt.Errorf("import {} of %s: %w", strings.Join(addrs, ", "), err)
	}
	if !strings.Contains(out, "imported") {
		return false, fmt.Errorf("import {} of %s: the apply imported nothing:\n%s", strings.Join(addrs, ", "), lastLines(out, 10))
	}
	if out, err := c.Run(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		return true, fmt.Errorf("the plan after import is not empty: %w\n%s", err, lastLines(out, 20))
	}
	return true, nil
}

// FindExampleDirs returns every directory under root that holds .tf files.
func FindExampleDirs(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(path) == ".tf" {
			seen[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs, nil
}

// SupportsWriteOnly reports whether a CLI's version line ("Terraform
// v1.11.4", "OpenTofu v1.12.6") is a version with write-only arguments,
// which the demo and the acceptance tests use.
func SupportsWriteOnly(versionLine string) bool { return atLeast(versionLine, writeOnlyMinVersion) }

// versionRE finds "v1.5.7" in "Terraform v1.5.7" or "OpenTofu v1.12.6-dev".
var versionRE = regexp.MustCompile(`v(\d+)\.(\d+)`)

// atLeast reports whether the CLI version line is at least major.minor.
func atLeast(versionLine string, want [2]int) bool {
	m := versionRE.FindStringSubmatch(versionLine)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major > want[0] || (major == want[0] && minor >= want[1])
}

// SummarizeExamples returns the closing line "examples: N passed, N failed,
// N skipped" and whether every example passed or was skipped.
func SummarizeExamples(results []ExampleResult) (string, bool) {
	var passed, failed, skipped int
	for _, r := range results {
		switch {
		case r.Skipped != "":
			skipped++
		case r.Err != nil:
			failed++
		default:
			passed++
		}
	}
	return fmt.Sprintf("examples: %d passed, %d failed, %d skipped", passed, failed, skipped), failed == 0 && passed > 0
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// createTopic creates an SNS topic in the emulator, as its owner would.
func createTopic(ctx context.Context, e Emulator, name string) (string, error) {
	cfg := aws.Config{Region: e.Region, Credentials: credentials.NewStaticCredentialsProvider(emulatorAccessKey, emulatorAccessKey, "")}
	out, err := sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(e.URL) }).
		CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("creating the SNS topic for %s: %w", alertsTopicVar, err)
	}
	return aws.ToString(out.TopicArn), nil
}
