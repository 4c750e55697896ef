package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// ModifyPlan computes what the plan can know: tags_all, the children's
// names and ARNs, code_sha256 of the embedded bundle, whether this apply
// rotates, and an empty drift list when the apply repairs drift.
func (r *rotatedSecretResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.pd == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	var plan rotatedSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *rotatedSecretModel
	if !req.State.Raw.IsNull() {
		state = &rotatedSecretModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// tags_all.
	if !plan.Tags.IsUnknown() {
		tags, diags := plan.allTags(ctx, r.pd.defaultTags)
		resp.Diagnostics.Append(diags...)
		plan.TagsAll = stringMap(tags)
	}

	// Names and ARNs derive from the secret name, region and account.
	if name := plan.Name; !name.IsUnknown() && !name.IsNull() {
		names := stack.NamesFor(r.pd.region, name.ValueString())
		plan.FunctionName = types.StringValue(names.Function)
		plan.LogGroupName = types.StringValue(names.LogGroup)
		account := r.pd.account
		if account == "" && state != nil {
			account = stack.Spec{}.WithAccountFrom(state.ARN.ValueString()).Account
		}
		if account != "" {
			plan.FunctionARN = types.StringValue(fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", r.pd.partition, r.pd.region, account, names.Function))
			if byo := plan.byoRole(); byo != "" {
				plan.RoleARN = types.StringValue(byo)
			} else if !plan.Function.roleUnknown() {
				plan.RoleARN = types.StringValue(fmt.Sprintf("arn:%s:iam::%s:role/%s", r.pd.partition, account, names.Role))
			}
		}
	}

	// code_sha256: the embedded bundle for the planned architecture.
	if plan.Function == nil || !plan.Function.Architecture.IsUnknown() {
		sha, err := r.pd.code.CodeSHA256(plan.architecture())
		if err != nil {
			resp.Diagnostics.Append(errorDiag("Cannot plan the rotation function's code", "", err))
			return
		}
		plan.CodeSHA256 = types.StringValue(sha)
	}

	enabled := plan.Rotation == nil || boolOr(plan.Rotation.Enabled, defaultRotationEnabled)
	immediately := plan.Rotation != nil && boolOr(plan.Rotation.RotateImmediately, defaultRotateImmediately)
	if plan.Rotation != nil && !plan.Rotation.Enabled.IsUnknown() {
		plan.RotationEnabled = types.BoolValue(enabled)
	}
	plan.Drift = stringList(nil)

	var rotates bool
	if state == nil {
		rotates = enabled && immediately
		plan.CurrentVersionID = types.StringUnknown()
		plan.LastRotatedDate = types.StringUnknown()
		plan.NextRotationDate = types.StringUnknown()
	} else {
		var drift []string
		resp.Diagnostics.Append(state.Drift.ElementsAs(ctx, &drift, false)...)
		if !plan.InitialValueWOVersion.Equal(state.InitialValueWOVersion) && !plan.InitialValueWOVersion.IsNull() {
			var wo types.String
			resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("initial_value_wo"), &wo)...)
			if wo.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root("initial_value_wo_version"), "Nothing to write",
					"initial_value_wo_version changed, which writes initial_value_wo as the new current value, but initial_value_wo is not set. "+
						"Set initial_value_wo (from an ephemeral variable or resource), or keep initial_value_wo_version unchanged.")
				return
			}
		}
		reconfigure := (enabled && !state.RotationEnabled.ValueBool()) || state.FunctionARN.ValueString() == "" ||
			scheduleChanged(plan.Rotation, state.Rotation) || isRotationDrift(drift)
		rotates = enabled && immediately && reconfigure
		valueWrite := !plan.InitialValueWOVersion.Equal(state.InitialValueWOVersion) || !plan.SecretTemplate.Equal(state.SecretTemplate) ||
			!plan.RotatedField.Equal(state.RotatedField) || plan.masterSecretARN() != state.masterSecretARN()
		if reconfigure || valueWrite {
			plan.CurrentVersionID = types.StringUnknown()
			plan.LastRotatedDate = types.StringUnknown()
			plan.NextRotationDate = types.StringUnknown()
		} else {
			plan.CurrentVersionID = state.CurrentVersionID
			plan.LastRotatedDate = state.LastRotatedDate
			plan.NextRotationDate = state.NextRotationDate
		}
		// Nothing to apply: keep the refreshed value so the plan stays empty.
		if !rotates && !state.RotatesOnApply.IsNull() {
			plan.RotatesOnApply = state.RotatesOnApply
		}
	}
	if rotates || plan.RotatesOnApply.IsUnknown() || state == nil {
		plan.RotatesOnApply = types.BoolValue(rotates)
	}
	if rotates {
		resp.Diagnostics.AddAttributeWarning(path.Root("rotation").AtName("rotate_immediately"),
			"The secret rotates during this apply",
			"rotate_immediately = true and this apply configures rotation, so Secrets Manager rotates the secret at once: "+
				"clients that cached the current value must fetch the new one. Set rotate_immediately = false to only validate the "+
				"function now and rotate in the next scheduled window.")
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (f *functionModel) roleUnknown() bool { return f != nil && f.RoleARN.IsUnknown() }

// scheduleChanged reports a change of the schedule (or of enabled).
func scheduleChanged(plan, state *rotationModel) bool {
	if plan == nil || state == nil {
		return plan != state
	}
	return !plan.AutomaticallyAfterDays.Equal(state.AutomaticallyAfterDays) ||
		!plan.ScheduleExpression.Equal(state.ScheduleExpression) ||
		!plan.Duration.Equal(state.Duration) ||
		!plan.Enabled.Equal(state.Enabled)
}
