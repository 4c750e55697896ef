package bench

import "testing"

// TestRefreshBudget: issue 10 keeps a refresh at 5 AWS calls per secret;
// only a configuration with an alerts block may spend a sixth (its rule's
// ListTargetsByRule), as the resource documentation says.
func TestRefreshBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alerts bool
		calls  float64
		within bool
	}{
		{false, 5, true},
		{false, 6, false},
		{true, 6, true},
		{true, 7, false},
	} {
		if got := tc.calls <= float64(refreshBudget(tc.alerts)); got != tc.within {
			t.Errorf("alerts=%v: %v calls per refresh within the budget = %v, want %v", tc.alerts, tc.calls, got, tc.within)
		}
	}
}
