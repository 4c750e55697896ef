package strategy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// Keys of the database secret JSON, as AWS's rotation templates spell them.
const (
	KeyEngine    = "engine"
	KeyHost      = "host"
	KeyPort      = "port"
	KeyUsername  = "username"
	KeyPassword  = "password"
	KeyDBName    = "dbname"
	KeyMasterARN = "masterarn"
	KeySSL       = "ssl"
)

// Engines the database strategies accept in the secret's "engine" key, by
// strategy family (the values AWS's RDS secrets use). The strategies check
// them at rotation, and the provider at plan time.
// They live in config, next to the strategy names they belong to.
var (
	PostgreSQLEngines = config.PostgreSQLEngines
	MySQLEngines      = config.MySQLEngines
)

// CloneSuffix is appended to the username to get the second user of the
// alternating-users scheme, as AWS's multi-user templates do.
const CloneSuffix = config.CloneSuffix

// TLSMode is what the "ssl" key of a database secret asks for.
type TLSMode int

// TLS modes, weakest first. The "ssl" key takes a JSON bool or one of the
// strings "true", "false", "disable", "require", "verify-ca" and
// "verify-full". Certificates are verified against the system roots, Amazon
// RDS's CA bundle and the resource's rotation.ca_bundle.
const (
	// TLSUnset: no "ssl" key. It means TLSVerifyFull: a server without TLS
	// is refused, never silently used in plain text (AWS's templates fall
	// back to plain text here; we do not, as that is a downgrade anyone on
	// the network path can force).
	TLSUnset TLSMode = iota
	// TLSDisable: "ssl": false. Plain text only.
	TLSDisable
	// TLSRequire: "ssl": "require". Encrypted, the certificate is not
	// verified: an explicit opt-out for servers with a certificate no CA
	// in the bundle signs.
	TLSRequire
	// TLSVerifyCA: "ssl": "verify-ca". The chain is verified, the host
	// name is not.
	TLSVerifyCA
	// TLSVerifyFull: "ssl": true or "verify-full". Chain and host name are
	// verified, as AWS's templates do for "ssl": true.
	TLSVerifyFull
)

// Effective maps TLSUnset to the mode it means, TLSVerifyFull.
func (m TLSMode) Effective() TLSMode {
	if m == TLSUnset {
		return TLSVerifyFull
	}
	return m
}

// Stricter returns the strictest of modes (each taken as Effective).
func Stricter(modes ...TLSMode) TLSMode {
	out := TLSDisable
	for _, m := range modes {
		if m.Effective() > out {
			out = m.Effective()
		}
	}
	return out
}

// DBSecret is the secret JSON of AWS's database rotation templates. Unknown
// keys are kept and written back unchanged by Marshal. The String method
// never shows the password.
type DBSecret struct {
	Engine    string
	Host      string
	Port      int // 0 when the key is absent
	Username  string
	Password  string
	DBName    string
	MasterARN string
	SSL       TLSMode

	raw  map[string]json.RawMessage // every key of the parsed JSON
	orig *DBSecret                  // values as parsed, to keep unchanged keys byte-for-byte
}

// ParseDBSecret parses a database secret. It requires host, username and
// password to be non-empty strings; the other keys are optional. Errors
// name keys, never values.
func ParseDBSecret(s string) (*DBSecret, error) { return parseDBSecret(s, true) }

// ParseMasterSecret parses a master secret: username and password are
// required, host is not (secrets RDS manages for its master user hold
// only username and password; the connection target then comes from the
// function's pinned configuration).
func ParseMasterSecret(s string) (*DBSecret, error) { return parseDBSecret(s, false) }

func parseDBSecret(s string, hostRequired bool) (*DBSecret, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		// The decoder's message may quote part of the input: keep it out.
		return nil, errors.New("the database secret is not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("the database secret has trailing data after the JSON object")
	}
	d := &DBSecret{raw: raw}
	var errs []error
	str := func(key string, dst *string, required bool) {
		v, ok := raw[key]
		if !ok || isNull(v) {
			if required {
				errs = append(errs, fmt.Errorf("the database secret has no %q key", key))
			}
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			errs = append(errs, fmt.Errorf("key %q of the database secret is not a string", key))
			return
		}
		if required && *dst == "" {
			errs = append(errs, fmt.Errorf("key %q of the database secret is empty", key))
		}
	}
	str(KeyEngine, &d.Engine, false)
	str(KeyHost, &d.Host, hostRequired)
	str(KeyUsername, &d.Username, true)
	str(KeyPassword, &d.Password, true)
	str(KeyDBName, &d.DBName, false)
	str(KeyMasterARN, &d.MasterARN, false)
	if v, ok := raw[KeyPort]; ok && !isNull(v) {
		p, ok := config.ParsePort(v)
		if !ok {
			errs = append(errs, fmt.Errorf("key %q of the database secret is not a port number", KeyPort))
		}
		d.Port = p
	}
	if v, ok := raw[KeySSL]; ok && !isNull(v) {
		m, err := parseSSL(v)
		if err != nil {
			errs = append(errs, err)
		}
		d.SSL = m
	}
	if strings.ContainsRune(d.Username, 0) || strings.ContainsRune(d.Password, 0) {
		errs = append(errs, errors.New("the username or password of the database secret contains a NUL character"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	o := *d
	o.raw = nil
	d.orig = &o
	return d, nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

func parseSSL(v json.RawMessage) (TLSMode, error) {
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		if b {
			return TLSVerifyFull, nil
		}
		return TLSDisable, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return TLSVerifyFull, nil
		case "require":
			return TLSRequire, nil
		case "false", "disable":
			return TLSDisable, nil
		case "verify-ca":
			return TLSVerifyCA, nil
		case "verify-full":
			return TLSVerifyFull, nil
		}
	}
	return TLSUnset, fmt.Errorf(`key %q of the database secret must be true, false, "disable", "require", "verify-ca" or "verify-full"`, KeySSL)
}

// PortOr returns the port, or def when the secret has none.
func (d *DBSecret) PortOr(def int) int {
	if d.Port == 0 {
		return def
	}
	return d.Port
}

// Marshal renders the secret as JSON. Keys whose value did not change since
// parsing keep their original encoding (a port given as "5432" stays a
// string); unknown keys are kept as they were.
func (d *DBSecret) Marshal() (string, error) {
	out := make(map[string]json.RawMessage, len(d.raw)+8)
	maps.Copy(out, d.raw)
	set := func(key string, changed bool, present bool, v any) error {
		if !changed {
			return nil
		}
		if !present {
			delete(out, key)
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encoding key %q of the database secret: %w", key, err)
		}
		out[key] = b
		return nil
	}
	o := d.orig
	if o == nil {
		o = &DBSecret{}
	}
	sslValue := map[TLSMode]any{TLSDisable: false, TLSRequire: "require", TLSVerifyCA: "verify-ca", TLSVerifyFull: true}
	err := errors.Join(
		set(KeyEngine, d.Engine != o.Engine, d.Engine != "", d.Engine),
		set(KeyHost, d.Host != o.Host, true, d.Host),
		set(KeyPort, d.Port != o.Port, d.Port != 0, d.Port),
		set(KeyUsername, d.Username != o.Username, true, d.Username),
		set(KeyPassword, d.Password != o.Password, true, d.Password),
		set(KeyDBName, d.DBName != o.DBName, d.DBName != "", d.DBName),
		set(KeyMasterARN, d.MasterARN != o.MasterARN, d.MasterARN != "", d.MasterARN),
		set(KeySSL, d.SSL != o.SSL, d.SSL != TLSUnset, sslValue[d.SSL]),
	)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", errors.New("encoding the database secret failed")
	}
	return string(b), nil
}

// Clone returns a deep copy of d.
func (d *DBSecret) Clone() *DBSecret {
	c := *d
	c.raw = maps.Clone(d.raw)
	return &c
}

// String describes the secret without its password.
func (d *DBSecret) String() string {
	return fmt.Sprintf("DBSecret{engine=%q host=%q port=%d username=%q dbname=%q password=<redacted>}",
		d.Engine, d.Host, d.Port, d.Username, d.DBName)
}

// GoString is String, so %#v cannot print the password either.
func (d *DBSecret) GoString() string { return d.String() }
