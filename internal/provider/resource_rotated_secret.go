package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider/validators"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var (
	_ resource.Resource                     = (*rotatedSecretResource)(nil)
	_ resource.ResourceWithConfigure        = (*rotatedSecretResource)(nil)
	_ resource.ResourceWithImportState      = (*rotatedSecretResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*rotatedSecretResource)(nil)
	_ resource.ResourceWithConfigValidators = (*rotatedSecretResource)(nil)
)

type rotatedSecretResource struct {
	pd *providerData
}

// NewRotatedSecretResource is the factory of rotator_rotated_secret.
func NewRotatedSecretResource() resource.Resource { return &rotatedSecretResource{} }

func (r *rotatedSecretResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_rotated_secret"
}

// ConfigValidators are the cross-attribute rules, checked at plan time.
func (r *rotatedSecretResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return validators.NewConfigValidators()
}

func (r *rotatedSecretResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *rotatedSecretResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx = withLogging(ctx)
	var plan rotatedSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var initial types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("initial_value_wo"), &initial)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Name.IsUnknown() || plan.Name.IsNull() {
		prefix := plan.NamePrefix.ValueString()
		if plan.NamePrefix.IsNull() {
			prefix = defaultNamePrefix
		}
		plan.Name = types.StringValue(uniqueName(prefix))
	}
	spec, diags := plan.spec(ctx, r.pd)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	value := initial.ValueString()
	if initial.IsNull() {
		var err error
		if value, err = password.Generate(spec.Password); err != nil {
			resp.Diagnostics.Append(errorDiag("Cannot generate the first value", "Check the password block.", err))
			return
		}
	}
	secret, err := secretValue(plan.SecretTemplate.ValueString(), spec.RotatedField, value, spec.MasterSecretARN)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("secret_template"), "Invalid secret_template", err.Error())
		return
	}

	save := func(st stack.State) {
		partial := plan
		partial.created(st)
		partial.nullUnknowns()
		resp.Diagnostics.Append(resp.State.Set(ctx, &partial)...)
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, st.SecretARN)...)
	}
	st, err := r.pd.stack.Create(ctx, spec, secret, save)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot create the rotated secret", r.cleanUpFailedCreate(ctx, spec, st, initial.IsNull(), resp), err))
		return
	}
	if !r.refresh(ctx, &plan, spec, st.SecretARN, resp.Private, &resp.Diagnostics) {
		// The stack exists; keep what we know so destroy can clean it.
		save(st)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, st.SecretARN)...)
}

// cleanUpFailedCreate decides what a failed create leaves, and returns
// what to tell the user. A secret that holds only the value the provider
// generated is deleted at once, with everything else, without recovery:
// nothing of value is lost and the name is free for the next apply. A
// secret holding the user's initial_value_wo stays in the state (tainted),
// so that destroy deletes it with its recovery window.
func (r *rotatedSecretResource) cleanUpFailedCreate(ctx context.Context, spec stack.Spec, st stack.State, generated bool, resp *resource.CreateResponse) string {
	tainted := "The objects created so far are in the state, marked tainted; the next apply (or destroy) removes them."
	switch {
	case st.SecretARN == "":
		return tainted
	case generated:
		err := r.pd.stack.Delete(ctx, spec, st.SecretARN, stack.DeleteOptions{ForceIfOnlyVersion: st.InitialVersionID})
		if err != nil {
			return tainted + " (Deleting them at once failed too: " + err.Error() + ")"
		}
		resp.State.RemoveResource(ctx)
		return "Everything the create made was deleted again. The secret held only a value the provider generated, so it was deleted " +
			"without recovery and its name is free again at once: fix the cause and apply again."
	case spec.RecoveryWindowDays == 0:
		return tainted
	default:
		return tainted + fmt.Sprintf(" The secret holds the initial_value_wo you gave, so that cleanup keeps it recoverable for "+
			"recovery_window_in_days = %d days, during which the name stays taken: restore it with "+
			"`aws secretsmanager restore-secret --secret-id %s` if you need the value, or delete it for good with "+
			"`aws secretsmanager delete-secret --secret-id %s --force-delete-without-recovery`.",
			spec.RecoveryWindowDays, st.SecretARN, st.SecretARN)
	}
}

// refresh reads the stack after a create or update and fills the computed
// attributes the plan did not know. It reports whether the read worked.
func (r *rotatedSecretResource) refresh(ctx context.Context, m *rotatedSecretModel, spec stack.Spec, secretARN string, private privateStore, diags *diag.Diagnostics) bool {
	o, err := r.pd.stack.Read(ctx, spec, secretARN)
	if err != nil {
		diags.Append(errorDiag("Cannot read the rotated secret after the change", "", err))
		return false
	}
	if diags.Append(r.readVersionDates(ctx, o, private)...); diags.HasError() {
		return false
	}
	m.observe(o, nil, true)
	diags.Append(saveRotationSeen(ctx, private, o.RotationSeen())...)
	return !diags.HasError()
}

func (r *rotatedSecretResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx = withLogging(ctx)
	state, spec, id, ok := r.fromState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	o, err := r.pd.stack.Read(ctx, spec, id)
	if stack.IsNotFound(err) {
		tflog.Warn(ctx, "secret is gone or scheduled for deletion; removing it from state", map[string]any{"secret": id})
		// The framework wants an identity even from a Read that removes the
		// resource. Terraform < 1.12 stores none, so set it from the state.
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ARN.ValueString())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot read the rotated secret", "", err))
		return
	}
	drift, err := r.pd.stack.Drift(ctx, spec, o)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot check the rotated secret for drift", "", err))
		return
	}
	if resp.Diagnostics.Append(r.readVersionDates(ctx, o, resp.Private)...); resp.Diagnostics.HasError() {
		return
	}
	for _, d := range drift {
		tflog.Info(ctx, "drift detected", map[string]any{"secret": id, "drift": d.Message, "kind": string(d.Kind)})
	}
	state.observe(o, drift, false)
	resp.Diagnostics.Append(saveRotationSeen(ctx, resp.Private, o.RotationSeen())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.ARN.ValueString())...)
}

func (r *rotatedSecretResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx = withLogging(ctx)
	var plan, state rotatedSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	var initial types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("initial_value_wo"), &initial)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, diags := plan.spec(ctx, r.pd)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	triggered, _ := rotateTriggersChanged(&plan, &state) // the plan is known at apply time
	spec.Rotation.RotateNow = len(triggered) > 0
	opts := stack.UpdateOptions{HadPolicy: !state.Policy.IsNull() && state.Policy.ValueString() != "", PriorAlertTopic: state.alertTopic()}
	if state.byoRole() == "" && spec.BringsOwnRole() {
		opts.PriorRoleName = spec.Names().Role
	}
	template := plan.SecretTemplate.ValueString()
	if !plan.InitialValueWOVersion.Equal(state.InitialValueWOVersion) && !initial.IsNull() {
		v, err := secretValue(template, spec.RotatedField, initial.ValueString(), spec.MasterSecretARN)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("secret_template"), "Invalid secret_template", err.Error())
			return
		}
		opts.NewValue = v
	} else if plan.rewritesValue(&state) {
		opts.RewriteValue = rewriteTemplate(template, stringOr(state.RotatedField, config.DefaultRotatedField), spec.RotatedField, spec.Strategy, spec.MasterSecretARN)
	}
	st := stack.State{SecretARN: state.ARN.ValueString(), SecretName: state.Name.ValueString()}
	if st, err := r.pd.stack.Update(ctx, spec, st, opts); err != nil {
		if st.ValueWritten {
			// Record the write, so the next apply does not replay the old
			// write-only value over newer ones.
			written := state.withValueOf(&plan)
			resp.Diagnostics.Append(resp.State.Set(ctx, &written)...)
		}
		resp.Diagnostics.Append(errorDiag("Cannot update the rotated secret", "", err))
		return
	}
	if !r.refresh(ctx, &plan, spec, st.SecretARN, resp.Private, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, st.SecretARN)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptionKey, nil)...) // adopted
}

func (r *rotatedSecretResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx = withLogging(ctx)
	_, spec, id, ok := r.fromState(ctx, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.pd.stack.Delete(ctx, spec, id, stack.DeleteOptions{}); err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot delete the rotated secret", "Run destroy again; objects already deleted are skipped.", err))
	}
}

// fromState reads the state, builds its spec and the secret's ID (its ARN,
// or its name when a create failed before the secret existed). ok is
// false, and nothing must call AWS, when either fails. Only a collection
// with a null element (a hand-edited state) makes spec() fail here: the
// schema's NoNullValues validators keep configurations from writing one
// (TestReadDeleteStopAfterSpecErrors).
func (r *rotatedSecretResource) fromState(ctx context.Context, st tfsdk.State, diags *diag.Diagnostics) (rotatedSecretModel, stack.Spec, string, bool) {
	var state rotatedSecretModel
	diags.Append(st.Get(ctx, &state)...)
	if diags.HasError() {
		return state, stack.Spec{}, "", false
	}
	spec, d := state.spec(ctx, r.pd)
	diags.Append(d...)
	id := state.ARN.ValueString()
	if id == "" {
		id = state.Name.ValueString()
	}
	return state, spec, id, !diags.HasError()
}

// configuredData is what every resource, ephemeral resource and action
// gets from the provider's Configure: nil before the provider is
// configured (validation, early plan), then the *providerData.
func configuredData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("got %T; this is a bug in the provider", data))
	}
	return pd
}
