package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The tests below run the validators the way Terraform does: through the
// framework's protocol-6 server (ValidateResourceConfig), with the attribute
// validators wired in testSchema and the resource's ConfigValidators, so
// wiring mistakes (paths, types, null blocks) show up here.

var (
	_ provider.Provider                     = (*testProvider)(nil)
	_ resource.Resource                     = (*testResource)(nil)
	_ resource.ResourceWithConfigValidators = (*testResource)(nil)
)

type testProvider struct{}

func (*testProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rotator"
}
func (*testProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}
func (*testProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (*testProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &testResource{} }}
}
func (*testProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type testResource struct{}

func (*testResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "rotator_rotated_secret"
}
func (*testResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = testSchema()
}
func (*testResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return NewConfigValidators()
}
func (*testResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (*testResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (*testResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (*testResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func attrPath(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, s := range p.Steps() {
		if n, ok := s.(tftypes.AttributeName); ok {
			parts = append(parts, string(n))
		}
	}
	return strings.Join(parts, ".")
}

func TestValidateResourceConfigThroughServer(t *testing.T) {
	t.Parallel()
	tests := map[string]configCase{
		"valid": {config: obj{
			"name":     "prod/app",
			"rotation": obj{"schedule_expression": "rate(4 hours)", "duration": "2h"},
			"function": obj{"memory_size": 128, "timeout": 900, "architecture": "x86_64", "log_retention_in_days": 30},
		}},
		"no blocks at all": {config: obj{"name": "app"}},
		"unknown everywhere": {config: obj{
			"name": unknown, "name_prefix": unknown, "secret_template": unknown,
			"rotation": obj{"strategy": unknown, "master_secret_arn": unknown, "automatically_after_days": unknown, "schedule_expression": unknown, "duration": unknown},
			"password": obj{"length": unknown, "exclude_numbers": unknown},
			"function": obj{"memory_size": unknown, "timeout": unknown},
		}},
		"attribute and resource rules": {
			config: obj{
				"name":            "bad name",
				"rotation":        obj{"automatically_after_days": 1001, "duration": "25h", "master_secret_arn": "nope", "strategy": "mysql_alternating_users"},
				"function":        obj{"memory_size": 64, "timeout": 0},
				"password":        obj{"length": 0},
				"secret_template": `{"host":"db","username":"app"}`,
			},
			want: []diagShape{
				errAt("name", "Invalid secret name", "contains ' '"),
				errAt("rotation.automatically_after_days", "Invalid Attribute Value", "value must be between 1 and 1000, got: 1001"),
				errAt("rotation.duration", "Invalid rotation window duration", "between 1h and 24h"),
				errAt("rotation.master_secret_arn", "Invalid secret ARN", "must be the ARN of a Secrets Manager secret"),
				errAt("function.memory_size", "Invalid Attribute Value", "value must be between 128 and 10240, got: 64"),
				errAt("function.timeout", "Invalid Attribute Value", "value must be between 1 and 900, got: 0"),
				errAt("password.length", "Invalid Attribute Value", "value must be between 1 and 4096, got: 0"),
			},
		},
		"schedule window through server": {
			config: obj{"rotation": obj{"schedule_expression": "cron(0 22 ? * MON *)", "duration": "3h"}},
			want:   []diagShape{errAt("rotation.duration", "Rotation window does not fit the schedule", "use at most 2h")},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := providerserver.NewProtocol6(&testProvider{})()
			typ := testSchema().Type().TerraformType(ctx)
			dv, err := tfprotov6.NewDynamicValue(typ, build(t, typ, tc.config))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "rotator_rotated_secret", Config: &dv})
			if err != nil {
				t.Fatal(err)
			}
			var got []diagShape
			for i, d := range resp.Diagnostics {
				s := diagShape{Severity: "error", Path: attrPath(d.Attribute), Summary: d.Summary, Detail: d.Detail}
				if d.Severity == tfprotov6.DiagnosticSeverityWarning {
					s.Severity = "warning"
				}
				_ = i
				got = append(got, s)
			}
			// The framework does not promise an order across attributes.
			sortShapes(got)
			want := append([]diagShape(nil), tc.want...)
			sortShapes(want)
			for i := range got {
				if i < len(want) && strings.Contains(got[i].Detail, want[i].Detail) {
					got[i].Detail = want[i].Detail
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func sortShapes(s []diagShape) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Path+s[j].Summary < s[j-1].Path+s[j-1].Summary; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
