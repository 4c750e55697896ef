package acctest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
)

func TestSourcesKeyIsStable(t *testing.T) {
	t.Parallel()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	a, err := sourcesKey(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sourcesKey(root)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || len(a) != 16 {
		t.Errorf("sourcesKey = %q then %q; want one stable 16-character key", a, b)
	}
}

func TestDirSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, lambdabundle.ZipName("x86_64")), []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := &dirSource{dir: dir}
	// base64(sha256("abc"))
	if got, err := src.CodeSHA256("x86_64"); err != nil || got != "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" {
		t.Errorf("CodeSHA256 = %q, %v", got, err)
	}
	if _, err := src.Zip("arm64"); err == nil {
		t.Error("Zip of a missing architecture succeeded")
	}
	if _, err := src.Zip("sparc"); err == nil {
		t.Error("Zip of an unknown architecture succeeded")
	}
}

func TestProviderBlockNamesEveryEndpoint(t *testing.T) {
	t.Parallel()
	e := &Env{URL: "http://127.0.0.1:1", Region: Region}
	block := e.ProviderBlock()
	for _, svc := range []string{"secretsmanager", "lambda", "iam", "sts", "logs", "kms"} {
		if !strings.Contains(block, svc) {
			t.Errorf("provider block lacks the %s endpoint:\n%s", svc, block)
		}
	}
	if (&Env{}).ProviderBlock() != "" {
		t.Error("real AWS must use the ambient provider configuration")
	}
}

func TestCheckGoneAndExists(t *testing.T) {
	t.Parallel()
	if os.Getenv(EnvRealAWS) != "" {
		t.Skip("emulator only")
	}
	e := NewEnv(t)
	ctx := context.Background()
	if err := e.CheckGone(ctx, "nothing-here", false); err != nil {
		t.Errorf("CheckGone on an empty account: %v", err)
	}
	if err := e.CheckExists(ctx, "nothing-here", false); err == nil {
		t.Error("CheckExists on an empty account succeeded")
	}
}
