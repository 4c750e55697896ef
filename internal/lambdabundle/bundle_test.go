package lambdabundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// maxZipBytes is the size goal for each deployment package.
const maxZipBytes = 10 << 20

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// built builds the zips once per test binary into a temporary directory.
func built(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "lambdabundle-test-") //nolint:usetesting // shared by every test, removed in TestMain
		if buildErr == nil {
			buildErr = Build(context.Background(), ".", buildDir)
		}
	})
	if buildErr != nil {
		tb.Fatalf("building the bundles: %v", buildErr)
	}
	return buildDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func readZip(t *testing.T, dir, arch string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ZipName(arch)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildIsReproducible(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("compiles the function twice more")
	}
	first := built(t)
	second := t.TempDir()
	if err := Build(context.Background(), ".", second); err != nil {
		t.Fatal(err)
	}
	for _, arch := range Architectures() {
		a, b := readZip(t, first, arch), readZip(t, second, arch)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two builds differ (%s vs %s)", arch, SHA256(a), SHA256(b))
		}
	}
}

func TestZipHoldsTheBootstrapForItsArchitecture(t *testing.T) {
	t.Parallel()
	dir := built(t)
	want := map[string]elf.Machine{ArchARM64: elf.EM_AARCH64, ArchX86_64: elf.EM_X86_64}
	for _, arch := range Architectures() {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			b := readZip(t, dir, arch)
			if len(b) > maxZipBytes {
				t.Errorf("zip is %d bytes, over the %d-byte goal", len(b), maxZipBytes)
			}
			t.Logf("%s: %d bytes, CodeSha256 %s", ZipName(arch), len(b), SHA256(b))
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
				names := []string{}
				for _, f := range zr.File {
					names = append(names, f.Name)
				}
				t.Fatalf("entries %v, want [bootstrap]", names)
			}
			f := zr.File[0]
			if f.Mode() != 0o755 {
				t.Errorf("mode %v, want -rwxr-xr-x", f.Mode())
			}
			if !f.Modified.Equal(ZipTime) {
				t.Errorf("modified %v, want %v", f.Modified, ZipTime)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			exe, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			ef, err := elf.NewFile(bytes.NewReader(exe))
			if err != nil {
				t.Fatalf("bootstrap is not an ELF file: %v", err)
			}
			if ef.Machine != want[arch] || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
				t.Errorf("ELF machine %v class %v type %v, want %v ELFCLASS64 ET_EXEC", ef.Machine, ef.Class, ef.Type, want[arch])
			}
			for _, p := range ef.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("bootstrap is dynamically linked")
				}
			}
			if ef.Section(".symtab") != nil {
				t.Error("bootstrap is not stripped")
			}
		})
	}
}

func TestWriteZipIsDeterministic(t *testing.T) {
	t.Parallel()
	files := []File{
		{Name: "z", Mode: 0o644, Data: []byte("last")},
		{Name: "bootstrap", Mode: 0o755, Data: bytes.Repeat([]byte("elf"), 1000)},
		{Name: "a/b", Mode: 0o600, Data: nil},
	}
	var a, b bytes.Buffer
	if err := WriteZip(&a, files); err != nil {
		t.Fatal(err)
	}
	reversed := []File{files[2], files[1], files[0]}
	if err := WriteZip(&b, reversed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the input order changed the zip")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Name   string
		Mode   string
		Method uint16
		Data   string
	}
	var got []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		got = append(got, entry{f.Name, f.Mode().String(), f.Method, string(data)})
		if !f.Modified.Equal(ZipTime) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
	}
	want := []entry{
		{"a/b", "-rw-------", zip.Deflate, ""},
		{"bootstrap", "-rwxr-xr-x", zip.Deflate, strings.Repeat("elf", 1000)},
		{"z", "-rw-r--r--", zip.Deflate, "last"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("entries (-want +got):\n%s", d)
	}
}

func TestWriteZipRejectsBadNames(t *testing.T) {
	t.Parallel()
	for _, files := range [][]File{
		{{Name: ""}},
		{{Name: "/abs"}},
		{{Name: "../up"}},
		{{Name: "x"}, {Name: "x"}},
	} {
		if err := WriteZip(io.Discard, files); err == nil {
			t.Errorf("WriteZip(%q) accepted", files[0].Name)
		}
	}
}

func TestEmbeddedAccessors(t *testing.T) {
	t.Parallel()
	zipData := []byte("PK fake zip")
	sum := sha256.Sum256(zipData)
	withArm := fstest.MapFS{
		"dist/README.md":           {Data: []byte("placeholder")},
		"dist/bootstrap-arm64.zip": {Data: zipData},
	}
	clean := fstest.MapFS{"dist/README.md": {Data: []byte("placeholder")}}

	got, err := zipFrom(withArm, ArchARM64)
	if err != nil || !bytes.Equal(got, zipData) {
		t.Fatalf("zipFrom(arm64) = %q, %v", got, err)
	}
	h, err := codeSHA256From(withArm, ArchARM64)
	if err != nil || h != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("codeSHA256From = %q, %v", h, err)
	}
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		arch string
	}{{"clean checkout", clean, ArchARM64}, {"other arch missing", withArm, ArchX86_64}} {
		_, err := zipFrom(c.fsys, c.arch)
		if !errors.Is(err, ErrNotBuilt) {
			t.Errorf("%s: zipFrom = %v, want ErrNotBuilt", c.name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "make bundle") {
			t.Errorf("%s: %q does not name `make bundle`", c.name, err)
		}
		if _, err := codeSHA256From(c.fsys, c.arch); !errors.Is(err, ErrNotBuilt) {
			t.Errorf("%s: codeSHA256From = %v, want ErrNotBuilt", c.name, err)
		}
	}
	if _, err := zipFrom(withArm, "mips"); err == nil || errors.Is(err, ErrNotBuilt) {
		t.Errorf("an unknown architecture gave %v", err)
	}
	if d := cmp.Diff([]string{"arm64", "x86_64"}, Architectures()); d != "" {
		t.Error(d)
	}
}

// TestEmbeddedMatchesDist checks the package-level functions against the
// embedded dist: either both zips are there with consistent hashes, or
// each call returns ErrNotBuilt.
func TestEmbeddedMatchesDist(t *testing.T) {
	t.Parallel()
	for _, arch := range Architectures() {
		b, err := Zip(arch)
		h, herr := CodeSHA256(arch)
		if err != nil {
			if !errors.Is(err, ErrNotBuilt) || !errors.Is(herr, ErrNotBuilt) {
				t.Fatalf("%s: Zip = %v, CodeSHA256 = %v", arch, err, herr)
			}
			continue
		}
		if herr != nil || h != SHA256(b) {
			t.Fatalf("%s: CodeSHA256 = %q, %v; want %q", arch, h, herr, SHA256(b))
		}
	}
}

// BenchmarkBundle reports each zip's size (metric "bytes") and times
// WriteZip on the built executable.
func BenchmarkBundle(b *testing.B) {
	dir := built(b)
	for _, arch := range Architectures() {
		b.Run(arch, func(b *testing.B) {
			data, err := os.ReadFile(filepath.Join(dir, ZipName(arch)))
			if err != nil {
				b.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				b.Fatal(err)
			}
			rc, err := zr.File[0].Open()
			if err != nil {
				b.Fatal(err)
			}
			exe, _ := io.ReadAll(rc)
			rc.Close()
			for b.Loop() {
				if err := WriteZip(io.Discard, []File{{Name: "bootstrap", Mode: 0o755, Data: exe}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes")
			b.ReportMetric(float64(len(exe)), "exe-bytes")
		})
	}
}
