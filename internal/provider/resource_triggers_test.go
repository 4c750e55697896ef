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

// TestKeepVersionFacts: a plan that touches no version keeps the state's
// facts, and leaves unknown those an older provider's state lacks (the
// apply's read fills them; a null plan would make that an inconsistent
// result).
func TestKeepVersionFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		state, want rotatedSecretModel
	}{
		{"known", rotatedSecretModel{
			CurrentVersionID: types.StringValue("v"), CurrentVersionCreated: types.StringValue("2026-11-30T00:00:00Z"),
			LastRotatedDate: types.StringValue(""), NextRotationDate: types.StringValue("2026-12-30T00:00:00Z"),
			RotationPending: types.BoolValue(true), RotationStuck: types.BoolValue(false),
		}, rotatedSecretModel{
			CurrentVersionID: types.StringValue("v"), CurrentVersionCreated: types.StringValue("2026-11-30T00:00:00Z"),
			LastRotatedDate: types.StringValue(""), NextRotationDate: types.StringValue("2026-12-30T00:00:00Z"),
			RotationPending: types.BoolValue(true), RotationStuck: types.BoolValue(false),
		}},
		{"state of an older provider", rotatedSecretModel{
			CurrentVersionID: types.StringValue("v"), LastRotatedDate: types.StringValue(""), NextRotationDate: types.StringValue(""),
			CurrentVersionCreated: types.StringNull(), RotationPending: types.BoolNull(), RotationStuck: types.BoolNull(),
		}, rotatedSecretModel{
			CurrentVersionID: types.StringValue("v"), LastRotatedDate: types.StringValue(""), NextRotationDate: types.StringValue(""),
			CurrentVersionCreated: types.StringUnknown(), RotationPending: types.BoolUnknown(), RotationStuck: types.BoolUnknown(),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got rotatedSecretModel
			got.keepVersionFacts(&tc.state)
			facts := func(m rotatedSecretModel) []attr.Value {
				return []attr.Value{m.CurrentVersionID, m.CurrentVersionCreated, m.LastRotatedDate, m.NextRotationDate, m.RotationPending, m.RotationStuck}
			}
			if diff := cmp.Diff(facts(tc.want), facts(got)); diff != "" {
				t.Errorf("planned facts (-want +got):\n%s", diff)
			}
		})
	}
}
