package stack

import (
	"strings"
	"testing"
)

func TestNamesFor(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 512)
	tests := []struct {
		region, name string
		wantPrefix   string
	}{
		{"us-east-1", "app/db", "rotator-app-db-"},
		{"us-east-1", "a+b=c.d@e", "rotator-a-b-c-d-e-"},
		{"us-east-1", long, "rotator-" + strings.Repeat("x", 47) + "-"},
	}
	for _, tc := range tests {
		n := NamesFor(tc.region, tc.name)
		if !strings.HasPrefix(n.Function, tc.wantPrefix) || len(n.Function) > 64 {
			t.Errorf("NamesFor(%q).Function = %q; want prefix %q and at most 64 characters", tc.name, n.Function, tc.wantPrefix)
		}
		if n.LogGroup != "/aws/lambda/"+n.Function || n.Role != n.Function {
			t.Errorf("NamesFor(%q) = %+v; log group and role must follow the function name", tc.name, n)
		}
		if again := NamesFor(tc.region, tc.name); again != n {
			t.Errorf("NamesFor is not deterministic: %+v vs %+v", n, again)
		}
	}
	if NamesFor("us-east-1", "same").Role == NamesFor("eu-west-1", "same").Role {
		t.Error("the same secret name in two regions gets one (global) IAM role name")
	}
	if NamesFor("us-east-1", "a/b").Function == NamesFor("us-east-1", "a-b").Function {
		t.Error("names that sanitize alike must still differ")
	}
}
