package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestDocsListCallerPermissions keeps the resource template's permission
// table equal to stack.CallerPermissions.
func TestDocsListCallerPermissions(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../templates/resources/rotated_secret.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9]+:[A-Za-z]+)` \\| (.+) \\|$").FindAllStringSubmatch(string(b), -1) {
		documented = append(documented, m[1]+" | "+m[2])
	}
	var want []string
	for _, p := range stack.CallerPermissions() {
		want = append(want, fmt.Sprintf("%s | %s", p.Action, p.When))
	}
	slices.Sort(documented)
	slices.Sort(want)
	if diff := cmp.Diff(want, documented); diff != "" {
		t.Errorf("templates/resources/rotated_secret.md.tmpl permission table is stale (-code +doc):\n%s", diff)
	}
}
