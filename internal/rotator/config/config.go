// Package config is the contract between the provider and the rotation
// function: the provider writes a Config into the function's environment
// with Env, and the function reads it back with FromEnv.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Environment variable names set on the rotation function.
const (
	EnvSecretARN      = "ROTATOR_SECRET_ARN"
	EnvStrategy       = "ROTATOR_STRATEGY"
	EnvRotatedField   = "ROTATOR_ROTATED_FIELD"
	EnvPasswordPolicy = "ROTATOR_PASSWORD_POLICY"
)

// Strategy names.
const (
	StrategyGeneric                    = "generic"
	StrategyPostgreSQLSingleUser       = "postgresql_single_user"
	StrategyPostgreSQLAlternatingUsers = "postgresql_alternating_users"
	StrategyMySQLSingleUser            = "mysql_single_user"
	StrategyMySQLAlternatingUsers      = "mysql_alternating_users"
)

// Strategies lists every strategy, in the order docs show them. Schema
// descriptions and validators are built from this one list.
func Strategies() []string {
	return []string{
		StrategyGeneric,
		StrategyPostgreSQLSingleUser,
		StrategyPostgreSQLAlternatingUsers,
		StrategyMySQLSingleUser,
		StrategyMySQLAlternatingUsers,
	}
}

// IsAlternating reports whether s needs a master secret.
func IsAlternating(s string) bool {
	return s == StrategyPostgreSQLAlternatingUsers || s == StrategyMySQLAlternatingUsers
}

// DefaultRotatedField is the JSON key the generic strategy regenerates.
const DefaultRotatedField = "password"

// Password length bounds and default; the same as GetRandomPassword.
const (
	DefaultPasswordLength = 32
	MinPasswordLength     = 1
	MaxPasswordLength     = 4096
)

// PasswordPolicy has the options and defaults of GetRandomPassword.
type PasswordPolicy struct {
	Length                  int    `json:"length"`
	ExcludeCharacters       string `json:"exclude_characters,omitempty"`
	ExcludeNumbers          bool   `json:"exclude_numbers,omitempty"`
	ExcludePunctuation      bool   `json:"exclude_punctuation,omitempty"`
	ExcludeUppercase        bool   `json:"exclude_uppercase,omitempty"`
	ExcludeLowercase        bool   `json:"exclude_lowercase,omitempty"`
	IncludeSpace            bool   `json:"include_space,omitempty"`
	RequireEachIncludedType bool   `json:"require_each_included_type"`
}

// DefaultPasswordPolicy is GetRandomPassword's default.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{Length: DefaultPasswordLength, RequireEachIncludedType: true}
}

// Config is what one rotation function is made for.
type Config struct {
	SecretARN    string
	Strategy     string
	RotatedField string
	Password     PasswordPolicy
	// Target pins the user and server of a database strategy; nil for
	// generic. Build it with TargetFromTemplate.
	Target *Target
	// CABundle is PEM certificates the database strategies trust besides
	// the system roots and Amazon RDS's CAs; "" for none.
	CABundle string
}

// Env renders c as the function's environment variables.
func (c Config) Env() map[string]string {
	p, _ := json.Marshal(c.Password) // a struct of plain fields cannot fail
	env := map[string]string{
		EnvSecretARN:      c.SecretARN,
		EnvStrategy:       c.Strategy,
		EnvRotatedField:   c.RotatedField,
		EnvPasswordPolicy: string(p),
	}
	if c.Target != nil {
		t, _ := json.Marshal(c.Target) // plain fields cannot fail
		env[EnvTarget] = string(t)
	}
	if c.CABundle != "" {
		env[EnvCABundle] = c.CABundle
	}
	return env
}

// FromEnv reads a Config with getenv (os.Getenv in the function) and
// validates it.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		SecretARN:    getenv(EnvSecretARN),
		Strategy:     getenv(EnvStrategy),
		RotatedField: getenv(EnvRotatedField),
		Password:     DefaultPasswordPolicy(),
	}
	if c.Strategy == "" {
		c.Strategy = StrategyGeneric
	}
	if c.RotatedField == "" {
		c.RotatedField = DefaultRotatedField
	}
	if raw := getenv(EnvPasswordPolicy); raw != "" {
		if err := json.Unmarshal([]byte(raw), &c.Password); err != nil {
			return Config{}, fmt.Errorf("%s is not valid JSON: %w", EnvPasswordPolicy, err)
		}
	}
	c.Password = EffectivePassword(c.Strategy, c.Password)
	if raw := getenv(EnvTarget); raw != "" {
		c.Target = &Target{}
		if err := json.Unmarshal([]byte(raw), c.Target); err != nil {
			return Config{}, fmt.Errorf("%s is not valid JSON: %w", EnvTarget, err)
		}
	}
	c.CABundle = getenv(EnvCABundle)
	return c, c.Validate()
}

// Validate checks c the way the provider checks its configuration at plan time.
func (c Config) Validate() error {
	var errs []error
	if c.SecretARN == "" {
		errs = append(errs, fmt.Errorf("%s is not set", EnvSecretARN))
	}
	known := false
	for _, s := range Strategies() {
		known = known || s == c.Strategy
	}
	if !known {
		errs = append(errs, fmt.Errorf("strategy %q is not one of %v", c.Strategy, Strategies()))
	}
	if err := c.Password.Validate(); err != nil {
		errs = append(errs, err)
	}
	if IsDatabase(c.Strategy) {
		switch {
		case c.Target == nil || c.Target.Username == "" || c.Target.Host == "":
			errs = append(errs, fmt.Errorf("strategy %q needs %s with the username and host it may rotate (apply again with this provider version)", c.Strategy, EnvTarget))
		case IsAlternating(c.Strategy) && c.Target.MasterARN == "":
			errs = append(errs, fmt.Errorf("strategy %q needs the master secret ARN in %s", c.Strategy, EnvTarget))
		default:
			if err := CheckUsername(c.Strategy, c.Target.Engine, c.Target.Username); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if c.CABundle != "" {
		if _, err := ParseCABundle(c.CABundle); err != nil {
			errs = append(errs, err)
		}
	}
	if n := EnvSize(c.Env()); n > MaxEnvBytes {
		errs = append(errs, fmt.Errorf("the function's environment would be %d bytes, over Lambda's %d-byte limit (is the CA bundle larger than it needs to be?)", n, MaxEnvBytes))
	}
	return errors.Join(errs...)
}

// Validate reports an impossible policy: a length out of bounds, every
// class excluded, or a length below the number of required types.
func (p PasswordPolicy) Validate() error {
	if p.Length < MinPasswordLength || p.Length > MaxPasswordLength {
		return fmt.Errorf("password length %d is outside %d-%d", p.Length, MinPasswordLength, MaxPasswordLength)
	}
	classes := p.IncludedClasses()
	if classes == 0 {
		return errors.New("the password policy excludes every character class")
	}
	if p.RequireEachIncludedType && p.Length < classes {
		return fmt.Errorf("password length %d is below the %d character types it must include", p.Length, classes)
	}
	return nil
}

// IncludedClasses counts the character classes the policy allows
// (lowercase, uppercase, numbers, punctuation, space). A class whose every
// character is in ExcludeCharacters does not count.
func (p PasswordPolicy) IncludedClasses() int {
	n := 0
	for _, cl := range p.Classes() {
		if len(cl) > 0 {
			n++
		}
	}
	return n
}

// Character classes, as GetRandomPassword defines them.
const (
	Lowercase   = "abcdefghijklmnopqrstuvwxyz"
	Uppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Numbers     = "0123456789"
	Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	Space       = " "
)

// Classes returns the allowed characters of each included class, with
// ExcludeCharacters removed; empty classes are left out.
func (p PasswordPolicy) Classes() []string {
	var out []string
	add := func(excluded bool, set string) {
		if excluded {
			return
		}
		kept := make([]rune, 0, len(set))
		for _, r := range set {
			if !containsRune(p.ExcludeCharacters, r) {
				kept = append(kept, r)
			}
		}
		if len(kept) > 0 {
			out = append(out, string(kept))
		}
	}
	add(p.ExcludeLowercase, Lowercase)
	add(p.ExcludeUppercase, Uppercase)
	add(p.ExcludeNumbers, Numbers)
	add(p.ExcludePunctuation, Punctuation)
	add(!p.IncludeSpace, Space)
	return out
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
