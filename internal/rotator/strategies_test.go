package rotator_test

import (
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

func TestNewStrategyCoversEveryName(t *testing.T) {
	t.Parallel()
	for _, name := range config.Strategies() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.Strategy = name
			s, err := rotator.NewStrategy(cfg)
			if err != nil || s == nil {
				t.Fatalf("NewStrategy(%q) = %v, %v", name, s, err)
			}
		})
	}
	cfg := testConfig()
	cfg.Strategy = "mongodb"
	if _, err := rotator.NewStrategy(cfg); err == nil {
		t.Fatal("an unknown strategy was accepted")
	}
}
