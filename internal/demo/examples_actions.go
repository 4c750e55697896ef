package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// actionsMinVersion is the first Terraform minor version with actions
// (1.14). OpenTofu has none.
var actionsMinVersion = [2]int{1, 14}

// actionRE finds an action block.
var actionRE = regexp.MustCompile(`(?m)^\s*action\s+"`)

// actionSkip returns why the example in dir cannot run with the CLI whose
// `version` line is versionLine ("" when it can): an action block needs
// Terraform >= 1.14.
func actionSkip(dir, versionLine string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if !actionRE.Match(b) {
			continue
		}
		if strings.HasPrefix(versionLine, "Terraform ") && atLeast(versionLine, actionsMinVersion) {
			return "", nil
		}
		return fmt.Sprintf("declares an action, which needs Terraform %d.%d or later (%s; OpenTofu has no actions)",
			actionsMinVersion[0], actionsMinVersion[1], versionLine), nil
	}
	return "", nil
}
