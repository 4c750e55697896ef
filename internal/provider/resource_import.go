package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// ImportState imports by secret ARN or name. Only a secret this provider
// set up imports; the configuration is rebuilt from the secret, its
// function (environment, memory, timeout, architecture, VPC) and log
// group. recovery_window_in_days, rotate_immediately and
// initial_value_wo(_version) cannot be read back.
func (r *rotatedSecretResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctx = withLogging(ctx)
	if r.pd == nil {
		resp.Diagnostics.AddError("Provider not configured", "The rotator provider must be configured before import.")
		return
	}
	spec := stack.Spec{Region: r.pd.region, Account: r.pd.account, Partition: r.pd.partition}
	o, err := r.pd.stack.Read(ctx, spec, req.ID)
	if stack.IsNotFound(err) {
		resp.Diagnostics.AddError("Secret not found",
			fmt.Sprintf("No secret %q exists in %s (or it is scheduled for deletion). Import takes the secret's ARN or name.", req.ID, r.pd.region))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot import the rotated secret", "", err))
		return
	}
	f := o.Facts()
	names := stack.NamesFor(r.pd.region, f.SecretName)
	if err := o.Managed(names); err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot import the rotated secret", "", err))
		return
	}
	cfg, err := config.FromEnv(func(k string) string { return o.Function.Configuration.Environment.Variables[k] })
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot import the rotated secret",
			"The rotation function's environment is not one this provider writes; re-create the resource.", err))
		return
	}

	m := rotatedSecretModel{
		NamePrefix:            types.StringNull(),
		Description:           types.StringNull(),
		KMSKeyID:              types.StringNull(),
		Tags:                  types.MapNull(types.StringType),
		RecoveryWindowInDays:  types.Int64Value(defaultRecoveryWindowDays),
		Policy:                types.StringNull(),
		SecretTemplate:        types.StringNull(),
		RotatedField:          types.StringValue(cfg.RotatedField),
		InitialValueWO:        types.StringNull(),
		InitialValueWOVersion: types.Int64Null(),
		RoleARN:               types.StringValue(f.RoleARN),
	}
	if f.Description != "" {
		m.Description = types.StringValue(f.Description)
	}
	if f.KMSKeyID != "" {
		m.KMSKeyID = types.StringValue(f.KMSKeyID)
	}
	own := map[string]string{}
	for k, v := range f.Tags {
		if dv, ok := r.pd.defaultTags[k]; !ok || dv != v {
			own[k] = v
		}
	}
	if len(own) > 0 {
		m.Tags = stringMap(own)
	}

	pol, err := r.pd.stack.Clients().SecretsManager.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: o.Secret.ARN})
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot read the secret's resource policy", "", err))
		return
	}
	if p := aws.ToString(pol.ResourcePolicy); p != "" {
		m.Policy = types.StringValue(p)
	}

	// The template is the current value without the rotated field and
	// masterarn: the keys that never rotate. The value itself is dropped.
	master := ""
	cur, err := r.pd.stack.Clients().SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: o.Secret.ARN})
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot read the secret's non-rotating keys", "", err))
		return
	}
	var obj map[string]any
	if json.Unmarshal([]byte(aws.ToString(cur.SecretString)), &obj) == nil {
		if s, ok := obj["masterarn"].(string); ok {
			master = s
		}
		delete(obj, cfg.RotatedField)
		delete(obj, "masterarn")
		// The template names the base user, also when the clone is current.
		if u, ok := obj["username"].(string); ok && config.IsAlternating(cfg.Strategy) {
			if base, cut := strings.CutSuffix(u, config.CloneSuffix); cut && base != "" {
				obj["username"] = base
			}
		}
		if len(obj) > 0 {
			t, err := marshalNoEscape(obj)
			if err != nil {
				resp.Diagnostics.Append(errorDiag("Cannot import the rotated secret", "", err))
				return
			}
			m.SecretTemplate = types.StringValue(t)
		}
	}

	rot := &rotationModel{
		Strategy:               types.StringValue(cfg.Strategy),
		MasterSecretARN:        types.StringNull(),
		CABundle:               types.StringNull(),
		AutomaticallyAfterDays: types.Int64Null(),
		ScheduleExpression:     types.StringNull(),
		Duration:               types.StringNull(),
		RotateImmediately:      types.BoolValue(defaultRotateImmediately),
		Enabled:                types.BoolValue(f.RotationEnabled),
	}
	if master != "" {
		rot.MasterSecretARN = types.StringValue(master)
	}
	if cfg.CABundle != "" {
		rot.CABundle = types.StringValue(cfg.CABundle)
	}
	if rules := o.Secret.RotationRules; rules != nil {
		days, expr := aws.ToInt64(rules.AutomaticallyAfterDays), aws.ToString(rules.ScheduleExpression)
		kind := stack.SecretTags(o.Secret.Tags)[stack.ScheduleKindTag]
		if days > 0 && kind != stack.ScheduleKindExpression &&
			(expr == "" || expr == fmt.Sprintf("rate(%d days)", days) || (days == 1 && expr == "rate(1 day)")) {
			rot.AutomaticallyAfterDays = types.Int64Value(days)
		} else if expr != "" {
			rot.ScheduleExpression = types.StringValue(expr)
		}
		if d := aws.ToString(rules.Duration); d != "" {
			rot.Duration = types.StringValue(d)
		}
	}
	m.Rotation = rot

	p := cfg.Password
	if config.IsDatabase(cfg.Strategy) && p.ExcludeCharacters == config.DBExcludeCharacters {
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

	fc := o.Function.Configuration
	fn := &functionModel{
		Architecture:       types.StringValue(f.Architecture),
		MemorySize:         types.Int64Value(int64(aws.ToInt32(fc.MemorySize))),
		Timeout:            types.Int64Value(int64(aws.ToInt32(fc.Timeout))),
		SubnetIDs:          types.SetNull(types.StringType),
		SecurityGroupIDs:   types.SetNull(types.StringType),
		LogRetentionInDays: types.Int64Value(0),
		RoleARN:            types.StringNull(),
	}
	if o.LogGroup != nil {
		fn.LogRetentionInDays = types.Int64Value(int64(aws.ToInt32(o.LogGroup.RetentionInDays)))
	}
	if fc.VpcConfig != nil && len(fc.VpcConfig.SubnetIds) > 0 {
		fn.SubnetIDs = stringSet(fc.VpcConfig.SubnetIds)
		fn.SecurityGroupIDs = stringSet(fc.VpcConfig.SecurityGroupIds)
	}
	if role := aws.ToString(fc.Role); role != "" && !slices.Contains([]string{names.Role}, roleName(role)) {
		fn.RoleARN = types.StringValue(role)
	}
	if !fn.isDefault() {
		m.Function = fn
	}

	spec, diags := m.spec(ctx, r.pd)
	resp.Diagnostics.Append(diags...)
	drift, err := r.pd.stack.Drift(ctx, spec, o)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Cannot check the imported secret for drift", "", err))
		return
	}
	applyObserved(&m, spec, o, drift)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (f *functionModel) isDefault() bool {
	return f.Architecture.ValueString() == defaultArchitecture &&
		f.MemorySize.ValueInt64() == defaultMemorySize &&
		f.Timeout.ValueInt64() == defaultTimeout &&
		f.LogRetentionInDays.ValueInt64() == defaultLogRetentionDays &&
		f.SubnetIDs.IsNull() && f.SecurityGroupIDs.IsNull() && f.RoleARN.IsNull()
}

// roleName is the last path element of a role ARN.
func roleName(roleARN string) string {
	for i := len(roleARN) - 1; i >= 0; i-- {
		if roleARN[i] == '/' {
			return roleARN[i+1:]
		}
	}
	return roleARN
}

func stringSet(items []string) types.Set {
	vals := make([]types.String, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	set, _ := types.SetValueFrom(context.Background(), types.StringType, vals)
	return set
}
