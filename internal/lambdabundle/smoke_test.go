package lambdabundle

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// qemuAarch64 runs arm64 executables on other hosts.
const qemuAarch64 = "qemu-aarch64-static"

// smokeTimeout bounds one run of the bootstrap (qemu emulation of arm64
// included).
const smokeTimeout = 2 * time.Minute

// runtimeAPI is a minimal Lambda Runtime API: it hands out events in
// order, records each outcome, then answers 410 Gone so that the
// function's invoke loop ends.
type runtimeAPI struct {
	mu       sync.Mutex
	events   [][]byte
	next     int
	outcomes []string // "response" or "error", per event
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2018-06-01/runtime/invocation/next":
		if a.next >= len(a.events) {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", fmt.Sprintf("req-%d", a.next))
		w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:rotator")
		_, _ = w.Write(a.events[a.next])
		a.next++
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/response"):
		a.outcomes = append(a.outcomes, "response")
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/error"):
		a.outcomes = append(a.outcomes, "error")
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestBundledBootstrapServesInvocations runs the bootstrap from each zip
// (arm64 under qemu-aarch64-static when the host is not arm64) against a
// local Runtime API and a local Secrets Manager endpoint given through
// AWS_ENDPOINT_URL. It proves the shipped executable starts, reads its
// configuration, signs requests and reports success and failure.
func TestBundledBootstrapServesInvocations(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the bundles")
	}
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:smoke-AbCdEf"
	sm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			t.Errorf("%s: request not signed", target)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if target != "secretsmanager.DescribeSecret" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"InvalidRequestException","message":"smoke test"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ARN": arn, "Name": "smoke", "RotationEnabled": true,
			"VersionIdsToStages": map[string][]string{"v1": {"AWSCURRENT", "AWSPENDING"}},
		})
	}))
	defer sm.Close()

	dir := built(t)
	for _, arch := range Architectures() {
		t.Run(arch, func(t *testing.T) {
			var runner []string
			goarch, _ := GOARCH(arch)
			if goarch != runtime.GOARCH {
				if goarch != "arm64" {
					t.Skipf("cannot run a %s executable on %s", arch, runtime.GOARCH)
				}
				qemu, err := exec.LookPath(qemuAarch64)
				if err != nil {
					// CI must prove the arm64 function runs: never skip there.
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s is required under CI=true to run the arm64 bootstrap (Debian package qemu-user-static): %v", qemuAarch64, err)
					}
					t.Skipf("cannot run the arm64 bootstrap on %s without %s (Debian package qemu-user-static)", runtime.GOARCH, qemuAarch64)
				}
				runner = []string{qemu}
			}
			b, err := os.ReadFile(filepath.Join(dir, ZipName(arch)))
			if err != nil {
				t.Fatal(err)
			}
			exe := extractBootstrap(t, b)
			api := &runtimeAPI{events: [][]byte{
				// The token is already AWSCURRENT: success after the guard.
				[]byte(`{"Step":"finishSecret","SecretId":"` + arn + `","ClientRequestToken":"v1"}`),
				// Another secret: refused.
				[]byte(`{"Step":"createSecret","SecretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ123","ClientRequestToken":"v1"}`),
			}}
			rt := httptest.NewServer(api)
			defer rt.Close()

			ctx, cancel := context.WithTimeout(context.Background(), smokeTimeout)
			defer cancel()
			args := append(runner, exe)
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Env = []string{
				"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(rt.URL, "http://"),
				"AWS_ENDPOINT_URL=" + sm.URL,
				"AWS_REGION=us-east-1",
				"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
				"AWS_SECRET_ACCESS_KEY=example",
				"AWS_CONFIG_FILE=/dev/null",
				"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
				"AWS_EC2_METADATA_DISABLED=true",
				"ROTATOR_SECRET_ARN=" + arn,
				"ROTATOR_STRATEGY=generic",
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			_ = cmd.Run() // the invoke loop ends with an error on 410 Gone
			if ctx.Err() != nil {
				t.Fatalf("bootstrap did not finish: %s", stderr.String())
			}
			api.mu.Lock()
			outcomes := append([]string(nil), api.outcomes...)
			api.mu.Unlock()
			if d := cmp.Diff([]string{"response", "error"}, outcomes); d != "" {
				t.Fatalf("outcomes (-want +got):\n%s\nstderr:\n%s", d, stderr.String())
			}
			var lines int
			for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("stdout line is not JSON: %q", l)
				}
				lines++
			}
			if lines < 2 {
				t.Fatalf("expected a JSON log line per invocation, got %d", lines)
			}
		})
	}
}

func extractBootstrap(t *testing.T, zipData []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	exe := filepath.Join(t.TempDir(), "bootstrap")
	f, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, zr.File[0].Mode().Perm())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}
