package demo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAtLeast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version string
		want    bool
	}{
		{"Terraform v1.5.7", false},
		{"Terraform v1.10.5", false},
		{"Terraform v1.11.0", true},
		{"OpenTofu v1.12.6-dev", true},
		{"OpenTofu v2.0.0", true},
		{"something else", false},
	}
	for _, tt := range tests {
		if got := atLeast(tt.version, writeOnlyMinVersion); got != tt.want {
			t.Errorf("atLeast(%q, 1.11) = %v, want %v", tt.version, got, tt.want)
		}
	}
}

func TestSummarizeExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		results []ExampleResult
		want    string
		wantOK  bool
	}{
		{"all pass", []ExampleResult{{}, {}}, "examples: 2 passed, 0 failed, 0 skipped", true},
		{"a failure", []ExampleResult{{}, {Err: errors.New("boom")}, {Skipped: "old"}}, "examples: 1 passed, 1 failed, 1 skipped", false},
		{"only skipped is not a pass", []ExampleResult{{Skipped: "old"}}, "examples: 0 passed, 0 failed, 1 skipped", false},
	}
	for _, tt := range tests {
		got, ok := SummarizeExamples(tt.results)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: SummarizeExamples = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestImportToRE(t *testing.T) {
	t.Parallel()
	src := "import {\n  to = rotator_rotated_secret.api_key\n  id = \"payments/api-key\"\n}\nimport {\n  to = module.m.rotator_rotated_secret.x[\"a\"]\n  id = \"y\"\n}\n"
	var got []string
	for _, m := range importToRE.FindAllStringSubmatch(src, -1) {
		got = append(got, m[1])
	}
	want := []string{"rotator_rotated_secret.api_key", `module.m.rotator_rotated_secret.x["a"]`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("import addresses (-want +got):\n%s", diff)
	}
}

func TestFindExampleDirs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, f := range []string{"provider/provider.tf", "resources/r/resource.tf", "resources/r/import.sh", "docs-only/README.md"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FindExampleDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "provider"), filepath.Join(root, "resources/r")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindExampleDirs (-want +got):\n%s", diff)
	}
}
