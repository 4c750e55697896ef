package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEnvRoundTrip: what the provider writes into the function's
// environment is what the function reads back.
func TestEnvRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []Config{
		{SecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf", Strategy: StrategyGeneric, RotatedField: "token", Password: DefaultPasswordPolicy()},
		{SecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:b-AbCdEf", Strategy: StrategyMySQLAlternatingUsers, RotatedField: DefaultRotatedField,
			Password: PasswordPolicy{Length: 20, ExcludeCharacters: `"'\`, ExcludePunctuation: true, IncludeSpace: true}},
	}
	for _, want := range cases {
		env := want.Env()
		got, err := FromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("FromEnv(%v): %v", env, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	}
}

// TestFromEnvDefaults: only the secret ARN is required; the rest takes
// the documented defaults.
func TestFromEnvDefaults(t *testing.T) {
	t.Parallel()
	got, err := FromEnv(func(k string) string {
		if k == EnvSecretARN {
			return "arn:x"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{SecretARN: "arn:x", Strategy: StrategyGeneric, RotatedField: DefaultRotatedField, Password: DefaultPasswordPolicy()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	base := Config{SecretARN: "arn:x", Strategy: StrategyGeneric, Password: DefaultPasswordPolicy()}
	cases := []struct {
		name    string
		mutate  func(*Config)
		wantErr string // "" means valid
	}{
		{"default", func(*Config) {}, ""},
		{"no secret", func(c *Config) { c.SecretARN = "" }, EnvSecretARN + " is not set"},
		{"unknown strategy", func(c *Config) { c.Strategy = "oracle" }, `strategy "oracle" is not one of`},
		{"length zero", func(c *Config) { c.Password.Length = 0 }, "outside 1-4096"},
		{"length too long", func(c *Config) { c.Password.Length = 4097 }, "outside 1-4096"},
		{"every class excluded", func(c *Config) {
			c.Password.ExcludeLowercase, c.Password.ExcludeUppercase, c.Password.ExcludeNumbers, c.Password.ExcludePunctuation = true, true, true, true
		}, "excludes every character class"},
		{"digits excluded one by one", func(c *Config) {
			c.Password = PasswordPolicy{Length: 8, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: Numbers}
		}, "excludes every character class"},
		{"shorter than required types", func(c *Config) {
			c.Password = PasswordPolicy{Length: 3, RequireEachIncludedType: true}
		}, "below the 4 character types"},
		{"short without requirement", func(c *Config) { c.Password = PasswordPolicy{Length: 1} }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base
			tc.mutate(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestClasses(t *testing.T) {
	t.Parallel()
	p := PasswordPolicy{Length: 10, ExcludeUppercase: true, ExcludePunctuation: true, IncludeSpace: true, ExcludeCharacters: "abc0"}
	want := []string{"defghijklmnopqrstuvwxyz", "123456789", " "}
	if diff := cmp.Diff(want, p.Classes()); diff != "" {
		t.Errorf("Classes (-want +got):\n%s", diff)
	}
	if got := p.IncludedClasses(); got != 3 {
		t.Errorf("IncludedClasses = %d, want 3", got)
	}
}
