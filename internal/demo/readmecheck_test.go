package demo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeCICheck runs scripts/check-readme-ci.sh against small README,
// .ci/run and GNUmakefile fixtures: it must pass when .ci/run runs exactly
// the README's commands and fail, naming the problem, when they drift.
func TestReadmeCICheck(t *testing.T) {
	t.Parallel()
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "scripts", "check-readme-ci.sh")
	const readme = "# x\n<!-- demo-command:begin -->\n```sh\nmake demo   # show it\n```\n<!-- demo-command:end -->\n" +
		"<!-- test-command:begin -->\n```sh\n$ make test\n```\n<!-- test-command:end -->\n"
	const ci = "#!/usr/bin/env bash\nstep demo -- make demo\nstep test -- make test\nstep lint -- make lint\n"
	const makefile = "demo: ## d\n\ttrue\ntest: ## t\n\ttrue\n"
	tests := []struct {
		name                 string
		readme, ci, makefile string
		wantErr              string // "" = must pass
	}{
		{name: "in step", readme: readme, ci: ci, makefile: makefile},
		{name: "test command drifted", readme: readme, ci: strings.Replace(ci, "step test -- make test", "step test -- make unit", 1), makefile: makefile,
			wantErr: "README test command 'make test' differs from .ci/run's 'make unit'"},
		{name: "demo command drifted", readme: strings.Replace(readme, "make demo", "make demo-fast", 1), ci: ci, makefile: makefile,
			wantErr: "README demo command 'make demo-fast' differs"},
		{name: "test step commented out", readme: readme, ci: strings.Replace(ci, "step test", "# step test", 1), makefile: makefile,
			wantErr: "exactly one 'step test -- COMMAND' line, found 0"},
		{name: "test step twice", readme: readme, ci: ci + "step test -- make test\n", makefile: makefile,
			wantErr: "found 2"},
		{name: "two commands in the test block", readme: strings.Replace(readme, "$ make test\n", "make test\nmake lint\n", 1), ci: ci, makefile: makefile,
			wantErr: "must hold exactly one command, found 2"},
		{name: "no test block", readme: "# x\n", ci: ci, makefile: makefile,
			wantErr: "has no <!-- test-command:begin -->"},
		{name: "make target missing", readme: readme, ci: ci, makefile: "test:\n\ttrue\n",
			wantErr: "README runs 'make demo' but"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := map[string]string{"README.md": tt.readme, "run": tt.ci, "GNUmakefile": tt.makefile}
			for name, body := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, err := exec.Command("bash", script, filepath.Join(dir, "README.md"), filepath.Join(dir, "run"), filepath.Join(dir, "GNUmakefile")).CombinedOutput()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check failed on matching files: %v\n%s", err, out)
			case tt.wantErr != "" && err == nil:
				t.Errorf("check passed, want a failure containing %q; output:\n%s", tt.wantErr, out)
			case tt.wantErr != "" && !strings.Contains(string(out), tt.wantErr):
				t.Errorf("output %q does not contain %q", out, tt.wantErr)
			}
		})
	}
}

// TestRepositoryReadmeMatchesCI runs the drift check on the repository's own
// README.md, .ci/run and GNUmakefile.
func TestRepositoryReadmeMatchesCI(t *testing.T) {
	t.Parallel()
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", filepath.Join(root, "scripts", "check-readme-ci.sh")).CombinedOutput()
	if err != nil {
		t.Errorf("scripts/check-readme-ci.sh: %v\n%s", err, out)
	}
}
