package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// secretValueTypeName is the ephemeral resource's type name.
const secretValueTypeName = "rotator_secret_value"

var (
	_ ephemeral.EphemeralResource              = (*secretValueEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*secretValueEphemeral)(nil)
)

// EphemeralResources lists the provider's ephemeral resources (Terraform
// >= 1.10, OpenTofu >= 1.11; older versions ignore them).
func (p *rotatorProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewSecretValueEphemeralResource}
}

// NewSecretValueEphemeralResource returns the rotator_secret_value
// ephemeral resource: a secret's value that never reaches state or plan.
func NewSecretValueEphemeralResource() ephemeral.EphemeralResource {
	return &secretValueEphemeral{}
}

type secretValueEphemeral struct{ data *providerData }

type secretValueModel struct {
	SecretID     types.String `tfsdk:"secret_id"`
	VersionStage types.String `tfsdk:"version_stage"`
	VersionID    types.String `tfsdk:"version_id"`
	Field        types.String `tfsdk:"field"`
	ARN          types.String `tfsdk:"arn"`
	Value        types.String `tfsdk:"value"`
}

// defaultVersionStage is what GetSecretValue reads without a stage or ID.
const defaultVersionStage = "AWSCURRENT"

func (e *secretValueEphemeral) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = secretValueTypeName
}

func (e *secretValueEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	exclusive := []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("version_stage"), path.MatchRoot("version_id"))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The value of a secret (by default its `AWSCURRENT` version), read at each plan and apply and never " +
			"written to the state or the plan. Use it for write-only arguments of other resources (for example a database's " +
			"`password_wo`) and for provider configurations. Needs Terraform ≥ 1.10 or OpenTofu ≥ 1.11; the caller needs " +
			"`secretsmanager:GetSecretValue` on the secret (and `kms:Decrypt` on its customer managed key, if any).",
		Attributes: map[string]schema.Attribute{
			"secret_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name or ARN of the secret, for example `rotator_rotated_secret.db.arn`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
			"version_stage": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Staging label of the version to read, for example `AWSPREVIOUS`. Default `%s`. "+
					"Conflicts with `version_id`.", defaultVersionStage),
				Validators: append([]validator.String{stringvalidator.LengthBetween(1, 256)}, exclusive...),
			},
			"version_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the version to read. Conflicts with `version_stage`. Without it, the ID of the version read.",
				Validators:          append([]validator.String{stringvalidator.LengthBetween(32, 64)}, exclusive...),
			},
			"field": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "When the secret is a JSON object, return only this top-level key's string value " +
					"(for example `password`) in `value`. Without it, `value` is the whole secret string.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the secret.",
			},
			"value": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The secret string, or the value of `field`.",
			},
		},
	}
}

func (e *secretValueEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (e *secretValueEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	ctx = withLogging(ctx)
	var m secretValueModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e.data == nil || e.data.stack == nil {
		resp.Diagnostics.AddError("Provider not configured", "The rotator provider was not configured before reading "+secretValueTypeName+".")
		return
	}
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(m.SecretID.ValueString())}
	switch {
	case !m.VersionID.IsNull():
		in.VersionId = aws.String(m.VersionID.ValueString())
	case !m.VersionStage.IsNull():
		in.VersionStage = aws.String(m.VersionStage.ValueString())
	default:
		in.VersionStage = aws.String(defaultVersionStage)
	}
	out, err := e.data.stack.Clients().SecretsManager.GetSecretValue(ctx, in)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot read the secret's value",
			"Check that the secret, version and stage exist and that the credentials allow secretsmanager:GetSecretValue "+
				"(and kms:Decrypt on the secret's key).", err))
		return
	}
	if out.SecretString == nil {
		resp.Diagnostics.AddError("The secret version has no string value",
			"Version "+aws.ToString(out.VersionId)+" of "+aws.ToString(out.ARN)+" holds SecretBinary (or nothing); "+
				secretValueTypeName+" returns SecretString only.")
		return
	}
	value, err := pickField(*out.SecretString, m.Field.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("field"), "Cannot take the field from the secret", err.Error())
		return
	}
	m.ARN = types.StringValue(aws.ToString(out.ARN))
	m.VersionID = types.StringValue(aws.ToString(out.VersionId))
	m.Value = types.StringValue(value)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// pickField returns s itself, or the string value of its top-level key
// field. The errors name the key, never the value.
func pickField(s, field string) (string, error) {
	if field == "" {
		return s, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return "", fmt.Errorf("field = %q needs a secret that is a JSON object, and this secret is not one", field)
	}
	raw, ok := obj[field]
	if !ok {
		return "", fmt.Errorf("the secret has no key %q", field)
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("the secret's key %q is not a string", field)
	}
	return v, nil
}
