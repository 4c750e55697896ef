// Package lambdabundle builds and embeds the rotation function's Lambda
// deployment packages: one reproducible zip per architecture, each holding
// the statically linked internal/rotator/cmd/bootstrap executable as its
// only entry. `make bundle` writes the zips into dist/, which is embedded,
// so the provider carries the function it deploys. On a clean checkout
// dist/ holds only a README: everything still builds, and Zip returns
// ErrNotBuilt.
package lambdabundle

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sync"
)

// Lambda architecture names.
const (
	ArchARM64  = "arm64"
	ArchX86_64 = "x86_64"
)

// ErrNotBuilt is returned when this binary was built without the zips.
var ErrNotBuilt = errors.New("the rotation function bundle was not embedded in this build of the provider; run `make bundle` (or `make build`) and rebuild the provider")

//go:embed dist
var dist embed.FS

// Architectures lists the supported Lambda architectures.
func Architectures() []string { return []string{ArchARM64, ArchX86_64} }

// ZipName is the file name of arch's zip in dist/.
func ZipName(arch string) string { return "bootstrap-" + arch + ".zip" }

// GOARCH maps a Lambda architecture name to Go's.
func GOARCH(arch string) (string, error) {
	switch arch {
	case ArchARM64:
		return "arm64", nil
	case ArchX86_64:
		return "amd64", nil
	default:
		return "", fmt.Errorf("unknown Lambda architecture %q: want one of %v", arch, Architectures())
	}
}

// Zip returns the deployment package for arch.
func Zip(arch string) ([]byte, error) { return zipFrom(dist, arch) }

// CodeSHA256 returns base64(sha256(zip)), the form of Lambda's CodeSha256.
// The provider asks for it on every plan of every resource, so each
// architecture's hash is computed once per process.
func CodeSHA256(arch string) (string, error) {
	if f, ok := embeddedSHA256[arch]; ok {
		return f()
	}
	return codeSHA256From(dist, arch)
}

var embeddedSHA256 = map[string]func() (string, error){
	ArchARM64:  sync.OnceValues(func() (string, error) { return codeSHA256From(dist, ArchARM64) }),
	ArchX86_64: sync.OnceValues(func() (string, error) { return codeSHA256From(dist, ArchX86_64) }),
}

func zipFrom(fsys fs.FS, arch string) ([]byte, error) {
	if _, err := GOARCH(arch); err != nil {
		return nil, err
	}
	b, err := fs.ReadFile(fsys, path.Join("dist", ZipName(arch)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (missing %s)", ErrNotBuilt, ZipName(arch))
	}
	if err != nil {
		return nil, fmt.Errorf("reading the embedded %s: %w", ZipName(arch), err)
	}
	return b, nil
}

func codeSHA256From(fsys fs.FS, arch string) (string, error) {
	b, err := zipFrom(fsys, arch)
	if err != nil {
		return "", err
	}
	return SHA256(b), nil
}

// SHA256 returns base64(sha256(b)).
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}
