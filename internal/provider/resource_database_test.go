package provider_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/go-sql-driver/mysql"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

// TestAccRotatedSecret_databaseStrategies applies each database strategy
// against a throwaway PostgreSQL or MariaDB server: the rotation function
// runs in the emulator and changes a real database user's password. After
// the first rotation and after a scheduled one, the AWSCURRENT credential
// logs in and keeps its grants; single-user rotation locks the old password
// out, alternating users flip between app and app_clone.
func TestAccRotatedSecret_databaseStrategies(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	cases := []struct {
		strategy    string
		engine      string
		alternating bool
	}{
		{"postgresql_single_user", testdb.EnginePostgres, false},
		{"postgresql_alternating_users", testdb.EnginePostgres, true},
		{"mysql_single_user", testdb.EngineMariaDB, false},
		{"mysql_alternating_users", testdb.EngineMariaDB, true},
	}
	for _, tc := range cases {
		t.Run(tc.strategy, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("the function must reach the throwaway database on loopback")
			}
			db := startDB(t, tc.engine)
			const initial = "Initial-Pass-1234"
			dbname := createAppUser(t, db, initial)

			masterARN := ""
			if tc.alternating {
				// The master secret is encrypted with a customer-managed
				// key: the function's role must get kms:Decrypt on it.
				kmsClient, ok := env.Clients.KMS.(*kms.Client)
				if !ok {
					t.Fatal("the KMS client is not an SDK client")
				}
				key, err := kmsClient.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("master secret key")})
				if err != nil {
					t.Fatalf("creating the master secret's key: %v", err)
				}
				// As RDS manages it: username and password only.
				out, err := env.Clients.SecretsManager.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
					Name:         aws.String(acctest.RandomName() + "-master"),
					KmsKeyId:     key.KeyMetadata.Arn,
					SecretString: aws.String(`{"username":` + strconv.Quote(db.AdminUser) + `,"password":` + strconv.Quote(db.AdminPassword) + `}`),
				})
				if err != nil {
					t.Fatalf("creating the master secret: %v", err)
				}
				masterARN = aws.ToString(out.ARN)
			}
			name := acctest.RandomName()
			cfg := dbConfig(env, name, db, dbname, tc.strategy, masterARN, "rotate_immediately = true")
			vars := dbVariables(initial, db)

			// check proves the rotation that just ran: AWSCURRENT is user
			// wantUser, logs in and reads the table; AWSPREVIOUS (the
			// credential before) still works only for alternating users.
			check := func(wantUser string) error {
				cur, prev := dbSecret(t, env, name, "AWSCURRENT"), dbSecret(t, env, name, "AWSPREVIOUS")
				if cur.Username != wantUser {
					return errorf("AWSCURRENT user = %q, want %q", cur.Username, wantUser)
				}
				if cur.Password == prev.Password {
					return errorf("the rotation did not change the password")
				}
				if err := login(db, dbname, cur.Username, cur.Password, true); err != nil {
					return errorf("the AWSCURRENT credential does not work: %v", err)
				}
				err := login(db, dbname, prev.Username, prev.Password, false)
				switch {
				case tc.alternating && err != nil:
					return errorf("alternating users: the AWSPREVIOUS credential stopped working before the next flip: %v", err)
				case !tc.alternating && err == nil:
					return errorf("single user: the old password still logs in")
				}
				return nil
			}
			firstUser, secondUser := "app", "app"
			if tc.alternating {
				firstUser = "app_clone"
			}
			env.Test(t, resource.TestCase{
				Steps: []resource.TestStep{
					{
						Config: cfg, ConfigVariables: vars,
						Check: func(*terraform.State) error { return check(firstUser) },
					},
					{
						PreConfig: func() {
							env.KeepFunctionsWarm() // see its doc: no Secrets Manager retry in the emulator yet
							res, err := env.Admin.AdvanceClock(context.Background(), 31*24*time.Hour)
							if err != nil || len(res.Rotations) != 1 || !res.Rotations[0].OK {
								t.Fatalf("scheduled rotation: %+v, %v", res, err)
							}
						},
						Config: cfg, ConfigVariables: vars,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						Check:            func(*terraform.State) error { return check(secondUser) },
					},
				},
			})
		})
	}
}

// dbConfig is a rotated secret for user app of dbname on db's server with
// strategy: its first password and db's CA come from the variables
// dbVariables sets, masterARN is the master secret ("" for none), and
// rotation adds lines to the rotation block.
func dbConfig(env *acctest.Env, name string, db *testdb.Server, dbname, strategy, masterARN, rotation string) string {
	return initialVariable + `
variable "ca" {
  type = string
}
` + basicConfig(env, name, fmt.Sprintf(`
  secret_template = jsonencode({
    engine   = %q
    host     = %q
    port     = %d
    username = "app"
    dbname   = %q
  })
  initial_value_wo         = var.initial
  initial_value_wo_version = 1
  rotation {
    strategy                 = %q
    master_secret_arn        = %s
    ca_bundle                = var.ca
    automatically_after_days = 30
    %s
  }
  function {
    architecture = "x86_64"
  }`, db.Engine, db.Host, db.Port, dbname, strategy, hclStringOrNull(masterARN), rotation))
}

// dbVariables are the values of dbConfig's variables.
func dbVariables(initial string, db *testdb.Server) config.Variables {
	return config.Variables{"initial": config.StringVariable(initial), "ca": config.StringVariable(string(db.CAPEM))}
}

func hclStringOrNull(s string) string {
	if s == "" {
		return "null"
	}
	return strconv.Quote(s)
}

// startDB starts a server that accepts only TLS, with a certificate from a
// throwaway CA: the templates have no "ssl" key, so the function verifies
// the certificate and host name against rotation.ca_bundle.
func startDB(t *testing.T, engine string) *testdb.Server {
	t.Helper()
	if engine == testdb.EnginePostgres {
		return testdb.StartPostgresWith(t, testdb.Options{TLS: true})
	}
	return testdb.StartMariaDBWith(t, testdb.Options{TLS: true})
}

// createAppUser makes user app with password pw, allowed to read table t
// and nothing else, and returns the database to use.
func createAppUser(t *testing.T, db *testdb.Server, pw string) string {
	t.Helper()
	if db.Engine == testdb.EnginePostgres {
		db.MustExec(t, "",
			"CREATE ROLE app LOGIN PASSWORD '"+pw+"'",
			"CREATE TABLE t (x int)",
			"INSERT INTO t VALUES (1)",
			"GRANT SELECT ON t TO app")
		return db.DefaultDB
	}
	db.MustExec(t, "",
		"CREATE USER 'app'@'%' IDENTIFIED BY '"+pw+"'",
		"CREATE TABLE t (x int)",
		"INSERT INTO t VALUES (1)",
		"GRANT SELECT ON "+db.DefaultDB+".t TO 'app'@'%'")
	return db.DefaultDB
}

type dbCredential struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func dbSecret(t *testing.T, env *acctest.Env, name, stage string) dbCredential {
	t.Helper()
	out, err := env.Clients.SecretsManager.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(name), VersionStage: aws.String(stage),
	})
	if err != nil {
		t.Fatalf("GetSecretValue(%s): %v", stage, err)
	}
	var c dbCredential
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &c); err != nil {
		t.Fatalf("the %s value is not the JSON of a database secret", stage)
	}
	return c
}

// login connects as user and reads table t; with wantRead it also checks
// that the grant to read t came along.
func login(db *testdb.Server, dbname, user, pw string, wantRead bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if db.Engine == testdb.EnginePostgres {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(user, pw), Host: net.JoinHostPort(db.Host, strconv.Itoa(db.Port)),
			Path: "/" + dbname, RawQuery: "sslmode=require"}
		conn, err := pgx.Connect(ctx, u.String())
		if err != nil {
			return fmt.Errorf("login as %s refused", user)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		if wantRead {
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
				return fmt.Errorf("%s cannot read t: %w", user, err)
			}
		}
		return nil
	}
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.Net, mc.Addr, mc.DBName = user, pw, "tcp", net.JoinHostPort(db.Host, strconv.Itoa(db.Port)), dbname
	mc.TLSConfig = "skip-verify" // the test's own client; the rotation function verifies
	conn, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	if err := conn.PingContext(ctx); err != nil {
		return fmt.Errorf("login as %s refused", user)
	}
	if wantRead {
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
			return fmt.Errorf("%s cannot read t: %w", user, err)
		}
	}
	return nil
}

// TestAccRotatedSecret_updateMasterSecretARN moves an alternating-users
// secret to another master secret, as a team does when RDS starts
// managing the master password (review E10). The apply pins the new
// master in the function's configuration, grants its role the new master
// secret instead of the old one, rewrites the value's masterarn key but
// keeps its user and password (changing who logs in as master is no reason
// to rotate), and leaves the plan empty.
// The old master secret is then deleted and the next scheduled rotation
// still succeeds: the function reads only the new one.
func TestAccRotatedSecret_updateMasterSecretARN(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("the function must reach the throwaway database on loopback")
	}
	ctx := context.Background()
	db := startDB(t, testdb.EnginePostgres)
	const initial = "Initial-Pass-1234"
	dbname := createAppUser(t, db, initial)
	master := func(suffix string) string {
		out, err := env.SDK.SecretsManager.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name:         aws.String(acctest.RandomName() + suffix),
			SecretString: aws.String(`{"username":` + strconv.Quote(db.AdminUser) + `,"password":` + strconv.Quote(db.AdminPassword) + `}`),
		})
		if err != nil {
			t.Fatalf("creating a master secret: %v", err)
		}
		return aws.ToString(out.ARN)
	}
	oldMaster, newMaster := master("-master-old"), master("-master-new")
	name := acctest.RandomName()
	cfg := func(masterARN string) string {
		return dbConfig(env, name, db, dbname, "postgresql_alternating_users", masterARN, "rotate_immediately = true")
	}
	vars := dbVariables(initial, db)
	n := derivedNames(env, name)
	var before dbCredential
	pinned := func(want, not string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			fnEnv, err := functionEnv(env, name)
			if err != nil {
				return err
			}
			var target struct {
				MasterARN string `json:"masterarn"`
			}
			if err := json.Unmarshal([]byte(fnEnv["ROTATOR_TARGET"]), &target); err != nil || target.MasterARN != want {
				return errorf("the function's pinned master = %q (%v); want %s", target.MasterARN, err, want)
			}
			doc, err := rolePolicy(env, n)
			if err != nil {
				return err
			}
			if !strings.Contains(doc, want) || strings.Contains(doc, not) {
				return errorf("the role policy should grant %s and not %s:\n%s", want, not, doc)
			}
			return nil
		}
	}
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: cfg(oldMaster), ConfigVariables: vars,
				Check: resource.ComposeTestCheckFunc(pinned(oldMaster, newMaster), func(*terraform.State) error {
					before = dbSecret(t, env, name, "AWSCURRENT")
					if u := before.Username; u != "app_clone" {
						return errorf("AWSCURRENT user after the first rotation = %q, want app_clone", u)
					}
					return nil
				}),
			},
			{
				Config: cfg(newMaster), ConfigVariables: vars,
				ConfigPlanChecks: emptyPlanAfterApply,
				Check: resource.ComposeTestCheckFunc(pinned(newMaster, oldMaster), func(*terraform.State) error {
					// The value's masterarn key is rewritten (the function
					// refuses a value that names another master than its
					// pin): a new AWSCURRENT version with the same user and
					// password, no rotation.
					var cur struct {
						dbCredential
						MasterARN string `json:"masterarn"`
					}
					if err := currentJSON(env, name, &cur); err != nil {
						return err
					}
					if cur.dbCredential != before {
						return errorf("AWSCURRENT's credential changed (user %q, was %q): changing the master secret rotated", cur.Username, before.Username)
					}
					if cur.MasterARN != newMaster {
						return errorf("AWSCURRENT's masterarn = %q, want %s", cur.MasterARN, newMaster)
					}
					return login(db, dbname, cur.Username, cur.Password, true)
				}),
			},
			{
				PreConfig: func() {
					if _, err := env.SDK.SecretsManager.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{
						SecretId: aws.String(oldMaster), ForceDeleteWithoutRecovery: aws.Bool(true),
					}); err != nil {
						t.Fatalf("deleting the old master secret: %v", err)
					}
					env.KeepFunctionsWarm()
					res, err := env.Admin.AdvanceClock(ctx, 31*24*time.Hour)
					if err != nil || len(res.Rotations) != 1 || !res.Rotations[0].OK {
						t.Fatalf("scheduled rotation with the new master: %+v, %v", res, err)
					}
				},
				Config: cfg(newMaster), ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					cur := dbSecret(t, env, name, "AWSCURRENT")
					if cur.Username != "app" {
						return errorf("AWSCURRENT user after the scheduled rotation = %q, want app", cur.Username)
					}
					return login(db, dbname, cur.Username, cur.Password, true)
				},
			},
		},
	})
}
