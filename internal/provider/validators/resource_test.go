package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

type configCase struct {
	config obj
	want   []diagShape
}

func runConfigCases(t *testing.T, v resource.ConfigValidator, tests map[string]configCase) {
	t.Helper()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := resource.ValidateConfigRequest{Config: newConfig(t, tc.config)}
			var resp resource.ValidateConfigResponse
			v.ValidateResource(context.Background(), req, &resp)
			if diff := cmp.Diff(tc.want, shapes(resp.Diagnostics, tc.want)); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRotationSchedule(t *testing.T) {
	t.Parallel()
	const conflict, missing, window = "Conflicting rotation schedules", "Missing rotation schedule", "Rotation window does not fit the schedule"
	runConfigCases(t, NewRotationSchedule(), map[string]configCase{
		"no rotation block":      {config: obj{}},
		"unknown rotation block": {config: obj{"rotation": unknown}},
		"days only":              {config: obj{"rotation": obj{"automatically_after_days": 30}}},
		"expression only":        {config: obj{"rotation": obj{"schedule_expression": "rate(10 days)"}}},
		"both": {
			config: obj{"rotation": obj{"automatically_after_days": 30, "schedule_expression": "rate(10 days)"}},
			want:   []diagShape{errAt("rotation", conflict, "Both rotation.automatically_after_days and rotation.schedule_expression are set. Set exactly one")},
		},
		"neither": {
			config: obj{"rotation": obj{"strategy": "generic"}},
			want:   []diagShape{errAt("rotation", missing, "Neither rotation.automatically_after_days nor rotation.schedule_expression is set. Set exactly one")},
		},
		"neither, enabled true": {
			config: obj{"rotation": obj{"enabled": true}},
			want:   []diagShape{errAt("rotation", missing, "Set exactly one")},
		},
		"neither, enabled unknown": {
			config: obj{"rotation": obj{"enabled": unknown}},
			want:   []diagShape{errAt("rotation", missing, "Set exactly one")},
		},
		"neither while disabled":   {config: obj{"rotation": obj{"enabled": false}}},
		"both while disabled":      {config: obj{"rotation": obj{"enabled": false, "automatically_after_days": 1, "schedule_expression": "rate(1 day)"}}, want: []diagShape{errAt("rotation", conflict, "Set exactly one")}},
		"days unknown, expression": {config: obj{"rotation": obj{"automatically_after_days": unknown, "schedule_expression": "rate(1 day)"}}},
		"expression unknown":       {config: obj{"rotation": obj{"schedule_expression": unknown}}},
		"cron window fits":         {config: obj{"rotation": obj{"schedule_expression": "cron(0 20 * * ? *)", "duration": "4h"}}},
		"cron window past midnight": {
			config: obj{"rotation": obj{"schedule_expression": "cron(0 20 * * ? *)", "duration": "5h"}},
			want:   []diagShape{errAt("rotation.duration", window, `rotation.duration "5h": a 5h window opening at 20:00 UTC (cron(0 20 * * ? *)) would run past the end of the UTC day: use at most 4h.`)},
		},
		"cron window into next window": {
			config: obj{"rotation": obj{"schedule_expression": "cron(0 0,4 * * ? *)", "duration": "5h"}},
			want:   []diagShape{errAt("rotation.duration", window, "would run into the next window at 04:00 UTC")},
		},
		"rate hours window too long": {
			config: obj{"rotation": obj{"schedule_expression": "rate(6 hours)", "duration": "7h"}},
			want:   []diagShape{errAt("rotation.duration", window, "use at most 6h")},
		},
		"days with a full-day window":           {config: obj{"rotation": obj{"automatically_after_days": 7, "duration": "24h"}}},
		"duration unknown":                      {config: obj{"rotation": obj{"schedule_expression": "cron(0 20 * * ? *)", "duration": unknown}}},
		"malformed duration left to attribute":  {config: obj{"rotation": obj{"schedule_expression": "cron(0 20 * * ? *)", "duration": "5"}}},
		"invalid expression left to attribute":  {config: obj{"rotation": obj{"schedule_expression": "cron(0 */1 * * ? *)", "duration": "2h"}}},
		"days out of range left to attribute":   {config: obj{"rotation": obj{"automatically_after_days": 5000, "duration": "2h"}}},
		"window check skips unknown expression": {config: obj{"rotation": obj{"schedule_expression": unknown, "duration": "24h"}}},
	})
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	const impossible = "Impossible password policy"
	allExcluded := obj{"exclude_lowercase": true, "exclude_uppercase": true, "exclude_numbers": true, "exclude_punctuation": true}
	with := func(base obj, k string, v any) obj {
		out := obj{}
		for bk, bv := range base {
			out[bk] = bv
		}
		out[k] = v
		return out
	}
	runConfigCases(t, NewPasswordPolicy(), map[string]configCase{
		"no password block":                 {config: obj{}},
		"empty block":                       {config: obj{"password": obj{}}},
		"length 1 without rq":               {config: obj{"password": obj{"length": 1, "require_each_included_type": false}}},
		"length 4096":                       {config: obj{"password": obj{"length": 4096}}},
		"length 0 left to the attribute":    {config: obj{"password": obj{"length": 0}}},
		"length 4097 left to the attribute": {config: obj{"password": obj{"length": 4097}}},
		"length out of bounds, classes still checked": {
			config: obj{"password": with(allExcluded, "length", 0)},
			want:   []diagShape{errAt("password", impossible, "the exclude_* options leave no character class")},
		},
		"length unknown, classes still checked": {
			config: obj{"password": with(allExcluded, "length", unknown)},
			want:   []diagShape{errAt("password", impossible, "the exclude_* options leave no character class")},
		},
		"length unknown": {config: obj{"password": obj{"length": unknown, "exclude_numbers": true}}},
		"every class excluded": {
			config: obj{"password": allExcluded},
			want:   []diagShape{errAt("password", impossible, "No password can be generated: the exclude_* options leave no character class.")},
		},
		"every class excluded but space": {config: obj{"password": with(allExcluded, "include_space", true)}},
		"exclude_characters empties the last class": {
			config: obj{"password": obj{"exclude_lowercase": true, "exclude_uppercase": true, "exclude_punctuation": true, "exclude_characters": "0123456789"}},
			want:   []diagShape{errAt("password.exclude_characters", impossible, "exclude_characters removes every character")},
		},
		"exclude_characters leaves a digit": {config: obj{"password": obj{"exclude_lowercase": true, "exclude_uppercase": true, "exclude_punctuation": true, "exclude_characters": "012345678"}}},
		"length below required classes": {
			config: obj{"password": obj{"length": 3}},
			want:   []diagShape{errAt("password.length", impossible, "password.length is 3, but require_each_included_type needs one character of each of the 4 included character classes: set the length to at least 4")},
		},
		"length below classes with space": {
			config: obj{"password": obj{"length": 4, "include_space": true}},
			want:   []diagShape{errAt("password.length", impossible, "each of the 5 included")},
		},
		"length 3 with three classes":        {config: obj{"password": obj{"length": 3, "exclude_punctuation": true}}},
		"length 3 without require":           {config: obj{"password": obj{"length": 3, "require_each_included_type": false}}},
		"exclude flag unknown":               {config: obj{"password": with(allExcluded, "exclude_numbers", unknown)}},
		"exclude_characters unknown":         {config: obj{"password": obj{"length": 1, "exclude_characters": unknown}}},
		"require_each_included_type unknown": {config: obj{"password": obj{"length": 2, "require_each_included_type": unknown}}},
	})
}

func TestMasterSecret(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf"
	runConfigCases(t, NewMasterSecret(), map[string]configCase{
		"no rotation block":           {config: obj{}},
		"generic without master":      {config: obj{"rotation": obj{"strategy": "generic"}}},
		"default strategy":            {config: obj{"rotation": obj{"automatically_after_days": 3}}},
		"single user without master":  {config: obj{"rotation": obj{"strategy": "postgresql_single_user"}}},
		"alternating with master":     {config: obj{"rotation": obj{"strategy": "mysql_alternating_users", "master_secret_arn": arn}}},
		"alternating, master unknown": {config: obj{"rotation": obj{"strategy": "mysql_alternating_users", "master_secret_arn": unknown}}},
		"strategy unknown":            {config: obj{"rotation": obj{"strategy": unknown}}},
		"postgres alternating without master": {
			config: obj{"rotation": obj{"strategy": "postgresql_alternating_users"}},
			want: []diagShape{errAt("rotation.master_secret_arn", "Missing master secret ARN",
				`rotation.strategy = "postgresql_alternating_users" switches between two database users, and changing their passwords needs a user that may do so: set rotation.master_secret_arn to the ARN`)},
		},
		"mysql alternating without master": {
			config: obj{"rotation": obj{"strategy": "mysql_alternating_users"}},
			want:   []diagShape{errAt("rotation.master_secret_arn", "Missing master secret ARN", "set rotation.master_secret_arn")},
		},
		"generic with master": {
			config: obj{"rotation": obj{"strategy": "generic", "master_secret_arn": arn}},
			want:   []diagShape{warnAt("rotation.master_secret_arn", "Master secret ARN is ignored", "only used by the alternating-users strategies (postgresql_alternating_users, mysql_alternating_users)")},
		},
		"default strategy with master": {
			config: obj{"rotation": obj{"master_secret_arn": arn}},
			want:   []diagShape{warnAt("rotation.master_secret_arn", "Master secret ARN is ignored", `rotation.strategy is "generic"`)},
		},
	})
}

func TestSecretTemplate(t *testing.T) {
	t.Parallel()
	const invalid, contains, incomplete = "Invalid secret template", "Secret template contains the rotated field", "Incomplete database secret template"
	pg := func(tmpl any) obj {
		return obj{"secret_template": tmpl, "rotation": obj{"strategy": "postgresql_single_user"}}
	}
	my := func(tmpl any) obj {
		return obj{"secret_template": tmpl, "rotation": obj{"strategy": "mysql_alternating_users"}}
	}
	runConfigCases(t, NewSecretTemplate(), map[string]configCase{
		"no template, generic":  {config: obj{}},
		"no template, no block": {config: obj{"rotation": obj{"automatically_after_days": 1}}},
		"empty object":          {config: obj{"secret_template": "{}"}},
		"generic keys":          {config: obj{"secret_template": `{"client_id":"abc","url":"https://example.com"}`}},
		"template unknown":      {config: pg(unknown)},
		"array": {
			config: obj{"secret_template": `["a"]`},
			want:   []diagShape{errAt("secret_template", invalid, "secret_template must be a JSON object of the keys that do not rotate")},
		},
		"string":   {config: obj{"secret_template": `"abc"`}, want: []diagShape{errAt("secret_template", invalid, "it is a JSON string.")}},
		"number":   {config: obj{"secret_template": `12`}, want: []diagShape{errAt("secret_template", invalid, "it is a JSON number.")}},
		"boolean":  {config: obj{"secret_template": ` true`}, want: []diagShape{errAt("secret_template", invalid, "it is a JSON boolean.")}},
		"null":     {config: obj{"secret_template": `null`}, want: []diagShape{errAt("secret_template", invalid, "it is JSON null.")}},
		"not json": {config: obj{"secret_template": `{username: app}`}, want: []diagShape{errAt("secret_template", invalid, "it is not valid JSON.")}},
		"empty":    {config: obj{"secret_template": ``}, want: []diagShape{errAt("secret_template", invalid, "it is not valid JSON.")}},
		"trailing": {config: obj{"secret_template": `{} {}`}, want: []diagShape{errAt("secret_template", invalid, "more text after the first JSON value")}},
		"contains default rotated field": {
			config: obj{"secret_template": `{"username":"app","password":"x"}`},
			want:   []diagShape{errAt("secret_template", contains, `secret_template has the key "password", which is the rotated_field`)},
		},
		"contains custom rotated field": {
			config: obj{"secret_template": `{"api_key":"x"}`, "rotated_field": "api_key"},
			want:   []diagShape{errAt("secret_template", contains, `has the key "api_key"`)},
		},
		"password key with custom rotated field": {config: obj{"secret_template": `{"password":"x"}`, "rotated_field": "api_key"}},
		"rotated field unknown":                  {config: obj{"secret_template": `{"password":"x"}`, "rotated_field": unknown}},
		"postgres complete":                      {config: pg(`{"engine":"postgres","host":"db","port":5432,"username":"app","dbname":"app"}`)},
		"postgres aurora engine, any case":       {config: pg(`{"engine":"Aurora-PostgreSQL","host":"db","username":"app"}`)},
		"postgres port as string":                {config: pg(`{"host":"db","username":"app","port":"5432"}`)},
		"postgres no template": {
			config: pg(nil),
			want:   []diagShape{errAt("secret_template", "Missing secret template", `rotation.strategy = "postgresql_single_user" needs to know which user on which server to rotate: set secret_template to a JSON object with at least "username" and "host"`)},
		},
		"postgres without host": {
			config: pg(`{"username":"app"}`),
			want:   []diagShape{errAt("secret_template", incomplete, `needs the key "host" in secret_template as a non-empty string`)},
		},
		"postgres empty username and no host": {
			config: pg(`{"username":""}`),
			want: []diagShape{
				errAt("secret_template", incomplete, `needs the key "username"`),
				errAt("secret_template", incomplete, `needs the key "host"`),
			},
		},
		"postgres username not a string": {
			config: pg(`{"username":5,"host":"db"}`),
			want:   []diagShape{errAt("secret_template", incomplete, `needs the key "username"`)},
		},
		"postgres with mysql engine": {
			config: pg(`{"engine":"mysql","host":"db","username":"app"}`),
			want: []diagShape{errAt("secret_template", "Secret template engine does not match the strategy",
				`The "engine" key of secret_template must be one of postgres, postgresql, aurora-postgresql for rotation.strategy = "postgresql_single_user", or be left out.`)},
		},
		"postgres port zero": {
			config: pg(`{"host":"db","username":"app","port":0}`),
			want:   []diagShape{errAt("secret_template", "Invalid port in secret template", "from 1 to 65535")},
		},
		"postgres port word": {
			config: pg(`{"host":"db","username":"app","port":"five"}`),
			want:   []diagShape{errAt("secret_template", "Invalid port in secret template", "from 1 to 65535")},
		},
		"mysql mariadb": {config: my(`{"engine":"mariadb","host":"db","username":"app"}`)},
		"mysql with postgres engine": {
			config: my(`{"engine":"postgres","host":"db","username":"app"}`),
			want:   []diagShape{errAt("secret_template", "Secret template engine does not match the strategy", "must be one of mysql, mariadb, aurora-mysql, aurora")},
		},
		"database with a custom rotated field": {
			config: obj{"secret_template": `{"host":"db","username":"app"}`, "rotated_field": "pwd", "rotation": obj{"strategy": "mysql_single_user"}},
			want: []diagShape{errAt("rotated_field", "Unsupported rotated field",
				`rotation.strategy = "mysql_single_user" rotates the database password, which is stored under the key "password": remove rotated_field or set it to "password" (got "pwd").`)},
		},
		"strategy unknown skips database checks": {
			config: obj{"secret_template": `{"username":"app"}`, "rotation": obj{"strategy": unknown}},
		},
		// PostgreSQL: 63 bytes; MySQL: 32 characters (MariaDB 80), counting "_clone" when alternating.
		"postgres username of 63 bytes": {config: pg(`{"host":"db","username":"` + strings.Repeat("u", 63) + `"}`)},
		"postgres username of 64 bytes": {
			config: pg(`{"host":"db","username":"` + strings.Repeat("u", 64) + `"}`),
			want:   []diagShape{errAt("secret_template", "Database username too long", `key "username" is longer than PostgreSQL's 63-byte limit`)},
		},
		"postgres alternating: 58 bytes plus _clone": {
			config: obj{"secret_template": `{"host":"db","username":"` + strings.Repeat("u", 58) + `"}`, "rotation": obj{"strategy": "postgresql_alternating_users"}},
			want:   []diagShape{errAt("secret_template", "Database username too long", `counting the "_clone" suffix`)},
		},
		"mysql alternating: 26 characters plus _clone fit": {config: my(`{"host":"db","username":"` + strings.Repeat("u", 26) + `"}`)},
		"mysql alternating: 27 characters plus _clone": {
			config: my(`{"host":"db","username":"` + strings.Repeat("u", 27) + `"}`),
			want:   []diagShape{errAt("secret_template", "Database username too long", `longer than the 32 characters`)},
		},
		"mariadb alternating: 74 characters plus _clone fit": {config: my(`{"engine":"mariadb","host":"db","username":"` + strings.Repeat("u", 74) + `"}`)},
		"alternating base user ending in _clone": {
			config: my(`{"host":"db","username":"app_clone"}`),
			want:   []diagShape{errAt("secret_template", "Base username ends in the clone suffix", `Name the base user`)},
		},
	})
}

func TestSecretTemplateNeverEchoesValues(t *testing.T) {
	t.Parallel()
	const value = "s3cr3t-VALUE-do-not-print"
	templates := []string{
		`{"password":"` + value + `"}`,
		`["` + value + `"]`,
		`"` + value + `"`,
		`{"password": "` + value + `"`, // truncated JSON
		`{"engine":"` + value + `","host":"db","username":"app"}`,
		`{"host":"db","username":"app","port":"` + value + `"}`,
	}
	for _, tmpl := range templates {
		cfg := newConfig(t, obj{"secret_template": tmpl, "rotation": obj{"strategy": "postgresql_single_user"}})
		var resp resource.ValidateConfigResponse
		NewSecretTemplate().ValidateResource(context.Background(), resource.ValidateConfigRequest{Config: cfg}, &resp)
		if !resp.Diagnostics.HasError() {
			t.Errorf("template %d: no error, want one", len(tmpl))
		}
		for _, d := range resp.Diagnostics {
			if strings.Contains(d.Summary()+d.Detail(), value) {
				t.Errorf("a diagnostic repeats a template value: %s: %s", d.Summary(), d.Detail())
			}
		}
	}
}

func TestNameConflict(t *testing.T) {
	t.Parallel()
	runConfigCases(t, NewNameConflict(), map[string]configCase{
		"neither":      {config: obj{}},
		"name":         {config: obj{"name": "app"}},
		"prefix":       {config: obj{"name_prefix": "app-"}},
		"name unknown": {config: obj{"name": unknown, "name_prefix": "app-"}},
		"both": {
			config: obj{"name": "app", "name_prefix": "app-"},
			want:   []diagShape{errAt("name", "Invalid Attribute Combination", "These attributes cannot be configured together: [name,name_prefix]")},
		},
	})
}

func TestConfigValidatorsTogether(t *testing.T) {
	t.Parallel()
	valid := obj{
		"name":            "prod/app/db",
		"secret_template": `{"engine":"postgres","host":"db","port":5432,"username":"app"}`,
		"rotation": obj{
			"strategy":            "postgresql_alternating_users",
			"master_secret_arn":   "arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf",
			"schedule_expression": "cron(0 2 ? * SUN *)",
			"duration":            "3h",
			"rotate_immediately":  false,
			"enabled":             true,
		},
		"password": obj{"length": 40, "exclude_characters": `"@/\`},
		"function": obj{"architecture": "arm64", "memory_size": 256, "timeout": 60},
	}
	broken := obj{
		"name":            "app",
		"name_prefix":     "app-",
		"secret_template": `{"password":"x"}`,
		"rotation": obj{
			"strategy":                 "postgresql_alternating_users",
			"automatically_after_days": 7,
			"schedule_expression":      "rate(7 days)",
		},
		"password": obj{"length": 2},
	}
	tests := map[string]configCase{
		"valid":            {config: valid},
		"all unknown":      {config: obj{"name": unknown, "secret_template": unknown, "rotation": unknown, "password": unknown}},
		"unknown children": {config: obj{"rotation": obj{"strategy": unknown, "automatically_after_days": unknown, "schedule_expression": unknown, "duration": unknown}, "password": obj{"length": unknown}}},
		"broken": {
			config: broken,
			want: []diagShape{
				errAt("name", "Invalid Attribute Combination", ""),
				errAt("rotation", "Conflicting rotation schedules", ""),
				errAt("password.length", "Impossible password policy", ""),
				errAt("rotation.master_secret_arn", "Missing master secret ARN", ""),
				errAt("secret_template", "Secret template contains the rotated field", ""),
				errAt("secret_template", "Incomplete database secret template", `"username"`),
				errAt("secret_template", "Incomplete database secret template", `"host"`),
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := resource.ValidateConfigRequest{Config: newConfig(t, tc.config)}
			var all resource.ValidateConfigResponse
			for _, v := range NewConfigValidators() {
				var resp resource.ValidateConfigResponse
				v.ValidateResource(context.Background(), req, &resp)
				all.Diagnostics.Append(resp.Diagnostics...)
			}
			got := shapes(all.Diagnostics, tc.want)
			for i := range got {
				if i < len(tc.want) && tc.want[i].Detail == "" {
					got[i].Detail = ""
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigValidatorsDescribeThemselves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for i, v := range NewConfigValidators() {
		if v.Description(ctx) == "" || v.MarkdownDescription(ctx) == "" {
			t.Errorf("validator %d (%T) has an empty description", i, v)
		}
	}
}
