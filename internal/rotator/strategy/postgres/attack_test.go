package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/dbtest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

// TestConfusedDeputy: a principal that may write the application secret
// (but not the master secret) rewrites AWSCURRENT/AWSPENDING to name
// another role or server. The rotation fails before the master secret is
// read or used, and the other role's password still works.
func TestConfusedDeputy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "app-password")
	victim := dbtest.Uniq("victim_")
	f.admin(t, "", `SELECT format('CREATE ROLE %I LOGIN SUPERUSER PASSWORD %L', $1::text, 'victim-password')`, victim)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(f.secret(f.user, "app-password", true))})
	dbtest.ConfusedDeputy(t, deputy{f}, rot, victim)
}

// TestFirstRotationOfAFreshSecret: the provider generated AWSCURRENT's
// password, which the database never saw. The first rotation may still
// create the clone; the next one demands that AWSCURRENT log in.
func TestFirstRotationOfAFreshSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "db-password-unknown-to-the-secret")
	cur := f.secret(f.user, "generated-by-the-provider", true)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(cur)})
	step := dbtest.Rotate(t, rot, strategy.Step{Current: cur, Master: f.masterFake(nil), FirstRotation: true}, "clone-password")
	f.checkGrants(t, "clone", f.mustLogin(t, "clone", f.user+"_clone", "clone-password"))
	// Second rotation: AWSCURRENT is the clone, which logs in.
	dbtest.Rotate(t, rot, strategy.Step{Current: step.Pending, Previous: cur, Master: f.masterFake(nil)}, "base-password")
	f.checkGrants(t, "base", f.mustLogin(t, "base", f.user, "base-password"))
}

// TestRDSManagedMasterSecret: a master secret with only username and
// password (as RDS manages it) works; the target comes from the pins, and
// its TLS (no "ssl" key: verified) from the stricter setting, so the test
// server serves TLS from a throwaway CA given as the CA bundle.
func TestRDSManagedMasterSecret(t *testing.T) {
	t.Parallel()
	srv := testdb.StartPostgresWith(t, testdb.Options{TLS: true})
	srv.MustExec(t, "", "CREATE ROLE rds_app LOGIN PASSWORD 'app-password'", "CREATE TABLE t (x int)", "GRANT SELECT ON t TO rds_app")
	cur := srv.SecretJSON("rds_app", "app-password", "postgres", masterARN)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(cur), CABundle: string(srv.CAPEM)})
	calls := 0
	master := func(context.Context, string) (string, error) {
		calls++
		return `{"username":"` + srv.AdminUser + `","password":"` + srv.AdminPassword + `"}`, nil
	}
	dbtest.Rotate(t, rot, strategy.Step{Current: cur, Master: master}, "clone-password")
	if calls == 0 {
		t.Fatal("the master secret was never read")
	}
	if err := srv.Exec(context.Background(), "", "SELECT 1 FROM pg_roles WHERE rolname = 'rds_app_clone' AND pg_has_role('rds_app_clone', 'rds_app', 'USAGE')"); err != nil {
		t.Fatal(err)
	}
}

// TestCloneNeverPromotedWithoutTheBaseUsersPrivileges: a clone left by an
// interrupted run without its membership is repaired by the next setSecret;
// a clone with privileges of its own fails testSecret; one with another
// membership loses it; a grant revoked from the base user is gone from
// the clone.
func TestCloneNeverPromotedWithoutTheBaseUsersPrivileges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (fixture, strategy.Strategy, strategy.Step, string) {
		f := newFixture(t, dbtest.Uniq("app_"), "app-password")
		cur := f.secret(f.user, "app-password", true)
		rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(cur)})
		pend, err := rot.NewPending(ctx, cur, "clone-password")
		if err != nil {
			t.Fatal(err)
		}
		return f, rot, strategy.Step{Current: cur, Pending: pend, Master: f.masterFake(nil)}, f.user + "_clone"
	}
	t.Run("interrupted run: clone without membership", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		f.admin(t, "", `SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, 'clone-password')`, clone)
		if err := rot.Test(ctx, step); err == nil || !strings.Contains(err.Error(), "must be a member of the base user only") {
			t.Fatalf("Test before the repair = %v, want a refusal", err)
		}
		if err := rot.Set(ctx, step); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if err := rot.Test(ctx, step); err != nil {
			t.Fatalf("Test after the repair: %v", err)
		}
		f.checkGrants(t, "clone", f.mustLogin(t, "clone", clone, "clone-password"))
	})
	t.Run("clone with a privilege of its own", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		if err := rot.Set(ctx, step); err != nil {
			t.Fatal(err)
		}
		f.admin(t, f.db, `SELECT format('GRANT INSERT ON t TO %I', $1::text)`, clone)
		_ = rot.Set(ctx, step)
		if err := rot.Test(ctx, step); err == nil || !strings.Contains(err.Error(), "in its own name") {
			t.Fatalf("Test = %v, want a refusal of the clone's own privilege", err)
		}
	})
	t.Run("clone with another membership loses it", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		if err := rot.Set(ctx, step); err != nil {
			t.Fatal(err)
		}
		f.admin(t, "", `SELECT format('GRANT pg_read_all_data TO %I', $1::text)`, clone)
		if err := rot.Test(ctx, step); err == nil {
			t.Fatal("Test accepted a clone with an extra membership")
		}
		if err := rot.Set(ctx, step); err != nil {
			t.Fatal(err)
		}
		if err := rot.Test(ctx, step); err != nil {
			t.Fatalf("Test after Set: %v", err)
		}
	})
	t.Run("a grant revoked from the base user is gone from the clone", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		if err := rot.Set(ctx, step); err != nil {
			t.Fatal(err)
		}
		f.admin(t, f.db, `SELECT format('REVOKE SELECT ON t FROM %I', $1::text)`, f.user)
		conn := f.mustLogin(t, "clone", clone, "clone-password")
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err == nil {
			t.Fatal("the clone still reads t after SELECT was revoked from the base user")
		}
	})
}

// deputy is the fixture as dbtest.ConfusedDeputy uses it.
type deputy struct{ fixture }

func (d deputy) Secret(user, password string) string { return d.secret(user, password, true) }
func (d deputy) User() string                        { return d.user }
func (d deputy) Port() int                           { return d.srv.Port }
func (d deputy) MasterARN() string                   { return masterARN }
func (d deputy) AdminPassword() string               { return d.srv.AdminPassword }
func (d deputy) MasterFake(calls *int) func(context.Context, string) (string, error) {
	return d.masterFake(calls)
}

func (d deputy) CanLogin(t *testing.T, user, password string) bool {
	_, err := d.login(t, user, password)
	return err == nil
}
