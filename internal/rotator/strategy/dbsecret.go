package strategy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"unicode/utf8"
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
var (
	PostgreSQLEngines = []string{"postgres", "postgresql", "aurora-postgresql"}
	MySQLEngines      = []string{"mysql", "mariadb", "aurora-mysql", "aurora"}
)

// CloneSuffix is appended to the username to get the second user of the
// alternating-users scheme, as AWS's multi-user templates do.
const CloneSuffix = "_clone"

// TLSMode is what the "ssl" key of a database secret asks for.
type TLSMode int

// TLS modes. The "ssl" key takes a JSON bool or one of the strings "true",
// "false", "require", "verify-ca" and "verify-full".
const (
	// TLSUnset: no "ssl" key. Strategies try TLS and fall back to plain
	// text, as AWS's templates do when the key is absent.
	TLSUnset TLSMode = iota
	// TLSDisable: "ssl": false. Plain text only.
	TLSDisable
	// TLSRequire: "ssl": true or "require". Encrypted; the server
	// certificate is not verified (sslmode=require).
	TLSRequire
	// TLSVerifyCA: "ssl": "verify-ca". Encrypted; the certificate chain is
	// verified against the system roots, the host name is not.
	TLSVerifyCA
	// TLSVerifyFull: "ssl": "verify-full". Encrypted; chain and host name
	// are verified against the system roots.
	TLSVerifyFull
)

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
func ParseDBSecret(s string) (*DBSecret, error) {
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
	str(KeyHost, &d.Host, true)
	str(KeyUsername, &d.Username, true)
	str(KeyPassword, &d.Password, true)
	str(KeyDBName, &d.DBName, false)
	str(KeyMasterARN, &d.MasterARN, false)
	if v, ok := raw[KeyPort]; ok && !isNull(v) {
		p, err := parsePort(v)
		if err != nil {
			errs = append(errs, err)
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

func parsePort(v json.RawMessage) (int, error) {
	bad := fmt.Errorf("key %q of the database secret is not a port number", KeyPort)
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return 0, bad
		}
		s = n.String()
	}
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 1 || p > 65535 {
		return 0, bad
	}
	return p, nil
}

func parseSSL(v json.RawMessage) (TLSMode, error) {
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		if b {
			return TLSRequire, nil
		}
		return TLSDisable, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "require":
			return TLSRequire, nil
		case "false", "disable":
			return TLSDisable, nil
		case "verify-ca":
			return TLSVerifyCA, nil
		case "verify-full":
			return TLSVerifyFull, nil
		}
	}
	return TLSUnset, fmt.Errorf(`key %q of the database secret must be true, false, "require", "verify-ca" or "verify-full"`, KeySSL)
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
	sslValue := map[TLSMode]any{TLSDisable: false, TLSRequire: true, TLSVerifyCA: "verify-ca", TLSVerifyFull: "verify-full"}
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

// AlternateUsername returns the other user of the alternating scheme:
// "app" -> "app_clone" and "app_clone" -> "app".
func AlternateUsername(u string) string {
	if base, ok := strings.CutSuffix(u, CloneSuffix); ok && base != "" {
		return base
	}
	return u + CloneSuffix
}

// SameTarget reports which of host, port, dbname and engine differ between
// two secrets (the key names only), for the "refuse to touch a different
// principal" check of setSecret. Ports compare after applying defPort.
func SameTarget(a, b *DBSecret, defPort int) []string {
	var diff []string
	if a.Host != b.Host {
		diff = append(diff, KeyHost)
	}
	if a.PortOr(defPort) != b.PortOr(defPort) {
		diff = append(diff, KeyPort)
	}
	if a.DBName != b.DBName {
		diff = append(diff, KeyDBName)
	}
	if a.Engine != b.Engine {
		diff = append(diff, KeyEngine)
	}
	return diff
}

// CheckEngine returns an error naming the engine key when the secret has an
// engine that is not one of allowed. A secret without an engine passes.
func (d *DBSecret) CheckEngine(allowed ...string) error {
	if d.Engine == "" {
		return nil
	}
	for _, a := range allowed {
		if strings.EqualFold(d.Engine, a) {
			return nil
		}
	}
	return fmt.Errorf("key %q of the database secret must be one of %s", KeyEngine, strings.Join(allowed, ", "))
}

// Redact replaces every occurrence of each non-empty secret in msg with
// "<redacted>". Database drivers may quote parts of a failing statement; the
// strategies pass their error texts through Redact as a second line of
// defence.
func Redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "<redacted>")
		}
	}
	return msg
}

// DBStep is a Step with its values parsed as database secrets.
type DBStep struct {
	Current  *DBSecret
	Pending  *DBSecret
	Previous *DBSecret // nil when there is none or it does not parse
}

// ParseDBStep parses the current and pending values of s (both required)
// and the previous one (optional: a previous value that does not parse is
// ignored, since it only serves as a login fallback).
func ParseDBStep(s Step) (DBStep, error) {
	var out DBStep
	var err error
	if out.Current, err = ParseDBSecret(s.Current); err != nil {
		return DBStep{}, fmt.Errorf("AWSCURRENT: %w", err)
	}
	if out.Pending, err = ParseDBSecret(s.Pending); err != nil {
		return DBStep{}, fmt.Errorf("AWSPENDING: %w", err)
	}
	if s.Previous != "" {
		if p, err := ParseDBSecret(s.Previous); err == nil {
			out.Previous = p
		}
	}
	return out, nil
}

// ParseSetStep is ParseDBStep plus the checks every database strategy
// makes before setSecret touches the database: the current value's engine
// is one of engines, the pending value names the same target, and its user
// is the one the strategy rotates to (the same user, or the other user of
// the pair when alternating).
func ParseSetStep(s Step, engines []string, defaultPort int, alternating bool) (DBStep, error) {
	st, err := ParseDBStep(s)
	if err != nil {
		return DBStep{}, err
	}
	if err := st.Current.CheckEngine(engines...); err != nil {
		return DBStep{}, err
	}
	if diff := SameTarget(st.Current, st.Pending, defaultPort); len(diff) > 0 {
		return DBStep{}, fmt.Errorf("refusing to set AWSPENDING: its %v differ from AWSCURRENT's", diff)
	}
	want := st.Current.Username
	if alternating {
		want = AlternateUsername(want)
	}
	if st.Pending.Username != want {
		return DBStep{}, fmt.Errorf("refusing to set AWSPENDING: its %q is not the user this strategy rotates to", KeyUsername)
	}
	return st, nil
}

// Passwords returns every non-empty password of the step, for Redact.
func (s DBStep) Passwords() []string {
	var out []string
	for _, d := range []*DBSecret{s.Current, s.Pending, s.Previous} {
		if d != nil && d.Password != "" {
			out = append(out, d.Password)
		}
	}
	return out
}

// CheckNewPassword rejects a generated password a database cannot store:
// one with a NUL character or invalid UTF-8.
func CheckNewPassword(pw string) error {
	if pw == "" {
		return errors.New("the new password is empty")
	}
	if strings.ContainsRune(pw, 0) {
		return errors.New("the new password contains a NUL character")
	}
	if !utf8.ValidString(pw) {
		return errors.New("the new password is not valid UTF-8")
	}
	return nil
}

// ReadMaster reads and parses the master secret named by cur's masterarn
// (the alternating-users strategies). It refuses a master secret for
// another host or port: whoever can edit the user's secret could otherwise
// make the function send the master password elsewhere.
func ReadMaster(ctx context.Context, s Step, cur *DBSecret, defaultPort int) (*DBSecret, error) {
	if cur.MasterARN == "" {
		return nil, fmt.Errorf("the alternating-users strategy needs the %q key in AWSCURRENT", KeyMasterARN)
	}
	if s.Master == nil {
		return nil, errors.New("no way to read the master secret")
	}
	raw, err := s.Master(ctx, cur.MasterARN)
	if err != nil {
		return nil, fmt.Errorf("reading the master secret: %w", err)
	}
	master, err := ParseDBSecret(raw)
	if err != nil {
		return nil, fmt.Errorf("master secret: %w", err)
	}
	if master.Host != cur.Host || (master.Port != 0 && master.PortOr(defaultPort) != cur.PortOr(defaultPort)) {
		return nil, fmt.Errorf("the master secret's %q or %q differ from AWSCURRENT's", KeyHost, KeyPort)
	}
	return master, nil
}

// NewDBPending is NewPending of the database strategies: it keeps every
// key of current and sets newPassword; with alternating it also swaps the
// username for the other user of the pair. checkUsername enforces the
// engine's limits on the resulting username.
func NewDBPending(current, newPassword string, engines []string, alternating bool, checkUsername func(string) error) (string, error) {
	d, err := ParseDBSecret(current)
	if err != nil {
		return "", fmt.Errorf("AWSCURRENT: %w", err)
	}
	if err := d.CheckEngine(engines...); err != nil {
		return "", err
	}
	if err := CheckNewPassword(newPassword); err != nil {
		return "", err
	}
	if alternating {
		if d.MasterARN == "" {
			return "", fmt.Errorf("the alternating-users strategy needs the %q key in the secret", KeyMasterARN)
		}
		d.Username = AlternateUsername(d.Username)
	}
	if err := checkUsername(d.Username); err != nil {
		return "", err
	}
	d.Password = newPassword
	return d.Marshal()
}
