package provider

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestRotateTriggersChanged: the keepers idiom. Any added, removed or
// changed key asks for a rotation, null is the empty map, a create asks
// for none, and an unknown map or value is decided at apply time.
func TestRotateTriggersChanged(t *testing.T) {
	t.Parallel()
	m := func(kv ...string) *rotatedSecretModel {
		vals := map[string]attr.Value{}
		for i := 0; i < len(kv); i += 2 {
			vals[kv[i]] = types.StringValue(kv[i+1])
		}
		return &rotatedSecretModel{Rotation: &rotationModel{RotateTriggers: types.MapValueMust(types.StringType, vals)}}
	}
	with := func(t types.Map) *rotatedSecretModel {
		return &rotatedSecretModel{Rotation: &rotationModel{RotateTriggers: t}}
	}
	null := with(types.MapNull(types.StringType))
	unknownValue := with(types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringUnknown()}))
	tests := []struct {
		name        string
		plan, state *rotatedSecretModel
		keys        []string
		known       bool
	}{
		{"create", m("a", "1"), nil, nil, true},
		{"unchanged", m("a", "1", "b", "2"), m("a", "1", "b", "2"), nil, true},
		{"changed value", m("a", "2", "b", "2"), m("a", "1", "b", "2"), []string{"a"}, true},
		{"added and removed", m("b", "2", "c", "3"), m("a", "1", "b", "2"), []string{"a", "c"}, true},
		{"null to set rotates", m("a", "1"), null, []string{"a"}, true},
		{"set to null rotates", null, m("a", "1"), []string{"a"}, true},
		{"null to empty is no change", m(), null, nil, true},
		{"no rotation block", &rotatedSecretModel{}, null, nil, true},
		{"unknown map", with(types.MapUnknown(types.StringType)), m("a", "1"), nil, false},
		{"unknown value", unknownValue, m("a", "1"), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			keys, known := rotateTriggersChanged(tc.plan, tc.state)
			if diff := cmp.Diff(tc.keys, keys); diff != "" || known != tc.known {
				t.Errorf("keys (-want +got):\n%s\nknown = %t, want %t", diff, known, tc.known)
			}
		})
	}
}
