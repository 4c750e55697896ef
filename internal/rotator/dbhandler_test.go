package rotator_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// setRecorder is a database-like strategy whose Set records its Step.
type setRecorder struct {
	strategy.Strategy
	mu   sync.Mutex
	sets []strategy.Step
	fail error
}

func (r *setRecorder) Set(_ context.Context, s strategy.Step) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sets = append(r.sets, s)
	return r.fail
}

func dbHandler(f *fakeSM, s strategy.Strategy) *rotator.Handler {
	cfg := testConfig()
	cfg.Strategy = config.StrategyPostgreSQLSingleUser
	cfg.Target = &config.Target{Username: "app", Host: "db.internal", Port: 5432, Engine: "postgres", DBName: "app"}
	return rotator.New(cfg, f, rotator.WithStrategy(s), rotator.WithLogger(slog.New(slog.NewJSONHandler(&syncBuffer{}, nil))))
}

// TestSetSecretMarksTheVersion: after a database strategy's setSecret
// succeeds, the token's version carries ROTATOR_SET_DONE (moved from the
// version that had it), so a stuck rotation can be told apart; a re-run
// makes no second call, and a failed Set puts no label.
func TestSetSecretMarksTheVersion(t *testing.T) {
	t.Parallel()
	t.Run("moved to the token's version once", func(t *testing.T) {
		t.Parallel()
		fx := baseFixture()
		fx.stages["v-prev"] = append(fx.stages["v-prev"], config.StageSetDone)
		f := newFake(fx)
		rec := &setRecorder{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())}
		h := dbHandler(f, rec)
		if err := rotate(t, h, tok, "create_secret", "set_secret", "set_secret"); err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{tok: {"AWSPENDING", config.StageSetDone}, "v-cur": {"AWSCURRENT"}, "v-prev": {"AWSPREVIOUS"}}
		if d := cmp.Diff(want, f.Labels()); d != "" {
			t.Errorf("labels (-want +got):\n%s", d)
		}
		if n := f.Calls()["UpdateSecretVersionStage"]; n != 1 {
			t.Errorf("UpdateSecretVersionStage called %d times, want 1 (the re-run finds the label)", n)
		}
	})
	t.Run("a failed Set puts no label", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		rec := &setRecorder{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy()), fail: errors.New("refused")}
		if err := rotate(t, dbHandler(f, rec), tok, "create_secret", "set_secret"); err == nil {
			t.Fatal("setSecret passed")
		}
		if n := f.Calls()["UpdateSecretVersionStage"]; n != 0 {
			t.Errorf("UpdateSecretVersionStage called %d times after a failed Set", n)
		}
	})
}

// TestFirstRotationFlag: Set learns whether the secret still has only the
// value it was created with (no AWSPREVIOUS anywhere).
func TestFirstRotationFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		previous bool
		want     bool
	}{
		{"fresh secret", false, true},
		{"rotated or rewritten before", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := baseFixture()
			if !tc.previous {
				delete(fx.stages, "v-prev")
				delete(fx.values, "v-prev")
			}
			f := newFake(fx)
			rec := &setRecorder{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())}
			if err := rotate(t, dbHandler(f, rec), tok, "create_secret", "set_secret"); err != nil {
				t.Fatal(err)
			}
			if len(rec.sets) != 1 || rec.sets[0].FirstRotation != tc.want {
				t.Fatalf("Set steps %d, FirstRotation = %v, want %v", len(rec.sets), len(rec.sets) > 0 && rec.sets[0].FirstRotation, tc.want)
			}
		})
	}
}
