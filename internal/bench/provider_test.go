package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
)

// Provider benchmark settings.
const (
	// providerAddress is the address main.go serves under; the
	// configuration names it in full so OpenTofu matches the reattached
	// provider instead of looking it up under registry.opentofu.org.
	providerAddress = "registry.terraform.io/rotatorhq/rotator"
	// envScale = "full" adds the N=100 and N=500 sizes.
	envScale = "ROTATOR_BENCH_SCALE"
	// envSizes overrides the sizes, e.g. "1,20,50" on a busy machine.
	envSizes = "ROTATOR_BENCH_SIZES"
	// envProviderBinary names a provider binary to benchmark instead of
	// building one from the module root (e.g. a release build).
	envProviderBinary = "ROTATOR_BENCH_PROVIDER"
	// envProviderStderr names a file that every provider process's stderr
	// is appended to, for debugging (GODEBUG and TF_LOG_PROVIDER pass through).
	envProviderStderr = "ROTATOR_BENCH_PROVIDER_STDERR"
	// envPprof names a directory: the provider is built with -tags
	// rotatorpprof (pprof_hook.go) and each provider process writes its
	// heap profile at its in-use heap's high there (heap-PID.pprof).
	envPprof = "ROTATOR_BENCH_PPROF"
	// envManaged = "1" lets OpenTofu start the provider itself, as users
	// run it, instead of attaching to a -debug process (managed_test.go).
	envManaged = "ROTATOR_BENCH_MANAGED"
	// reattachTimeout bounds the wait for the provider's debug banner.
	reattachTimeout = 2 * time.Minute
	// providerStopTimeout bounds the wait for the provider to exit after
	// SIGINT before it is killed (its peak RSS is read either way).
	providerStopTimeout = 15 * time.Second
	// tofuTimeout bounds one tofu command (N=500 apply included).
	tofuTimeout = 30 * time.Minute
)

// providerResult is one row of the summary table.
type providerResult struct {
	n int
	// alerts: the configuration has an alerts block (one more call per
	// refresh, maxRefreshCallsAlerts).
	alerts bool
	// replicas: the configuration has two replica blocks (same refresh
	// budget: their status comes from the secret's DescribeSecret).
	replicas                             bool
	createCalls, refreshCalls, planCalls float64
	apply, plan, refresh                 time.Duration
	// Peak RSS of the provider process of each phase.
	applyRSSMB, refreshRSSMB, planRSSMB     float64
	emptyPlan                               bool
	createDetail, refreshDetail, planDetail string
}

// BenchmarkProvider measures the provider through OpenTofu for N rotated
// secrets (see the package doc for the metrics).
func BenchmarkProvider(b *testing.B) {
	tofu, err := findTofu()
	if err != nil {
		missingTool(b, err.Error())
	}
	bin := os.Getenv(envProviderBinary)
	if bin == "" {
		bin = buildProvider(b)
	} else {
		b.Logf("benchmarking the provider binary %s (%s)", bin, envProviderBinary)
	}
	sizes := []int{1}
	if os.Getenv(envScale) == "full" {
		sizes = append(sizes, 100, 500)
	}
	if v := os.Getenv(envSizes); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want sizes like 1,20,50", envSizes, v)
			}
			sizes = append(sizes, n)
		}
	}
	var results []providerResult
	for _, n := range sizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			results = withResult(results, benchProvider(b, tofu, bin, n, false, false))
			// A parent benchmark's log shows only with -v: each size logs
			// the table so far, so the last one shows every size.
			logProviderTable(b, tofu, results)
		})
	}
	// One secret with an alerts block: its refresh budget is one call more.
	b.Run("N=1+alerts", func(b *testing.B) {
		results = withResult(results, benchProvider(b, tofu, bin, 1, true, false))
		logProviderTable(b, tofu, results)
	})
	// One secret with two replicas: their status comes from the same
	// DescribeSecret, so the refresh budget is unchanged.
	b.Run("N=1+replicas", func(b *testing.B) {
		results = withResult(results, benchProvider(b, tofu, bin, 1, false, true))
		logProviderTable(b, tofu, results)
	})
	checkRSSGoal(b, results)
}

// Goals `make bench` enforces: a refresh costs at most maxRefreshCalls
// calls per secret (maxRefreshCallsAlerts with an alerts block: its rule
// costs one ListTargetsByRule, as the resource documentation says), the
// plan after apply is empty, and apply's peak RSS at any N stays within
// maxRSSGrowth times the one at N=1 (the function zip must not be held
// once per secret).
const (
	maxRefreshCalls       = 5
	maxRefreshCallsAlerts = maxRefreshCalls + 1
	maxRSSGrowth          = 2.0
)

// refreshBudget is the calls-per-refresh goal of a configuration.
func refreshBudget(alerts bool) int {
	if alerts {
		return maxRefreshCallsAlerts
	}
	return maxRefreshCalls
}

// checkGoals fails the benchmark of one size that misses a goal.
func checkGoals(b *testing.B, r providerResult) {
	if limit := refreshBudget(r.alerts); r.refreshCalls > float64(limit) {
		b.Errorf("%s: %.1f calls per refresh, goal <= %d: %s", r.label(), r.refreshCalls, limit, r.refreshDetail)
	}
	if !r.emptyPlan {
		b.Errorf("%s: the plan after apply is not empty", r.label())
	}
}

// label names the row: its size, and whether it has alerts or replicas.
func (r providerResult) label() string {
	switch {
	case r.alerts:
		return fmt.Sprintf("N=%d+alerts", r.n)
	case r.replicas:
		return fmt.Sprintf("N=%d+replicas", r.n)
	}
	return fmt.Sprintf("N=%d", r.n)
}

// checkRSSGoal compares each size's apply peak RSS with the smallest size's.
func checkRSSGoal(b *testing.B, results []providerResult) {
	if len(results) < 2 || results[0].applyRSSMB == 0 {
		return
	}
	base := results[0]
	for _, r := range results[1:] {
		if r.alerts || r.replicas {
			continue // the same N as a row without alerts or replicas
		}
		if r.applyRSSMB > maxRSSGrowth*base.applyRSSMB {
			b.Errorf("apply peak RSS at N=%d is %.0f MB, more than %.0fx the %.0f MB at N=%d", r.n, r.applyRSSMB, maxRSSGrowth, base.applyRSSMB, base.n)
		}
	}
}

// withResult replaces the row of r's size (the testing package may run a
// size again with a larger b.N) or appends it.
func withResult(results []providerResult, r providerResult) []providerResult {
	for i := range results {
		if results[i].n == r.n && results[i].alerts == r.alerts && results[i].replicas == r.replicas {
			results[i] = r
			return results
		}
	}
	return append(results, r)
}

// logProviderTable logs the summary table and the last size's call breakdown.
func logProviderTable(b *testing.B, tofu string, results []providerResult) {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "N\tcalls/create\tcalls/refresh (goal<=%d, +alerts <=%d)\tcalls/plan\tapply\trefresh\tplan\tRSS apply\tRSS refresh\tRSS plan\tempty plan\t\n", maxRefreshCalls, maxRefreshCallsAlerts)
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%.0f MB\t%.0f MB\t%.0f MB\t%v\t\n",
			strings.TrimPrefix(r.label(), "N="), r.createCalls, r.refreshCalls, r.planCalls, r.apply.Round(time.Millisecond), r.refresh.Round(time.Millisecond),
			r.plan.Round(time.Millisecond), r.applyRSSMB, r.refreshRSSMB, r.planRSSMB, r.emptyPlan)
	}
	_ = w.Flush()
	// Go keeps 10 lines of a benchmark's log: intro, header, a row per size, 3 breakdowns.
	b.Logf("%s, emulator, rotate_immediately = false; calls per secret (without the once-per-command sts call), times for all N, provider peak RSS per phase:\n%s",
		filepath.Base(tofu), strings.TrimRight(buf.String(), "\n"))
	last := results[len(results)-1]
	b.Logf("%s create (tofu apply), per secret: %s", last.label(), last.createDetail)
	b.Logf("%s refresh (tofu plan -refresh-only), per secret: %s", last.label(), last.refreshDetail)
	b.Logf("%s plan (tofu plan), per secret: %s", last.label(), last.planDetail)
}

func benchProvider(b *testing.B, tofu, bin string, n int, alerts, replicas bool) providerResult {
	emu := startEmulator(b)
	dir := b.TempDir()
	topic := ""
	if alerts {
		topic = emu.topic(b, "bench-alerts")
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(providerConfig(emu.srv.URL(), emu.srv.Region(), n, topic, replicas)), 0o644); err != nil {
		b.Fatal(err)
	}
	cliConfig := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cliConfig, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	if os.Getenv(envManaged) == "1" {
		return benchManaged(b, tofu, bin, providerResult{n: n, alerts: alerts, replicas: replicas}, emu, dir, cliConfig)
	}
	r := providerResult{n: n, alerts: alerts, replicas: replicas}

	// Create, with its own provider process.
	prov := startProvider(b, bin)
	tf := &tofuRunner{bin: tofu, dir: dir, env: tofuEnv(cliConfig, prov.reattach), provider: prov}
	tf.mustRun(b, "init", "-input=false", "-no-color")
	before := emu.calls(b)
	r.apply = tf.mustRun(b, "apply", "-input=false", "-no-color", "-auto-approve")
	create := CallDiff(before, emu.calls(b))
	r.createCalls, r.createDetail = perSecret(create, n)
	r.applyRSSMB = float64(prov.stop(b)) / 1024

	// Refresh, then plan, each with a fresh provider process, so each
	// phase's peak RSS is its own. The timer covers only these commands.
	var refreshCalls, planCalls map[string]int
	r.emptyPlan = true
	prov = startProvider(b, bin)
	tf.env, tf.provider = tofuEnv(cliConfig, prov.reattach), prov
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := emu.calls(b)
		r.refresh += tf.mustRun(b, "plan", "-refresh-only", "-input=false", "-no-color")
		refreshCalls = CallDiff(before, emu.calls(b))
	}
	b.StopTimer()
	r.refreshRSSMB = float64(prov.stop(b)) / 1024
	prov = startProvider(b, bin)
	tf.env, tf.provider = tofuEnv(cliConfig, prov.reattach), prov
	b.StartTimer()
	for i := 0; i < b.N; i++ {
		before := emu.calls(b)
		d, code, out := tf.run(b, "plan", "-input=false", "-no-color", "-detailed-exitcode")
		r.plan += d
		planCalls = CallDiff(before, emu.calls(b))
		switch code {
		case 0:
		case 2:
			if r.emptyPlan {
				b.Logf("the plan after apply is not empty (the provider sees drift):\n%s", tail(out, 40))
			}
			r.emptyPlan = false
		default:
			b.Fatalf("tofu plan failed (exit %d):\n%s", code, tf.failure(out))
		}
	}
	b.StopTimer()
	r.planRSSMB = float64(prov.stop(b)) / 1024
	r.refresh /= time.Duration(b.N)
	r.plan /= time.Duration(b.N)
	r.refreshCalls, r.refreshDetail = perSecret(refreshCalls, n)
	r.planCalls, r.planDetail = perSecret(planCalls, n)

	b.ReportMetric(r.createCalls, "calls/create")
	b.ReportMetric(r.refreshCalls, "calls/refresh")
	b.ReportMetric(r.planCalls, "calls/plan")
	b.ReportMetric(r.apply.Seconds(), "apply-s")
	b.ReportMetric(r.plan.Seconds(), "plan-s")
	b.ReportMetric(r.refresh.Seconds(), "refresh-s")
	b.ReportMetric(r.applyRSSMB, "apply-RSS-MB")
	b.ReportMetric(r.refreshRSSMB, "refresh-RSS-MB")
	b.ReportMetric(r.planRSSMB, "plan-RSS-MB")
	checkGoals(b, r)
	return r
}

// providerLevelService is the service of the calls the provider makes once
// per command, not per resource: Configure validates the credentials with
// sts:GetCallerIdentity.
const providerLevelService = "sts"

// perSecret divides the calls of one command by the n secrets, leaving out
// the provider-level calls, and describes both.
func perSecret(calls map[string]int, n int) (float64, string) {
	resource, provider := map[string]int{}, map[string]int{}
	for op, c := range calls {
		if strings.HasPrefix(op, providerLevelService+":") {
			provider[op] = c
		} else {
			resource[op] = c
		}
	}
	detail := FormatCalls(resource, n)
	if len(provider) > 0 {
		detail += "; per command, not per secret: " + FormatCalls(provider, 1)
	}
	return float64(SumService(resource, "")) / float64(n), detail
}

// providerConfig is N rotated secrets on the emulator at url. Rotation is
// enabled with rotate_immediately = false, as most users start: the create
// calls RotateSecret, which runs testSecret only (one cold invocation per
// secret) and writes no new version. A topic ARN adds an alerts block;
// replicas adds two replica blocks.
func providerConfig(url, region string, n int, topicARN string, replicas bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    rotator = {\n      source = %q\n    }\n  }\n}\n\n", providerAddress)
	fmt.Fprintf(&b, "provider \"rotator\" {\n  region                      = %q\n  access_key                  = \"test\"\n  secret_key                  = \"test\"\n", region)
	b.WriteString("  endpoints {\n")
	for _, svc := range []string{"secretsmanager", "lambda", "iam", "sts", "logs", "kms", "events", "sns"} {
		fmt.Fprintf(&b, "    %-14s = %q\n", svc, url)
	}
	b.WriteString("  }\n}\n\n")
	alerts := ""
	if topicARN != "" {
		alerts = fmt.Sprintf("\n  alerts {\n    sns_topic_arn = %q\n  }\n", topicARN)
	}
	if replicas {
		alerts += "\n  replica {\n    region = \"us-west-2\"\n  }\n\n  replica {\n    region = \"eu-west-1\"\n  }\n"
	}
	fmt.Fprintf(&b, `resource "rotator_rotated_secret" "bench" {
  count                   = %d
  name                    = "bench/secret-${count.index}"
  recovery_window_in_days = 0
  secret_template         = jsonencode({ username = "app${count.index}" })

  rotation {
    automatically_after_days = 30
    rotate_immediately       = false
  }

  function {
    architecture = "x86_64"
  }
%s}
`, n, alerts)
	return b.String()
}

// buildProvider builds the provider binary from the module root into a temp
// dir, with the rotation function zips embedded (built first into
// internal/lambdabundle/dist, as `make bundle` does, when they are missing).
func buildProvider(b *testing.B) string {
	b.Helper()
	root := moduleRoot(b)
	ctx := context.Background()
	dist := filepath.Join(root, "internal", "lambdabundle", "dist")
	for _, arch := range lambdabundle.Architectures() {
		if _, err := os.Stat(filepath.Join(dist, lambdabundle.ZipName(arch))); err == nil {
			continue
		}
		b.Logf("%s is missing: building the rotation function bundle (make bundle)", lambdabundle.ZipName(arch))
		if err := lambdabundle.Build(ctx, root, dist); err != nil {
			b.Fatalf("building the rotation function bundle: %v", err)
		}
		break
	}
	bin := filepath.Join(b.TempDir(), "terraform-provider-rotator")
	start := time.Now()
	args := []string{"build", "-trimpath", "-o", bin}
	if os.Getenv(envPprof) != "" {
		args = append(args, "-tags", "rotatorpprof")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build the provider: %v\n%s", err, out)
	}
	b.Logf("built the provider in %s", time.Since(start).Round(100*time.Millisecond))
	return bin
}

// providerProcess is the provider running with -debug as a child process.
type providerProcess struct {
	cmd      *exec.Cmd
	reattach string
	stderr   *tailBuffer
	once     sync.Once
	maxRSSKB int64
}

// startProvider starts bin -debug and waits for its TF_REATTACH_PROVIDERS
// line. The process is stopped at cleanup if the benchmark did not.
func startProvider(b *testing.B, bin string) *providerProcess {
	b.Helper()
	cmd := exec.Command(bin, "-debug")
	cmd.Env = providerEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	p := &providerProcess{cmd: cmd, stderr: &tailBuffer{max: 64 << 10}}
	cmd.Stderr = p.stderr
	if path := os.Getenv(envProviderStderr); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = f.Close() })
		cmd.Stderr = io.MultiWriter(p.stderr, f)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting the provider: %v", err)
	}
	b.Cleanup(func() { p.stop(b) })
	if dir := os.Getenv(envPprof); dir != "" {
		b.Logf("provider pid %d: heap profile at its high in %s", cmd.Process.Pid, filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", cmd.Process.Pid)))
	}

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			if v, ok := reattachValue(sc.Text()); ok && !sent {
				found <- v
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(found)
	}()
	select {
	case v, ok := <-found:
		if !ok {
			b.Fatalf("the provider exited without printing TF_REATTACH_PROVIDERS:\n%s", p.stderr.String())
		}
		p.reattach = v
	case <-time.After(reattachTimeout):
		b.Fatalf("no TF_REATTACH_PROVIDERS from the provider within %s:\n%s", reattachTimeout, p.stderr.String())
	}
	return p
}

// reattachValue extracts the value of the shell line the provider's debug
// mode prints: TF_REATTACH_PROVIDERS='{...}'.
func reattachValue(line string) (string, bool) {
	v, ok := strings.CutPrefix(strings.TrimSpace(line), "TF_REATTACH_PROVIDERS='")
	if !ok || !strings.HasSuffix(v, "'") {
		return "", false
	}
	return strings.TrimSuffix(v, "'"), true
}

// stop interrupts the provider (its debug mode exits on SIGINT), kills it
// if it lingers, and returns its peak RSS in KB.
//
// The peak is VmHWM from /proc, read just before the interrupt: the
// rusage Maxrss of a child on Linux also counts the parent's RSS at
// fork+exec (the kernel keeps the old mm's high-water mark across exec), and
// this process holds the emulator with every function's zip.
func (p *providerProcess) stop(b *testing.B) int64 {
	p.once.Do(func() {
		status, procErr := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
		if os.Getenv(envPprof) != "" {
			// pprof_hook.go: profile what is still live once idle.
			_ = p.cmd.Process.Signal(syscall.SIGUSR1)
			time.Sleep(2 * time.Second)
		}
		_ = p.cmd.Process.Signal(os.Interrupt)
		// Wait's error is the interrupt or kill that ended the process.
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(providerStopTimeout):
			_ = p.cmd.Process.Kill()
			<-done
		}
		if kb, ok := ParseVmHWM(string(status)); procErr == nil && ok {
			p.maxRSSKB = kb
			return
		}
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSSKB = ru.Maxrss
			b.Logf("no VmHWM in /proc for the provider (%v): its peak RSS is the rusage Maxrss, an upper bound", procErr)
		} else {
			b.Logf("no peak RSS for the provider process on this OS")
		}
	})
	return p.maxRSSKB
}

// providerEnv is the provider's environment: this process's without AWS
// settings (the configuration names the emulator) and without TF_LOG and
// TF_LOG_PATH (TF_LOG_PROVIDER passes, for debugging).
func providerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "TF_LOG=") || strings.HasPrefix(kv, "TF_LOG_PATH=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "AWS_EC2_METADATA_DISABLED=true")
	if dir := os.Getenv(envPprof); dir != "" {
		env = append(env, "ROTATOR_PPROF_DIR="+dir)
	}
	return env
}

// tofuEnv is OpenTofu's environment: attached to the debug provider, with
// an empty CLI configuration, no prompts and no checkpoint calls.
func tofuEnv(cliConfig, reattach string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "TF_"), strings.HasPrefix(k, "AWS_"):
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	)
	if reattach != "" {
		env = append(env, "TF_REATTACH_PROVIDERS="+reattach)
	}
	return env
}

// tofuRunner runs OpenTofu commands in one working directory.
type tofuRunner struct {
	bin, dir string
	env      []string
	// provider is the attached provider, whose stderr a failure shows.
	provider *providerProcess
}

// failure describes a failed command with its output and the provider's
// recent stderr.
func (t *tofuRunner) failure(out string) string {
	msg := tail(out, 60)
	if t.provider != nil {
		if e := strings.TrimSpace(t.provider.stderr.String()); e != "" {
			msg += "\n--- provider stderr (end):\n" + tail(e, 30)
		}
	}
	return msg
}

// run runs one command and returns its wall time, exit code and output.
func (t *tofuRunner) run(b *testing.B, args ...string) (time.Duration, int, string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tofuTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir, cmd.Env = t.dir, t.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return d, 0, out.String()
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		return d, exitErr.ExitCode(), out.String()
	default:
		b.Fatalf("tofu %s: %v\n%s", strings.Join(args, " "), err, t.failure(out.String()))
		return 0, 0, ""
	}
}

// mustRun runs one command that must succeed and returns its wall time.
func (t *tofuRunner) mustRun(b *testing.B, args ...string) time.Duration {
	b.Helper()
	d, code, out := t.run(b, args...)
	if code != 0 {
		b.Fatalf("tofu %s failed (exit %d):\n%s", strings.Join(args, " "), code, t.failure(out))
	}
	return d
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
