package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// TestAccRotatedSecret_validation proves each plan-time rule: the plan
// fails with a diagnostic naming the attribute and what is allowed.
func TestAccRotatedSecret_validation(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	cases := []struct {
		name, body, want string
	}{
		{"name characters", `name = "bad name!"
  rotation { automatically_after_days = 30 }`, `Invalid secret name`},
		{"name length", `name = "` + strings.Repeat("a", 513) + `"
  rotation { automatically_after_days = 30 }`, `1 to 512 characters`},
		{"name and prefix", `name = "a"
  name_prefix = "b"
  rotation { automatically_after_days = 30 }`, `cannot be configured together`},
		{"schedule syntax", `name = "a"
  rotation { schedule_expression = "every tuesday" }`, `Invalid rotation schedule expression`},
		{"schedule too often", `name = "a"
  rotation { schedule_expression = "rate(2 hours)" }`, `Invalid rotation schedule expression`},
		{"duration overruns the day", `name = "a"
  rotation {
    schedule_expression = "cron(0 22 * * ? *)"
    duration            = "4h"
  }`, `Rotation window does not fit the schedule`},
		{"days too small", `name = "a"
  rotation { automatically_after_days = 0 }`, `automatically_after_days`},
		{"days too large", `name = "a"
  rotation { automatically_after_days = 1001 }`, `automatically_after_days`},
		{"both days and expression", `name = "a"
  rotation {
    automatically_after_days = 30
    schedule_expression      = "rate(30 days)"
  }`, `Conflicting rotation schedules`},
		{"neither days nor expression", `name = "a"
  rotation {}`, `Missing rotation schedule`},
		{"no rotation block", `name = "a"`, `(?i)rotation`},
		{"memory too small", `name = "a"
  rotation { automatically_after_days = 30 }
  function { memory_size = 64 }`, `memory_size`},
		{"timeout too large", `name = "a"
  rotation { automatically_after_days = 30 }
  function { timeout = 901 }`, `timeout`},
		{"password too long", `name = "a"
  rotation { automatically_after_days = 30 }
  password { length = 5000 }`, `password.length`},
		{"every class excluded", `name = "a"
  rotation { automatically_after_days = 30 }
  password {
    exclude_numbers     = true
    exclude_punctuation = true
    exclude_uppercase   = true
    exclude_lowercase   = true
  }`, `Impossible password policy`},
		{"length below required types", `name = "a"
  rotation { automatically_after_days = 30 }
  password { length = 3 }`, `Impossible password policy`},
		{"master secret missing", `name = "a"
  secret_template = jsonencode({ engine = "postgres", host = "db", username = "app" })
  rotation {
    strategy                 = "postgresql_alternating_users"
    automatically_after_days = 30
  }`, `Missing master secret ARN`},
		{"policy not JSON", `name = "a"
  policy = "Allow everyone"
  rotation { automatically_after_days = 30 }`, `Invalid resource policy`},
		{"kms key neither id, arn nor alias", `name = "a"
  kms_key_id = "my-payments-key"
  rotation { automatically_after_days = 30 }`, `(?s)Invalid KMS key.*kms_key_id`},
		{"template not an object", `name = "a"
  secret_template = "[1,2]"
  rotation { automatically_after_days = 30 }`, `Invalid secret template`},
		{"template has the rotated field", `name = "a"
  secret_template = jsonencode({ username = "app", password = "hunter2" })
  rotation { automatically_after_days = 30 }`, `Secret template contains the rotated field`},
		{"strategy unknown", `name = "a"
  rotation {
    strategy                 = "oracle"
    automatically_after_days = 30
  }`, `strategy`},
		{"recovery window", `name = "a"
  recovery_window_in_days = 3
  rotation { automatically_after_days = 30 }`, `recovery_window_in_days`},
		{"subnets without security groups", `name = "a"
  rotation { automatically_after_days = 30 }
  function { subnet_ids = ["subnet-1"] }`, `security_group_ids`},
		{"architecture", `name = "a"
  rotation { automatically_after_days = 30 }
  function { architecture = "i386" }`, `architecture`},
		// A null element reached spec() and failed with the framework's
		// "always an error in the provider" conversion message.
		{"null tag value", `name = "a"
  tags = { env = null }
  rotation { automatically_after_days = 30 }`, `(?s)Null Map Value.*tags`},
		{"null subnet id", `name = "a"
  rotation { automatically_after_days = 30 }
  function {
    subnet_ids         = ["subnet-1", null]
    security_group_ids = ["sg-1"]
  }`, `(?s)Null Set Value.*subnet_ids`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.ProviderBlock() + "resource \"rotator_rotated_secret\" \"test\" {\n  " + tc.body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		Steps:                    steps,
	})
}
