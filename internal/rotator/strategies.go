package rotator

import (
	"fmt"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/mysql"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/postgres"
)

// NewStrategy returns the strategy cfg.Strategy names.
func NewStrategy(cfg config.Config) (strategy.Strategy, error) {
	db := strategy.DB{Target: cfg.Target, CABundle: cfg.CABundle}
	switch cfg.Strategy {
	case config.StrategyGeneric, "":
		return strategy.NewGeneric(cfg.RotatedField, cfg.Password), nil
	case config.StrategyPostgreSQLSingleUser:
		return postgres.SingleUser(db), nil
	case config.StrategyPostgreSQLAlternatingUsers:
		return postgres.AlternatingUsers(db), nil
	case config.StrategyMySQLSingleUser:
		return mysql.SingleUser(db), nil
	case config.StrategyMySQLAlternatingUsers:
		return mysql.AlternatingUsers(db), nil
	default:
		return nil, fmt.Errorf("unknown strategy %q: want one of %v", cfg.Strategy, config.Strategies())
	}
}
