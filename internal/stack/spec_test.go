package stack

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// TestFunctionConfigPinsTheTarget: the database strategies' function
// configuration pins the template's user and server and the master secret,
// excludes the connection-string characters from passwords by default,
// and carries the CA bundle; the generic strategy gets none of it.
func TestFunctionConfigPinsTheTarget(t *testing.T) {
	t.Parallel()
	spec := Spec{
		Strategy: config.StrategyPostgreSQLAlternatingUsers, RotatedField: "password", Password: config.DefaultPasswordPolicy(),
		MasterSecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:m", CABundle: "PEM",
		SecretTemplate: `{"engine":"postgres","host":"db.internal","port":5432,"username":"app","dbname":"appdb"}`,
	}
	got := spec.FunctionConfig("arn:s")
	want := &config.Target{Username: "app", Host: "db.internal", Port: 5432, Engine: "postgres", DBName: "appdb", MasterARN: spec.MasterSecretARN}
	if diff := cmp.Diff(want, got.Target); diff != "" {
		t.Errorf("Target (-want +got):\n%s", diff)
	}
	if got.CABundle != "PEM" || got.Password.ExcludeCharacters != config.DBExcludeCharacters {
		t.Errorf("CABundle %q, ExcludeCharacters %q", got.CABundle, got.Password.ExcludeCharacters)
	}
	spec.Strategy = config.StrategyGeneric
	if g := spec.FunctionConfig("arn:s"); g.Target != nil || g.CABundle != "" || g.Password.ExcludeCharacters != "" {
		t.Errorf("generic strategy got database settings: %+v", g)
	}
}
