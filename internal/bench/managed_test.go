package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// managedWatch polls /proc for the processes of the provider binary bin
// that OpenTofu starts itself (managed mode, as users run the provider:
// one process per graph walk of a command) and keeps the largest peak RSS
// (VmHWM, which only grows while a process lives) any of them reached.
type managedWatch struct {
	bin    string
	stopCh chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	maxKB  int64
	pids   map[int]bool
}

// managedPoll is how often /proc is read: a provider process lives for at
// least one RPC round trip, and VmHWM keeps its peak until it exits.
const managedPoll = 20 * time.Millisecond

func watchManaged(bin string) *managedWatch {
	w := &managedWatch{bin: bin, stopCh: make(chan struct{}), done: make(chan struct{}), pids: map[int]bool{}}
	go func() {
		defer close(w.done)
		t := time.NewTicker(managedPoll)
		defer t.Stop()
		for {
			w.scan()
			select {
			case <-w.stopCh:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *managedWatch) scan() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != w.bin {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		if kb, ok := ParseVmHWM(string(status)); ok {
			w.mu.Lock()
			w.pids[pid] = true
			w.maxKB = max(w.maxKB, kb)
			w.mu.Unlock()
		}
	}
}

// stop ends the polling and returns the peak RSS in KB and how many
// provider processes were seen.
func (w *managedWatch) stop(b *testing.B) int64 {
	close(w.stopCh)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pids) == 0 {
		b.Logf("no managed provider process of %s was seen in /proc", w.bin)
	}
	return w.maxKB
}

// managedCLIConfig makes OpenTofu start the provider binary in dir itself
// (dev_overrides: no registry, no init).
func managedCLIConfig(dir string) string {
	return fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerAddress, dir)
}

// benchManaged is benchProvider with the provider managed by OpenTofu:
// each command starts its own provider processes, and each phase's peak
// RSS is the largest of them.
func benchManaged(b *testing.B, tofu, bin string, r providerResult, emu *emulator, dir, cliConfig string) providerResult {
	n := r.n
	if err := os.WriteFile(cliConfig, []byte(managedCLIConfig(filepath.Dir(bin))), 0o644); err != nil {
		b.Fatal(err)
	}
	tf := &tofuRunner{bin: tofu, dir: dir, env: tofuEnv(cliConfig, "")}
	phase := func(args ...string) (time.Duration, int, string, float64, map[string]int) {
		w := watchManaged(bin)
		before := emu.calls(b)
		d, code, out := tf.run(b, args...)
		calls := CallDiff(before, emu.calls(b))
		return d, code, out, float64(w.stop(b)) / 1024, calls
	}
	d, code, out, rss, create := phase("apply", "-input=false", "-no-color", "-auto-approve")
	if code != 0 {
		b.Fatalf("tofu apply failed (exit %d):\n%s", code, tail(out, 60))
	}
	r.apply, r.applyRSSMB = d, rss
	r.createCalls, r.createDetail = perSecret(create, n)
	d, code, out, rss, refresh := phase("plan", "-refresh-only", "-input=false", "-no-color")
	if code != 0 {
		b.Fatalf("tofu plan -refresh-only failed (exit %d):\n%s", code, tail(out, 60))
	}
	r.refresh, r.refreshRSSMB = d, rss
	r.refreshCalls, r.refreshDetail = perSecret(refresh, n)
	d, code, out, rss, plan := phase("plan", "-input=false", "-no-color", "-detailed-exitcode")
	switch code {
	case 0:
		r.emptyPlan = true
	case 2:
		b.Logf("the plan after apply is not empty (the provider sees drift):\n%s", tail(out, 40))
	default:
		b.Fatalf("tofu plan failed (exit %d):\n%s", code, tail(out, 60))
	}
	r.plan, r.planRSSMB = d, rss
	r.planCalls, r.planDetail = perSecret(plan, n)
	b.ReportMetric(r.applyRSSMB, "apply-RSS-MB")
	b.ReportMetric(r.apply.Seconds(), "apply-s")
	checkGoals(b, r)
	return r
}
