package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/dbtest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testdb.CloseShared()
	os.Exit(code)
}

// Hostile values: each contains ', ", \, ; and spaces, and would drop
// table t if it reached the SQL text unquoted.
const (
	hostileUser     = `a'b"c\d; DROP TABLE t;--`
	hostilePassword = `p'w"x\y; DROP TABLE t;-- `
	unicodePassword = "pä'ss\"\\ ; DROP TABLE t;--`"
)

const masterARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf"

// fixture is one test's database and user on the shared server.
type fixture struct {
	srv  *testdb.Server
	db   string
	user string
}

// newFixture creates a database holding table t (readable, not writable,
// by user) and the account user@'%'. Names and passwords are quoted by the
// server's QUOTE(), independently of the code under test.
func newFixture(t *testing.T, user, password string) fixture {
	t.Helper()
	srv := testdb.SharedMariaDB(t)
	f := fixture{srv: srv, db: dbtest.Uniq("db_"), user: user}
	srv.MustExec(t, "", "CREATE DATABASE "+f.db)
	srv.MustExec(t, f.db, "CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)")
	f.admin(t, "SELECT CONCAT('CREATE USER ', QUOTE(?), '@''%'' IDENTIFIED BY ', QUOTE(?))", user, password)
	f.admin(t, "SELECT CONCAT('GRANT SELECT ON "+f.db+".t TO ', QUOTE(?), '@''%''')", user)
	return f
}

// admin runs the statement that query (run with args) returns, as admin.
func (f fixture) admin(t *testing.T, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("mysql", f.srv.AdminDSN(f.db))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stmt string
	if err := db.QueryRow(query, args...).Scan(&stmt); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) secret(user, password string, master bool) string {
	arn := ""
	if master {
		arn = masterARN
	}
	return f.srv.SecretJSON(user, password, f.db, arn)
}

// masterFake stands in for the rotator's read of the master secret.
func (f fixture) masterFake(calls *int) func(context.Context, string) (string, error) {
	return func(_ context.Context, arn string) (string, error) {
		if calls != nil {
			*calls++
		}
		if arn != masterARN {
			return "", errors.New("unknown master secret")
		}
		return f.srv.SecretJSON(f.srv.AdminUser, f.srv.AdminPassword, "", ""), nil
	}
}

// login connects as user/password to the fixture's database.
func (f fixture) login(t *testing.T, user, password string) (*sql.Conn, error) {
	t.Helper()
	cfg, err := mysql.ParseDSN(f.srv.AdminDSN(f.db))
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Passwd = user, password
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err == nil {
		t.Cleanup(func() { conn.Close() })
	}
	return conn, err
}

func (f fixture) mustLogin(t *testing.T, who, user, password string) *sql.Conn {
	t.Helper()
	conn, err := f.login(t, user, password)
	if err != nil {
		t.Fatalf("%s: cannot log in: %v", who, err)
	}
	return conn
}

func (f fixture) mustNotLogin(t *testing.T, who, user, password string) {
	t.Helper()
	if _, err := f.login(t, user, password); err == nil {
		t.Fatalf("%s still logs in", who)
	}
}

// checkGrants proves the user can read t and cannot write it, and that t
// survived.
func (f fixture) checkGrants(t *testing.T, who string, conn *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
		t.Fatalf("%s cannot SELECT from t: %v", who, err)
	}
	if n != 1 {
		t.Fatalf("%s sees %d rows in t, want 1", who, n)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (2)"); err == nil {
		t.Fatalf("%s can INSERT into t, which the original user could not", who)
	}
	if _, err := conn.ExecContext(ctx, "CREATE USER should_not_exist"); err == nil {
		t.Fatalf("%s can create users", who)
	}
}

var credentialCases = []struct {
	name     string
	user     string
	password string
	next     string
}{
	{"plain", "app", "initial-password-1", "Next-Password-2"},
	{"hostile username", hostileUser, "initial-password-1", "Next-Password-2"},
	{"hostile password", "app", hostilePassword, hostilePassword + "2"},
	{"hostile non-ASCII password", "app", unicodePassword, unicodePassword + "2"},
	{"hostile both", hostileUser, hostilePassword, unicodePassword},
}

func TestSingleUserRotation(t *testing.T) {
	t.Parallel()
	for _, tc := range credentialCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user := tc.user + dbtest.Uniq("_")
			f := newFixture(t, user, tc.password)
			step := dbtest.Rotate(t, dbtest.Lazy(SingleUser), strategy.Step{Current: f.secret(user, tc.password, false)}, tc.next)

			if got := dbtest.Username(t, step.Pending); got != user {
				t.Errorf("pending username changed: got %q, want %q", got, user)
			}
			f.checkGrants(t, "rotated user", f.mustLogin(t, "new credential", user, tc.next))
			f.mustNotLogin(t, "old credential", user, tc.password)
		})
	}
}

func TestSingleUserFallsBackToPrevious(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "works-previous")
	step := strategy.Step{
		Current:  f.secret(f.user, "never-applied-current", false),
		Previous: f.secret(f.user, "works-previous", false),
	}
	dbtest.Rotate(t, dbtest.Lazy(SingleUser), step, "new-after-fallback")
	f.mustLogin(t, "new credential", f.user, "new-after-fallback")
	f.mustNotLogin(t, "previous credential", f.user, "works-previous")
}

func TestSetFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "the-real-password")
	other := newFixture(t, dbtest.Uniq("other_"), "other-password")
	secrets := []string{"the-real-password", "wrong-current", "wrong-previous", "pending-password", "other-password", f.srv.AdminPassword}
	for _, tc := range []struct {
		name string
		rot  strategy.Strategy
		step strategy.Step
		want string
	}{
		{
			name: "nothing logs in",
			rot:  dbtest.Lazy(SingleUser),
			step: strategy.Step{
				Current:  f.secret(f.user, "wrong-current", false),
				Previous: f.secret(f.user, "wrong-previous", false),
				Pending:  f.secret(f.user, "pending-password", false),
			},
			want: "none of AWSPENDING, AWSCURRENT and AWSPREVIOUS logs in",
		},
		{
			name: "pending names another user",
			rot:  dbtest.Lazy(SingleUser),
			step: strategy.Step{
				Current: f.secret(f.user, "the-real-password", false),
				Pending: f.secret(other.user, "pending-password", false),
			},
			want: `refusing AWSPENDING: its "username" differ`,
		},
		{
			name: "pending names another database",
			rot:  dbtest.Lazy(SingleUser),
			step: strategy.Step{
				Current: f.secret(f.user, "the-real-password", false),
				Pending: other.secret(f.user, "pending-password", false),
			},
			want: `refusing AWSPENDING: its "dbname" differ`,
		},
		{
			name: "alternating pending is not the clone",
			rot:  dbtest.Lazy(AlternatingUsers),
			step: strategy.Step{
				Current: f.secret(f.user, "the-real-password", true),
				Pending: f.secret(other.user, "pending-password", true),
				Master:  f.masterFake(nil),
			},
			want: `refusing AWSPENDING: its "username" differ`,
		},
		{
			name: "master secret for another host",
			rot:  dbtest.Lazy(AlternatingUsers),
			step: strategy.Step{
				Current: f.secret(f.user, "the-real-password", true),
				Pending: f.secret(f.user+"_clone", "pending-password", true),
				Master: func(context.Context, string) (string, error) {
					return `{"host":"db.attacker.example","username":"master","password":"` + f.srv.AdminPassword + `"}`, nil
				},
			},
			want: `refusing the master secret: its "host" differ`,
		},
		{
			name: "current user missing",
			rot:  dbtest.Lazy(AlternatingUsers),
			step: strategy.Step{
				Current: f.secret("ghost", "the-real-password", true),
				Pending: f.secret("ghost_clone", "pending-password", true),
				Master:  f.masterFake(nil),
			},
			want: "AWSCURRENT does not log in",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.rot.Set(context.Background(), tc.step)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Set error = %v, want one containing %q", err, tc.want)
			}
			dbtest.NoSecretIn(t, err, secrets...)
			f.mustLogin(t, "unchanged credential", f.user, "the-real-password")
			other.mustLogin(t, "other user", other.user, "other-password")
		})
	}
}

func TestTestStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "good-password")
	for _, tc := range []struct {
		name    string
		pending string
		wantErr bool
	}{
		{"working credential", f.secret(f.user, "good-password", false), false},
		{"wrong password", f.secret(f.user, "bad-password", false), true},
		{"unknown user", f.secret(dbtest.Uniq("nobody_"), "good-password", false), true},
		{"not JSON", `password=good-password`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := dbtest.Lazy(SingleUser).Test(context.Background(), strategy.Step{Pending: tc.pending})
			if (err != nil) != tc.wantErr {
				t.Fatalf("Test error = %v, want error: %v", err, tc.wantErr)
			}
			dbtest.NoSecretIn(t, err, "good-password", "bad-password")
		})
	}
}

func TestAlternatingUsersRotation(t *testing.T) {
	t.Parallel()
	for _, tc := range credentialCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user := tc.user + dbtest.Uniq("_")
			f := newFixture(t, user, tc.password)
			calls := 0
			rot := dbtest.Lazy(AlternatingUsers)
			step := strategy.Step{Current: f.secret(user, tc.password, true), Master: f.masterFake(&calls)}

			first := dbtest.Rotate(t, rot, step, tc.next)
			clone := user + "_clone"
			if got := dbtest.Username(t, first.Pending); got != clone {
				t.Fatalf("first flip pending username = %q, want %q", got, clone)
			}
			if calls == 0 {
				t.Errorf("the master secret was never read")
			}
			f.checkGrants(t, "clone", f.mustLogin(t, "clone", clone, tc.next))
			f.checkGrants(t, "original", f.mustLogin(t, "original user until the next flip", user, tc.password))

			third := tc.next + "-3"
			second := dbtest.Rotate(t, rot, strategy.Step{Current: first.Pending, Previous: step.Current, Master: f.masterFake(nil)}, third)
			if got := dbtest.Username(t, second.Pending); got != user {
				t.Fatalf("second flip pending username = %q, want %q", got, user)
			}
			f.checkGrants(t, "original after second flip", f.mustLogin(t, "original with new password", user, third))
			f.mustNotLogin(t, "original's first password", user, tc.password)
			f.mustLogin(t, "clone until the next flip", clone, tc.next)

			fourth := tc.next + "-4"
			dbtest.Rotate(t, rot, strategy.Step{Current: second.Pending, Previous: first.Pending, Master: f.masterFake(nil)}, fourth)
			f.checkGrants(t, "clone after third flip", f.mustLogin(t, "clone with new password", clone, fourth))
			f.mustNotLogin(t, "clone's old password", clone, tc.next)
			f.mustLogin(t, "original until the next flip", user, third)
		})
	}
}

// TestAlternatingCopiesGrantOption: a grant the current user may pass on
// stays passable for the clone, and a global privilege is copied without
// the password hash MariaDB prints on the same line.
func TestAlternatingCopiesGrantOption(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Uniq("app_"), "pw-1")
	f.srv.MustExec(t, f.db, "CREATE TABLE u (x int)")
	f.admin(t, "SELECT CONCAT('GRANT INSERT ON "+f.db+".u TO ', QUOTE(?), '@''%'' WITH GRANT OPTION')", f.user)
	f.admin(t, "SELECT CONCAT('GRANT PROCESS ON *.* TO ', QUOTE(?), '@''%''')", f.user)
	dbtest.Rotate(t, dbtest.Lazy(AlternatingUsers), strategy.Step{Current: f.secret(f.user, "pw-1", true), Master: f.masterFake(nil)}, "pw-2")

	conn := f.mustLogin(t, "clone", f.user+"_clone", "pw-2")
	var grants []string
	rows, err := conn.QueryContext(context.Background(), "SHOW GRANTS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			t.Fatal(err)
		}
		grants = append(grants, g)
	}
	all := strings.Join(grants, "\n")
	for _, want := range []string{"GRANT PROCESS ON *.*", "GRANT INSERT ON `" + f.db + "`.`u`", "WITH GRANT OPTION", "GRANT SELECT ON `" + f.db + "`.`t`"} {
		if !strings.Contains(all, want) {
			t.Errorf("clone grants lack %q:\n%s", want, all)
		}
	}
}

func TestNewPending(t *testing.T) {
	t.Parallel()
	current := `{"engine":"mariadb","host":"db.internal","port":3306,"username":"app","password":"old","dbname":"appdb","masterarn":"arn:m","ssl":"true","note":"kept"}`
	base := map[string]any{"engine": "mariadb", "host": "db.internal", "port": 3306.0, "password": "new", "dbname": "appdb", "masterarn": "arn:m", "ssl": "true", "note": "kept"}
	with := func(user string) map[string]any {
		m := map[string]any{"username": user}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name string
		rot  strategy.Strategy
		cur  string
		want map[string]any
		err  string
	}{
		{name: "single user keeps everything but the password", rot: dbtest.Lazy(SingleUser), cur: current, want: with("app")},
		{name: "alternating swaps to the clone", rot: dbtest.Lazy(AlternatingUsers), cur: current, want: with("app_clone")},
		{name: "alternating swaps back", rot: dbtest.Lazy(AlternatingUsers), cur: strings.Replace(current, `"app"`, `"app_clone"`, 1), want: with("app")},
		{name: "wrong engine", rot: dbtest.Lazy(SingleUser), cur: `{"engine":"postgres","host":"h","username":"u","password":"old"}`, err: `"engine"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.rot.NewPending(context.Background(), tc.cur, "new")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one containing %q", err, tc.err)
				}
				dbtest.NoSecretIn(t, err, "old", "new")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(got), &m); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, m); d != "" {
				t.Errorf("pending (-want +got):\n%s", d)
			}
		})
	}
}

// TestLiteralRoundTrip sends quoted literals to a real server with and
// without NO_BACKSLASH_ESCAPES and checks they come back intact.
func TestLiteralRoundTrip(t *testing.T) {
	t.Parallel()
	srv := testdb.SharedMariaDB(t)
	ctx := context.Background()
	db, err := sql.Open("mysql", srv.AdminDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, mode := range []string{"''", "'NO_BACKSLASH_ESCAPES'", "'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'", "'ANSI_QUOTES'"} {
		if _, err := conn.ExecContext(ctx, "SET SESSION sql_mode = "+mode); err != nil {
			t.Fatal(err)
		}
		q, err := newQuoter(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{hostilePassword, unicodePassword, hostileUser, `\\\'''`, "tab\tnew\nline", `\`} {
			lit, err := q.literal(v)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := conn.QueryRowContext(ctx, "SELECT "+lit).Scan(&got); err != nil {
				t.Fatalf("sql_mode=%s: %v", mode, err)
			}
			if got != v {
				t.Errorf("sql_mode=%s: got %q, want %q", mode, got, v)
			}
			var col []string
			rows, err := conn.QueryContext(ctx, "SELECT 1 AS "+ident(v))
			if err == nil {
				col, err = rows.Columns()
				rows.Close()
			}
			if err != nil || len(col) != 1 || col[0] != v {
				t.Errorf("sql_mode=%s: identifier %q came back as %q (error %v)", mode, v, col, err)
			}
		}
	}
	if _, err := (quoter{}).literal("a\x00b"); err == nil {
		t.Error("literal accepted a NUL")
	}
}

func TestRewriteGrant(t *testing.T) {
	t.Parallel()
	to := "`new`@`%`"
	for _, tc := range []struct {
		name, line, from, host string
		want                   string
		skip                   bool
		err                    bool
	}{
		{name: "table grant", line: "GRANT SELECT ON `db`.`t` TO `app`@`%`", from: "app", host: "%", want: "GRANT SELECT ON `db`.`t` TO `new`@`%`"},
		{name: "usage line with password hash", line: "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*ABC'", from: "app", host: "%", skip: true},
		{name: "global grant drops password hash", line: "GRANT PROCESS ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*ABC'", from: "app", host: "%", want: "GRANT PROCESS ON *.* TO `new`@`%`"},
		{name: "grant option kept", line: "GRANT INSERT ON `db`.`u` TO `app`@`%` WITH GRANT OPTION", from: "app", host: "%", want: "GRANT INSERT ON `db`.`u` TO `new`@`%` WITH GRANT OPTION"},
		{name: "mysql 5.7 quoting", line: `GRANT SELECT ON ` + "`db`.*" + ` TO 'a\'b'@'10.0.%'`, from: "a'b", host: "10.0.%", want: "GRANT SELECT ON `db`.* TO `new`@`%`"},
		{name: "table named like a grantee", line: "GRANT SELECT ON `db`.` TO ``app``@``%``` TO `app`@`%`", from: "app", host: "%", want: "GRANT SELECT ON `db`.` TO ``app``@``%``` TO `new`@`%`"},
		{name: "role", line: "GRANT `reader` TO `app`@`%`", from: "app", host: "%", want: "GRANT `reader` TO `new`@`%`"},
		{name: "default role", line: "SET DEFAULT ROLE `reader` FOR `app`@`%`", from: "app", host: "%", want: "SET DEFAULT ROLE `reader` FOR `new`@`%`"},
		{name: "xa_recover_admin dropped from list", line: "GRANT BACKUP_ADMIN,XA_RECOVER_ADMIN,ROLE_ADMIN ON *.* TO `app`@`%`", from: "app", host: "%", want: "GRANT BACKUP_ADMIN,ROLE_ADMIN ON *.* TO `new`@`%`"},
		{name: "xa_recover_admin last in list", line: "GRANT BACKUP_ADMIN,XA_RECOVER_ADMIN ON *.* TO `app`@`%`", from: "app", host: "%", want: "GRANT BACKUP_ADMIN ON *.* TO `new`@`%`"},
		{name: "xa_recover_admin alone", line: "GRANT XA_RECOVER_ADMIN ON *.* TO `app`@`%`", from: "app", host: "%", skip: true},
		{name: "grantee of another user", line: "GRANT SELECT ON `db`.`t` TO `other`@`%`", from: "app", host: "%", err: true},
		{name: "unexpected line", line: "REVOKE ALL ON *.* FROM `app`@`%`", from: "app", host: "%", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := rewriteGrant(tc.line, tc.from, tc.host, to)
			if (err != nil) != tc.err {
				t.Fatalf("error = %v, want error: %v", err, tc.err)
			}
			if tc.err {
				return
			}
			if ok == tc.skip {
				t.Fatalf("ok = %v, want %v", ok, !tc.skip)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestTLS: the "ssl" key decides whether the connection is encrypted and
// verified; no key means verified TLS, and plain text happens only with an
// explicit "ssl": false. The TLS servers refuse plain TCP logins and have
// certificates from a throwaway CA (one for 127.0.0.1, one for another
// host name only); the shared server has no TLS at all.
func TestTLS(t *testing.T) {
	t.Parallel()
	tlsSrv := testdb.StartMariaDBWith(t, testdb.Options{TLS: true})
	wrongName := testdb.StartMariaDBWith(t, testdb.Options{TLS: true, CertNames: []string{"db.example.test"}})
	plainSrv := testdb.SharedMariaDB(t)
	otherCA, err := testdb.NewCA("some other CA")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, srv := range []*testdb.Server{tlsSrv, wrongName, plainSrv} {
		srv.MustExec(t, "", "CREATE USER IF NOT EXISTS tls_user@'%' IDENTIFIED BY 'tls-password-1'")
	}
	secret := func(srv *testdb.Server, host, ssl string) string {
		s := `{"engine":"mariadb","host":"` + host + `","port":` + strconv.Itoa(srv.Port) + `,"username":"tls_user","password":"tls-password-1"`
		if ssl != "" {
			s += `,"ssl":` + ssl
		}
		return s + "}"
	}
	for _, tc := range []struct {
		name    string
		srv     *testdb.Server
		ssl     string
		ca      []byte
		pinSSL  string // the template's "ssl"; "-" means the secret's own
		wantErr string // "" means the login works
	}{
		{"verified: ssl true, the server's CA", tlsSrv, "true", tlsSrv.CAPEM, "-", ""},
		{"verified: ssl \"true\"", tlsSrv, `"true"`, tlsSrv.CAPEM, "-", ""},
		{"verified: no ssl key means verify-full", tlsSrv, "", tlsSrv.CAPEM, "-", ""},
		{"verified: verify-ca", tlsSrv, `"verify-ca"`, tlsSrv.CAPEM, "-", ""},
		{"no CA bundle: the throwaway CA is not trusted", tlsSrv, "true", nil, "-", "certificate signed by unknown authority"},
		{"wrong CA refused", tlsSrv, "true", otherCA.PEM, "-", "certificate signed by unknown authority"},
		{"wrong CA refused with verify-ca", tlsSrv, `"verify-ca"`, otherCA.PEM, "-", "certificate signed by unknown authority"},
		{"wrong host name refused", wrongName, "true", wrongName.CAPEM, "-", "certificate is valid for db.example.test, not localhost"},
		{"wrong host name refused without ssl key", wrongName, "", wrongName.CAPEM, "-", "certificate is valid for db.example.test"},
		{"verify-ca ignores the host name", wrongName, `"verify-ca"`, wrongName.CAPEM, "-", ""},
		{"explicit require skips verification", tlsSrv, `"require"`, nil, "-", ""},
		{"TLS server refuses plain text", tlsSrv, "false", nil, "-", "Access denied"},
		{"downgrade refused: plain server, ssl true", plainSrv, "true", nil, "-", "server does not support TLS"},
		{"downgrade refused: plain server, no ssl key", plainSrv, "", nil, "-", "server does not support TLS"},
		{"plain text with explicit ssl false", plainSrv, "false", nil, "-", ""},
		{"downgrade refused: secret says false, template says true", plainSrv, "false", nil, "true", "server does not support TLS"},
		{"downgrade refused: secret says false, template has no ssl key", plainSrv, "false", nil, "", "server does not support TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host := "127.0.0.1"
			if tc.srv == wrongName {
				host = "localhost"
			}
			pend := secret(tc.srv, host, tc.ssl)
			target := dbtest.TargetOf(pend)
			if tc.pinSSL != "-" {
				target.SSL = tc.pinSSL
			}
			err := SingleUser(strategy.DB{Target: target, CABundle: string(tc.ca)}).Test(ctx, strategy.Step{Pending: pend})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Test error = %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Test error = %v, want one containing %q", err, tc.wantErr)
			}
			dbtest.NoSecretIn(t, err, "tls-password-1")
		})
	}

	t.Run("alternating rotation over verified TLS, RDS-managed master secret", func(t *testing.T) {
		t.Parallel()
		tlsSrv.MustExec(t, "", "CREATE USER tls_rotated@'%' IDENTIFIED BY 'before' REQUIRE SSL WITH MAX_USER_CONNECTIONS 7")
		calls := 0
		master := func(context.Context, string) (string, error) {
			calls++ // username and password only, as RDS manages it
			return `{"username":"` + tlsSrv.AdminUser + `","password":"` + tlsSrv.AdminPassword + `"}`, nil
		}
		cur := tlsSrv.SecretJSON("tls_rotated", "before", "", masterARN)
		step := dbtest.Rotate(t, dbtest.LazyCA(AlternatingUsers, string(tlsSrv.CAPEM)), strategy.Step{Current: cur, Master: master}, "after-rotation")
		if got := dbtest.Username(t, step.Pending); got != "tls_rotated_clone" || calls == 0 {
			t.Fatalf("pending user = %q, master read %d times", got, calls)
		}
		// REQUIRE SSL and the resource limit came along.
		db, err := sql.Open("mysql", tlsSrv.AdminDSN(""))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var sslType string
		var maxUC int
		if err := db.QueryRowContext(ctx, "SELECT ssl_type, max_user_connections FROM mysql.user WHERE User = 'tls_rotated_clone' AND Host = '%'").Scan(&sslType, &maxUC); err != nil {
			t.Fatal(err)
		}
		if sslType != "ANY" || maxUC != 7 {
			t.Errorf("clone: ssl_type %q, max_user_connections %d; want ANY (REQUIRE SSL) and 7, as the base user", sslType, maxUC)
		}
	})
}
