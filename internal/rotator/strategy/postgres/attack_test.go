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
	f := newFixture(t, uniq("app_"), "app-password")
	victim := uniq("victim_")
	f.admin(t, "", `SELECT format('CREATE ROLE %I LOGIN SUPERUSER PASSWORD %L', $1::text, 'victim-password')`, victim)
	legit := f.secret(f.user, "app-password", true)
	pins := dbtest.TargetOf(legit) // what the resource configured
	rot := AlternatingUsers(strategy.DB{Target: pins})
	rewrite := func(s, from, to string) string { return strings.Replace(s, from, to, 1) }
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		current       string
		pending       string
		firstRotation bool
		want          string
	}{
		{
			name:    "AWSCURRENT names another role",
			current: f.secret(victim, "whatever", true),
			pending: f.secret(victim+"_clone", "attacker-sees-this", true),
			want:    `refusing AWSCURRENT: its "username" differ`,
		},
		{
			name:    "AWSCURRENT names another role's clone",
			current: f.secret(victim+"_clone", "whatever", true),
			pending: f.secret(victim, "attacker-sees-this", true),
			want:    `refusing AWSCURRENT: its "username" differ`,
		},
		{
			name:    "AWSPENDING names another role",
			current: legit,
			pending: f.secret(victim, "attacker-sees-this", true),
			want:    `refusing AWSPENDING: its "username" differ`,
		},
		{
			name:    "AWSCURRENT names another host",
			current: rewrite(legit, `"127.0.0.1"`, `"db.attacker.example"`),
			pending: rewrite(f.secret(f.user+"_clone", "new", true), `"127.0.0.1"`, `"db.attacker.example"`),
			want:    `refusing AWSCURRENT: its "host" differ`,
		},
		{
			name:    "AWSCURRENT names another port",
			current: rewrite(legit, `"port":`+itoa(f.srv.Port), `"port":1`),
			pending: rewrite(f.secret(f.user+"_clone", "new", true), `"port":`+itoa(f.srv.Port), `"port":1`),
			want:    `its "port" differ`,
		},
		{
			name:    "AWSCURRENT names another master secret",
			current: rewrite(legit, masterARN, masterARN+"x"),
			pending: rewrite(f.secret(f.user+"_clone", "new", true), masterARN, masterARN+"x"),
			want:    `its "masterarn" differ`,
		},
		{
			name:    "AWSCURRENT's password is not real (not the first rotation)",
			current: f.secret(f.user, "guessed", true),
			pending: f.secret(f.user+"_clone", "new", true),
			want:    "AWSCURRENT does not log in",
		},
		{
			name:          "the first-rotation exception is for the base user only",
			current:       f.secret(f.user+"_clone", "guessed", true),
			pending:       f.secret(f.user, "new", true),
			firstRotation: true,
			want:          "AWSCURRENT does not log in",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := rot.Set(ctx, strategy.Step{Current: tc.current, Pending: tc.pending, Master: f.masterFake(&calls), FirstRotation: tc.firstRotation})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Set error = %v, want one containing %q", err, tc.want)
			}
			if calls != 0 {
				t.Errorf("the master secret was read %d times before the refusal", calls)
			}
			noSecretIn(t, err, "victim-password", "app-password", "attacker-sees-this", "whatever", "guessed", f.srv.AdminPassword)
			if strings.Contains(err.Error(), victim) || strings.Contains(err.Error(), "attacker.example") {
				t.Errorf("the error names a value: %v", err)
			}
			f.mustLogin(t, "the victim's password", victim, "victim-password")
			f.mustLogin(t, "the application's password", f.user, "app-password")
			f.mustNotLogin(t, "a victim clone", victim+"_clone", "attacker-sees-this")
		})
	}
	t.Run("NewPending refuses too", func(t *testing.T) {
		t.Parallel()
		if _, err := rot.NewPending(ctx, f.secret(victim, "whatever", true), "new-password"); err == nil || !strings.Contains(err.Error(), `"username"`) {
			t.Fatalf("NewPending error = %v, want a refusal naming the username", err)
		}
	})
}

// TestFirstRotationOfAFreshSecret: the provider generated AWSCURRENT's
// password, which the database never saw. The first rotation may still
// create the clone; the next one demands that AWSCURRENT log in.
func TestFirstRotationOfAFreshSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t, uniq("app_"), "db-password-unknown-to-the-secret")
	cur := f.secret(f.user, "generated-by-the-provider", true)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(cur)})
	step := rotate(t, rot, strategy.Step{Current: cur, Master: f.masterFake(nil), FirstRotation: true}, "clone-password")
	f.checkGrants(t, "clone", f.mustLogin(t, "clone", f.user+"_clone", "clone-password"))
	// Second rotation: AWSCURRENT is the clone, which logs in.
	rotate(t, rot, strategy.Step{Current: step.Pending, Previous: cur, Master: f.masterFake(nil)}, "base-password")
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
	rotate(t, rot, strategy.Step{Current: cur, Master: master}, "clone-password")
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
		f := newFixture(t, uniq("app_"), "app-password")
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
