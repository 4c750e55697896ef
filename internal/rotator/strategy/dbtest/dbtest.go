// Package dbtest helps the database strategies' tests: Lazy pins each
// call to the user and server of the step's own AWSCURRENT value, the way
// the provider pins them from secret_template. Only tests import it.
package dbtest

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// TargetOf returns the pins a resource whose template matches secret
// would have: its keys, with the base username (the clone suffix removed).
func TargetOf(secret string) *config.Target {
	var m map[string]json.RawMessage
	_ = json.Unmarshal([]byte(secret), &m)
	delete(m, "password")
	if u, ok := m["username"]; ok {
		var s string
		_ = json.Unmarshal(u, &s)
		if b, ok := strings.CutSuffix(s, config.CloneSuffix); ok && b != "" {
			s = b
		}
		m["username"], _ = json.Marshal(s)
	}
	var master string
	if v, ok := m["masterarn"]; ok {
		_ = json.Unmarshal(v, &master)
		delete(m, "masterarn")
	}
	tmpl, _ := json.Marshal(m)
	t, _ := config.TargetFromTemplate(string(tmpl), master)
	return t
}

// Lazy returns a strategy that builds mk's strategy for each call, pinned
// with TargetOf the step's AWSCURRENT (AWSPENDING when there is none).
func Lazy(mk func(strategy.DB) strategy.Strategy) strategy.Strategy { return lazy{mk: mk} }

// LazyCA is Lazy with caPEM as the resource's rotation.ca_bundle.
func LazyCA(mk func(strategy.DB) strategy.Strategy, caPEM string) strategy.Strategy {
	return lazy{mk: mk, ca: caPEM}
}

type lazy struct {
	mk func(strategy.DB) strategy.Strategy
	ca string
}

func (l lazy) pick(secret string) strategy.Strategy {
	return l.mk(strategy.DB{Target: TargetOf(secret), CABundle: l.ca})
}

func (l lazy) NewPending(ctx context.Context, current, pw string) (string, error) {
	return l.pick(current).NewPending(ctx, current, pw)
}

func (l lazy) Set(ctx context.Context, s strategy.Step) error { return l.pick(s.Current).Set(ctx, s) }

func (l lazy) Test(ctx context.Context, s strategy.Step) error {
	cur := s.Current
	if cur == "" {
		cur = s.Pending
	}
	return l.pick(cur).Test(ctx, s)
}
