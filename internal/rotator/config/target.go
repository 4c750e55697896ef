package config

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Environment variables of the database strategies.
const (
	// EnvTarget holds the Target (JSON): what the function may touch.
	EnvTarget = "ROTATOR_TARGET"
	// EnvCABundle holds the user's extra CA certificates (PEM).
	EnvCABundle = "ROTATOR_CA_BUNDLE"
)

// StageSetDone is the staging label the function puts on a version once
// a database strategy's setSecret succeeded for it: the database then
// accepts that version's password (for single-user strategies, it may be
// the only one it accepts). The provider reads it to advise on a stuck
// rotation.
const StageSetDone = "ROTATOR_SET_DONE"

// MaxEnvBytes is Lambda's limit on the total size of a function's
// environment variables (keys and values): 4 KB.
const MaxEnvBytes = 4096

// MaxCABundleBytes bounds rotation.ca_bundle at plan time: the bundle
// travels in the function's environment, and 1 KB of the 4 KB stays for
// the other variables (ARNs, host, username, password policy). That is
// room for one or two CA certificates.
const MaxCABundleBytes = MaxEnvBytes - 1024

// CloneSuffix is appended to the base username to get the second user of
// the alternating-users scheme, as AWS's multi-user templates do.
const CloneSuffix = "_clone"

// DBExcludeCharacters are the characters AWS's database rotation
// templates leave out of generated passwords because connection strings
// and shells mangle them. The database strategies exclude them unless the
// password policy sets exclude_characters.
const DBExcludeCharacters = "/@\"'\\ "

// Engines the database strategies accept in the secret's "engine" key
// (the values AWS's RDS secrets use).
var (
	PostgreSQLEngines = []string{"postgres", "postgresql", "aurora-postgresql"}
	MySQLEngines      = []string{"mysql", "mariadb", "aurora-mysql", "aurora"}
)

// Default ports of the engines, as in AWS's templates.
const (
	PostgreSQLDefaultPort = 5432
	MySQLDefaultPort      = 3306
)

// Username limits: PostgreSQL truncates identifiers longer than
// NAMEDATALEN-1 bytes; MySQL refuses user names longer than 32 characters
// (MariaDB: 80).
const (
	PostgreSQLMaxUsernameBytes = 63
	MySQLMaxUsernameChars      = 32
	MariaDBMaxUsernameChars    = 80
)

// IsDatabase reports whether s is one of the database strategies.
func IsDatabase(s string) bool { return Engines(s) != nil }

// IsPostgreSQL reports whether s is a PostgreSQL strategy.
func IsPostgreSQL(s string) bool {
	return s == StrategyPostgreSQLSingleUser || s == StrategyPostgreSQLAlternatingUsers
}

// Engines returns the engines of a database strategy, nil for generic.
func Engines(s string) []string {
	switch s {
	case StrategyPostgreSQLSingleUser, StrategyPostgreSQLAlternatingUsers:
		return PostgreSQLEngines
	case StrategyMySQLSingleUser, StrategyMySQLAlternatingUsers:
		return MySQLEngines
	}
	return nil
}

// CheckUsername reports a username the strategy cannot rotate: longer
// than the engine's limit once the clone suffix is added (alternating
// strategies). engine is the secret's "engine" key ("" when absent). The
// error names the key, never the value.
func CheckUsername(strategy, engine, username string) error {
	u := username
	if IsAlternating(strategy) && !strings.HasSuffix(u, CloneSuffix) {
		u += CloneSuffix
	}
	suffix := ""
	if IsAlternating(strategy) {
		suffix = fmt.Sprintf(", counting the %q suffix of the second user", CloneSuffix)
	}
	switch {
	case IsPostgreSQL(strategy):
		if len(u) > PostgreSQLMaxUsernameBytes {
			return fmt.Errorf("key %q is longer than PostgreSQL's %d-byte limit%s", "username", PostgreSQLMaxUsernameBytes, suffix)
		}
	case IsDatabase(strategy):
		limit := MySQLMaxUsernameChars
		if strings.EqualFold(engine, "mariadb") {
			limit = MariaDBMaxUsernameChars
		}
		if utf8.RuneCountInString(u) > limit {
			return fmt.Errorf("key %q is longer than the %d characters this engine allows%s", "username", limit, suffix)
		}
	}
	return nil
}

// EffectivePassword is the password policy a strategy generates with: the
// database strategies exclude DBExcludeCharacters unless the policy names
// characters to exclude.
func EffectivePassword(strategy string, p PasswordPolicy) PasswordPolicy {
	if IsDatabase(strategy) && p.ExcludeCharacters == "" {
		p.ExcludeCharacters = DBExcludeCharacters
	}
	return p
}

// Target pins what a database strategy may touch: the values the resource
// was configured with (secret_template and rotation.master_secret_arn).
// The function refuses a secret value that names another user or server,
// so whoever can write the secret cannot steer the master credential.
type Target struct {
	Username  string `json:"username"` // the base user; the clone is Username+CloneSuffix
	Host      string `json:"host"`
	Port      int    `json:"port,omitempty"` // 0: the engine's default
	Engine    string `json:"engine,omitempty"`
	DBName    string `json:"dbname,omitempty"`
	SSL       string `json:"ssl,omitempty"`       // the template's "ssl" value as JSON text; "" when absent
	MasterARN string `json:"masterarn,omitempty"` // alternating strategies
}

// TargetFromTemplate builds the Target of a database strategy from the
// resource's secret_template (a JSON object) and master secret ARN. Errors
// name keys, never values.
func TargetFromTemplate(template, masterARN string) (*Target, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(template))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, errors.New("secret_template is not a JSON object")
	}
	t := &Target{MasterARN: masterARN}
	var errs []error
	str := func(key string, dst *string, required bool) {
		v, ok := raw[key]
		if !ok || string(bytes.TrimSpace(v)) == "null" {
			if required {
				errs = append(errs, fmt.Errorf("secret_template has no %q key", key))
			}
			return
		}
		if json.Unmarshal(v, dst) != nil || (required && *dst == "") {
			errs = append(errs, fmt.Errorf("key %q of secret_template is not a non-empty string", key))
		}
	}
	str("username", &t.Username, true)
	str("host", &t.Host, true)
	str("engine", &t.Engine, false)
	str("dbname", &t.DBName, false)
	if v, ok := raw["port"]; ok && string(bytes.TrimSpace(v)) != "null" {
		p, ok := ParsePort(v)
		if !ok {
			errs = append(errs, fmt.Errorf("key %q is not a port number from 1 to 65535", "port"))
		}
		t.Port = p
	}
	if v, ok := raw["ssl"]; ok && string(bytes.TrimSpace(v)) != "null" {
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			errs = append(errs, errors.New(`key "ssl" of secret_template is not valid JSON`))
		}
		t.SSL = c.String()
	}
	return t, errors.Join(errs...)
}

// ParsePort reads a port given as a JSON number or a string of digits,
// from 1 to 65535: the one parser of the template's and the database
// secret's "port" (each caller says which it read in its error).
func ParsePort(v json.RawMessage) (int, bool) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return 0, false
		}
		s = n.String()
	}
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 1 || p > 65535 {
		return 0, false
	}
	return p, true
}

// PortOr returns the pinned port, or def when the template has none.
func (t *Target) PortOr(def int) int {
	if t.Port == 0 {
		return def
	}
	return t.Port
}

// Clone returns the second user of the alternating scheme.
func (t *Target) Clone() string { return t.Username + CloneSuffix }

// ParseCABundle parses PEM certificates. Anything in the bundle that is
// not a CERTIFICATE block, and a bundle without one, is an error.
func ParseCABundle(s string) ([]*x509.Certificate, error) {
	rest := []byte(s)
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("the CA bundle holds a %q PEM block; only CERTIFICATE blocks are allowed", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d of the CA bundle does not parse: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("the CA bundle has text that is not a PEM certificate")
	}
	if len(out) == 0 {
		return nil, errors.New("the CA bundle holds no PEM certificate")
	}
	return out, nil
}

// EnvSize is the size Lambda counts for env: every key and value.
func EnvSize(env map[string]string) int {
	n := 0
	for k, v := range env {
		n += len(k) + len(v)
	}
	return n
}
