package strategy_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

const secretWord = "S3cr3t-Value-Never-Logged"

func decodeAny(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("pending value is not a JSON object: %v", err)
	}
	return m
}

func TestGenericNewPendingShape(t *testing.T) {
	t.Parallel()
	policy := config.PasswordPolicy{Length: 24, ExcludeCharacters: `"\`, RequireEachIncludedType: true}
	cases := []struct {
		name    string
		field   string
		current string
		object  bool
	}{
		{"db secret", "password", `{"engine":"postgres","host":"db","port":5432,"username":"app","password":"` + secretWord + `","dbname":"x","ssl":true,"extra":null,"tags":["a"],"nested":{"k":1}}`, true},
		{"custom field", "token", `{"token":"` + secretWord + `","id":7}`, true},
		{"field absent is added", "password", `{"username":"app"}`, true},
		{"field not a string", "password", `{"password":12345}`, true},
		{"plain string", "password", secretWord, false},
		{"json string is plain", "password", `"` + secretWord + `"`, false},
		{"json array is plain", "password", `["` + secretWord + `"]`, false},
		{"broken json is plain", "password", `{"password":`, false},
		{"empty", "password", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := strategy.NewGeneric(c.field, policy)
			pw, err := password.Generate(policy)
			if err != nil {
				t.Fatal(err)
			}
			pending, err := g.NewPending(context.Background(), c.current, pw)
			if err != nil {
				t.Fatalf("NewPending: %v", err)
			}
			if !c.object {
				if pending != pw {
					t.Fatal("a plain secret was not replaced by the password as a whole")
				}
			} else {
				cur := decodeAny(t, c.current)
				got := decodeAny(t, pending)
				if got[c.field] != pw {
					t.Fatalf("field %q is not the new password", c.field)
				}
				delete(got, c.field)
				delete(cur, c.field)
				if d := cmp.Diff(cur, got); d != "" {
					t.Fatalf("other keys changed (-current +pending):\n%s", d)
				}
			}
			if err := g.Test(context.Background(), strategy.Step{Current: c.current, Pending: pending}); err != nil {
				t.Fatalf("Test of a fresh pending value: %v", err)
			}
			if err := g.Set(context.Background(), strategy.Step{Current: c.current, Pending: pending}); err != nil {
				t.Fatalf("Set: %v", err)
			}
		})
	}
}

func TestGenericTestRejects(t *testing.T) {
	t.Parallel()
	policy := config.PasswordPolicy{Length: 8, ExcludeCharacters: "x", RequireEachIncludedType: true}
	good := "aB3$cD4%"
	if err := password.Check(policy, good); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	cur := `{"username":"app","port":5432,"password":"` + secretWord + `"}`
	cases := []struct {
		name, current, pending string
		wantErr                string // "" means success
	}{
		{"valid object", cur, `{"username":"app","port":5432,"password":"` + good + `"}`, ""},
		{"valid plain", secretWord, good, ""},
		{"plain became object", secretWord, `{"password":"` + good + `"}`, "is a JSON object"},
		{"object became plain", cur, good, "not a JSON object"},
		{"missing key", cur, `{"username":"app","password":"` + good + `"}`, `lacks key "port"`},
		{"extra key", cur, `{"username":"app","port":5432,"password":"` + good + `","x":1}`, `extra key "x"`},
		{"type changed", cur, `{"username":"app","port":"5432","password":"` + good + `"}`, `key "port"`},
		{"field not string", cur, `{"username":"app","port":5432,"password":12345678}`, "not a string"},
		{"field missing", cur, `{"username":"app","port":5432}`, "lacks the rotated key"},
		{"too short", cur, `{"username":"app","port":5432,"password":"aB3$"}`, "policy"},
		{"excluded char", cur, `{"username":"app","port":5432,"password":"aB3$cD4x"}`, "excludes"},
		{"missing class", secretWord, "abcdefgh", "character types"},
		{"config check equal values", cur, cur, ""},
		{"config check without the rotated key", `{"user":"x"}`, `{"user":"x"}`, ""},
	}
	g := strategy.NewGeneric("password", policy)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := g.Test(context.Background(), strategy.Step{Current: c.current, Pending: c.pending})
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Test: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Test accepted a bad pending value, want error containing %q", c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %q lacks %q", err, c.wantErr)
			}
			for _, v := range []string{secretWord, good, "aB3$cD4x", "abcdefgh", "5432"} {
				if strings.Contains(err.Error(), v) {
					t.Fatalf("error %q contains a value", err)
				}
			}
		})
	}
}

func TestGenericStages(t *testing.T) {
	t.Parallel()
	r, ok := strategy.NewGeneric("", config.DefaultPasswordPolicy()).(strategy.Reader)
	if !ok {
		t.Fatal("generic does not implement strategy.Reader")
	}
	if got := r.Stages("setSecret"); len(got) != 0 {
		t.Fatalf("setSecret reads %v, want nothing", got)
	}
	got := r.Stages("testSecret")
	slices.Sort(got)
	if d := cmp.Diff([]string{"AWSCURRENT", "AWSPENDING"}, got); d != "" {
		t.Fatal(d)
	}
}
