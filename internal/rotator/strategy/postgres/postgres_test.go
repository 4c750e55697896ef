package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

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
	// Not ASCII, so it takes the quoted-literal path instead of the
	// client-side SCRAM verifier.
	hostileUnicodePassword = `pä'ss"\ ; DROP TABLE t;--`
)

const masterARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf"

// fixture is one test's database and user on the shared server.
type fixture struct {
	srv  *testdb.Server
	db   string
	user string
}

// newFixture creates a database holding table t (readable, not writable,
// by user) and a LOGIN user with password. Names are quoted server-side
// with format(), independently of the code under test.
func newFixture(t *testing.T, user, password string) fixture {
	t.Helper()
	srv := testdb.SharedPostgres(t)
	f := fixture{srv: srv, db: dbtest.Uniq("db_"), user: user}
	ctx := context.Background()
	f.admin(t, "", `SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)`, user, password)
	srv.MustExec(t, "", "CREATE DATABASE "+f.db)
	srv.MustExec(t, f.db, "CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)")
	f.admin(t, f.db, `SELECT format('GRANT SELECT ON t TO %I', $1::text)`, user)
	_ = ctx
	return f
}

// admin runs the statement that query (run with args) returns, as admin.
func (f fixture) admin(t *testing.T, db, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.srv.AdminDSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var stmt string
	if err := conn.QueryRow(ctx, query, args...).Scan(&stmt); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
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
		return f.srv.SecretJSON(f.srv.AdminUser, f.srv.AdminPassword, "postgres", ""), nil
	}
}

// login connects as user/password to the fixture's database and reports
// whether it worked; conn is closed unless the caller keeps it.
func (f fixture) login(t *testing.T, user, password string) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(f.srv.AdminDSN(f.db))
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Password = user, password
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

func (f fixture) mustLogin(t *testing.T, who, user, password string) *pgx.Conn {
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
func (f fixture) checkGrants(t *testing.T, who string, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatalf("%s cannot SELECT from t: %v", who, err)
	}
	if n != 1 {
		t.Fatalf("%s sees %d rows in t, want 1", who, n)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO t VALUES (2)"); err == nil {
		t.Fatalf("%s can INSERT into t, which the original user could not", who)
	}
	if _, err := conn.Exec(ctx, "CREATE ROLE should_not_exist"); err == nil {
		t.Fatalf("%s can create roles", who)
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
	{"hostile non-ASCII password", "app", hostileUnicodePassword, hostileUnicodePassword + "2"},
	{"hostile both", hostileUser, hostilePassword, hostileUnicodePassword},
}

func TestSingleUserRotation(t *testing.T) {
	t.Parallel()
	for _, tc := range credentialCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user := tc.user + dbtest.Uniq("_")
			f := newFixture(t, user, tc.password)
			step := strategy.Step{Current: f.secret(user, tc.password, false)}

			step = dbtest.Rotate(t, dbtest.Lazy(SingleUser), step, tc.next)

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
	// A past rotation stored AWSCURRENT but never reached the database.
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
			name: "no masterarn",
			rot:  dbtest.Lazy(AlternatingUsers),
			step: strategy.Step{
				Current: f.secret(f.user, "the-real-password", false),
				Pending: f.secret(f.user+"_clone", "pending-password", false),
				Master:  f.masterFake(nil),
			},
			want: "pins no master secret",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.rot.Set(context.Background(), tc.step)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Set error = %v, want one containing %q", err, tc.want)
			}
			dbtest.NoSecretIn(t, err, secrets...)
			// Nothing changed: the real password still works.
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

			// First flip: the clone is created with the current user's grants.
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

			// Second flip: back to the original user, whose password changes;
			// the clone keeps working until the flip after.
			third := tc.next + "-3"
			second := dbtest.Rotate(t, rot, strategy.Step{Current: first.Pending, Previous: step.Current, Master: f.masterFake(nil)}, third)
			if got := dbtest.Username(t, second.Pending); got != user {
				t.Fatalf("second flip pending username = %q, want %q", got, user)
			}
			f.checkGrants(t, "original after second flip", f.mustLogin(t, "original with new password", user, third))
			f.mustNotLogin(t, "original's first password", user, tc.password)
			f.mustLogin(t, "clone until the next flip", clone, tc.next)

			// Third flip: the clone exists, so only its password changes.
			fourth := tc.next + "-4"
			dbtest.Rotate(t, rot, strategy.Step{Current: second.Pending, Previous: first.Pending, Master: f.masterFake(nil)}, fourth)
			f.checkGrants(t, "clone after third flip", f.mustLogin(t, "clone with new password", clone, fourth))
			f.mustNotLogin(t, "clone's old password", clone, tc.next)
			f.mustLogin(t, "original until the next flip", user, third)
		})
	}
}

func TestNewPending(t *testing.T) {
	t.Parallel()
	current := `{"engine":"postgres","host":"db.internal","port":"5432","username":"app","password":"old","dbname":"appdb","masterarn":"arn:m","ssl":true,"extra":{"keep":[1,2]}}`
	for _, tc := range []struct {
		name string
		rot  strategy.Strategy
		cur  string
		want map[string]any
		err  string
	}{
		{
			name: "single user keeps everything but the password", rot: dbtest.Lazy(SingleUser), cur: current,
			want: map[string]any{"engine": "postgres", "host": "db.internal", "port": "5432", "username": "app", "password": "new", "dbname": "appdb", "masterarn": "arn:m", "ssl": true, "extra": map[string]any{"keep": []any{1.0, 2.0}}},
		},
		{
			name: "alternating swaps to the clone", rot: dbtest.Lazy(AlternatingUsers), cur: current,
			want: map[string]any{"engine": "postgres", "host": "db.internal", "port": "5432", "username": "app_clone", "password": "new", "dbname": "appdb", "masterarn": "arn:m", "ssl": true, "extra": map[string]any{"keep": []any{1.0, 2.0}}},
		},
		{
			name: "alternating swaps back", rot: dbtest.Lazy(AlternatingUsers), cur: strings.Replace(current, `"app"`, `"app_clone"`, 1),
			want: map[string]any{"engine": "postgres", "host": "db.internal", "port": "5432", "username": "app", "password": "new", "dbname": "appdb", "masterarn": "arn:m", "ssl": true, "extra": map[string]any{"keep": []any{1.0, 2.0}}},
		},
		{name: "wrong engine", rot: dbtest.Lazy(SingleUser), cur: `{"engine":"mysql","host":"h","username":"u","password":"old"}`, err: `"engine"`},
		{name: "clone name too long", rot: dbtest.Lazy(AlternatingUsers), cur: `{"host":"h","username":"` + strings.Repeat("u", 60) + `","password":"old","masterarn":"m"}`, err: "63-byte"},
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

func TestQuoteLiteral(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "E'plain'"},
		{`it's`, `E'it''s'`},
		{`back\slash`, `E'back\\slash'`},
		{`\'; DROP TABLE t;--`, `E'\\''; DROP TABLE t;--'`},
	} {
		got, err := quoteLiteral(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("quoteLiteral(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if _, err := quoteLiteral("a\x00b"); err == nil {
		t.Error("quoteLiteral accepted a NUL")
	}
}

// TestLiteralRoundTrip sends quoted literals to a real server under both
// settings of standard_conforming_strings and checks they come back intact.
func TestLiteralRoundTrip(t *testing.T) {
	t.Parallel()
	srv := testdb.SharedPostgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.AdminDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, scs := range []string{"on", "off"} {
		if _, err := conn.Exec(ctx, "SET standard_conforming_strings = "+scs); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{hostilePassword, hostileUnicodePassword, hostileUser, `\\\'''`, "tab\tnew\nline"} {
			lit, err := quoteLiteral(v)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := conn.QueryRow(ctx, "SELECT "+lit).Scan(&got); err != nil {
				t.Fatalf("standard_conforming_strings=%s: %v", scs, err)
			}
			if got != v {
				t.Errorf("standard_conforming_strings=%s: got %q, want %q", scs, got, v)
			}
		}
	}
}

func TestScramVerifierFormat(t *testing.T) {
	t.Parallel()
	v, ok := scramVerifier(hostilePassword)
	if !ok {
		t.Fatal("no verifier for a printable-ASCII password")
	}
	parts := strings.Split(v, "$")
	if len(parts) != 3 || parts[0] != "SCRAM-SHA-256" || !strings.HasPrefix(parts[1], "4096:") || strings.Count(parts[2], ":") != 1 {
		t.Errorf("verifier %q is not in PostgreSQL's format", v)
	}
	if strings.Contains(v, hostilePassword) {
		t.Error("verifier contains the password")
	}
	if _, ok := scramVerifier(hostileUnicodePassword); ok {
		t.Error("computed a verifier for a non-ASCII password that SASLprep may change")
	}
}

// TestTLS: the "ssl" key decides whether the connection is encrypted and
// verified; no key means verified TLS, and plain text happens only with an
// explicit "ssl": false. The TLS servers refuse plain TCP logins and have
// certificates from a throwaway CA (one for 127.0.0.1, one for another
// host name only); the shared server has no TLS at all.
func TestTLS(t *testing.T) {
	t.Parallel()
	tlsSrv := testdb.StartPostgresWith(t, testdb.Options{TLS: true})
	wrongName := testdb.StartPostgresWith(t, testdb.Options{TLS: true, CertNames: []string{"db.example.test"}})
	plainSrv := testdb.SharedPostgres(t)
	otherCA, err := testdb.NewCA("some other CA")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, srv := range []*testdb.Server{tlsSrv, wrongName, plainSrv} {
		srv.MustExec(t, "", "CREATE ROLE tls_user LOGIN PASSWORD 'tls-password-1'")
	}
	secret := func(srv *testdb.Server, ssl string) string {
		s := `{"engine":"postgres","host":"127.0.0.1","port":` + itoa(srv.Port) + `,"username":"tls_user","password":"tls-password-1","dbname":"postgres"`
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
		{"TLS server refuses plain text", tlsSrv, "false", nil, "-", "no encryption"},
		{"downgrade refused: plain server, ssl true", plainSrv, "true", nil, "-", "server refused TLS"},
		{"downgrade refused: plain server, no ssl key", plainSrv, "", nil, "-", "server refused TLS"},
		{"plain text with explicit ssl false", plainSrv, "false", nil, "-", ""},
		{"downgrade refused: secret says false, template says true", plainSrv, "false", nil, "true", "server refused TLS"},
		{"downgrade refused: secret says false, template has no ssl key", plainSrv, "false", nil, "", "server refused TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pend := secret(tc.srv, tc.ssl)
			if tc.srv == wrongName {
				pend = strings.Replace(pend, `"127.0.0.1"`, `"localhost"`, 1)
			}
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

	t.Run("rotation over verified TLS", func(t *testing.T) {
		t.Parallel()
		tlsSrv.MustExec(t, "", "CREATE ROLE tls_rotated LOGIN PASSWORD 'before'")
		cur := tlsSrv.SecretJSON("tls_rotated", "before", "postgres", "")
		rot := dbtest.LazyCA(SingleUser, string(tlsSrv.CAPEM))
		step := dbtest.Rotate(t, rot, strategy.Step{Current: cur}, "after-rotation")
		if err := rot.Test(ctx, strategy.Step{Pending: step.Pending}); err != nil {
			t.Fatal(err)
		}
		if err := rot.Test(ctx, strategy.Step{Pending: cur}); err == nil {
			t.Fatal("the old password still logs in")
		}
	})
}

// TestPasswordNeverReachesServerLog: with every statement of the user
// logged, the new password (ASCII, so sent as a SCRAM verifier) is absent
// from the server log.
func TestPasswordNeverReachesServerLog(t *testing.T) {
	t.Parallel()
	srv := testdb.StartPostgres(t)
	srv.MustExec(t, "", "CREATE ROLE logged LOGIN PASSWORD 'first-password'", "ALTER ROLE logged SET log_statement = 'all'")
	const next = "Logged-New-Password-42"
	dbtest.Rotate(t, dbtest.Lazy(SingleUser), strategy.Step{Current: srv.SecretJSON("logged", "first-password", "postgres", "")}, next)
	log := srv.Log()
	if !strings.Contains(log, "ALTER ROLE") {
		t.Fatalf("statement logging is not on; the test proves nothing. Log:\n%s", log)
	}
	if strings.Contains(log, next) {
		t.Fatal("the new password is in the server log")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestAlternatingCopiesRoleAttributes: attributes are not inherited through
// membership, so the clone gets the original's CREATEDB and connection
// limit, and no attribute the original lacks.
func TestAlternatingCopiesRoleAttributes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		attrs string
		want  string
	}{
		{"createdb and a connection limit", "CREATEDB CONNECTION LIMIT 7", "true false 7"},
		{"no attributes", "", "false false -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, dbtest.Uniq("attr_"), "pw-1")
			if tc.attrs != "" {
				f.srv.MustExec(t, "", "ALTER ROLE "+pgx.Identifier{f.user}.Sanitize()+" WITH "+tc.attrs)
			}
			dbtest.Rotate(t, dbtest.Lazy(AlternatingUsers), strategy.Step{Current: f.secret(f.user, "pw-1", true), Master: f.masterFake(nil)}, "pw-2")
			conn := f.mustLogin(t, "clone", f.user+"_clone", "pw-2")
			var createDB, createRole bool
			var limit int
			if err := conn.QueryRow(context.Background(), "SELECT rolcreatedb, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = current_user").Scan(&createDB, &createRole, &limit); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(createDB, createRole, limit); got != tc.want {
				t.Errorf("clone attributes (createdb createrole connlimit) = %s, want %s", got, tc.want)
			}
		})
	}
}
