package validators

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// testSchema mirrors the parts of rotator_rotated_secret's schema that the
// validators read, with the attribute validators wired as the provider
// wires them.
func testSchema() schema.Schema {
	return schema.Schema{
		Attributes: map[string]schema.Attribute{
			"name":            schema.StringAttribute{Optional: true, Validators: []validator.String{NewSecretName()}},
			"name_prefix":     schema.StringAttribute{Optional: true, Validators: []validator.String{NewSecretNamePrefix()}},
			"secret_template": schema.StringAttribute{Optional: true},
			"rotated_field":   schema.StringAttribute{Optional: true, Validators: []validator.String{NewRotatedField()}},
			"arn":             schema.StringAttribute{Computed: true},
		},
		Blocks: map[string]schema.Block{
			"rotation": schema.SingleNestedBlock{
				Attributes: map[string]schema.Attribute{
					"strategy":                 schema.StringAttribute{Optional: true, Validators: []validator.String{NewStrategy()}},
					"master_secret_arn":        schema.StringAttribute{Optional: true, Validators: []validator.String{NewSecretARN()}},
					"automatically_after_days": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{NewAutomaticallyAfterDays()}},
					"schedule_expression":      schema.StringAttribute{Optional: true, Validators: []validator.String{NewScheduleExpression()}},
					"duration":                 schema.StringAttribute{Optional: true, Validators: []validator.String{NewWindowDuration()}},
					"rotate_immediately":       schema.BoolAttribute{Optional: true},
					"enabled":                  schema.BoolAttribute{Optional: true},
				},
			},
			"password": schema.SingleNestedBlock{
				Attributes: map[string]schema.Attribute{
					"length":                     schema.Int64Attribute{Optional: true, Validators: []validator.Int64{NewPasswordLength()}},
					"exclude_characters":         schema.StringAttribute{Optional: true},
					"exclude_numbers":            schema.BoolAttribute{Optional: true},
					"exclude_punctuation":        schema.BoolAttribute{Optional: true},
					"exclude_uppercase":          schema.BoolAttribute{Optional: true},
					"exclude_lowercase":          schema.BoolAttribute{Optional: true},
					"include_space":              schema.BoolAttribute{Optional: true},
					"require_each_included_type": schema.BoolAttribute{Optional: true},
				},
			},
			"function": schema.SingleNestedBlock{
				Attributes: map[string]schema.Attribute{
					"architecture":          schema.StringAttribute{Optional: true, Validators: []validator.String{NewArchitecture()}},
					"memory_size":           schema.Int64Attribute{Optional: true, Validators: []validator.Int64{NewMemorySize()}},
					"timeout":               schema.Int64Attribute{Optional: true, Validators: []validator.Int64{NewTimeout()}},
					"log_retention_in_days": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{NewLogRetentionInDays()}},
					"subnet_ids":            schema.ListAttribute{Optional: true, ElementType: types.StringType},
				},
			},
		},
	}
}

// unknown marks an unknown value in a test configuration.
type unknownValue struct{}

var unknown = unknownValue{}

// obj is a block or object in a test configuration; missing keys are null.
type obj map[string]any

// newConfig builds a tfsdk.Config of testSchema from Go values: nil or a
// missing key is null, unknown is unknown, obj is a block.
func newConfig(t *testing.T, values obj) tfsdk.Config {
	t.Helper()
	s := testSchema()
	typ := s.Type().TerraformType(context.Background())
	return tfsdk.Config{Schema: s, Raw: build(t, typ, values)}
}

func build(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return tftypes.NewValue(typ, nil)
	case unknownValue:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	case string:
		return tftypes.NewValue(typ, v)
	case bool:
		return tftypes.NewValue(typ, v)
	case int:
		return tftypes.NewValue(typ, new(big.Float).SetInt64(int64(v)))
	case obj:
		ot, ok := typ.(tftypes.Object)
		if !ok {
			t.Fatalf("value %v given for non-object type %s", v, typ)
		}
		for k := range v {
			if _, ok := ot.AttributeTypes[k]; !ok {
				t.Fatalf("test config sets %q, which the test schema lacks", k)
			}
		}
		vals := make(map[string]tftypes.Value, len(ot.AttributeTypes))
		for name, at := range ot.AttributeTypes {
			vals[name] = build(t, at, v[name])
		}
		return tftypes.NewValue(ot, vals)
	}
	t.Fatalf("unsupported test value %T", v)
	return tftypes.Value{}
}

// diagShape is what tests assert about a diagnostic. Detail is compared as
// a substring: shapes() replaces the real detail with the wanted fragment
// when it contains it.
type diagShape struct {
	Severity string
	Path     string
	Summary  string
	Detail   string
}

func errAt(p, summary, detail string) diagShape { return diagShape{"error", p, summary, detail} }
func warnAt(p, summary, detail string) diagShape {
	return diagShape{"warning", p, summary, detail}
}

func shapes(diags diag.Diagnostics, want []diagShape) []diagShape {
	var got []diagShape
	for i, d := range diags {
		s := diagShape{Severity: strings.ToLower(d.Severity().String()), Summary: d.Summary(), Detail: d.Detail()}
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			s.Path = wp.Path().String()
		}
		if i < len(want) && want[i].Detail != "" && strings.Contains(s.Detail, want[i].Detail) {
			s.Detail = want[i].Detail
		}
		got = append(got, s)
	}
	return got
}
