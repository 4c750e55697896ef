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
			Password: PasswordPolicy{Length: 20, ExcludeCharacters: `"'\`, ExcludePunctuation: true, IncludeSpace: true},
			Target:   &Target{Username: "app", Host: "db.example.com", Port: 3306, Engine: "mysql", DBName: "app", SSL: "true", MasterARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:m-AbCdEf"}},
		{SecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:c-AbCdEf", Strategy: StrategyPostgreSQLSingleUser, RotatedField: DefaultRotatedField,
			Password: EffectivePassword(StrategyPostgreSQLSingleUser, DefaultPasswordPolicy()),
			Target:   &Target{Username: "app", Host: "db.example.com"}, CABundle: testCA},
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
		{"database strategy without pins", func(c *Config) { c.Strategy = StrategyPostgreSQLSingleUser }, "needs ROTATOR_TARGET"},
		{"database strategy with pins", func(c *Config) {
			c.Strategy, c.Target = StrategyPostgreSQLSingleUser, &Target{Username: "app", Host: "h"}
		}, ""},
		{"alternating without master", func(c *Config) {
			c.Strategy, c.Target = StrategyMySQLAlternatingUsers, &Target{Username: "app", Host: "h"}
		}, "needs the master secret ARN"},
		{"pinned username too long with the clone suffix", func(c *Config) {
			c.Strategy, c.Target = StrategyMySQLAlternatingUsers, &Target{Username: strings.Repeat("u", 27), Host: "h", MasterARN: "m"}
		}, "32 characters"},
		{"not a CA bundle", func(c *Config) { c.CABundle = "hello" }, "not a PEM certificate"},
		{"environment over 4 KB", func(c *Config) { c.CABundle = strings.Repeat(testCA, 8) }, "over Lambda's 4096-byte limit"},
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

// testCA is a throwaway CA certificate (P-256, made for these tests).
const testCA = `-----BEGIN CERTIFICATE-----
MIIBZTCCAQugAwIBAgIBATAKBggqhkjOPQQDAjAaMRgwFgYDVQQDEw9yb3RhdG9y
IHRlc3QgQ0EwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAaMRgwFgYD
VQQDEw9yb3RhdG9yIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATd
g+fYg2ANhB9qwWKUNG2DaiaR8GmhwpIK4Mv20YfO/hMGnHqRDYe/RJIzS6iMUrvU
ZQPBpDt+i6afs75Xmx2Ro0IwQDAOBgNVHQ8BAf8EBAMCAgQwDwYDVR0TAQH/BAUw
AwEB/zAdBgNVHQ4EFgQUBSv/HuYTt4FQqxsIqBzpaEjNRAswCgYIKoZIzj0EAwID
SAAwRQIgQBglGYGXMNqRhBMvjV/hCoN/WV3G+UQ5FONHE+P2ZWMCIQDwGIvjmdIO
2R4XatnXSrJ3PhBEYGEGGSv1+C8P+Wi/ew==
-----END CERTIFICATE-----
`

// TestTargetFromTemplate: the pins are the template's keys; errors name
// keys, never values.
func TestTargetFromTemplate(t *testing.T) {
	t.Parallel()
	got, err := TargetFromTemplate(`{"engine":"postgres","host":"db","port":"5433","username":"app","dbname":"appdb","ssl":  true,"other":1}`, "arn:m")
	if err != nil {
		t.Fatal(err)
	}
	want := &Target{Username: "app", Host: "db", Port: 5433, Engine: "postgres", DBName: "appdb", SSL: "true", MasterARN: "arn:m"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = TargetFromTemplate(`{"host":"secret-host","port":"x"}`, "")
	if err == nil || !strings.Contains(err.Error(), `"username"`) || !strings.Contains(err.Error(), `"port"`) || strings.Contains(err.Error(), "secret-host") {
		t.Errorf("error = %v, want one naming username and port and no value", err)
	}
}

// TestCheckUsername: PostgreSQL 63 bytes, MySQL 32 characters, MariaDB
// 80, counting "_clone" for the alternating strategies.
func TestCheckUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		strategy, engine, user string
		ok                     bool
	}{
		{StrategyPostgreSQLSingleUser, "", strings.Repeat("u", 63), true},
		{StrategyPostgreSQLSingleUser, "", strings.Repeat("u", 64), false},
		{StrategyPostgreSQLAlternatingUsers, "", strings.Repeat("u", 57), true},
		{StrategyPostgreSQLAlternatingUsers, "", strings.Repeat("u", 58), false},
		{StrategyPostgreSQLSingleUser, "", strings.Repeat("é", 32), false}, // 64 bytes
		{StrategyMySQLSingleUser, "mysql", strings.Repeat("é", 32), true},
		{StrategyMySQLSingleUser, "mysql", strings.Repeat("u", 33), false},
		{StrategyMySQLAlternatingUsers, "", strings.Repeat("u", 26), true},
		{StrategyMySQLAlternatingUsers, "", strings.Repeat("u", 27), false},
		{StrategyMySQLAlternatingUsers, "mariadb", strings.Repeat("u", 74), true},
		{StrategyMySQLAlternatingUsers, "mariadb", strings.Repeat("u", 75), false},
		{StrategyGeneric, "", strings.Repeat("u", 500), true},
	} {
		err := CheckUsername(tc.strategy, tc.engine, tc.user)
		if (err == nil) != tc.ok {
			t.Errorf("CheckUsername(%s, %q, %d chars) = %v, want ok=%v", tc.strategy, tc.engine, len([]rune(tc.user)), err, tc.ok)
		}
	}
}

// TestEffectivePassword: database strategies leave out the characters
// AWS's templates exclude, unless exclude_characters is set.
func TestEffectivePassword(t *testing.T) {
	t.Parallel()
	if got := EffectivePassword(StrategyMySQLSingleUser, DefaultPasswordPolicy()).ExcludeCharacters; got != `/@"'\ ` {
		t.Errorf("database default excludes %q, want /@\"'\\ and space", got)
	}
	if got := EffectivePassword(StrategyMySQLSingleUser, PasswordPolicy{Length: 8, ExcludeCharacters: "x"}).ExcludeCharacters; got != "x" {
		t.Errorf("with exclude_characters set: %q, want x", got)
	}
	if got := EffectivePassword(StrategyGeneric, DefaultPasswordPolicy()).ExcludeCharacters; got != "" {
		t.Errorf("generic: %q, want none", got)
	}
}
