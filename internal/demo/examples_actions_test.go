package demo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestActionSkip(t *testing.T) {
	t.Parallel()
	withAction, without := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(withAction, "a.tf"), []byte("resource \"x\" \"y\" {}\n\naction \"rotator_rotate\" \"now\" {\n  config {}\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(without, "a.tf"), []byte("# an action \"x\" in a comment is no block\nresource \"x\" \"y\" {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, version string
		skip         bool
	}{
		{withAction, "Terraform v1.14.0", false},
		{withAction, "Terraform v1.15.2", false},
		{withAction, "Terraform v1.13.4", true},
		{withAction, "Terraform v1.5.7", true},
		{withAction, "OpenTofu v1.12.6", true},
		{without, "OpenTofu v1.12.6", false},
		{without, "Terraform v1.5.7", false},
	}
	for _, tt := range tests {
		got, err := actionSkip(tt.dir, tt.version)
		if err != nil {
			t.Fatal(err)
		}
		if (got != "") != tt.skip {
			t.Errorf("actionSkip(%s, %q) = %q, want skip %v", filepath.Base(tt.dir), tt.version, got, tt.skip)
		}
	}
}
