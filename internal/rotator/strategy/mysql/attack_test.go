package mysql

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/dbtest"
)

// TestConfusedDeputy: a principal that may write the application secret
// (but not the master secret) rewrites AWSCURRENT/AWSPENDING to name
// another account or server. The rotation fails before the master secret
// is read or used, and the other account's password still works.
func TestConfusedDeputy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, uniq("app_"), "app-password")
	victim := uniq("victim_")
	f.admin(t, "SELECT CONCAT('CREATE USER ', QUOTE(?), '@''%'' IDENTIFIED BY ''victim-password''')", victim)
	f.admin(t, "SELECT CONCAT('GRANT ALL ON *.* TO ', QUOTE(?), '@''%'' WITH GRANT OPTION')", victim)
	legit := f.secret(f.user, "app-password", true)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(legit)})
	rewrite := func(s, from, to string) string { return strings.Replace(s, from, to, 1) }
	port := `"port":` + strconv.Itoa(f.srv.Port)
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		current       string
		pending       string
		firstRotation bool
		want          string
	}{
		{"AWSCURRENT names another account", f.secret(victim, "whatever", true), f.secret(victim+"_clone", "attacker-sees-this", true), false, `refusing AWSCURRENT: its "username" differ`},
		{"AWSCURRENT names another account's clone", f.secret(victim+"_clone", "whatever", true), f.secret(victim, "attacker-sees-this", true), false, `refusing AWSCURRENT: its "username" differ`},
		{"AWSPENDING names another account", legit, f.secret(victim, "attacker-sees-this", true), false, `refusing AWSPENDING: its "username" differ`},
		{"AWSCURRENT names another host", rewrite(legit, `"127.0.0.1"`, `"db.attacker.example"`), rewrite(f.secret(f.user+"_clone", "new", true), `"127.0.0.1"`, `"db.attacker.example"`), false, `refusing AWSCURRENT: its "host" differ`},
		{"AWSCURRENT names another port", rewrite(legit, port, `"port":1`), rewrite(f.secret(f.user+"_clone", "new", true), port, `"port":1`), false, `its "port" differ`},
		{"AWSCURRENT's password is not real (not the first rotation)", f.secret(f.user, "guessed", true), f.secret(f.user+"_clone", "new", true), false, "AWSCURRENT does not log in"},
		{"the first-rotation exception is for the base user only", f.secret(f.user+"_clone", "guessed", true), f.secret(f.user, "new", true), true, "AWSCURRENT does not log in"},
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
}

// TestCloneNeverPromotedWithoutItsGrants: a clone left without grants by
// an interrupted run fails testSecret and is repaired by the next
// setSecret; a grant the master cannot copy fails setSecret and testSecret
// on every retry; a grant revoked from the base user does not survive on
// the clone.
func TestCloneNeverPromotedWithoutItsGrants(t *testing.T) {
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
	t.Run("interrupted run: the clone logs in but has no grants", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		f.srv.MustExec(t, f.db, "CREATE TABLE t2 (x int)")
		f.admin(t, "SELECT CONCAT('GRANT UPDATE ON "+f.db+".t2 TO ', QUOTE(?), '@''%''')", f.user)
		// The run stopped after the first of the two grants.
		f.admin(t, "SELECT CONCAT('CREATE USER ', QUOTE(?), '@''%'' IDENTIFIED BY ''clone-password''')", clone)
		f.admin(t, "SELECT CONCAT('GRANT SELECT ON "+f.db+".t TO ', QUOTE(?), '@''%''')", clone)
		if err := rot.Test(ctx, step); err == nil || !strings.Contains(err.Error(), "grants differ") {
			t.Fatalf("Test before the repair = %v, want a refusal naming the grants", err)
		}
		if err := rot.Set(ctx, step); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if err := rot.Test(ctx, step); err != nil {
			t.Fatalf("Test after the repair: %v", err)
		}
		f.checkGrants(t, "clone", f.mustLogin(t, "clone", clone, "clone-password"))
	})
	t.Run("a grant the master cannot give fails every retry", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		weak := uniq("weak_")
		f.admin(t, "SELECT CONCAT('CREATE USER ', QUOTE(?), '@''%'' IDENTIFIED BY ''weak-password''')", weak)
		f.admin(t, "SELECT CONCAT('GRANT CREATE USER, RELOAD ON *.* TO ', QUOTE(?), '@''%''')", weak)
		f.admin(t, "SELECT CONCAT('GRANT SELECT ON mysql.* TO ', QUOTE(?), '@''%''')", weak)
		f.admin(t, "SELECT CONCAT('GRANT SELECT ON "+f.db+".* TO ', QUOTE(?), '@''%'' WITH GRANT OPTION')", weak)
		f.srv.MustExec(t, f.db, "CREATE TABLE t2 (x int)")
		f.admin(t, "SELECT CONCAT('GRANT UPDATE ON "+f.db+".t2 TO ', QUOTE(?), '@''%''')", f.user) // the weak master cannot give this one
		step.Master = func(context.Context, string) (string, error) {
			return f.srv.SecretJSON(weak, "weak-password", "", ""), nil
		}
		for i := range 2 {
			if err := rot.Set(ctx, step); err == nil || !strings.Contains(err.Error(), "creating or updating the clone user") {
				t.Fatalf("Set %d = %v, want a failed grant", i+1, err)
			}
		}
		f.mustLogin(t, "clone (created before the failed grant)", clone, "clone-password")
		if err := rot.Test(ctx, step); err == nil || !strings.Contains(err.Error(), "grants differ") {
			t.Fatalf("Test = %v, want a refusal naming the grants", err)
		}
	})
	t.Run("a grant revoked from the base user does not survive on the clone", func(t *testing.T) {
		t.Parallel()
		f, rot, step, clone := setup(t)
		f.admin(t, "SELECT CONCAT('GRANT INSERT ON "+f.db+".t TO ', QUOTE(?), '@''%''')", f.user)
		first := rotate(t, rot, step, "clone-password") // app -> app_clone, with SELECT, INSERT
		second := rotate(t, rot, strategy.Step{Current: first.Pending, Previous: first.Current, Master: f.masterFake(nil)}, "base-2")
		f.admin(t, "SELECT CONCAT('REVOKE INSERT ON "+f.db+".t FROM ', QUOTE(?), '@''%''')", f.user)
		rotate(t, rot, strategy.Step{Current: second.Pending, Previous: second.Current, Master: f.masterFake(nil)}, "clone-3")
		f.checkGrants(t, "clone after the base user lost INSERT", f.mustLogin(t, "clone", clone, "clone-3"))
	})
}

// TestRevokeFor: each copied grant statement turns into the REVOKE that
// undoes it, keeping quoted names that contain " ON " intact.
func TestRevokeFor(t *testing.T) {
	t.Parallel()
	acct := "`app_clone`@`%`"
	for _, tc := range []struct {
		grant string
		want  []string
	}{
		{"GRANT SELECT ON `db`.`t` TO " + acct, []string{"REVOKE SELECT ON `db`.`t` FROM " + acct}},
		{"GRANT SELECT, INSERT ON `db`.* TO " + acct + " WITH GRANT OPTION",
			[]string{"REVOKE SELECT, INSERT ON `db`.* FROM " + acct, "REVOKE GRANT OPTION ON `db`.* FROM " + acct}},
		{"GRANT SELECT (`a ON b`) ON `db`.`t` TO " + acct, []string{"REVOKE SELECT (`a ON b`) ON `db`.`t` FROM " + acct}},
		{"GRANT `role ON x` TO " + acct, []string{"REVOKE `role ON x` FROM " + acct}},
		{"GRANT `r` TO " + acct + " WITH ADMIN OPTION", []string{"REVOKE `r` FROM " + acct}},
		{"SET DEFAULT ROLE `r` FOR " + acct, []string{"SET DEFAULT ROLE NONE FOR " + acct}},
	} {
		if d := cmp.Diff(tc.want, revokeFor(tc.grant, acct)); d != "" {
			t.Errorf("revokeFor(%q) (-want +got):\n%s", tc.grant, d)
		}
	}
}
