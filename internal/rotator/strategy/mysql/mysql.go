// Package mysql holds the MySQL and MariaDB rotation strategies:
// single-user (the user changes its own password) and alternating users
// (the master user flips the secret between <user> and <user>_clone,
// copying the current user's grants to the other one).
package mysql

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

var _ strategy.Strategy = (*myStrategy)(nil)

// connectTimeout bounds each login attempt, so an unreachable database
// fails the step long before the Lambda timeout.
const connectTimeout = 5 * time.Second

// ioTimeout bounds each read or write on an open connection.
const ioTimeout = 30 * time.Second

// defaultPort applies when the secret has no port.
const defaultPort = 3306

// maxUsernameLength is MariaDB's limit (MySQL's is 32; its server reports
// that one itself).
const maxUsernameLength = 80

// engines are the "engine" values this strategy accepts.
var engines = strategy.MySQLEngines

type myStrategy struct{ alternating bool }

// SingleUser returns the mysql_single_user strategy (MySQL and MariaDB):
// the user logs in (with the current password, else the previous one) and
// changes its own password.
func SingleUser() strategy.Strategy { return &myStrategy{} }

// AlternatingUsers returns the mysql_alternating_users strategy: the master
// user (secret "masterarn") creates <user>_clone on every host the current
// user has, or changes the password of whichever of the two the rotation
// flips to, and copies the current user's grants to it.
func AlternatingUsers() strategy.Strategy { return &myStrategy{alternating: true} }

// NewPending keeps every key of current and sets the new password; the
// alternating strategy also swaps the username.
func (m *myStrategy) NewPending(_ context.Context, current, newPassword string) (string, error) {
	return strategy.NewDBPending(current, newPassword, engines, m.alternating, func(u string) error {
		if len([]rune(u)) > maxUsernameLength {
			return fmt.Errorf("key %q is longer than %d characters", strategy.KeyUsername, maxUsernameLength)
		}
		return nil
	})
}

// Set makes the database accept the pending credential.
func (m *myStrategy) Set(ctx context.Context, s strategy.Step) error {
	st, err := strategy.ParseSetStep(s, engines, defaultPort, m.alternating)
	if err != nil {
		return err
	}
	pend := st.Pending
	// Idempotency: a pending credential that already works is done.
	if db, conn, err := connect(ctx, pend, pend.Username, pend.Password); err == nil {
		closeAll(db, conn)
		return nil
	}
	if m.alternating {
		return setAlternating(ctx, s, st)
	}
	return setSingle(ctx, st)
}

func setSingle(ctx context.Context, st strategy.DBStep) error {
	cur, pend, prev := st.Current, st.Pending, st.Previous
	db, conn, err := connect(ctx, cur, cur.Username, cur.Password)
	if err != nil {
		curErr := err
		if prev == nil || prev.Username != cur.Username || len(strategy.SameTarget(cur, prev, defaultPort)) > 0 {
			return redacted(st.Passwords(), "neither AWSPENDING nor AWSCURRENT logs in (no usable AWSPREVIOUS)", curErr)
		}
		if db, conn, err = connect(ctx, prev, prev.Username, prev.Password); err != nil {
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

func setAlternating(ctx context.Context, s strategy.Step, st strategy.DBStep) error {
	cur, pend := st.Current, st.Pending
	master, err := strategy.ReadMaster(ctx, s, cur, defaultPort)
	if err != nil {
		return err
	}
	secrets := append(st.Passwords(), master.Password)
	target := cur.Clone()
	target.DBName = "" // account management needs no default database
	if master.SSL != strategy.TLSUnset {
		target.SSL = master.SSL
	}
	db, conn, err := connect(ctx, target, master.Username, master.Password)
	if err != nil {
		return redacted(secrets, "logging in with the master secret", err)
	}
	defer closeAll(db, conn)
	q, err := newQuoter(ctx, conn)
	if err != nil {
		return redacted(secrets, "reading the session's sql_mode", err)
	}
	lit, err := q.literal(pend.Password)
	if err != nil {
		return err
	}
	hosts, err := accountHosts(ctx, conn, cur.Username)
	if err != nil {
		return redacted(secrets, "looking up AWSCURRENT's user", err)
	}
	if len(hosts) == 0 {
		return errors.New("AWSCURRENT's user does not exist on the server")
	}
	for _, host := range hosts {
		pendAcct := account(pend.Username, host)
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = ?", pend.Username, host).Scan(&n); err != nil {
			return redacted(secrets, "looking up the pending user", err)
		}
		verb := "ALTER"
		if n == 0 {
			verb = "CREATE"
		}
		if _, err := conn.ExecContext(ctx, verb+" USER "+pendAcct+" IDENTIFIED BY "+lit); err != nil {
			return redacted(secrets, "setting the pending user's password", err)
		}
		if err := copyGrants(ctx, conn, cur.Username, pend.Username, host); err != nil {
			return redacted(secrets, "copying grants to the pending user", err)
		}
	}
	return nil
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

// copyGrants replays SHOW GRANTS of from@host onto to@host. GRANT is
// additive and idempotent, so a retry converges.
func copyGrants(ctx context.Context, conn *sql.Conn, from, to, host string) error {
	rows, err := conn.QueryContext(ctx, "SHOW GRANTS FOR "+account(from, host))
	if err != nil {
		return err
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, l := range lines {
		stmt, ok, err := rewriteGrant(l, from, host, account(to, host))
		if err != nil {
			return fmt.Errorf("grant %d: %w", i+1, err)
		}
		if !ok {
			continue
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("grant %d: %w", i+1, err)
		}
	}
	return nil
}

// Test logs in with the pending credential and runs a trivial query.
func (m *myStrategy) Test(ctx context.Context, s strategy.Step) error {
	pend, err := strategy.ParseDBSecret(s.Pending)
	if err != nil {
		return fmt.Errorf("AWSPENDING: %w", err)
	}
	if err := pend.CheckEngine(engines...); err != nil {
		return err
	}
	db, conn, err := connect(ctx, pend, pend.Username, pend.Password)
	if err != nil {
		return redacted([]string{pend.Password}, "logging in with AWSPENDING", err)
	}
	defer closeAll(db, conn)
	var one int
	if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return redacted([]string{pend.Password}, "querying with AWSPENDING", err)
	}
	return nil
}

// tlsConfig maps the secret's "ssl" key to the driver's TLS settings.
// Without the key the connection uses TLS when the server offers it and
// plain text otherwise, as AWS's templates do.
func tlsConfig(cfg *mysql.Config, mode strategy.TLSMode, host string) {
	switch mode {
	case strategy.TLSUnset:
		cfg.TLS = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // sslmode=prefer semantics: opportunistic encryption
		cfg.AllowFallbackToPlaintext = true
	case strategy.TLSDisable:
		cfg.TLS = nil
	case strategy.TLSRequire:
		cfg.TLS = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // sslmode=require semantics: encrypted, not verified
	case strategy.TLSVerifyCA:
		cfg.TLS = &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // the chain is verified below, without the host name
			MinVersion:         tls.VersionTLS12,
			VerifyConnection:   verifyChainOnly,
		}
	case strategy.TLSVerifyFull:
		cfg.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
}

// verifyChainOnly checks the server certificate against the system roots
// without checking its name (sslmode=verify-ca).
func verifyChainOnly(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Intermediates: inter})
	return err
}

// connect logs in to d's host, port and dbname as user/password and pins
// one connection, so session settings read later apply to the statements
// run on it.
func connect(ctx context.Context, d *strategy.DBSecret, user, password string) (*sql.DB, *sql.Conn, error) {
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
	tlsConfig(cfg, d.SSL, d.Host)
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
