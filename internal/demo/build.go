package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildBundle builds the rotation function zips that the provider embeds
// (the same command as `make bundle`).
func BuildBundle(ctx context.Context, root string, log io.Writer) error {
	return goCmd(ctx, root, log, "run", "./internal/lambdabundle/cmd/build", "-out", "internal/lambdabundle/dist")
}

// BuildProvider builds the provider binary into dir and returns its path.
func BuildProvider(ctx context.Context, root, dir string, log io.Writer) (string, error) {
	out := filepath.Join(dir, ProviderBinaryName)
	if err := goCmd(ctx, root, log, "build", "-trimpath", "-o", out, "."); err != nil {
		return "", err
	}
	return out, nil
}

// EnsureTool runs one of the repository's tool scripts (for example
// scripts/find-cli.sh, which finds or builds and caches a CLI) and returns
// the path it prints. The script's progress goes to log.
func EnsureTool(ctx context.Context, root, script string, log io.Writer) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, script))
	cmd.Dir = root
	cmd.Stderr = log
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	path := strings.TrimSpace(lastLines(out.String(), 1))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s printed %q, which is not a file: %w", script, path, err)
	}
	return path, nil
}

func goCmd(ctx context.Context, root string, log io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Stdout = log
	cmd.Stderr = log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}
