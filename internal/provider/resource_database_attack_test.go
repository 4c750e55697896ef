package provider_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

// TestAccRotatedSecret_databaseConfusedDeputy: someone who may write the
// application secret (not the master secret) rewrites AWSCURRENT to name
// another database user, or another host. The next scheduled rotation,
// run by the real function in the emulator, fails; the other user's
// password still works and no clone of it exists.
func TestAccRotatedSecret_databaseConfusedDeputy(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	for _, tc := range []struct {
		name, strategy, engine, key, value string
	}{
		{"postgres, another user", "postgresql_alternating_users", testdb.EnginePostgres, "username", "victim"},
		{"postgres, another host", "postgresql_alternating_users", testdb.EnginePostgres, "host", "db.attacker.example"},
		{"mariadb, another user", "mysql_alternating_users", testdb.EngineMariaDB, "username", "victim"},
		{"mariadb, another host", "mysql_alternating_users", testdb.EngineMariaDB, "host", "db.attacker.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.NewEnv(t)
			if !env.IsEmulator() {
				t.Skip("the function must reach the throwaway database on loopback")
			}
			db := startDB(t, tc.engine)
			dbname := createAppUser(t, db, "Initial-Pass-1234")
			if tc.engine == testdb.EnginePostgres {
				db.MustExec(t, "", "CREATE ROLE victim LOGIN SUPERUSER PASSWORD 'Victim-Pass-1234'")
			} else {
				db.MustExec(t, "", "CREATE USER 'victim'@'%' IDENTIFIED BY 'Victim-Pass-1234'", "GRANT ALL ON *.* TO 'victim'@'%' WITH GRANT OPTION")
			}
			out, err := env.Clients.SecretsManager.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
				Name:         aws.String(acctest.RandomName() + "-master"),
				SecretString: aws.String(db.SecretJSON(db.AdminUser, db.AdminPassword, dbname, "")),
			})
			if err != nil {
				t.Fatalf("creating the master secret: %v", err)
			}
			name := acctest.RandomName()
			cfg := dbConfig(env, name, db, dbname, tc.strategy, aws.ToString(out.ARN), "")
			vars := dbVariables("Initial-Pass-1234", db)

			attack := func(st *terraform.State) error {
				ctx := context.Background()
				cur, err := env.Clients.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
				if err != nil {
					return err
				}
				var v map[string]any
				if err := json.Unmarshal([]byte(aws.ToString(cur.SecretString)), &v); err != nil {
					return err
				}
				v[tc.key], v["password"] = tc.value, "attacker-chosen"
				b, _ := json.Marshal(v)
				if _, err := env.Clients.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
					SecretId: aws.String(name), SecretString: aws.String(string(b)),
				}); err != nil {
					return err
				}
				res, err := env.Admin.AdvanceClock(ctx, 31*24*time.Hour)
				if err != nil {
					return err
				}
				for _, r := range res.Rotations {
					if r.OK {
						return errorf("a rotation of the rewritten secret succeeded")
					}
				}
				if len(res.Rotations) == 0 {
					return errorf("no rotation ran")
				}
				// The pinned configuration refused it, before any login.
				logs, ok := env.Clients.Logs.(*cloudwatchlogs.Client)
				if !ok {
					return errorf("the Logs client is not an SDK client")
				}
				group := st.RootModule().Resources["rotator_rotated_secret.test"].Primary.Attributes["log_group_name"]
				events, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
				if err != nil {
					return err
				}
				refused := false
				for _, e := range events.Events {
					m := aws.ToString(e.Message)
					refused = refused || (strings.Contains(m, "refusing AWSCURRENT") && strings.Contains(m, `\"`+tc.key+`\"`))
					if strings.Contains(m, "attacker-chosen") || strings.Contains(m, "Victim-Pass") {
						return errorf("a password reached the function's log")
					}
				}
				if !refused {
					return errorf("no log line shows the function refusing AWSCURRENT for its %q", tc.key)
				}
				if err := login(db, dbname, "victim", "Victim-Pass-1234", false); err != nil {
					return errorf("the victim's password stopped working: %v", err)
				}
				if err := login(db, dbname, "victim_clone", "attacker-chosen", false); err == nil {
					return errorf("a clone of the victim exists")
				}
				return nil
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
				CheckDestroy:             env.CheckDestroy,
				Steps:                    []resource.TestStep{{Config: cfg, ConfigVariables: vars, Check: attack}},
			})
		})
	}
}
