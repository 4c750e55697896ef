// Package postgres holds the PostgreSQL rotation strategies: single-user
// (the user changes its own password) and alternating users (the master
// user flips the secret between <user> and <user>_clone).
//
// Passwords never travel in clear text to the server when it can avoid
// it: for PostgreSQL 10 and later and an ASCII password, the strategy
// computes the SCRAM-SHA-256 verifier itself (as psql's \password does),
// so the plain password never reaches the server's statement log.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

var _ strategy.Strategy = (*pgStrategy)(nil)

// connectTimeout bounds each login attempt, so an unreachable database
// fails the step long before the Lambda timeout.
const connectTimeout = 5 * time.Second

// defaultPort and defaultDB apply when the secret has no port or dbname,
// as in AWS's templates.
const (
	defaultPort = 5432
	defaultDB   = "postgres"
)

// maxIdentifierLength is NAMEDATALEN-1: PostgreSQL silently truncates
// longer role names, which would make the clone a different role.
const maxIdentifierLength = 63

// engines are the "engine" values this strategy accepts.
var engines = strategy.PostgreSQLEngines

type pgStrategy struct{ alternating bool }

// SingleUser returns the postgresql_single_user strategy: the user logs in
// (with the current password, else the previous one) and changes its own
// password.
func SingleUser() strategy.Strategy { return &pgStrategy{} }

// AlternatingUsers returns the postgresql_alternating_users strategy: the
// master user (secret "masterarn") creates <user>_clone as a member of
// <user>, so it inherits every privilege, or changes the password of
// whichever of the two the rotation flips to.
func AlternatingUsers() strategy.Strategy { return &pgStrategy{alternating: true} }

// NewPending keeps every key of current and sets the new password; the
// alternating strategy also swaps the username.
func (p *pgStrategy) NewPending(_ context.Context, current, newPassword string) (string, error) {
	return strategy.NewDBPending(current, newPassword, engines, p.alternating, func(u string) error {
		if len(u) > maxIdentifierLength {
			return fmt.Errorf("key %q is longer than PostgreSQL's %d-byte limit", strategy.KeyUsername, maxIdentifierLength)
		}
		return nil
	})
}

// Set makes the database accept the pending credential.
func (p *pgStrategy) Set(ctx context.Context, s strategy.Step) error {
	st, err := strategy.ParseSetStep(s, engines, defaultPort, p.alternating)
	if err != nil {
		return err
	}
	pend := st.Pending
	// Idempotency: a pending credential that already works is done.
	if conn, err := connect(ctx, pend, pend.Username, pend.Password); err == nil {
		_ = conn.Close(ctx)
		return nil
	}
	if p.alternating {
		return setAlternating(ctx, s, st)
	}
	return setSingle(ctx, st)
}

func setSingle(ctx context.Context, st strategy.DBStep) error {
	cur, pend, prev := st.Current, st.Pending, st.Previous
	conn, err := connect(ctx, cur, cur.Username, cur.Password)
	if err != nil {
		curErr := err
		if prev == nil || prev.Username != cur.Username || len(strategy.SameTarget(cur, prev, defaultPort)) > 0 {
			return redacted(st.Passwords(), "neither AWSPENDING nor AWSCURRENT logs in (no usable AWSPREVIOUS)", curErr)
		}
		if conn, err = connect(ctx, prev, prev.Username, prev.Password); err != nil {
			return redacted(st.Passwords(), "none of AWSPENDING, AWSCURRENT and AWSPREVIOUS logs in", errors.Join(curErr, err))
		}
	}
	defer conn.Close(context.WithoutCancel(ctx))
	stmt, err := alterPassword(conn, pend.Username, pend.Password)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
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
	// The master logs in to the user's database: grants are per database.
	target := cur.Clone()
	if master.SSL != strategy.TLSUnset {
		target.SSL = master.SSL
	}
	conn, err := connect(ctx, target, master.Username, master.Password)
	if err != nil {
		return redacted(secrets, "logging in with the master secret", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", pend.Username).Scan(&exists); err != nil {
		return redacted(secrets, "looking up the pending user", err)
	}
	setPW, err := alterPassword(conn, pend.Username, pend.Password)
	if err != nil {
		return err
	}
	if exists {
		if _, err := conn.Exec(ctx, setPW); err != nil {
			return redacted(secrets, "changing the pending user's password", err)
		}
		return nil
	}
	// A new user is created as a member of the current user, inheriting
	// every privilege the current user has now or gets later, the way AWS's
	// multi-user template does it. Copying each privilege instead would miss
	// future grants, default privileges and ownership. Role attributes are
	// not inherited, so the ones a CREATEROLE master may set are copied.
	// Create and grant commit together: a retry never finds a clone
	// without its privileges.
	var createDB, createRole bool
	var connLimit int
	if err := conn.QueryRow(ctx, "SELECT rolcreatedb, rolcreaterole, rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = $1",
		cur.Username).Scan(&createDB, &createRole, &connLimit); err != nil {
		return redacted(secrets, "reading AWSCURRENT's role (does the user exist?)", err)
	}
	create := "CREATE ROLE " + pgx.Identifier{pend.Username}.Sanitize() + " WITH LOGIN INHERIT CONNECTION LIMIT " + strconv.Itoa(connLimit)
	if createDB {
		create += " CREATEDB"
	}
	if createRole {
		create += " CREATEROLE"
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, create); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, setPW); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "GRANT "+pgx.Identifier{cur.Username}.Sanitize()+" TO "+pgx.Identifier{pend.Username}.Sanitize())
		return err
	})
	if err != nil {
		return redacted(secrets, "creating the pending user", err)
	}
	return nil
}

// Test logs in with the pending credential and runs a trivial query.
func (p *pgStrategy) Test(ctx context.Context, s strategy.Step) error {
	pend, err := strategy.ParseDBSecret(s.Pending)
	if err != nil {
		return fmt.Errorf("AWSPENDING: %w", err)
	}
	if err := pend.CheckEngine(engines...); err != nil {
		return err
	}
	conn, err := connect(ctx, pend, pend.Username, pend.Password)
	if err != nil {
		return redacted([]string{pend.Password}, "logging in with AWSPENDING", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return redacted([]string{pend.Password}, "querying with AWSPENDING", err)
	}
	return nil
}

// sslModes maps the secret's "ssl" key to libpq's sslmode. Without the key
// the connection tries TLS and falls back to plain text, as AWS's
// templates do.
var sslModes = map[strategy.TLSMode]string{
	strategy.TLSUnset:      "prefer",
	strategy.TLSDisable:    "disable",
	strategy.TLSRequire:    "require",
	strategy.TLSVerifyCA:   "verify-ca",
	strategy.TLSVerifyFull: "verify-full",
}

// connect logs in to d's host, port and dbname as user/password.
func connect(ctx context.Context, d *strategy.DBSecret, user, password string) (*pgx.Conn, error) {
	db := d.DBName
	if db == "" {
		db = defaultDB
	}
	u := url.URL{
		Scheme: "postgres",
		Host:   net.JoinHostPort(d.Host, strconv.Itoa(d.PortOr(defaultPort))),
		Path:   "/" + db,
		RawQuery: url.Values{
			"sslmode":          {sslModes[d.SSL]},
			"connect_timeout":  {strconv.Itoa(int(connectTimeout / time.Second))},
			"application_name": {"rotator"},
		}.Encode(),
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, errors.New("invalid connection settings in the secret (host, port or dbname)")
	}
	// Credentials are set here, not in the URL, so no parse error can echo them.
	cfg.User, cfg.Password = user, password
	cfg.ConnectTimeout = connectTimeout
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

// redacted wraps err under msg with every secret removed from its text.
// The result does not wrap err: its text could hold a secret.
func redacted(secrets []string, msg string, err error) error {
	return fmt.Errorf("%s: %s", msg, strategy.Redact(err.Error(), secrets...))
}
