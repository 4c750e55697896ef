package release

import (
	"archive/zip"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeZip writes a zip of name -> content entries, in the given order.
func writeZip(t *testing.T, path string, entries ...[2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// The lock file's h1 hash is Go's dirhash Hash1 of the zip. The expected
// value was computed with golang.org/x/mod/sumdb/dirhash.HashZip(…, Hash1),
// the implementation Terraform and OpenTofu use; entry order and zip
// metadata must not matter.
func TestHash1MatchesDirhash(t *testing.T) {
	t.Parallel()
	const want = "h1:bGRN4agaiNl6r28S9XmeHUd8tDqtmXAYWTXQkFiYGos="
	tests := []struct {
		name    string
		entries [][2]string
	}{
		{"binary first", [][2]string{{"terraform-provider-rotator_v0.1.0", "#!/bin/sh\necho provider\n"}, {"LICENSE", "MPL-2.0\n"}}},
		{"license first", [][2]string{{"LICENSE", "MPL-2.0\n"}, {"terraform-provider-rotator_v0.1.0", "#!/bin/sh\necho provider\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "p.zip")
			writeZip(t, path, tt.entries...)
			got, err := Hash1(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("Hash1 = %s, want %s", got, want)
			}
		})
	}
	t.Run("other content", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "p.zip")
		writeZip(t, path, [2]string{"LICENSE", "MPL-2.0\n"}, [2]string{"terraform-provider-rotator_v0.1.0", "tampered\n"})
		got, err := Hash1(path)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			t.Errorf("a zip with other content has the same h1 %s", got)
		}
	})
}

// fakeDist writes a release like GoReleaser's, version 0.1.0: two
// archives, the manifest and the SHA256SUMS listing them.
func fakeDist(t *testing.T) string {
	t.Helper()
	const version = "0.1.0"
	dir := t.TempDir()
	var sums strings.Builder
	add := func(name string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(b), name)
	}
	for _, p := range []string{"linux_amd64", "linux_arm64"} {
		name := fmt.Sprintf("terraform-provider-rotator_%s_%s.zip", version, p)
		writeZip(t, filepath.Join(dir, name), [2]string{"terraform-provider-rotator_v" + version, "binary for " + p})
		add(name)
	}
	manifest := "terraform-provider-rotator_" + version + "_manifest.json"
	if err := os.WriteFile(filepath.Join(dir, manifest), []byte(`{"version":1,"metadata":{"protocol_versions":["6.0"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	add(manifest)
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-rotator_"+version+"_SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenDist(t *testing.T) {
	t.Parallel()
	dir := fakeDist(t)
	d, err := OpenDist(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "0.1.0" {
		t.Errorf("Version = %q, want 0.1.0", d.Version)
	}
	want := map[string]string{
		"linux_amd64": "terraform-provider-rotator_0.1.0_linux_amd64.zip",
		"linux_arm64": "terraform-provider-rotator_0.1.0_linux_arm64.zip",
	}
	if diff := cmp.Diff(want, d.Archives); diff != "" {
		t.Errorf("Archives (-want +got):\n%s", diff)
	}
	if d.Manifest != "terraform-provider-rotator_0.1.0_manifest.json" {
		t.Errorf("Manifest = %q", d.Manifest)
	}
}

// A file whose content differs from its SHA256SUMS line, or a missing one,
// makes the release unusable: OpenDist says which.
func TestOpenDistRejectsWhatARegistryWould(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		break_  func(t *testing.T, dir string)
		wantErr string
	}{
		{
			name: "archive changed after the checksums",
			break_: func(t *testing.T, dir string) {
				writeZip(t, filepath.Join(dir, "terraform-provider-rotator_0.1.0_linux_arm64.zip"), [2]string{"terraform-provider-rotator_v0.1.0", "tampered"})
			},
			wantErr: "but terraform-provider-rotator_0.1.0_SHA256SUMS lists",
		},
		{
			name: "archive missing",
			break_: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "terraform-provider-rotator_0.1.0_linux_amd64.zip")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "no such file",
		},
		{
			name: "no checksums",
			break_: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "terraform-provider-rotator_0.1.0_SHA256SUMS")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "no terraform-provider-rotator_<version>_SHA256SUMS",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := fakeDist(t)
			tt.break_(t, dir)
			_, err := OpenDist(dir, "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("OpenDist error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// A snapshot's dist/ has no manifest (GoReleaser uploads it from the
// repository when it publishes): its checksum must match the repository's.
func TestOpenDistReadsTheManifestFromTheRepository(t *testing.T) {
	t.Parallel()
	dir := fakeDist(t)
	manifest := filepath.Join(dir, "terraform-provider-rotator_0.1.0_manifest.json")
	src := filepath.Join(t.TempDir(), "terraform-registry-manifest.json")
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(manifest); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDist(dir, src)
	if err != nil {
		t.Fatal(err)
	}
	if d.ManifestPath != src {
		t.Errorf("ManifestPath = %q, want %q", d.ManifestPath, src)
	}
	if err := os.WriteFile(src, []byte(`{"version":1,"metadata":{"protocol_versions":["5.0"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDist(dir, src); err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Errorf("OpenDist with another manifest: error = %v, want a checksum mismatch for the manifest", err)
	}
}

func TestParseSumsRejectsMalformedLines(t *testing.T) {
	t.Parallel()
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name, in string
		wantErr  bool
	}{
		{"two entries", sum + "  a.zip\n" + sum + "  b.zip\n", false},
		{"one space", sum + " a.zip\n", true},
		{"short sum", "abcd  a.zip\n", true},
		{"not hex", strings.Repeat("zz", 32) + "  a.zip\n", true},
		{"duplicate", sum + "  a.zip\n" + sum + "  a.zip\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSums([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Errorf("ParseSums error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// The layout is the one `terraform providers mirror` writes (packed zips,
// index.json and <version>.json per provider), as its documentation shows.
func TestWriteMirrorLayout(t *testing.T) {
	t.Parallel()
	d, err := OpenDist(fakeDist(t), "")
	if err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	got, err := WriteMirror(d, mirror, []string{"registry.opentofu.org/rotatorhq/rotator", "registry.terraform.io/rotatorhq/rotator"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, host := range []string{"registry.opentofu.org", "registry.terraform.io"} {
		p := host + "/rotatorhq/rotator/"
		want = append(want, p+"0.1.0.json", p+"index.json",
			p+"terraform-provider-rotator_0.1.0_linux_amd64.zip", p+"terraform-provider-rotator_0.1.0_linux_arm64.zip")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WriteMirror (-want +got):\n%s", diff)
	}
	for _, rel := range want {
		if _, err := os.Stat(filepath.Join(mirror, rel)); err != nil {
			t.Error(err)
		}
	}
	index, err := os.ReadFile(filepath.Join(mirror, "registry.terraform.io/rotatorhq/rotator/index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("{\n  \"versions\": {\n    \"0.1.0\": {}\n  }\n}\n", string(index)); diff != "" {
		t.Errorf("index.json (-want +got):\n%s", diff)
	}
}

func TestMirrorCLIConfigHasNoDevOverrides(t *testing.T) {
	t.Parallel()
	want := `provider_installation {
  filesystem_mirror {
    path    = "/m"
    include = ["registry.terraform.io/rotatorhq/rotator", "registry.opentofu.org/rotatorhq/rotator"]
  }
}
`
	got := MirrorCLIConfig("/m", []string{"registry.terraform.io/rotatorhq/rotator", "registry.opentofu.org/rotatorhq/rotator"})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MirrorCLIConfig (-want +got):\n%s", diff)
	}
}

// The lock file as OpenTofu 1.12 and Terraform 1.11 write it.
func TestParseLockFile(t *testing.T) {
	t.Parallel()
	const lock = `# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/rotatorhq/rotator" {
  version     = "0.1.0"
  constraints = "~> 0.1"
  hashes = [
    "h1:bGRN4agaiNl6r28S9XmeHUd8tDqtmXAYWTXQkFiYGos=",
    "zh:0123",
  ]
}
`
	got, err := ParseLockFile([]byte(lock))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]LockedProvider{
		"registry.opentofu.org/rotatorhq/rotator": {
			Version: "0.1.0", Constraints: "~> 0.1",
			Hashes: []string{"h1:bGRN4agaiNl6r28S9XmeHUd8tDqtmXAYWTXQkFiYGos=", "zh:0123"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseLockFile (-want +got):\n%s", diff)
	}
	if _, err := ParseLockFile([]byte("provider \"x\" {\n  version = \"1\"\n")); err == nil {
		t.Error("an unclosed block parsed without error")
	}
}

// go-plugin's handshake line: CORE|APP|NETWORK|ADDRESS|PROTOCOL[|CERT].
func TestParseHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line    string
		want    Handshake
		wantErr bool
	}{
		{line: "1|6|unix|/tmp/plugin123|grpc|\n", want: Handshake{CoreVersion: 1, AppVersion: 6, Network: "unix", Address: "/tmp/plugin123", Protocol: "grpc"}},
		{line: "1|5|tcp|127.0.0.1:1234|grpc", want: Handshake{CoreVersion: 1, AppVersion: 5, Network: "tcp", Address: "127.0.0.1:1234", Protocol: "grpc"}},
		{line: "This binary is a plugin. These are not meant to be executed directly.", wantErr: true},
		{line: "x|6|unix|/p|grpc", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseHandshake(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseHandshake(%q) error = %v, want error %v", tt.line, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseHandshake(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}

func TestBinaryName(t *testing.T) {
	t.Parallel()
	for platform, want := range map[string]string{
		"linux_amd64":   "terraform-provider-rotator_v0.1.0",
		"windows_amd64": "terraform-provider-rotator_v0.1.0.exe",
	} {
		if got := BinaryName("0.1.0", platform); got != want {
			t.Errorf("BinaryName(0.1.0, %s) = %q, want %q", platform, got, want)
		}
	}
}
