package strategy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// DB is what a database strategy is made for: the pinned target and the
// extra CA certificates, from the function's configuration.
type DB struct {
	Target   *config.Target
	CABundle string
}

// AlternateUsername returns the other user of the alternating scheme:
// "app" -> "app_clone" and "app_clone" -> "app".
func AlternateUsername(u string) string {
	if base, ok := strings.CutSuffix(u, CloneSuffix); ok && base != "" {
		return base
	}
	return u + CloneSuffix
}

// SameTarget reports which of host, port, dbname and engine differ between
// two secrets (the key names only). Ports compare after applying defPort.
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

// CheckPinned refuses a value (which: "AWSCURRENT", "AWSPENDING"…) whose
// user or target is not the one the function was configured for: the
// username must be the base user (or, with alternating, its clone); host,
// port, dbname and engine must be the pinned ones, and so must masterarn
// when alternating. The error names the keys, never a value.
func (db DB) CheckPinned(which string, d *DBSecret, defaultPort int, alternating bool) error {
	t := db.Target
	if t == nil {
		return errors.New("the function's configuration pins no database user and server; apply the resource again with this provider version")
	}
	var bad []string
	if d.Username != t.Username && (!alternating || d.Username != t.Clone()) {
		bad = append(bad, KeyUsername)
	}
	if d.Host != t.Host {
		bad = append(bad, KeyHost)
	}
	if d.PortOr(defaultPort) != t.PortOr(defaultPort) {
		bad = append(bad, KeyPort)
	}
	if d.DBName != t.DBName {
		bad = append(bad, KeyDBName)
	}
	if !strings.EqualFold(d.Engine, t.Engine) {
		bad = append(bad, KeyEngine)
	}
	if alternating && d.MasterARN != t.MasterARN {
		bad = append(bad, KeyMasterARN)
	}
	if len(bad) > 0 {
		return fmt.Errorf("refusing %s: its %s differ from what the resource configured (secret_template, rotation.master_secret_arn); "+
			"change them through Terraform, which updates the function's configuration in the same apply", which, quoteKeys(bad))
	}
	return nil
}

func quoteKeys(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(k)
	}
	return strings.Join(q, ", ")
}

// PinnedSSL is the TLS mode of the pinned configuration.
func (db DB) PinnedSSL() TLSMode {
	if db.Target == nil || db.Target.SSL == "" {
		return TLSUnset
	}
	m, err := parseSSL(json.RawMessage(db.Target.SSL))
	if err != nil {
		return TLSVerifyFull // an unreadable pin never weakens TLS
	}
	return m
}

// ConnTarget returns d with its TLS mode raised to at least the pinned one
// (and any of extra): a writer of the secret cannot weaken TLS below what
// the resource configured.
func (db DB) ConnTarget(d *DBSecret, extra ...TLSMode) *DBSecret {
	c := d.Clone()
	c.SSL = Stricter(append([]TLSMode{d.SSL, db.PinnedSSL()}, extra...)...)
	return c
}

// formsOf lists the spellings of a secret that a database error or driver
// may print: as is, with quotes doubled (SQL literals), with backslash
// escapes (MySQL), JSON-escaped and Go-quoted.
func formsOf(s string) []string {
	forms := []string{
		s,
		strings.ReplaceAll(s, "'", "''"),
		strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\"`).Replace(s),
		strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s),
		strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s),
	}
	if b, err := json.Marshal(s); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	q := strconv.Quote(s)
	forms = append(forms, q[1:len(q)-1])
	return forms
}

// Redact replaces every occurrence of each non-empty secret in msg, in any
// of the escaped or quoted forms a database error may echo, with
// "<redacted>". Strategies pass their error texts through it as a second
// line of defence.
func Redact(msg string, secrets ...string) string {
	var all []string
	for _, s := range secrets {
		if s != "" {
			all = append(all, formsOf(s)...)
		}
	}
	// Longest first, so a form containing another is replaced whole.
	sort.SliceStable(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	for _, f := range all {
		if f != "" {
			msg = strings.ReplaceAll(msg, f, "<redacted>")
		}
	}
	return msg
}

// DBStep is a Step with its values parsed as database secrets.
type DBStep struct {
	Current  *DBSecret
	Pending  *DBSecret
	Previous *DBSecret // nil when there is none, it does not parse or is not pinned
}

// ParseSetStep parses the values of s and makes the checks every database
// strategy makes before setSecret touches the database: the current
// value's engine is one of engines; AWSCURRENT and AWSPENDING name the
// pinned user (or its clone, alternating) and target; the pending user is
// the one the strategy rotates to (the same user, or the other user of the
// pair). A previous value is kept only when it passes the same checks.
func (db DB) ParseSetStep(s Step, engines []string, defaultPort int, alternating bool) (DBStep, error) {
	var out DBStep
	var err error
	if out.Current, err = ParseDBSecret(s.Current); err != nil {
		return DBStep{}, fmt.Errorf("AWSCURRENT: %w", err)
	}
	if out.Pending, err = ParseDBSecret(s.Pending); err != nil {
		return DBStep{}, fmt.Errorf("AWSPENDING: %w", err)
	}
	if err := out.Current.CheckEngine(engines...); err != nil {
		return DBStep{}, err
	}
	if err := db.CheckPinned("AWSCURRENT", out.Current, defaultPort, alternating); err != nil {
		return DBStep{}, err
	}
	if err := db.CheckPinned("AWSPENDING", out.Pending, defaultPort, alternating); err != nil {
		return DBStep{}, err
	}
	want := out.Current.Username
	if alternating {
		want = AlternateUsername(want)
	}
	if out.Pending.Username != want {
		return DBStep{}, fmt.Errorf("refusing to set AWSPENDING: its %q is not the user this strategy rotates to", KeyUsername)
	}
	if s.Previous != "" {
		if p, err := ParseDBSecret(s.Previous); err == nil && db.CheckPinned("AWSPREVIOUS", p, defaultPort, alternating) == nil {
			out.Previous = p
		}
	}
	return out, nil
}

// ParseTestStep parses AWSPENDING for testSecret and checks it like
// ParseSetStep does.
func (db DB) ParseTestStep(s Step, engines []string, defaultPort int, alternating bool) (*DBSecret, error) {
	pend, err := ParseDBSecret(s.Pending)
	if err != nil {
		return nil, fmt.Errorf("AWSPENDING: %w", err)
	}
	if err := pend.CheckEngine(engines...); err != nil {
		return nil, err
	}
	if err := db.CheckPinned("AWSPENDING", pend, defaultPort, alternating); err != nil {
		return nil, err
	}
	return pend, nil
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

// ReadMaster reads the pinned master secret and returns it as a
// connection to the pinned target: the master logs in only there, whatever
// the user's secret says. A master secret with a host or port of its own
// must name the pinned ones; one without (RDS-managed master secrets hold
// only username and password) uses them. The TLS mode is the strictest of
// the pinned one, AWSCURRENT's and the master secret's.
func (db DB) ReadMaster(ctx context.Context, s Step, cur *DBSecret, defaultPort int) (*DBSecret, error) {
	t := db.Target
	if t == nil || t.MasterARN == "" {
		return nil, errors.New("the function's configuration pins no master secret; apply the resource again with this provider version")
	}
	if s.Master == nil {
		return nil, errors.New("no way to read the master secret")
	}
	raw, err := s.Master(ctx, t.MasterARN)
	if err != nil {
		return nil, fmt.Errorf("reading the master secret: %w", err)
	}
	m, err := ParseMasterSecret(raw)
	if err != nil {
		return nil, fmt.Errorf("master secret: %w", err)
	}
	var bad []string
	if m.Host != "" && m.Host != t.Host {
		bad = append(bad, KeyHost)
	}
	if m.Port != 0 && m.Port != t.PortOr(defaultPort) {
		bad = append(bad, KeyPort)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("refusing the master secret: its %s differ from the configured database (secret_template)", quoteKeys(bad))
	}
	conn := m.Clone()
	conn.Host, conn.Port, conn.DBName, conn.Engine = t.Host, t.PortOr(defaultPort), t.DBName, t.Engine
	conn.SSL = Stricter(m.SSL, cur.SSL, db.PinnedSSL())
	return conn, nil
}

// NewDBPending is NewPending of the database strategies: it keeps every
// key of current and sets newPassword; with alternating it also swaps the
// username for the other user of the pair. The username must be within
// strategyName's limits.
func (db DB) NewDBPending(current, newPassword, strategyName string, defaultPort int) (string, error) {
	engines := config.Engines(strategyName)
	alternating := config.IsAlternating(strategyName)
	d, err := ParseDBSecret(current)
	if err != nil {
		return "", fmt.Errorf("AWSCURRENT: %w", err)
	}
	if err := d.CheckEngine(engines...); err != nil {
		return "", err
	}
	if err := db.CheckPinned("AWSCURRENT", d, defaultPort, alternating); err != nil {
		return "", err
	}
	if err := CheckNewPassword(newPassword); err != nil {
		return "", err
	}
	if alternating {
		d.Username = AlternateUsername(d.Username)
	}
	if err := config.CheckUsername(strategyName, d.Engine, d.Username); err != nil {
		return "", err
	}
	d.Password = newPassword
	return d.Marshal()
}
