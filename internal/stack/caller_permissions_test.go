package stack

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCallerPermissionsMatchClients keeps the documented caller
// permissions equal to the methods the stack can call, plus the implicit ones.
func TestCallerPermissionsMatchClients(t *testing.T) {
	t.Parallel()
	var want []string
	for prefix, iface := range map[string]reflect.Type{
		"secretsmanager": reflect.TypeFor[SecretsManagerAPI](),
		"lambda":         reflect.TypeFor[LambdaAPI](),
		"iam":            reflect.TypeFor[IAMAPI](),
		"logs":           reflect.TypeFor[LogsAPI](),
		"kms":            reflect.TypeFor[KMSAPI](),
		"events":         reflect.TypeFor[EventsAPI](),
		"sns":            reflect.TypeFor[SNSAPI](),
	} {
		for i := range iface.NumMethod() {
			want = append(want, prefix+":"+iface.Method(i).Name)
		}
	}
	want = append(want, ImplicitPermissions...)
	var got []string
	for _, p := range CallerPermissions() {
		if p.When == "" {
			t.Errorf("%s has no description of when it is needed", p.Action)
		}
		got = append(got, p.Action)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CallerPermissions differ from the client methods (-methods +documented):\n%s", diff)
	}
}
