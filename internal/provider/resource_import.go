package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// ImportState imports by secret ARN or name, or by identity (Terraform and
// OpenTofu >= 1.12). A secret this provider set up is read back from the
// secret, its function and log group; any other secret is adopted: its own
// settings are read and the next apply creates the rest (stack.Import,
// adopt.go). recovery_window_in_days, rotate_immediately and
// initial_value_wo(_version) cannot be read back.
func (r *rotatedSecretResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = withLogging(ctx)
	if r.pd == nil {
		resp.Diagnostics.AddError("Provider not configured", "The rotator provider must be configured before import.")
		return
	}
	id, diags := r.importID(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	imp, err := r.pd.stack.Import(ctx, r.pd.baseSpec(), id)
	if stack.IsNotFound(err) {
		resp.Diagnostics.AddError("Secret not found",
			fmt.Sprintf("No secret %q exists in %s (or it is scheduled for deletion). Import takes the secret's ARN or name.", id, r.pd.region))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot import the rotated secret", "", err))
		return
	}
	m := importedModel(imp, r.pd.defaultTags)
	spec, diags := m.spec(ctx, r.pd)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	drift, err := r.pd.stack.Drift(ctx, spec, imp.Observed)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot check the imported secret for drift", "", err))
		return
	}
	m.observe(imp.Observed, drift, false)
	resp.Diagnostics.Append(saveRotationSeen(ctx, resp.Private, imp.Observed.RotationSeen())...)
	if imp.Adoption != nil {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdoptionKey, adoptionJSON(imp.Adoption.Describe(m.Name.ValueString())))...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, m.ARN.ValueString())...)
}

// privateAdoptionKey is the private-state key under which import records
// what the adoption apply will do; the plan shows it as a warning until
// an apply succeeded.
const privateAdoptionKey = "adoption"

func adoptionJSON(details string) []byte {
	b, _ := json.Marshal(details) // a string always marshals
	return b
}

// adoptionPending returns the adoption's description while the secret is
// being adopted ("" otherwise).
func adoptionPending(ctx context.Context, p privateStateReader) string {
	b, diags := p.GetKey(ctx, privateAdoptionKey)
	var s string
	if diags.HasError() || len(b) == 0 || json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

// importedModel maps what stack.Import read back to the configuration
// attributes: the inverse of spec. Values equal to a default are left
// unset, as a user who never set them would have them.
func importedModel(imp *stack.Imported, defaultTags map[string]string) rotatedSecretModel {
	s := imp.Spec
	m := rotatedSecretModel{
		NamePrefix:            types.StringNull(),
		Description:           optionalString(s.Description),
		KMSKeyID:              optionalString(s.KMSKeyID),
		Tags:                  types.MapNull(types.StringType),
		RecoveryWindowInDays:  types.Int64Value(defaultRecoveryWindowDays),
		Policy:                optionalString(s.Policy),
		SecretTemplate:        optionalString(imp.Template),
		RotatedField:          types.StringValue(s.RotatedField),
		InitialValueWO:        types.StringNull(),
		InitialValueWOVersion: types.Int64Null(),
	}
	if s.Alerts != nil {
		m.Alerts = &alertsModel{SNSTopicARN: types.StringValue(s.Alerts.TopicARN)}
	}
	own := map[string]string{}
	for k, v := range s.Tags {
		if dv, ok := defaultTags[k]; !ok || dv != v {
			own[k] = v
		}
	}
	if len(own) > 0 {
		m.Tags = stringMap(own)
	}

	rot := s.Rotation
	m.Rotation = &rotationModel{
		Strategy:               types.StringValue(s.Strategy),
		MasterSecretARN:        optionalString(s.MasterSecretARN),
		CABundle:               optionalString(s.CABundle),
		AutomaticallyAfterDays: types.Int64Null(),
		ScheduleExpression:     optionalString(rot.ScheduleExpression),
		Duration:               optionalString(rot.Duration),
		RotateImmediately:      types.BoolValue(defaultRotateImmediately),
		Enabled:                types.BoolValue(rot.Enabled),
		RotateTriggers:         types.MapNull(types.StringType), // not in AWS: only the configuration knows them
	}
	if rot.AutomaticallyAfterDays > 0 {
		m.Rotation.AutomaticallyAfterDays = types.Int64Value(rot.AutomaticallyAfterDays)
	}

	p := s.Password
	if config.IsDatabase(s.Strategy) && p.ExcludeCharacters == config.DBExcludeCharacters {
		p.ExcludeCharacters = "" // the database strategies' default, which "" stands for
	}
	if p != config.DefaultPasswordPolicy() {
		m.Password = &passwordModel{
			Length:                  types.Int64Value(int64(p.Length)),
			ExcludeCharacters:       types.StringValue(p.ExcludeCharacters),
			ExcludeNumbers:          types.BoolValue(p.ExcludeNumbers),
			ExcludePunctuation:      types.BoolValue(p.ExcludePunctuation),
			ExcludeUppercase:        types.BoolValue(p.ExcludeUppercase),
			ExcludeLowercase:        types.BoolValue(p.ExcludeLowercase),
			IncludeSpace:            types.BoolValue(p.IncludeSpace),
			RequireEachIncludedType: types.BoolValue(p.RequireEachIncludedType),
		}
	}

	fs := s.Function
	fn := &functionModel{
		Architecture:       types.StringValue(fs.Architecture),
		MemorySize:         types.Int64Value(int64(fs.MemorySize)),
		Timeout:            types.Int64Value(int64(fs.Timeout)),
		SubnetIDs:          types.SetNull(types.StringType),
		SecurityGroupIDs:   types.SetNull(types.StringType),
		LogRetentionInDays: types.Int64Value(int64(fs.LogRetentionDays)),
		RoleARN:            optionalString(fs.RoleARN),
	}
	if len(fs.SubnetIDs) > 0 {
		fn.SubnetIDs, fn.SecurityGroupIDs = stringSet(fs.SubnetIDs), stringSet(fs.SecurityGroupIDs)
	}
	if !fn.isDefault() && imp.Adoption == nil { // an adopted secret has no function of ours to read
		m.Function = fn
	}
	return m
}

func (f *functionModel) isDefault() bool {
	return f.Architecture.ValueString() == defaultArchitecture &&
		f.MemorySize.ValueInt64() == defaultMemorySize &&
		f.Timeout.ValueInt64() == defaultTimeout &&
		f.LogRetentionInDays.ValueInt64() == defaultLogRetentionDays &&
		f.SubnetIDs.IsNull() && f.SecurityGroupIDs.IsNull() && f.RoleARN.IsNull()
}

// optionalString is null for "", as an unset optional attribute.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringSet(items []string) types.Set {
	vals := make([]types.String, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	set, _ := types.SetValueFrom(context.Background(), types.StringType, vals)
	return set
}
