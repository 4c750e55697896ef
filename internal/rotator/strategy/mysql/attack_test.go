package mysql

import (
	"context"
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
	f := newFixture(t, dbtest.Uniq("app_"), "app-password")
	victim := dbtest.Uniq("victim_")
	f.admin(t, "SELECT CONCAT('CREATE USER ', QUOTE(?), '@''%'' IDENTIFIED BY ''victim-password''')", victim)
	f.admin(t, "SELECT CONCAT('GRANT ALL ON *.* TO ', QUOTE(?), '@''%'' WITH GRANT OPTION')", victim)
	rot := AlternatingUsers(strategy.DB{Target: dbtest.TargetOf(f.secret(f.user, "app-password", true))})
	dbtest.ConfusedDeputy(t, deputy{f}, rot, victim)
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
		f := newFixture(t, dbtest.Uniq("app_"), "app-password")
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
		weak := dbtest.Uniq("weak_")
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
		first := dbtest.Rotate(t, rot, step, "clone-password") // app -> app_clone, with SELECT, INSERT
		second := dbtest.Rotate(t, rot, strategy.Step{Current: first.Pending, Previous: first.Current, Master: f.masterFake(nil)}, "base-2")
		f.admin(t, "SELECT CONCAT('REVOKE INSERT ON "+f.db+".t FROM ', QUOTE(?), '@''%''')", f.user)
		dbtest.Rotate(t, rot, strategy.Step{Current: second.Pending, Previous: second.Current, Master: f.masterFake(nil)}, "clone-3")
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
