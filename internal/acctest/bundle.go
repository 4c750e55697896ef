package acctest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var _ stack.CodeSource = (*dirSource)(nil)

// dirSource serves zips from a directory built by lambdabundle.Build.
type dirSource struct{ dir string }

func (d *dirSource) Zip(arch string) ([]byte, error) {
	if _, err := lambdabundle.GOARCH(arch); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(d.dir, lambdabundle.ZipName(arch)))
}

func (d *dirSource) CodeSHA256(arch string) (string, error) {
	b, err := d.Zip(arch)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

var (
	bundleOnce sync.Once
	bundleSrc  stack.CodeSource
	bundleErr  error
)

// Bundle returns the rotation function's code: the embedded zips when this
// test binary has them, else zips built now with lambdabundle.Build into a
// cache directory keyed by the function's sources (so `go test` works on a
// clean checkout, and a changed function is rebuilt).
func Bundle() (stack.CodeSource, error) {
	bundleOnce.Do(func() {
		if _, err := lambdabundle.Zip(lambdabundle.ArchX86_64); err == nil {
			bundleSrc = provider.EmbeddedCode{}
			return
		} else if !errors.Is(err, lambdabundle.ErrNotBuilt) {
			bundleErr = err
			return
		}
		bundleSrc, bundleErr = buildBundle()
	})
	return bundleSrc, bundleErr
}

func buildBundle() (stack.CodeSource, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	key, err := sourcesKey(root)
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "rotator-test-bundle", key)
	src := &dirSource{dir: dir}
	complete := true
	for _, arch := range lambdabundle.Architectures() {
		if _, err := os.Stat(filepath.Join(dir, lambdabundle.ZipName(arch))); err != nil {
			complete = false
		}
	}
	if complete {
		return src, nil
	}
	if err := lambdabundle.Build(context.Background(), root, dir); err != nil {
		return nil, fmt.Errorf("building the rotation function bundle: %w", err)
	}
	return src, nil
}

// moduleRoot is the directory of go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the provider's Go module")
	}
	return filepath.Dir(mod), nil
}

// sourcesKey hashes go.mod, go.sum and every file under internal/rotator
// and internal/lambdabundle (except dist).
func sourcesKey(root string) (string, error) {
	h := sha256.New()
	add := func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
		return nil
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := add(filepath.Join(root, f)); err != nil {
			return "", err
		}
	}
	for _, d := range []string{"internal/rotator", "internal/lambdabundle"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if de.IsDir() {
				if de.Name() == "dist" || de.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				return add(p)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
