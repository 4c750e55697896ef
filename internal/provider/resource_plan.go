package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider/validators"
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
			plan.FunctionARN = types.StringValue(stack.FunctionARN(r.pd.partition, r.pd.region, account, names.Function))
			if byo := plan.byoRole(); byo != "" {
				plan.RoleARN = types.StringValue(byo)
			} else if !plan.Function.roleUnknown() {
				plan.RoleARN = types.StringValue(stack.RoleARN(r.pd.partition, account, names.Role))
			}
		}
		plan.planAlerts(r.pd, names, account, &resp.Diagnostics)
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

	spec, diags := plan.spec(ctx, r.pd)
	resp.Diagnostics.Append(diags...)
	// Replicas: regions checked against the provider's region and partition.
	partition := r.pd.partition
	if partition == "" {
		partition = stack.PartitionOf(r.pd.region)
	}
	resp.Diagnostics.Append(validators.Replicas(r.pd.region, partition, spec.Strategy, plan.replicaChecks(ctx, &resp.Diagnostics))...)
	plan.planReplicas(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	want := spec.Rotation
	if plan.Rotation != nil && !plan.Rotation.Enabled.IsUnknown() {
		plan.RotationEnabled = types.BoolValue(want.Enabled)
	}
	plan.Drift = stringList(nil)

	// One predicate decides, from what the last refresh saw, whether this
	// apply calls RotateSecret: the same one Update and the drift use.
	var seen stack.RotationSeen // a create sees nothing
	if state != nil {
		seen = state.rotationSeen(ctx, req.Private)
	}
	// rotation.rotate_triggers asks for one rotation when it changed since
	// the last successful apply (a failed rotation keeps the old ones).
	triggered, triggersKnown := rotateTriggersChanged(&plan, state)
	if len(triggered) > 0 && !want.Enabled {
		resp.Diagnostics.Append(triggersWithoutRotation(triggered))
		return
	}
	want.RotateNow = len(triggered) > 0
	mayRotate := !triggersKnown && want.Enabled // known at apply time only
	reconfigure := stack.Reconfigures(want, seen)
	rotates := stack.Rotates(want, seen)
	if state == nil {
		plan.unknownVersionFacts()
	} else {
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
		cancels := !want.Enabled && seen.Enabled
		if reconfigure || cancels || mayRotate || plan.writesValue(state) {
			plan.unknownVersionFacts()
		} else {
			plan.keepVersionFacts(state)
		}
		// Nothing to apply: keep the refreshed value so the plan stays empty.
		if !rotates && !state.RotatesOnApply.IsNull() {
			plan.RotatesOnApply = state.RotatesOnApply
		}
	}
	if state != nil {
		if details := adoptionPending(ctx, req.Private); details != "" {
			resp.Diagnostics.Append(adoptionWarning(state.Name.ValueString(), details))
		}
	}
	if rotates || plan.RotatesOnApply.IsUnknown() || state == nil {
		plan.RotatesOnApply = types.BoolValue(rotates)
	}
	if mayRotate && !rotates {
		plan.RotatesOnApply = types.BoolUnknown() // the triggers are known at apply time
	}
	if rotates {
		resp.Diagnostics.Append(rotatesOnApplyWarning(triggered))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// unknownVersionFacts marks what an apply that writes or rotates the value
// changes: AWSCURRENT, its dates and the rotation's health.
func (m *rotatedSecretModel) unknownVersionFacts() {
	m.CurrentVersionID, m.CurrentVersionCreated = types.StringUnknown(), types.StringUnknown()
	m.LastRotatedDate, m.NextRotationDate = types.StringUnknown(), types.StringUnknown()
	m.RotationPending, m.RotationStuck = types.BoolUnknown(), types.BoolUnknown()
}

// keepVersionFacts plans them unchanged: the apply touches no version. A
// fact the state lacks (written by an older provider, planned without a
// refresh) stays unknown, since the apply's read fills it.
func (m *rotatedSecretModel) keepVersionFacts(state *rotatedSecretModel) {
	m.CurrentVersionID, m.CurrentVersionCreated = knownString(state.CurrentVersionID), knownString(state.CurrentVersionCreated)
	m.LastRotatedDate, m.NextRotationDate = knownString(state.LastRotatedDate), knownString(state.NextRotationDate)
	m.RotationPending, m.RotationStuck = knownBool(state.RotationPending), knownBool(state.RotationStuck)
}

// knownString is v, or unknown when v is null.
func knownString(v types.String) types.String {
	if v.IsNull() {
		return types.StringUnknown()
	}
	return v
}

// knownBool is v, or unknown when v is null.
func knownBool(v types.Bool) types.Bool {
	if v.IsNull() {
		return types.BoolUnknown()
	}
	return v
}

func (f *functionModel) roleUnknown() bool { return f != nil && f.RoleARN.IsUnknown() }

// rotationSeen is what the last refresh saw of the secret's rotation
// (recorded in private state), or, for a state written before it was
// recorded, what the state's attributes say.
func (m *rotatedSecretModel) rotationSeen(ctx context.Context, private privateStateReader) stack.RotationSeen {
	if seen, ok := loadRotationSeen(ctx, private); ok {
		return seen
	}
	seen := stack.RotationSeen{Enabled: m.RotationEnabled.ValueBool(), FunctionARN: m.FunctionARN.ValueString(), LambdaARN: m.FunctionARN.ValueString()}
	if r := m.Rotation; r != nil {
		seen.Rules = &stack.RotationRules{
			AutomaticallyAfterDays: r.AutomaticallyAfterDays.ValueInt64(),
			ScheduleExpression:     r.ScheduleExpression.ValueString(),
			Duration:               r.Duration.ValueString(),
		}
	}
	return seen
}

// writesValue reports whether applying m over state writes a new secret
// value: a new initial_value_wo_version, or a change of what the value is
// composed of (template, rotated field, master secret).
func (m *rotatedSecretModel) writesValue(state *rotatedSecretModel) bool {
	return !m.InitialValueWOVersion.Equal(state.InitialValueWOVersion) || m.rewritesValue(state)
}

// rewritesValue reports a change of what the value is composed of.
func (m *rotatedSecretModel) rewritesValue(state *rotatedSecretModel) bool {
	return !m.SecretTemplate.Equal(state.SecretTemplate) || !m.RotatedField.Equal(state.RotatedField) ||
		m.masterSecretARN() != state.masterSecretARN()
}
