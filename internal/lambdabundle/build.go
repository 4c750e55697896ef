package lambdabundle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BootstrapPackage is the import path of the rotation function's main.
const BootstrapPackage = "github.com/rotatorhq/terraform-provider-rotator/internal/rotator/cmd/bootstrap"

// BuildEnv is the environment, beyond os.Environ, of every bundle build:
// a static Linux executable, with the per-architecture baseline pinned so
// the user's GOAMD64/GOARM64 or GOFLAGS cannot change the bytes.
func BuildEnv(goarch string) []string {
	return []string{"GOOS=linux", "GOARCH=" + goarch, "CGO_ENABLED=0", "GOFLAGS=", "GOAMD64=v1", "GOARM64=v8.0", "GOEXPERIMENT="}
}

// BuildFlags are the go build flags of every bundle build.
func BuildFlags() []string {
	return []string{"-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags", "-s -w -buildid="}
}

// Build cross-compiles the bootstrap for every architecture with the go
// command in PATH, run in the module at moduleDir, and writes
// outDir/bootstrap-<arch>.zip for each. Each zip is written to a temporary
// file first and renamed, so a failed build leaves no partial zip.
func Build(ctx context.Context, moduleDir, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "lambdabundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, arch := range Architectures() {
		goarch, err := GOARCH(arch)
		if err != nil {
			return err
		}
		exe := filepath.Join(tmp, "bootstrap-"+goarch)
		args := append([]string{"build"}, BuildFlags()...)
		args = append(args, "-o", exe, BootstrapPackage)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = moduleDir
		cmd.Env = append(os.Environ(), BuildEnv(goarch)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build for %s: %w\n%s", arch, err, strings.TrimSpace(stderr.String()))
		}
		data, err := os.ReadFile(exe)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := WriteZip(&buf, []File{{Name: "bootstrap", Mode: 0o755, Data: data}}); err != nil {
			return err
		}
		part := filepath.Join(outDir, "."+ZipName(arch)+".tmp")
		if err := os.WriteFile(part, buf.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(part, filepath.Join(outDir, ZipName(arch))); err != nil {
			return err
		}
	}
	return nil
}
