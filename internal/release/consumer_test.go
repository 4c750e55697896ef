package release

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/demo"
	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
)

// Environment of `make release-check`.
const (
	// envDist is the GoReleaser dist/ directory to check.
	envDist = "ROTATOR_RELEASE_DIST"
	// envTofu is the OpenTofu binary the consumer test installs with.
	envTofu = "ROTATOR_TOFU"
)

// registryManifest is the manifest a release publishes, in the repository.
const registryManifest = "terraform-registry-manifest.json"

// userConstraint is the version constraint a user writes (README).
const userConstraint = "~> 0.1"

// maxBinaryBytes is the size goal for one platform's provider binary.
const maxBinaryBytes = 60 << 20

// Plugin handshake (Terraform's plugin protocol): the magic cookie every
// Terraform/OpenTofu sets, and the go-plugin core protocol version.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
	coreProtocol     = 1
	// handshakeTimeout bounds the provider's start-up (arm64 under qemu).
	handshakeTimeout = 2 * time.Minute
	qemuAarch64      = "qemu-aarch64-static"
)

// rotationTimeout bounds the wait for the emulator's background rotation
// (four Lambda invocations of the native function; it catches a hang).
const rotationTimeout = 5 * time.Minute

// releaseDist opens the release under test, or skips when none was built.
func releaseDist(t *testing.T) *Dist {
	t.Helper()
	dir := os.Getenv(envDist)
	if dir == "" {
		t.Skipf("%s is not set: `make release-check` builds a GoReleaser snapshot into dist/ and runs this test on it", envDist)
	}
	root, err := demo.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenDist(dir, filepath.Join(root, registryManifest))
	if err != nil {
		t.Fatalf("the release in %s is not what a registry would publish:\n%v", dir, err)
	}
	return d
}

// requireOrSkip skips outside CI and fails under CI=true, where nothing
// may be skipped silently.
func requireOrSkip(t *testing.T, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true, so this is a failure)")
	}
	t.Skip(msg)
}

// The files a registry publishes: the manifest says protocol 6.0 (main.go
// serves protocol 6), each zip holds exactly the binary the registry
// requires, within the size goal, for the platforms CI builds.
func TestReleaseArtifacts(t *testing.T) {
	d := releaseDist(t)
	for _, p := range []string{"linux_amd64", "linux_arm64"} {
		if d.Archives[p] == "" {
			t.Errorf("no %s archive in %s (has %v)", p, d.SumsFile, keys(d.Archives))
		}
	}
	var manifest struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	b, err := os.ReadFile(d.ManifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatalf("%s: %v", d.Manifest, err)
	}
	if manifest.Version != 1 || !cmp.Equal(manifest.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("%s = %s, want version 1 and protocol_versions [\"6.0\"]", d.Manifest, b)
	}
	for _, p := range keys(d.Archives) {
		path := filepath.Join(d.Dir, d.Archives[p])
		files, err := ZipFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		// The registry requires the binary terraform-provider-<type>_v<version>
		// at the top of the zip; the license travels with it.
		binName := BinaryName(d.Version, p)
		slices.Sort(files)
		if diff := cmp.Diff([]string{"LICENSE", binName}, files); diff != "" {
			t.Errorf("%s holds (-want +got):\n%s", d.Archives[p], diff)
			continue
		}
		bin := filepath.Join(t.TempDir(), binName)
		if err := ExtractFile(path, binName, bin); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		zst, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: binary %.1f MB unzipped, archive %.1f MB", p, float64(st.Size())/(1<<20), float64(zst.Size())/(1<<20))
		if st.Size() > maxBinaryBytes {
			t.Errorf("%s: the binary is %d bytes, over the %d MB goal", p, st.Size(), maxBinaryBytes>>20)
		}
		if !strings.HasPrefix(p, "windows_") && st.Mode().Perm()&0o111 == 0 {
			t.Errorf("%s: %s is not executable (mode %v)", p, binName, st.Mode())
		}
	}
}

// Each linux binary carries the rotation function: both Lambda zips that
// `make bundle` built from this tree are embedded byte for byte, and the
// binary answers Terraform's plugin handshake with protocol 6 (the arm64
// one under qemu-aarch64-static when the host is not arm64).
func TestReleaseLinuxBinariesEmbedFunctionAndHandshake(t *testing.T) {
	d := releaseDist(t)
	for _, p := range []string{"linux_amd64", "linux_arm64"} {
		t.Run(p, func(t *testing.T) {
			name := d.Archives[p]
			if name == "" {
				t.Fatalf("no %s archive", p)
			}
			bin := filepath.Join(t.TempDir(), BinaryName(d.Version, p))
			if err := ExtractFile(filepath.Join(d.Dir, name), BinaryName(d.Version, p), bin); err != nil {
				t.Fatal(err)
			}
			exe, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			for _, arch := range lambdabundle.Architectures() {
				z, err := lambdabundle.Zip(arch)
				if err != nil {
					t.Fatalf("the bundle this test was built with: %v", err)
				}
				if !bytes.Contains(exe, z) {
					t.Errorf("%s does not embed the %s rotation function zip (%d bytes) built from this tree", name, arch, len(z))
				}
			}

			var runner []string
			if goarch := strings.TrimPrefix(p, "linux_"); goarch != runtime.GOARCH {
				if goarch != "arm64" {
					t.Skipf("cannot run a %s binary on %s", p, runtime.GOARCH)
				}
				qemu, err := exec.LookPath(qemuAarch64)
				if err != nil {
					requireOrSkip(t, "%s is needed to run the arm64 binary on %s (Debian package qemu-user-static): %v", qemuAarch64, runtime.GOARCH, err)
				}
				runner = []string{qemu}
			}
			hs := handshake(t, append(runner, bin))
			if hs.CoreVersion != coreProtocol || hs.AppVersion != 6 || hs.Network != "unix" || hs.Protocol != "grpc" {
				t.Fatalf("handshake %+v, want core protocol %d, plugin protocol 6, a unix socket and grpc", hs, coreProtocol)
			}
			conn, err := net.DialTimeout(hs.Network, hs.Address, 10*time.Second)
			if err != nil {
				t.Fatalf("the provider announced %s but does not accept connections: %v", hs.Address, err)
			}
			conn.Close()
		})
	}
}

// handshake starts a provider binary as Terraform does (magic cookie, the
// plugin protocol versions the CLI speaks) and reads its handshake line.
func handshake(t *testing.T, argv []string) Handshake {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=5,6", "PLUGIN_UNIX_SOCKET_DIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case l := <-line:
		hs, err := ParseHandshake(l)
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
		}
		return hs
	case <-ctx.Done():
		t.Fatalf("no handshake within %s\nstderr:\n%s", handshakeTimeout, stderr.String())
	}
	return Handshake{}
}

// A registry user's path: the archives in a filesystem mirror, a CLI
// configuration pointing at it (no dev_overrides), `init` with
// `version = "~> 0.1"`, which must verify and lock the package, then apply
// examples/demo against the emulator, rotate once and destroy. With
// OpenTofu, and with a Terraform >= 1.11 on the PATH.
func TestReleaseConsumer(t *testing.T) {
	d := releaseDist(t)
	platform := runtime.GOOS + "_" + runtime.GOARCH
	if d.Archives[platform] == "" {
		t.Fatalf("the release has no %s archive to install here", platform)
	}
	root, err := demo.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	if _, err := WriteMirror(d, mirror, demo.ProviderAddresses); err != nil {
		t.Fatal(err)
	}

	t.Run("tofu", func(t *testing.T) {
		path := os.Getenv(envTofu)
		if path == "" {
			requireOrSkip(t, "%s is not set: `make release-check` sets it to OpenTofu (scripts/find-cli.sh --tofu)", envTofu)
		}
		consume(t, root, d, mirror, path, "registry.opentofu.org")
	})
	t.Run("terraform", func(t *testing.T) {
		path, err := exec.LookPath("terraform")
		if err != nil {
			t.Skip("no terraform on the PATH: the registry path is checked with OpenTofu only")
		}
		version := cliVersion(t, path)
		if !demo.SupportsWriteOnly(version) {
			t.Skipf("terraform on the PATH is %s; the consumer test needs 1.11 or later", version)
		}
		consume(t, root, d, mirror, path, "registry.terraform.io")
	})
}

func cliVersion(t *testing.T, path string) string {
	t.Helper()
	c := &demo.CLI{Name: filepath.Base(path), Path: path, Env: append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")}
	v, err := c.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// consume runs the registry user's path with one CLI, whose registry host
// (where `rotatorhq/rotator` resolves) is host.
func consume(t *testing.T, root string, d *Dist, mirror, cliPath, host string) {
	ctx := context.Background()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	address := host + "/rotatorhq/rotator"
	work := t.TempDir()
	cliConfig := filepath.Join(work, "cli.tfrc")
	if err := os.WriteFile(cliConfig, []byte(MirrorCLIConfig(mirror, demo.ProviderAddresses)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"aws-config", "aws-credentials"} {
		if err := os.WriteFile(filepath.Join(work, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tfDir := filepath.Join(work, "tf")
	writeExample(t, root, tfDir)

	emu, err := awsemu.Start(awsemu.Options{Addr: "127.0.0.1:0", WorkDir: filepath.Join(work, "emulator")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	e := demo.Emulator{URL: emu.URL(), Region: emu.Region(), AccountID: emu.AccountID()}
	cli := &demo.CLI{
		Path: cliPath, Dir: tfDir,
		Env:     demo.CLIEnv(os.Environ(), cliConfig, work, e),
		LogFile: filepath.Join(work, "cli.log"),
	}
	version, err := cli.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cli.Name = demo.CommandName(version)
	t.Logf("%s (%s)", version, cliPath)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(cli.LogFile)
			t.Logf("%s log:\n%s", cli.Name, lastLines(string(b), 60))
		}
	})

	// 1. init from the mirror.
	out, err := cli.Run(ctx, "init", "-input=false", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "rotatorhq/rotator") || strings.Contains(l, "lock file") {
			t.Logf("init: %s", strings.TrimSpace(l))
		}
	}
	if want := "Installed rotatorhq/rotator v" + d.Version; !strings.Contains(out, want) {
		t.Errorf("init output lacks %q:\n%s", want, out)
	}
	if strings.Contains(strings.ToLower(out), "development overrides") {
		t.Errorf("init used dev_overrides:\n%s", out)
	}
	lock, err := os.ReadFile(filepath.Join(tfDir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatalf("init wrote no lock file: %v", err)
	}
	locked, err := ParseLockFile(lock)
	if err != nil {
		t.Fatalf(".terraform.lock.hcl: %v\n%s", err, lock)
	}
	h1, err := Hash1(filepath.Join(d.Dir, d.Archives[platform]))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := locked[address]
	if !ok {
		t.Fatalf(".terraform.lock.hcl has no %s:\n%s", address, lock)
	}
	if got.Version != d.Version || got.Constraints != userConstraint || !contains(got.Hashes, h1) {
		t.Errorf(".terraform.lock.hcl for %s: version %q, constraints %q, hashes %v; want %s, %q and the archive's %s",
			address, got.Version, got.Constraints, got.Hashes, d.Version, userConstraint, h1)
	}
	// A team locks every platform it runs on: the CLI's own hashes of both
	// archives must be the ones computed here.
	args := []string{"providers", "lock", "-fs-mirror=" + mirror}
	for _, p := range keys(d.Archives) {
		args = append(args, "-platform="+p)
	}
	if _, err := cli.Run(ctx, args...); err != nil {
		t.Fatal(err)
	}
	if lock, err = os.ReadFile(filepath.Join(tfDir, ".terraform.lock.hcl")); err != nil {
		t.Fatal(err)
	}
	if locked, err = ParseLockFile(lock); err != nil {
		t.Fatalf(".terraform.lock.hcl: %v\n%s", err, lock)
	}
	for _, p := range keys(d.Archives) {
		h, err := Hash1(filepath.Join(d.Dir, d.Archives[p]))
		if err != nil {
			t.Fatal(err)
		}
		if !contains(locked[address].Hashes, h) {
			t.Errorf("after `providers lock`, .terraform.lock.hcl lacks the %s archive's %s: %v", p, h, locked[address].Hashes)
		}
	}

	installed := filepath.Join(tfDir, ".terraform", "providers", host, "rotatorhq", "rotator", d.Version, platform, BinaryName(d.Version, platform))
	inZip := filepath.Join(work, "from-zip")
	if err := ExtractFile(filepath.Join(d.Dir, d.Archives[platform]), BinaryName(d.Version, platform), inZip); err != nil {
		t.Fatal(err)
	}
	if !sameFile(t, installed, inZip) {
		t.Errorf("%s is not the binary of %s", installed, d.Archives[platform])
	}

	// 2. The lock file is enforced: the same configuration against a mirror
	// whose archive was swapped must not install.
	checkTamperedMirrorRefused(ctx, t, d, cli, work, tfDir, lock, platform)

	// 3. apply, rotate once (AWSCURRENT moves, AWSPREVIOUS is the old
	// AWSCURRENT, as AWS documents), an empty plan, destroy.
	if _, err := cli.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		_, _ = cli.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
		t.Fatal(err)
	}
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			_, _ = cli.Run(context.Background(), "destroy", "-auto-approve", "-input=false", "-no-color")
		}
	})
	show, err := cli.Run(ctx, "show", "-json", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := demo.ParseShowJSON([]byte(show), "rotator_rotated_secret")
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets) != 1 || secrets[0].String("arn") == "" {
		t.Fatalf("want one rotator_rotated_secret with an ARN in the state, got %+v", secrets)
	}
	arn := secrets[0].String("arn")
	sm := secretsmanager.NewFromConfig(aws.Config{
		Region:      e.Region,
		Credentials: credentials.NewStaticCredentialsProvider("consumer", "consumer", ""),
	}, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(e.URL) })
	before := stages(ctx, t, sm, arn)
	oldCurrent := versionWith(before, "AWSCURRENT")
	if oldCurrent == "" {
		t.Fatalf("no AWSCURRENT version after apply: %v", before)
	}
	// RotateSecret only starts the rotation (as on AWS): wait for it to end.
	token := uuid.NewString()
	if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn), ClientRequestToken: aws.String(token)}); err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, rotationTimeout)
	rec, err := emu.AdminClient().WaitRotation(wctx, token)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !rec.OK {
		t.Fatalf("the rotation failed after %d attempt(s): %s", len(rec.Attempts), rec.Error)
	}
	after := stages(ctx, t, sm, arn)
	if cur := versionWith(after, "AWSCURRENT"); cur != token {
		t.Errorf("after the rotation AWSCURRENT is %q, want the rotation's version %q (stages %v)", cur, token, after)
	}
	if pending := versionWith(after, "AWSPENDING"); pending != "" && pending != token {
		t.Errorf("after the rotation AWSPENDING is left on %q (stages %v)", pending, after)
	}
	if prev := versionWith(after, "AWSPREVIOUS"); prev != oldCurrent {
		t.Errorf("after the rotation AWSPREVIOUS is %q, want the old AWSCURRENT %q (stages %v)", prev, oldCurrent, after)
	}
	if out, err := cli.Run(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("the plan after a rotation is not empty (a rotation is not drift): %v\n%s", err, lastLines(out, 20))
	}
	checkNoSecretInState(ctx, t, sm, arn, filepath.Join(tfDir, "terraform.tfstate"))
	if _, err := cli.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatal(err)
	}
	destroyed = true
	desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	var nf *smtypes.ResourceNotFoundException
	if err == nil && desc.DeletedDate == nil {
		t.Errorf("after destroy the secret %s still exists and is not scheduled for deletion", arn)
	} else if err != nil && !errors.As(err, &nf) {
		t.Errorf("DescribeSecret after destroy: %v", err)
	}
}

// writeExample copies examples/demo and adds the user's version
// constraint to its required_providers entry.
func writeExample(t *testing.T, root, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(root, "examples", "demo", "main.tf")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(\s*)source(\s*)= "rotatorhq/rotator"\n`)
	if n := len(re.FindAll(b, -1)); n != 1 {
		t.Fatalf("%s: want one `source = \"rotatorhq/rotator\"` line to add the version constraint to, found %d", src, n)
	}
	b = re.ReplaceAll(b, []byte("${1}source${2}= \"rotatorhq/rotator\"\n${1}version${2}= \""+userConstraint+"\"\n"))
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// checkTamperedMirrorRefused runs init with the lock file just written
// against a mirror whose archive for this platform holds another binary
// under the right name: init must refuse it.
func checkTamperedMirrorRefused(ctx context.Context, t *testing.T, d *Dist, cli *demo.CLI, work, tfDir string, lock []byte, platform string) {
	t.Helper()
	src := filepath.Join(work, "tampered-dist")
	if err := os.MkdirAll(src, 0o700); err != nil {
		t.Fatal(err)
	}
	name := d.Archives[platform]
	writeZip(t, filepath.Join(src, name), [2]string{BinaryName(d.Version, platform), "#!/bin/sh\nexit 1\n"})
	tampered := &Dist{Dir: src, Version: d.Version, Archives: map[string]string{platform: name}}
	mirror := filepath.Join(work, "tampered-mirror")
	if _, err := WriteMirror(tampered, mirror, demo.ProviderAddresses); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "tampered")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"main.tf": nil, ".terraform.lock.hcl": lock} {
		if b == nil {
			var err error
			if b, err = os.ReadFile(filepath.Join(tfDir, name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(work, "tampered.tfrc")
	if err := os.WriteFile(cfg, []byte(MirrorCLIConfig(mirror, demo.ProviderAddresses)), 0o600); err != nil {
		t.Fatal(err)
	}
	tc := *cli
	tc.Dir = dir
	tc.Env = append(append([]string(nil), cli.Env...), "TF_CLI_CONFIG_FILE="+cfg)
	out, err := tc.Run(ctx, "init", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("init installed a package whose hash is not in .terraform.lock.hcl:\n%s", out)
	}
	t.Logf("init with a swapped archive: %s", firstMatch(out, "checksum"))
	if !strings.Contains(out, "checksum") {
		t.Errorf("init refused the swapped package, but not for its checksum:\n%s", lastLines(out, 20))
	}
}

func stages(ctx context.Context, t *testing.T, sm *secretsmanager.Client, arn string) map[string][]string {
	t.Helper()
	out, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	return out.VersionIdsToStages
}

// checkNoSecretInState reads every version's value and checks that the
// state file contains none of them.
func checkNoSecretInState(ctx context.Context, t *testing.T, sm *secretsmanager.Client, arn, statePath string) {
	t.Helper()
	state, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	r := demo.NewRedactor()
	for v := range stages(ctx, t, sm, arn) {
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionId: aws.String(v)})
		if err != nil {
			t.Fatalf("GetSecretValue %s: %v", v, err)
		}
		r.AddSecretString(aws.ToString(out.SecretString), "password")
	}
	if r.Len() == 0 {
		t.Fatal("no secret value read back to check the state against")
	}
	if r.Contains(string(state)) {
		t.Error("the state file contains a secret value")
	}
}

func versionWith(st map[string][]string, stage string) string {
	for v, stages := range st {
		if contains(stages, stage) {
			return v
		}
	}
	return ""
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func firstMatch(s, substr string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
