package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func TestSecretValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, template, master, want string
		wantErr                      bool
	}{
		{"plain", "", "", "p@ss<>", false},
		{"template", `{"username":"app","port":5432}`, "", `{"password":"p@ss<>","port":5432,"username":"app"}`, false},
		{"master", `{"username":"app"}`, "arn:m", `{"masterarn":"arn:m","password":"p@ss<>","username":"app"}`, false},
		{"not an object", `[1]`, "", "", true},
	}
	for _, tc := range tests {
		got, err := secretValue(tc.template, "password", "p@ss<>", tc.master)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: secretValue = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "p@ss") {
			t.Errorf("%s: the error contains the value", tc.name)
		}
	}
}

func TestRewriteTemplateKeepsRotatedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, strategy, oldField, field, current, template, want string
	}{
		{"generic", "generic", "password", "password", `{"password":"s3cret","host":"old"}`, `{"host":"new","port":1}`, `{"host":"new","password":"s3cret","port":1}`},
		{"alternating keeps the flipped user", "postgresql_alternating_users", "password", "password",
			`{"password":"s3cret","username":"app_clone","host":"old"}`, `{"username":"app","host":"new"}`,
			`{"host":"new","password":"s3cret","username":"app_clone"}`},
		{"plain string becomes the field", "generic", "password", "password", `s3cret`, `{"host":"h"}`, `{"host":"h","password":"s3cret"}`},
		{"renamed field moves the value", "generic", "password", "token", `{"password":"s3cret","host":"h"}`, `{"host":"h"}`, `{"host":"h","token":"s3cret"}`},
		// A renamed base user: the function only accepts the new pair, so
		// the old clone's name is not kept.
		{"alternating with a renamed user takes the template's", "mysql_alternating_users", "password", "password",
			`{"password":"s3cret","username":"app_clone","host":"h"}`, `{"username":"svc","host":"h"}`,
			`{"host":"h","password":"s3cret","username":"svc"}`},
	}
	for _, tc := range tests {
		got, err := rewriteTemplate(tc.template, tc.oldField, tc.field, tc.strategy, "")(tc.current)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestSpecDefaultsWithoutBlocks(t *testing.T) {
	t.Parallel()
	m := rotatedSecretModel{Name: types.StringValue("n"), Tags: types.MapNull(types.StringType), Rotation: &rotationModel{
		AutomaticallyAfterDays: types.Int64Value(7),
	}}
	pd := &providerData{region: "us-east-1", account: "1", partition: "aws", defaultTags: map[string]string{"env": "dev"}}
	got, diags := m.spec(context.Background(), pd)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := stack.Spec{
		Region: "us-east-1", Account: "1", Partition: "aws", Name: "n",
		Tags:               map[string]string{"env": "dev"},
		RecoveryWindowDays: defaultRecoveryWindowDays,
		Strategy:           "generic", RotatedField: "password", Password: config.DefaultPasswordPolicy(),
		Function: stack.FunctionSpec{Architecture: defaultArchitecture, MemorySize: defaultMemorySize, Timeout: defaultTimeout, LogRetentionDays: defaultLogRetentionDays},
		Rotation: stack.RotationSpec{Enabled: true, AutomaticallyAfterDays: 7},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
}
