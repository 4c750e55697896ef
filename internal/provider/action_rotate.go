package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// rotateActionTypeName is the action's type name.
const rotateActionTypeName = "rotator_rotate"

var (
	_ action.Action              = (*rotateAction)(nil)
	_ action.ActionWithConfigure = (*rotateAction)(nil)
)

// Actions lists the provider's actions (Terraform >= 1.14). OpenTofu and
// older Terraform versions do not ask for them; the provider works there
// without.
func (p *rotatorProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{NewRotateAction}
}

// NewRotateAction returns the rotator_rotate action: rotate one secret now
// and wait for the outcome.
func NewRotateAction() action.Action { return &rotateAction{} }

type rotateAction struct{ data *providerData }

type rotateActionModel struct {
	SecretID types.String `tfsdk:"secret_id"`
}

func (a *rotateAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = rotateActionTypeName
}

func (a *rotateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Rotates one secret now with its configured rotation function (`RotateSecret`), waits for the " +
			fmt.Sprintf("outcome (up to %g minutes) and reports", stack.RotationWaitTimeout.Minutes()) + " the new `AWSCURRENT` version ID; a failed rotation fails the run with the step that " +
			"failed and the function's own error lines. Invoke it with `terraform apply -invoke=action.rotator_rotate.NAME` " +
			"(Terraform ≥ 1.14). The caller needs `secretsmanager:DescribeSecret` and `secretsmanager:RotateSecret` on the " +
			"secret, `lambda:InvokeFunction` on its rotation function, and `logs:FilterLogEvents` on the function's log group " +
			"to quote its error lines.",
		Attributes: map[string]schema.Attribute{
			"secret_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name or ARN of the secret to rotate, for example `rotator_rotated_secret.db.arn`.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 2048)},
			},
		},
	}
}

func (a *rotateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (a *rotateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	ctx = withLogging(ctx)
	var m rotateActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil || a.data.stack == nil {
		resp.Diagnostics.AddError("Provider not configured", "The rotator provider was not configured before invoking "+rotateActionTypeName+".")
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	progress(fmt.Sprintf("Rotating %s and waiting up to %s for the outcome", m.SecretID.ValueString(), stack.RotationWaitTimeout))
	version, err := a.data.stack.RotateNow(ctx, m.SecretID.ValueString())
	if err != nil {
		resp.Diagnostics.Append(errorDiag("The rotation did not succeed", "", err))
		return
	}
	progress(fmt.Sprintf("Rotated %s: AWSCURRENT is now version %s", m.SecretID.ValueString(), version))
}
