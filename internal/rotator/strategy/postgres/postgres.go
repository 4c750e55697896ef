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
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

var _ strategy.Strategy = (*pgStrategy)(nil)

// connectTimeout bounds each login attempt, so an unreachable database
// fails the step long before the Lambda timeout.
const connectTimeout = 5 * time.Second

// defaultPort and defaultDB apply when the secret has no port or dbname,
// as in AWS's templates.
const (
	defaultPort = config.PostgreSQLDefaultPort
	defaultDB   = "postgres"
)

// engines are the "engine" values this strategy accepts.
var engines = config.PostgreSQLEngines

type pgStrategy struct {
	db          strategy.DB
	name        string
	alternating bool
}

// SingleUser returns the postgresql_single_user strategy: the user logs in
// (with the current password, else the previous one) and changes its own
// password. db pins the user and server it may touch.
func SingleUser(db strategy.DB) strategy.Strategy {
	return &pgStrategy{db: db, name: config.StrategyPostgreSQLSingleUser}
}

// AlternatingUsers returns the postgresql_alternating_users strategy: the
// master user (the pinned master secret) creates <user>_clone as a member
// of <user>, so it inherits every privilege, or changes the password of
// whichever of the two the rotation flips to. The base user is the source
// of truth: the clone never has privileges of its own.
func AlternatingUsers(db strategy.DB) strategy.Strategy {
	return &pgStrategy{db: db, name: config.StrategyPostgreSQLAlternatingUsers, alternating: true}
}

// NewPending keeps every key of current and sets the new password; the
// alternating strategy also swaps the username.
func (p *pgStrategy) NewPending(_ context.Context, current, newPassword string) (string, error) {
	return p.db.NewDBPending(current, newPassword, p.name, defaultPort)
}

// Set makes the database accept the pending credential.
func (p *pgStrategy) Set(ctx context.Context, s strategy.Step) error {
	st, err := p.db.ParseSetStep(s, engines, defaultPort, p.alternating)
	if err != nil {
		return err
	}
	if p.alternating {
		return p.setAlternating(ctx, s, st)
	}
	// Single user: a pending credential that already works is done.
	pend := st.Pending
	if conn, err := p.connect(ctx, pend, pend.Username, pend.Password); err == nil {
		_ = conn.Close(ctx)
		return nil
	}
	return p.setSingle(ctx, st)
}

func (p *pgStrategy) setSingle(ctx context.Context, st strategy.DBStep) error {
	cur, pend, prev := st.Current, st.Pending, st.Previous
	conn, err := p.connect(ctx, cur, cur.Username, cur.Password)
	if err != nil {
		curErr := err
		if prev == nil || prev.Username != cur.Username {
			return redacted(st.Passwords(), "neither AWSPENDING nor AWSCURRENT logs in (no usable AWSPREVIOUS)"+strategy.TLSHint(p.db.ConnTarget(cur).SSL, err), curErr)
		}
		if conn, err = p.connect(ctx, prev, prev.Username, prev.Password); err != nil {
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

// loginCurrent proves AWSCURRENT is a real credential before the master
// credential is used on its behalf (AWS's multi-user templates do the
// same "to protect against a confused deputy attack"). Only the first
// rotation of a freshly created secret may skip it: the provider generated
// that value and the database never saw it.
func (p *pgStrategy) loginCurrent(ctx context.Context, s strategy.Step, st strategy.DBStep) error {
	cur := st.Current
	conn, err := p.connect(ctx, cur, cur.Username, cur.Password)
	if err == nil {
		_ = conn.Close(ctx)
		return nil
	}
	if s.FirstRotation && cur.Username == p.db.Target.Username {
		return nil
	}
	return redacted(st.Passwords(), "AWSCURRENT does not log in, so the master credential is not used on its behalf "+
		"(if the database user's password was changed outside the rotation, write it with initial_value_wo and a new initial_value_wo_version)", err)
}

func (p *pgStrategy) setAlternating(ctx context.Context, s strategy.Step, st strategy.DBStep) error {
	if err := p.loginCurrent(ctx, s, st); err != nil {
		return err
	}
	master, err := p.db.ReadMaster(ctx, s, st.Current, defaultPort)
	if err != nil {
		return err
	}
	secrets := append(st.Passwords(), master.Password)
	// The master logs in to the pinned database: grants are per database.
	conn, err := p.connect(ctx, master, master.Username, master.Password)
	if err != nil {
		return redacted(secrets, "logging in with the master secret"+strategy.TLSHint(master.SSL, err), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	base, clone, pend := p.db.Target.Username, p.db.Target.Clone(), st.Pending
	setPW, err := alterPassword(conn, pend.Username, pend.Password)
	if err != nil {
		return err
	}
	if pend.Username == base {
		if _, err := conn.Exec(ctx, setPW); err != nil {
			return redacted(secrets, "changing the base user's password", err)
		}
		return nil
	}
	// The clone is (re)made on every run, in one transaction: it exists,
	// logs in with the pending password, has the base user's copyable
	// attributes, is a member of the base user (inheriting every privilege
	// it has now or gets later, and losing every one revoked from it) and
	// of no other role.
	baseAttrs, err := readAttrs(ctx, conn, base)
	if err != nil {
		return redacted(secrets, "reading the base user's role (does it exist?)", err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", clone).Scan(&exists); err != nil {
			return err
		}
		q := pgx.Identifier{clone}.Sanitize()
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE ROLE "+q+" WITH LOGIN INHERIT"); err != nil {
				return err
			}
		}
		cloneAttrs, err := readAttrs(ctx, tx, clone)
		if err != nil {
			return err
		}
		if alter := cloneAttrs.alterTo(baseAttrs); alter != "" {
			if _, err := tx.Exec(ctx, "ALTER ROLE "+q+" WITH"+alter); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, setPW); err != nil {
			return err
		}
		others, err := memberships(ctx, tx, clone)
		if err != nil {
			return err
		}
		if !slices.Contains(others, base) {
			if _, err := tx.Exec(ctx, "GRANT "+pgx.Identifier{base}.Sanitize()+" TO "+q); err != nil {
				return err
			}
		}
		for _, r := range others {
			if r != base {
				if _, err := tx.Exec(ctx, "REVOKE "+pgx.Identifier{r}.Sanitize()+" FROM "+q); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return redacted(secrets, "creating or updating the clone user", err)
	}
	return nil
}

// roleAttrs are the attributes compared between base and clone.
type roleAttrs struct {
	Login, Inherit, CreateDB, CreateRole, Super, Replication, BypassRLS bool
	ConnLimit                                                           int
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readAttrs(ctx context.Context, q querier, role string) (roleAttrs, error) {
	var a roleAttrs
	err := q.QueryRow(ctx, `SELECT rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolreplication, rolbypassrls, rolconnlimit
		FROM pg_catalog.pg_roles WHERE rolname = $1`, role).
		Scan(&a.Login, &a.Inherit, &a.CreateDB, &a.CreateRole, &a.Super, &a.Replication, &a.BypassRLS, &a.ConnLimit)
	return a, err
}

// alterTo returns the ALTER ROLE options that give the clone (a) the
// base's (b) copyable attributes, always LOGIN and INHERIT; "" when none
// differ. SUPERUSER, REPLICATION and BYPASSRLS are only dropped, never
// granted: a master that may grant them would be a superuser, and
// testSecret refuses a clone that differs from its base in them.
func (a roleAttrs) alterTo(b roleAttrs) string {
	out := ""
	flag := func(have, want bool, on, off string) {
		if have != want {
			if want {
				out += " " + on
			} else {
				out += " " + off
			}
		}
	}
	flag(a.Login, true, "LOGIN", "NOLOGIN")
	flag(a.Inherit, true, "INHERIT", "NOINHERIT")
	flag(a.CreateDB, b.CreateDB, "CREATEDB", "NOCREATEDB")
	flag(a.CreateRole, b.CreateRole, "CREATEROLE", "NOCREATEROLE")
	if a.Super && !b.Super {
		out += " NOSUPERUSER"
	}
	if a.Replication && !b.Replication {
		out += " NOREPLICATION"
	}
	if a.BypassRLS && !b.BypassRLS {
		out += " NOBYPASSRLS"
	}
	if a.ConnLimit != b.ConnLimit {
		out += " CONNECTION LIMIT " + strconv.Itoa(b.ConnLimit)
	}
	return out
}

// memberships lists the roles role is a direct member of.
func memberships(ctx context.Context, q querier, role string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT r.rolname FROM pg_catalog.pg_auth_members m
		JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
		JOIN pg_catalog.pg_roles u ON u.oid = m.member
		WHERE u.rolname = $1 ORDER BY 1`, role)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ownPrivilegesQuery counts what a role holds in its own name in the
// current database: ownership of relations, and ACL entries on databases,
// schemas, relations, columns and functions. A clone must hold none, or
// a REVOKE from the base user would leave it in place.
const ownPrivilegesQuery = `WITH r AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)
SELECT (SELECT count(*) FROM pg_catalog.pg_class c, r WHERE c.relowner = r.oid)
     + (SELECT count(*) FROM pg_catalog.pg_class c, aclexplode(c.relacl) a, r WHERE a.grantee = r.oid)
     + (SELECT count(*) FROM pg_catalog.pg_attribute t, aclexplode(t.attacl) a, r WHERE a.grantee = r.oid)
     + (SELECT count(*) FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a, r WHERE a.grantee = r.oid)
     + (SELECT count(*) FROM pg_catalog.pg_proc p, aclexplode(p.proacl) a, r WHERE a.grantee = r.oid)
     + (SELECT count(*) FROM pg_catalog.pg_database d, aclexplode(d.datacl) a, r WHERE a.grantee = r.oid)`

// Test logs in with the pending credential and runs a query. When the
// pending user is the clone, the master also checks that the clone has
// exactly the base user's privileges: member of the base user (inheriting
// it) and of nothing else, the same attributes, nothing in its own name.
func (p *pgStrategy) Test(ctx context.Context, s strategy.Step) error {
	pend, err := p.db.ParseTestStep(s, engines, defaultPort, p.alternating)
	if err != nil {
		return err
	}
	conn, err := p.connect(ctx, pend, pend.Username, pend.Password)
	if err != nil {
		return redacted([]string{pend.Password}, "logging in with AWSPENDING"+strategy.TLSHint(p.db.ConnTarget(pend).SSL, err), err)
	}
	var one int
	err = conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	_ = conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return redacted([]string{pend.Password}, "querying with AWSPENDING", err)
	}
	if !p.alternating || pend.Username != p.db.Target.Clone() {
		return nil
	}
	cur, err := strategy.ParseDBSecret(s.Current)
	if err != nil {
		return fmt.Errorf("AWSCURRENT: %w", err)
	}
	master, err := p.db.ReadMaster(ctx, s, cur, defaultPort)
	if err != nil {
		return err
	}
	secrets := []string{pend.Password, cur.Password, master.Password}
	mc, err := p.connect(ctx, master, master.Username, master.Password)
	if err != nil {
		return redacted(secrets, "logging in with the master secret to compare the users"+strategy.TLSHint(master.SSL, err), err)
	}
	defer mc.Close(context.WithoutCancel(ctx))
	if err := compareClone(ctx, mc, p.db.Target.Username, p.db.Target.Clone()); err != nil {
		return redacted(secrets, "the clone user does not have exactly the base user's privileges", err)
	}
	return nil
}

// compareClone reports how clone differs from what it must be.
func compareClone(ctx context.Context, q querier, base, clone string) error {
	b, err := readAttrs(ctx, q, base)
	if err != nil {
		return fmt.Errorf("reading the base user: %w", err)
	}
	c, err := readAttrs(ctx, q, clone)
	if err != nil {
		return fmt.Errorf("reading the clone user: %w", err)
	}
	var errs []error
	want := b
	want.Login, want.Inherit = true, true
	if c != want {
		errs = append(errs, errors.New("its role attributes (LOGIN, INHERIT, CREATEDB, CREATEROLE, SUPERUSER, REPLICATION, BYPASSRLS, CONNECTION LIMIT) differ"))
	}
	m, err := memberships(ctx, q, clone)
	if err != nil {
		return err
	}
	if !slices.Equal(m, []string{base}) {
		errs = append(errs, fmt.Errorf("it is a member of %d roles; it must be a member of the base user only", len(m)))
	}
	var inherits bool
	if err := q.QueryRow(ctx, "SELECT pg_catalog.pg_has_role($1, $2, 'USAGE')", clone, base).Scan(&inherits); err != nil {
		return err
	}
	if !inherits {
		errs = append(errs, errors.New("it does not inherit the base user's privileges"))
	}
	var own int
	if err := q.QueryRow(ctx, ownPrivilegesQuery, clone).Scan(&own); err != nil {
		return err
	}
	if own > 0 {
		errs = append(errs, fmt.Errorf("it holds %d privileges or objects in its own name, which a REVOKE from the base user would not remove: grant to the base user only, and revoke them from the clone", own))
	}
	return errors.Join(errs...)
}

// connect logs in to d's host, port and dbname as user/password, with TLS
// at least as strict as the pinned configuration asks.
func (p *pgStrategy) connect(ctx context.Context, d *strategy.DBSecret, user, password string) (*pgx.Conn, error) {
	d = p.db.ConnTarget(d)
	db := d.DBName
	if db == "" {
		db = defaultDB
	}
	u := url.URL{
		Scheme: "postgres",
		Host:   net.JoinHostPort(d.Host, strconv.Itoa(d.PortOr(defaultPort))),
		Path:   "/" + db,
		RawQuery: url.Values{
			// TLS is configured below; "disable" only keeps pgx from
			// building its own TLS settings and plain-text fallbacks.
			"sslmode":          {"disable"},
			"connect_timeout":  {strconv.Itoa(int(connectTimeout / time.Second))},
			"application_name": {"rotator"},
		}.Encode(),
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, errors.New("invalid connection settings in the secret (host, port or dbname)")
	}
	tlsCfg, err := p.db.TLSConfig(d.SSL, d.Host)
	if err != nil {
		return nil, err
	}
	cfg.TLSConfig = tlsCfg
	cfg.Fallbacks = nil
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
