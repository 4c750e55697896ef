package provider

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
)

// rotateTriggersChanged compares plan's rotation.rotate_triggers with the
// ones the state recorded at the last successful apply. It returns the keys
// that were added, removed or given another value, sorted; known is false
// while the planned map (or one of its values) is unknown. A null map is
// an empty one: going from null to {a = "1"} changes key a, and so rotates
// (as random's keepers replace), while null to {} changes nothing. A create
// (state nil) changes nothing: creating already rotates per its own rules.
func rotateTriggersChanged(plan, state *rotatedSecretModel) (keys []string, known bool) {
	if state == nil {
		return nil, true
	}
	want, ok := triggers(plan)
	if !ok {
		return nil, false
	}
	had, _ := triggers(state)
	for k, v := range want {
		if old, ok := had[k]; !ok || !old.Equal(v) {
			keys = append(keys, k)
		}
	}
	for k := range had {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, true
}

// triggers returns m's rotate_triggers (nil for none); ok is false when
// the map or a value in it is unknown.
func triggers(m *rotatedSecretModel) (map[string]attr.Value, bool) {
	if m.Rotation == nil {
		return nil, true
	}
	t := m.Rotation.RotateTriggers
	if t.IsUnknown() {
		return nil, false
	}
	if t.IsNull() {
		return nil, true
	}
	elems := t.Elements()
	for _, v := range elems {
		if v.IsUnknown() {
			return nil, false
		}
	}
	return elems, true
}
