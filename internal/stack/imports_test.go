package stack

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStackImports keeps internal/stack free of Terraform glue: inside
// this module it may import only what DESIGN.md lists for it.
func TestStackImports(t *testing.T) {
	t.Parallel()
	const module = "github.com/rotatorhq/terraform-provider-rotator/"
	allowed := map[string]bool{module + "internal/rotator/config": true, module + "internal/rotator/strategy": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/hashicorp/terraform-plugin-framework") || (strings.HasPrefix(p, module) && !allowed[p]) {
				t.Errorf("%s imports %s, which internal/stack may not (see DESIGN.md)", f, p)
			}
		}
	}
}
