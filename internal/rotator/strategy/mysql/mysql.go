// Package mysql holds the MySQL and MariaDB rotation strategies:
// single-user (the user changes its own password) and alternating users
// (the master user flips the secret between <user> and <user>_clone,
// copying the current user's grants to the other one).
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

var _ strategy.Strategy = (*myStrategy)(nil)

// connectTimeout bounds each login attempt, so an unreachable database
// fails the step long before the Lambda timeout.
const connectTimeout = 5 * time.Second

// ioTimeout bounds each read or write on an open connection.
const ioTimeout = 30 * time.Second

// defaultPort applies when the secret has no port.
const defaultPort = config.MySQLDefaultPort

// engines are the "engine" values this strategy accepts.
var engines = config.MySQLEngines

type myStrategy struct {
	db          strategy.DB
	name        string
	alternating bool
}

// SingleUser returns the mysql_single_user strategy (MySQL and MariaDB):
// the user logs in (with the current password, else the previous one) and
// changes its own password. db pins the user and server it may touch.
func SingleUser(db strategy.DB) strategy.Strategy {
	return &myStrategy{db: db, name: config.StrategyMySQLSingleUser}
}

// AlternatingUsers returns the mysql_alternating_users strategy: the master
// user (the pinned master secret) creates <user>_clone on every host the
// base user has, or changes the password of whichever of the two the
// rotation flips to. The base user is the source of truth: on every run
// the clone gets exactly its grants, roles, REQUIRE and resource limits.
func AlternatingUsers(db strategy.DB) strategy.Strategy {
	return &myStrategy{db: db, name: config.StrategyMySQLAlternatingUsers, alternating: true}
}

// NewPending keeps every key of current and sets the new password; the
// alternating strategy also swaps the username.
func (m *myStrategy) NewPending(_ context.Context, current, newPassword string) (string, error) {
	return m.db.NewDBPending(current, newPassword, m.name, defaultPort)
}

// Set makes the database accept the pending credential.
func (m *myStrategy) Set(ctx context.Context, s strategy.Step) error {
	st, err := m.db.ParseSetStep(s, engines, defaultPort, m.alternating)
	if err != nil {
		return err
	}
	if m.alternating {
		// No early return when the pending user already logs in: the
		// grant copy of an earlier, interrupted run may be incomplete.
		return m.setAlternating(ctx, s, st)
	}
	pend := st.Pending
	if db, conn, err := m.connect(ctx, pend, pend.Username, pend.Password); err == nil {
		closeAll(db, conn)
		return nil
	}
	return m.setSingle(ctx, st)
}

func (m *myStrategy) setSingle(ctx context.Context, st strategy.DBStep) error {
	cur, pend, prev := st.Current, st.Pending, st.Previous
	db, conn, err := m.connect(ctx, cur, cur.Username, cur.Password)
	if err != nil {
		curErr := err
		if prev == nil || prev.Username != cur.Username {
			return redacted(st.Passwords(), "neither AWSPENDING nor AWSCURRENT logs in (no usable AWSPREVIOUS)"+strategy.TLSHint(m.db.ConnTarget(cur).SSL, err), curErr)
		}
		if db, conn, err = m.connect(ctx, prev, prev.Username, prev.Password); err != nil {
			return redacted(st.Passwords(), "none of AWSPENDING, AWSCURRENT and AWSPREVIOUS logs in", errors.Join(curErr, err))
		}
	}
	defer closeAll(db, conn)
	q, err := newQuoter(ctx, conn)
	if err != nil {
		return redacted(st.Passwords(), "reading the session's sql_mode", err)
	}
	lit, err := q.literal(pend.Password)
	if err != nil {
		return err
	}
	// Each form names exactly the account we logged in as, whatever its
	// host part. MySQL 5.7.6+ lets any user ALTER USER CURRENT_USER();
	// MariaDB demands the CREATE USER privilege for it but lets anyone
	// SET PASSWORD = PASSWORD(...); MySQL 8 dropped PASSWORD() and takes
	// SET PASSWORD = '...'.
	var err2 error
	for _, stmt := range []string{
		"ALTER USER CURRENT_USER() IDENTIFIED BY " + lit,
		"SET PASSWORD = PASSWORD(" + lit + ")",
		"SET PASSWORD = " + lit,
	} {
		if _, err2 = conn.ExecContext(ctx, stmt); !tryNextForm(err2) {
			break
		}
	}
	err = err2
	if err != nil {
		return redacted(st.Passwords(), "changing the password", err)
	}
	return nil
}

// loginCurrent proves AWSCURRENT is a real credential before the master
// credential is used on its behalf (AWS's multi-user templates do the
// same "to protect against a confused deputy attack"). Only the first
// rotation of a freshly created secret may skip it: the provider generated
// that value and the database never saw it.
func (m *myStrategy) loginCurrent(ctx context.Context, s strategy.Step, st strategy.DBStep) error {
	cur := st.Current
	db, conn, err := m.connect(ctx, cur, cur.Username, cur.Password)
	if err == nil {
		closeAll(db, conn)
		return nil
	}
	if s.FirstRotation && cur.Username == m.db.Target.Username {
		return nil
	}
	return redacted(st.Passwords(), "AWSCURRENT does not log in, so the master credential is not used on its behalf "+
		"(if the database user's password was changed outside the rotation, write it with initial_value_wo and a new initial_value_wo_version)", err)
}

// masterConn logs in with the pinned master secret to the pinned server.
func (m *myStrategy) masterConn(ctx context.Context, s strategy.Step, cur *strategy.DBSecret) (*sql.DB, *sql.Conn, string, error) {
	master, err := m.db.ReadMaster(ctx, s, cur, defaultPort)
	if err != nil {
		return nil, nil, "", err
	}
	master.DBName = "" // account management needs no default database
	db, conn, err := m.connect(ctx, master, master.Username, master.Password)
	if err != nil {
		return nil, nil, "", redacted([]string{master.Password, cur.Password}, "logging in with the master secret"+strategy.TLSHint(master.SSL, err), err)
	}
	return db, conn, master.Password, nil
}

func (m *myStrategy) setAlternating(ctx context.Context, s strategy.Step, st strategy.DBStep) error {
	if err := m.loginCurrent(ctx, s, st); err != nil {
		return err
	}
	db, conn, masterPW, err := m.masterConn(ctx, s, st.Current)
	if err != nil {
		return err
	}
	defer closeAll(db, conn)
	secrets := append(st.Passwords(), masterPW)
	q, err := newQuoter(ctx, conn)
	if err != nil {
		return redacted(secrets, "reading the session's sql_mode", err)
	}
	pend := st.Pending
	lit, err := q.literal(pend.Password)
	if err != nil {
		return err
	}
	base, clone := m.db.Target.Username, m.db.Target.Clone()
	hosts, err := accountHosts(ctx, conn, base)
	if err != nil {
		return redacted(secrets, "looking up the base user", err)
	}
	if len(hosts) == 0 {
		return errors.New("the base user (secret_template's username) does not exist on the server")
	}
	for _, host := range hosts {
		if pend.Username == base {
			if _, err := conn.ExecContext(ctx, "ALTER USER "+account(base, host)+" IDENTIFIED BY "+lit); err != nil {
				return redacted(secrets, "changing the base user's password", err)
			}
			continue
		}
		if err := syncClone(ctx, conn, q, base, clone, host, lit); err != nil {
			return redacted(secrets, "creating or updating the clone user", err)
		}
	}
	return nil
}

// syncClone makes clone@host log in with the password literal lit and
// hold exactly base@host's grants and account options. Every statement is
// idempotent, so a retry after any failure converges.
func syncClone(ctx context.Context, conn *sql.Conn, q quoter, base, clone, host, lit string) error {
	acct := account(clone, host)
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = ?", clone, host).Scan(&n); err != nil {
		return err
	}
	verb := "ALTER"
	if n == 0 {
		verb = "CREATE"
	}
	if _, err := conn.ExecContext(ctx, verb+" USER "+acct+" IDENTIFIED BY "+lit); err != nil {
		return err
	}
	opts, err := readOptions(ctx, conn, base, host)
	if err != nil {
		return fmt.Errorf("reading the base user's account options: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER USER "+acct+" "+opts.clause(q)); err != nil {
		return fmt.Errorf("copying REQUIRE and resource limits: %w", err)
	}
	want, err := grantsFor(ctx, conn, base, host, acct)
	if err != nil {
		return err
	}
	have, err := grantsFor(ctx, conn, clone, host, acct)
	if err != nil {
		return err
	}
	// Revoke what the clone has and the base does not (a grant revoked
	// from the base since the last run), then grant what the base has.
	for i, g := range have {
		if slices.Contains(want, g) {
			continue
		}
		for _, stmt := range revokeFor(g, acct) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("revoking grant %d of the clone: %w", i+1, err)
			}
		}
	}
	for i, g := range want {
		if _, err := conn.ExecContext(ctx, g); err != nil {
			return fmt.Errorf("grant %d: %w", i+1, err)
		}
	}
	return nil
}

// grantsFor returns SHOW GRANTS FOR user@host rewritten as statements
// granting the same to acct (see rewriteGrant), sorted.
func grantsFor(ctx context.Context, conn *sql.Conn, user, host, acct string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SHOW GRANTS FOR "+account(user, host))
	if err != nil {
		return nil, err
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return nil, err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for i, l := range lines {
		stmt, ok, err := rewriteGrant(l, user, host, acct)
		if err != nil {
			return nil, fmt.Errorf("grant %d: %w", i+1, err)
		}
		if ok {
			out = append(out, stmt)
		}
	}
	slices.Sort(out)
	return out, nil
}

// accountOptions are the per-account settings SHOW GRANTS does not list
// as grants: REQUIRE and the resource limits.
type accountOptions struct {
	SSLType                                   string
	Cipher, Issuer, Subject                   []byte
	MaxQuestions, MaxUpdates, MaxConns, MaxUC int64
}

func readOptions(ctx context.Context, conn *sql.Conn, user, host string) (accountOptions, error) {
	var o accountOptions
	err := conn.QueryRowContext(ctx, `SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject,
		max_questions, max_updates, max_connections, max_user_connections
		FROM mysql.user WHERE User = ? AND Host = ?`, user, host).
		Scan(&o.SSLType, &o.Cipher, &o.Issuer, &o.Subject, &o.MaxQuestions, &o.MaxUpdates, &o.MaxConns, &o.MaxUC)
	return o, err
}

func (o accountOptions) equal(p accountOptions) bool {
	return o.SSLType == p.SSLType && string(o.Cipher) == string(p.Cipher) && string(o.Issuer) == string(p.Issuer) &&
		string(o.Subject) == string(p.Subject) && o.MaxQuestions == p.MaxQuestions && o.MaxUpdates == p.MaxUpdates &&
		o.MaxConns == p.MaxConns && o.MaxUC == p.MaxUC
}

// clause renders the options as the tail of ALTER USER.
func (o accountOptions) clause(q quoter) string {
	req := "REQUIRE NONE"
	switch strings.ToUpper(o.SSLType) {
	case "ANY":
		req = "REQUIRE SSL"
	case "X509":
		req = "REQUIRE X509"
	case "SPECIFIED":
		var parts []string
		for _, p := range []struct {
			kw string
			v  []byte
		}{{"ISSUER", o.Issuer}, {"SUBJECT", o.Subject}, {"CIPHER", o.Cipher}} {
			if len(p.v) > 0 {
				lit, err := q.literal(string(p.v))
				if err == nil {
					parts = append(parts, p.kw+" "+lit)
				}
			}
		}
		if len(parts) > 0 {
			req = "REQUIRE " + strings.Join(parts, " AND ")
		}
	}
	return fmt.Sprintf("%s WITH MAX_QUERIES_PER_HOUR %d MAX_UPDATES_PER_HOUR %d MAX_CONNECTIONS_PER_HOUR %d MAX_USER_CONNECTIONS %d",
		req, o.MaxQuestions, o.MaxUpdates, o.MaxConns, o.MaxUC)
}

// accountHosts lists the host parts of user's accounts.
func accountHosts(ctx context.Context, conn *sql.Conn, user string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hosts []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return hosts, rows.Err()
}

// Test logs in with the pending credential and runs a query. When the
// pending user is the clone, the master also checks, on every host of the
// base user, that the clone exists with the same grants, REQUIRE and
// resource limits, and has no account on another host.
func (m *myStrategy) Test(ctx context.Context, s strategy.Step) error {
	pend, err := m.db.ParseTestStep(s, engines, defaultPort, m.alternating)
	if err != nil {
		return err
	}
	db, conn, err := m.connect(ctx, pend, pend.Username, pend.Password)
	if err != nil {
		return redacted([]string{pend.Password}, "logging in with AWSPENDING"+strategy.TLSHint(m.db.ConnTarget(pend).SSL, err), err)
	}
	var one int
	err = conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	closeAll(db, conn)
	if err != nil {
		return redacted([]string{pend.Password}, "querying with AWSPENDING", err)
	}
	if !m.alternating || pend.Username != m.db.Target.Clone() {
		return nil
	}
	cur, err := strategy.ParseDBSecret(s.Current)
	if err != nil {
		return fmt.Errorf("AWSCURRENT: %w", err)
	}
	mdb, mconn, masterPW, err := m.masterConn(ctx, s, cur)
	if err != nil {
		return err
	}
	defer closeAll(mdb, mconn)
	if err := compareClone(ctx, mconn, m.db.Target.Username, m.db.Target.Clone()); err != nil {
		return redacted([]string{pend.Password, cur.Password, masterPW}, "the clone user does not have exactly the base user's privileges", err)
	}
	return nil
}

// compareClone reports how clone differs from base.
func compareClone(ctx context.Context, conn *sql.Conn, base, clone string) error {
	bh, err := accountHosts(ctx, conn, base)
	if err != nil {
		return err
	}
	ch, err := accountHosts(ctx, conn, clone)
	if err != nil {
		return err
	}
	if !slices.Equal(bh, ch) {
		return fmt.Errorf("the base user has accounts on %d hosts and the clone on %d other or different hosts; drop the clone's extra accounts", len(bh), len(ch))
	}
	var errs []error
	for _, host := range bh {
		acct := account(clone, host)
		want, err := grantsFor(ctx, conn, base, host, acct)
		if err != nil {
			return err
		}
		have, err := grantsFor(ctx, conn, clone, host, acct)
		if err != nil {
			return err
		}
		if !slices.Equal(want, have) {
			errs = append(errs, fmt.Errorf("on one host, the clone's grants differ from the base user's (%d against %d grant statements)", len(have), len(want)))
		}
		bo, err := readOptions(ctx, conn, base, host)
		if err != nil {
			return err
		}
		co, err := readOptions(ctx, conn, clone, host)
		if err != nil {
			return err
		}
		if !bo.equal(co) {
			errs = append(errs, errors.New("on one host, the clone's REQUIRE or resource limits differ from the base user's"))
		}
	}
	return errors.Join(errs...)
}

// connect logs in to d's host, port and dbname as user/password, with TLS
// at least as strict as the pinned configuration asks, and pins
// one connection, so session settings read later apply to the statements
// run on it.
func (m *myStrategy) connect(ctx context.Context, d *strategy.DBSecret, user, password string) (*sql.DB, *sql.Conn, error) {
	d = m.db.ConnTarget(d)
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = user, password
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(d.Host, strconv.Itoa(d.PortOr(defaultPort)))
	cfg.DBName = d.DBName
	cfg.Timeout = connectTimeout
	cfg.ReadTimeout, cfg.WriteTimeout = ioTimeout, ioTimeout
	// Statements never carry two commands, and parameters are sent by the
	// server-side prepared-statement protocol, never interpolated here.
	cfg.MultiStatements = false
	cfg.InterpolateParams = false
	tlsCfg, err := m.db.TLSConfig(d.SSL, d.Host)
	if err != nil {
		return nil, nil, err
	}
	cfg.TLS = tlsCfg
	cfg.AllowFallbackToPlaintext = false
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, errors.New("invalid connection settings in the secret (host, port, dbname or ssl)")
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
		if err != nil {
			_ = conn.Close()
		}
	}
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, conn, nil
}

func closeAll(db *sql.DB, conn *sql.Conn) {
	_ = conn.Close()
	_ = db.Close()
}

// tryNextForm reports errors that mean "this server wants another form of
// the password change": ER_PARSE_ERROR (1064), ER_SPECIFIC_ACCESS_DENIED
// (1227) and ER_SP_DOES_NOT_EXIST (1305, no PASSWORD() function).
func tryNextForm(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1064 || me.Number == 1227 || me.Number == 1305)
}

// redacted wraps err under msg with every secret removed from its text.
// The result does not wrap err: its text could hold a secret.
func redacted(secrets []string, msg string, err error) error {
	return fmt.Errorf("%s: %s", msg, strategy.Redact(err.Error(), secrets...))
}
