package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// DeputyFixture is what ConfusedDeputy needs of an engine's test fixture.
type DeputyFixture interface {
	// Secret is a secret of user and password on the fixture's database
	// that names MasterARN.
	Secret(user, password string) string
	// User is the application's base user, whose password is
	// "app-password".
	User() string
	Port() int
	MasterARN() string
	AdminPassword() string
	// MasterFake reads the master secret, counting the reads in calls.
	MasterFake(calls *int) func(context.Context, string) (string, error)
	CanLogin(t *testing.T, user, password string) bool
}

// ConfusedDeputy is the confused-deputy attack on an alternating-users
// strategy rot pinned to the application's secret: a principal that may
// write the application secret (not the master secret) rewrites AWSCURRENT
// or AWSPENDING to name victim (another user of the server, password
// "victim-password") or its clone, another host, port or master secret, or
// gives a password that does not log in. Each rotation fails before the
// master secret is read, names no value, and leaves the victim's and the
// application's passwords working.
func ConfusedDeputy(t *testing.T, f DeputyFixture, rot strategy.Strategy, victim string) {
	t.Helper()
	ctx := context.Background()
	legit := f.Secret(f.User(), "app-password")
	rewrite := func(s, from, to string) string { return strings.Replace(s, from, to, 1) }
	elsewhere := func(s, from, to string) (string, string) {
		return rewrite(s, from, to), rewrite(f.Secret(f.User()+"_clone", "new"), from, to)
	}
	port := `"port":` + strconv.Itoa(f.Port())
	type attack struct {
		name             string
		current, pending string
		firstRotation    bool
		want             string
	}
	otherHost, otherHostPending := elsewhere(legit, `"127.0.0.1"`, `"db.attacker.example"`)
	otherPort, otherPortPending := elsewhere(legit, port, `"port":1`)
	otherMaster, otherMasterPending := elsewhere(legit, f.MasterARN(), f.MasterARN()+"x")
	for _, tc := range []attack{
		{"AWSCURRENT names another user", f.Secret(victim, "whatever"), f.Secret(victim+"_clone", "attacker-sees-this"), false, `refusing AWSCURRENT: its "username" differ`},
		{"AWSCURRENT names another user's clone", f.Secret(victim+"_clone", "whatever"), f.Secret(victim, "attacker-sees-this"), false, `refusing AWSCURRENT: its "username" differ`},
		{"AWSPENDING names another user", legit, f.Secret(victim, "attacker-sees-this"), false, `refusing AWSPENDING: its "username" differ`},
		{"AWSCURRENT names another host", otherHost, otherHostPending, false, `refusing AWSCURRENT: its "host" differ`},
		{"AWSCURRENT names another port", otherPort, otherPortPending, false, `its "port" differ`},
		{"AWSCURRENT names another master secret", otherMaster, otherMasterPending, false, `its "masterarn" differ`},
		{"AWSCURRENT's password is not real (not the first rotation)", f.Secret(f.User(), "guessed"), f.Secret(f.User()+"_clone", "new"), false, "AWSCURRENT does not log in"},
		{"the first-rotation exception is for the base user only", f.Secret(f.User()+"_clone", "guessed"), f.Secret(f.User(), "new"), true, "AWSCURRENT does not log in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := rot.Set(ctx, strategy.Step{Current: tc.current, Pending: tc.pending, Master: f.MasterFake(&calls), FirstRotation: tc.firstRotation})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Set error = %v, want one containing %q", err, tc.want)
			}
			if calls != 0 {
				t.Errorf("the master secret was read %d times before the refusal", calls)
			}
			NoSecretIn(t, err, "victim-password", "app-password", "attacker-sees-this", "whatever", "guessed", f.AdminPassword())
			if strings.Contains(err.Error(), victim) || strings.Contains(err.Error(), "attacker.example") {
				t.Errorf("the error names a value: %v", err)
			}
			for _, login := range []struct{ who, user, password string }{
				{"the victim's password", victim, "victim-password"},
				{"the application's password", f.User(), "app-password"},
			} {
				if !f.CanLogin(t, login.user, login.password) {
					t.Errorf("%s no longer logs in", login.who)
				}
			}
			if f.CanLogin(t, victim+"_clone", "attacker-sees-this") {
				t.Error("a clone of the victim logs in with the attacker's password")
			}
		})
	}
	t.Run("NewPending refuses too", func(t *testing.T) {
		t.Parallel()
		if _, err := rot.NewPending(ctx, f.Secret(victim, "whatever"), "new-password"); err == nil || !strings.Contains(err.Error(), `"username"`) {
			t.Fatalf("NewPending error = %v, want a refusal naming the username", err)
		}
	})
}

// NoSecretIn fails t when err's message contains any of secrets.
func NoSecretIn(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error message contains a secret value: %v", err)
		}
	}
}

// Uniq is prefix with 8 random hex digits: a user or database name of its
// own for each test on a shared server.
func Uniq(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Rotate runs NewPending, Set and Test as the rotator would, then Set again
// (a retry of setSecret after a success changes nothing and succeeds).
func Rotate(t *testing.T, s strategy.Strategy, step strategy.Step, newPassword string) strategy.Step {
	t.Helper()
	ctx := context.Background()
	pending, err := s.NewPending(ctx, step.Current, newPassword)
	if err != nil {
		t.Fatalf("NewPending: %v", err)
	}
	step.Pending = pending
	if err := s.Set(ctx, step); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := s.Test(ctx, step); err != nil {
		t.Fatalf("Test: %v", err)
	}
	if err := s.Set(ctx, step); err != nil {
		t.Fatalf("Set re-run: %v", err)
	}
	return step
}

// Username is the username of a database secret.
func Username(t *testing.T, secret string) string {
	t.Helper()
	d, err := strategy.ParseDBSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return d.Username
}
