package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider/validators"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

type rotatedSecretModel struct {
	ID                    types.String `tfsdk:"id"`
	ARN                   types.String `tfsdk:"arn"`
	Name                  types.String `tfsdk:"name"`
	NamePrefix            types.String `tfsdk:"name_prefix"`
	Description           types.String `tfsdk:"description"`
	KMSKeyID              types.String `tfsdk:"kms_key_id"`
	Tags                  types.Map    `tfsdk:"tags"`
	TagsAll               types.Map    `tfsdk:"tags_all"`
	RecoveryWindowInDays  types.Int64  `tfsdk:"recovery_window_in_days"`
	Policy                types.String `tfsdk:"policy"`
	SecretTemplate        types.String `tfsdk:"secret_template"`
	RotatedField          types.String `tfsdk:"rotated_field"`
	InitialValueWO        types.String `tfsdk:"initial_value_wo"`
	InitialValueWOVersion types.Int64  `tfsdk:"initial_value_wo_version"`
	CurrentVersionID      types.String `tfsdk:"current_version_id"`
	FunctionName          types.String `tfsdk:"function_name"`
	FunctionARN           types.String `tfsdk:"function_arn"`
	RoleARN               types.String `tfsdk:"role_arn"`
	LogGroupName          types.String `tfsdk:"log_group_name"`
	CodeSHA256            types.String `tfsdk:"code_sha256"`
	RotationEnabled       types.Bool   `tfsdk:"rotation_enabled"`
	CreatedDate           types.String `tfsdk:"created_date"`
	LastRotatedDate       types.String `tfsdk:"last_rotated_date"`
	NextRotationDate      types.String `tfsdk:"next_rotation_date"`
	RotatesOnApply        types.Bool   `tfsdk:"rotates_on_apply"`
	CurrentVersionCreated types.String `tfsdk:"current_version_created_date"`
	RotationPending       types.Bool   `tfsdk:"rotation_pending"`
	RotationStuck         types.Bool   `tfsdk:"rotation_stuck"`
	Drift                 types.List   `tfsdk:"drift"`
	AlertRuleARN          types.String `tfsdk:"alert_rule_arn"`

	Replicas types.Set `tfsdk:"replica"` // replica.go

	Password *passwordModel `tfsdk:"password"`
	Rotation *rotationModel `tfsdk:"rotation"`
	Function *functionModel `tfsdk:"function"`
	Alerts   *alertsModel   `tfsdk:"alerts"`
}

type passwordModel struct {
	Length                  types.Int64  `tfsdk:"length"`
	ExcludeCharacters       types.String `tfsdk:"exclude_characters"`
	ExcludeNumbers          types.Bool   `tfsdk:"exclude_numbers"`
	ExcludePunctuation      types.Bool   `tfsdk:"exclude_punctuation"`
	ExcludeUppercase        types.Bool   `tfsdk:"exclude_uppercase"`
	ExcludeLowercase        types.Bool   `tfsdk:"exclude_lowercase"`
	IncludeSpace            types.Bool   `tfsdk:"include_space"`
	RequireEachIncludedType types.Bool   `tfsdk:"require_each_included_type"`
}

type rotationModel struct {
	Strategy               types.String `tfsdk:"strategy"`
	MasterSecretARN        types.String `tfsdk:"master_secret_arn"`
	CABundle               types.String `tfsdk:"ca_bundle"`
	AutomaticallyAfterDays types.Int64  `tfsdk:"automatically_after_days"`
	ScheduleExpression     types.String `tfsdk:"schedule_expression"`
	Duration               types.String `tfsdk:"duration"`
	RotateImmediately      types.Bool   `tfsdk:"rotate_immediately"`
	Enabled                types.Bool   `tfsdk:"enabled"`
	RotateTriggers         types.Map    `tfsdk:"rotate_triggers"`
}

type functionModel struct {
	Architecture       types.String `tfsdk:"architecture"`
	MemorySize         types.Int64  `tfsdk:"memory_size"`
	Timeout            types.Int64  `tfsdk:"timeout"`
	SubnetIDs          types.Set    `tfsdk:"subnet_ids"`
	SecurityGroupIDs   types.Set    `tfsdk:"security_group_ids"`
	LogRetentionInDays types.Int64  `tfsdk:"log_retention_in_days"`
	RoleARN            types.String `tfsdk:"role_arn"`
}

// passwordPolicy is the block's policy, or the default without the block.
func (m *rotatedSecretModel) passwordPolicy() config.PasswordPolicy {
	p := config.DefaultPasswordPolicy()
	if b := m.Password; b != nil {
		p.Length = int(int64Or(b.Length, config.DefaultPasswordLength))
		p.ExcludeCharacters = b.ExcludeCharacters.ValueString()
		p.ExcludeNumbers = b.ExcludeNumbers.ValueBool()
		p.ExcludePunctuation = b.ExcludePunctuation.ValueBool()
		p.ExcludeUppercase = b.ExcludeUppercase.ValueBool()
		p.ExcludeLowercase = b.ExcludeLowercase.ValueBool()
		p.IncludeSpace = b.IncludeSpace.ValueBool()
		p.RequireEachIncludedType = boolOr(b.RequireEachIncludedType, true)
	}
	return p
}

func int64Or(v types.Int64, def int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueInt64()
}

func boolOr(v types.Bool, def bool) bool {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueBool()
}

func stringOr(v types.String, def string) string {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueString()
}

func (m *rotatedSecretModel) strategy() string {
	if m.Rotation == nil {
		return config.StrategyGeneric
	}
	return stringOr(m.Rotation.Strategy, config.StrategyGeneric)
}

func (m *rotatedSecretModel) masterSecretARN() string {
	if m.Rotation == nil {
		return ""
	}
	return m.Rotation.MasterSecretARN.ValueString()
}

func (m *rotatedSecretModel) caBundle() string {
	if m.Rotation == nil {
		return ""
	}
	return m.Rotation.CABundle.ValueString()
}

func (m *rotatedSecretModel) architecture() string {
	if m.Function == nil {
		return defaultArchitecture
	}
	return stringOr(m.Function.Architecture, defaultArchitecture)
}

func (m *rotatedSecretModel) byoRole() string {
	if m.Function == nil {
		return ""
	}
	return m.Function.RoleARN.ValueString()
}

// allTags merges the resource's tags over the provider's default tags.
func (m *rotatedSecretModel) allTags(ctx context.Context, defaults map[string]string) (map[string]string, diag.Diagnostics) {
	out := maps.Clone(defaults)
	if out == nil {
		out = map[string]string{}
	}
	var own map[string]string
	var diags diag.Diagnostics
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
		diags = m.Tags.ElementsAs(ctx, &own, false)
	}
	maps.Copy(out, own)
	return out, diags
}

// spec converts the model to the stack's desired configuration.
func (m *rotatedSecretModel) spec(ctx context.Context, pd *providerData) (stack.Spec, diag.Diagnostics) {
	tags, diags := m.allTags(ctx, pd.defaultTags)
	s := stack.Spec{
		Region:             pd.region,
		Account:            pd.account,
		Partition:          pd.partition,
		Name:               m.Name.ValueString(),
		Description:        m.Description.ValueString(),
		KMSKeyID:           m.KMSKeyID.ValueString(),
		Tags:               tags,
		Policy:             m.Policy.ValueString(),
		RecoveryWindowDays: int32(int64Or(m.RecoveryWindowInDays, defaultRecoveryWindowDays)),
		Strategy:           m.strategy(),
		RotatedField:       stringOr(m.RotatedField, config.DefaultRotatedField),
		Password:           config.EffectivePassword(m.strategy(), m.passwordPolicy()),
		MasterSecretARN:    m.masterSecretARN(),
		SecretTemplate:     m.SecretTemplate.ValueString(),
		CABundle:           m.caBundle(),
		Function: stack.FunctionSpec{
			Architecture:     defaultArchitecture,
			MemorySize:       defaultMemorySize,
			Timeout:          defaultTimeout,
			LogRetentionDays: defaultLogRetentionDays,
		},
		Rotation: stack.RotationSpec{Enabled: defaultRotationEnabled, RotateImmediately: defaultRotateImmediately},
		Replicas: m.replicaSpecs(ctx, &diags),
		Alerts:   m.alertSpec(),
	}
	if f := m.Function; f != nil {
		s.Function.Architecture = stringOr(f.Architecture, defaultArchitecture)
		s.Function.MemorySize = int32(int64Or(f.MemorySize, defaultMemorySize))
		s.Function.Timeout = int32(int64Or(f.Timeout, defaultTimeout))
		s.Function.LogRetentionDays = int32(int64Or(f.LogRetentionInDays, defaultLogRetentionDays))
		s.Function.RoleARN = f.RoleARN.ValueString()
		if !f.SubnetIDs.IsNull() && !f.SubnetIDs.IsUnknown() {
			diags.Append(f.SubnetIDs.ElementsAs(ctx, &s.Function.SubnetIDs, false)...)
		}
		if !f.SecurityGroupIDs.IsNull() && !f.SecurityGroupIDs.IsUnknown() {
			diags.Append(f.SecurityGroupIDs.ElementsAs(ctx, &s.Function.SecurityGroupIDs, false)...)
		}
	}
	if r := m.Rotation; r != nil {
		s.Rotation = stack.RotationSpec{
			Enabled:                boolOr(r.Enabled, defaultRotationEnabled),
			AutomaticallyAfterDays: r.AutomaticallyAfterDays.ValueInt64(),
			ScheduleExpression:     r.ScheduleExpression.ValueString(),
			Duration:               r.Duration.ValueString(),
			RotateImmediately:      boolOr(r.RotateImmediately, defaultRotateImmediately),
		}
	}
	return s, diags
}

// secretValue composes the secret string from the template and the value
// of the rotated field. The value itself never appears in an error.
func secretValue(template, field, value, masterARN string) (string, error) {
	if template == "" && masterARN == "" {
		return value, nil
	}
	obj := map[string]any{}
	if template != "" {
		if err := json.Unmarshal([]byte(template), &obj); err != nil {
			return "", errors.New("secret_template is not a JSON object")
		}
	}
	obj[field] = value
	if masterARN != "" {
		obj[strategy.KeyMasterARN] = masterARN
	}
	return stack.MarshalSecret(obj)
}

// rewriteTemplate applies a changed template to the current value: the
// template's keys replace the others, and the rotated field's value (and,
// for the alternating strategies, username, which rotation flips) is kept.
// When rotated_field is renamed, the current value moves from the old key
// to the new one.
func rewriteTemplate(template, oldField, field, strategyName, masterARN string) func(string) (string, error) {
	return func(current string) (string, error) {
		var cur map[string]any
		if json.Unmarshal([]byte(current), &cur) != nil {
			// A plain-string secret: the whole value is the rotated field.
			return secretValue(template, field, current, masterARN)
		}
		obj := map[string]any{}
		if template != "" {
			if err := json.Unmarshal([]byte(template), &obj); err != nil {
				return "", errors.New("secret_template is not a JSON object")
			}
		}
		value, ok := cur[field]
		if !ok {
			value = cur[oldField]
		}
		obj[field] = value
		if config.IsAlternating(strategyName) {
			// Keep whichever of the pair is current; a username the
			// template no longer names is replaced by the template's.
			if u, ok := cur[strategy.KeyUsername].(string); ok {
				if base, _ := obj[strategy.KeyUsername].(string); u == base+config.CloneSuffix {
					obj[strategy.KeyUsername] = u
				}
			}
		}
		if masterARN != "" {
			obj[strategy.KeyMasterARN] = masterARN
		}
		return stack.MarshalSecret(obj)
	}
}

// withValueOf is m with the attributes the secret's value is made of taken
// from plan: what the state records once Update wrote that value.
func (m rotatedSecretModel) withValueOf(plan *rotatedSecretModel) rotatedSecretModel {
	m.InitialValueWOVersion, m.SecretTemplate, m.RotatedField = plan.InitialValueWOVersion, plan.SecretTemplate, plan.RotatedField
	if m.Rotation != nil && plan.Rotation != nil {
		rot := *m.Rotation
		rot.MasterSecretARN = plan.Rotation.MasterSecretARN
		m.Rotation = &rot
	}
	m.InitialValueWO = types.StringNull()
	return m
}

// uniqueName appends validators.NameSuffixLength random lowercase letters
// and digits to prefix (about 36 bits: unique among one account's secrets).
func uniqueName(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, validators.NameSuffixLength)
	for i := range out {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic("crypto/rand failed: " + err.Error()) // the OS entropy source is broken
		}
		out[i] = alphabet[v.Int64()]
	}
	return prefix + string(out)
}

func timeString(t *time.Time) types.String {
	if t == nil {
		return types.StringValue("")
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func stringList(items []string) types.List {
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

func stringMap(m map[string]string) types.Map {
	vals := make(map[string]attr.Value, len(m))
	for k, v := range m {
		vals[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, vals)
}

// observe copies what the stack observed into the model: the one place a
// computed attribute gets its value, for Create, Update, Read and import.
// afterApply (Create and Update) keeps the values the plan already knew,
// since Terraform requires the result to match them (the next refresh
// shows new ones), and leaves the configuration alone. Otherwise (Read,
// import) everything is replaced, and a missing function or log group
// empties its attribute, so the plan shows the repair.
func (m *rotatedSecretModel) observe(o *stack.Observed, drift []stack.Drift, afterApply bool) {
	f := o.Facts()
	m.ID, m.ARN, m.Name = types.StringValue(f.SecretARN), types.StringValue(f.SecretARN), types.StringValue(f.SecretName)
	if !afterApply && (f.Description != "" || !m.Description.IsNull()) {
		m.Description = types.StringValue(f.Description)
	}
	logGroup := ""
	if o.LogGroup != nil {
		logGroup = o.Names.LogGroup
	}
	set(afterApply, &m.TagsAll, stringMap(f.Tags))
	set(afterApply, &m.FunctionName, types.StringValue(o.Names.Function))
	set(afterApply, &m.FunctionARN, types.StringValue(f.FunctionARN))
	set(afterApply, &m.CodeSHA256, types.StringValue(f.CodeSHA256))
	if f.RoleARN != "" { // a missing function keeps the role it had
		set(afterApply, &m.RoleARN, types.StringValue(f.RoleARN))
	}
	set(afterApply, &m.LogGroupName, types.StringValue(logGroup))
	set(afterApply, &m.RotationEnabled, types.BoolValue(f.RotationEnabled))
	set(afterApply, &m.CurrentVersionID, types.StringValue(f.CurrentVersionID))
	set(afterApply, &m.CreatedDate, timeString(o.Secret.CreatedDate))
	set(afterApply, &m.LastRotatedDate, timeString(f.LastRotatedDate))
	set(afterApply, &m.NextRotationDate, timeString(f.NextRotationDate))
	set(afterApply, &m.RotatesOnApply, types.BoolValue(false))
	h := o.Health()
	set(afterApply, &m.CurrentVersionCreated, timeString(h.CurrentVersionCreated))
	set(afterApply, &m.RotationPending, types.BoolValue(h.Pending))
	set(afterApply, &m.RotationStuck, types.BoolValue(h.Stuck))
	set(afterApply, &m.Drift, driftList(drift))
	m.observeReplicas(f.Replicas)
	set(afterApply, &m.AlertRuleARN, types.StringValue(alertRuleARN(o)))
	m.InitialValueWO = types.StringNull()
}

// set writes v into dst, or, when keepKnown, only into an unknown or null dst.
func set[T attr.Value](keepKnown bool, dst *T, v T) {
	if !keepKnown || (*dst).IsUnknown() || (*dst).IsNull() {
		*dst = v
	}
}

// created records in a partial state what a failing Create made so far:
// what does not exist yet is empty, as Read reports a missing child.
func (m *rotatedSecretModel) created(st stack.State) {
	m.ID, m.ARN, m.Name = types.StringValue(st.SecretARN), types.StringValue(st.SecretARN), types.StringValue(st.SecretName)
	m.FunctionARN = types.StringValue(st.FunctionARN)
	m.RoleARN = types.StringValue(st.RoleARN)
	m.LogGroupName = types.StringValue(st.LogGroupName)
	m.CodeSHA256 = types.StringValue(st.CodeSHA256)
	m.RotationEnabled = types.BoolValue(st.RotationConfigured)
	m.AlertRuleARN = types.StringValue(st.AlertRuleARN)
}

// nullUnknowns replaces every unknown value with a null, for the partial
// state saved when a create fails half-way (state cannot hold unknowns).
func (m *rotatedSecretModel) nullUnknowns() {
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if val, ok := v.Field(i).Interface().(attr.Value); ok && val.IsUnknown() {
			v.Field(i).Set(reflect.ValueOf(nullOf(val)))
		}
	}
	m.InitialValueWO = types.StringNull()
}

// nullOf returns the null value of v's type.
func nullOf(v attr.Value) attr.Value {
	ctx := context.Background()
	switch t := v.(type) {
	case types.String:
		return types.StringNull()
	case types.Bool:
		return types.BoolNull()
	case types.Int64:
		return types.Int64Null()
	case types.Map:
		return types.MapNull(t.ElementType(ctx))
	case types.List:
		return types.ListNull(t.ElementType(ctx))
	case types.Set:
		return types.SetNull(t.ElementType(ctx))
	}
	panic(fmt.Sprintf("nullOf: unhandled attribute type %T; add it here", v))
}

func driftList(items []stack.Drift) types.List {
	msgs := make([]string, len(items))
	for i, d := range items {
		msgs[i] = d.Message
	}
	return stringList(msgs)
}

// privateRotationKey is the private-state key under which Read records
// stack.RotationSeen, so ModifyPlan decides "does this apply rotate?"
// from the same facts as the apply.
const privateRotationKey = "rotation_seen"

type privateState interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

type privateStateReader interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateJSON encodes a private-state value (always valid JSON).
func privateJSON(v any) []byte {
	b, _ := json.Marshal(v) // plain values cannot fail
	return b
}

// getPrivateJSON decodes the private-state value of key into v; it reports
// whether there was one.
func getPrivateJSON(ctx context.Context, p privateStateReader, key string, v any) bool {
	b, diags := p.GetKey(ctx, key)
	return !diags.HasError() && len(b) > 0 && json.Unmarshal(b, v) == nil
}

func saveRotationSeen(ctx context.Context, p privateState, seen stack.RotationSeen) diag.Diagnostics {
	return p.SetKey(ctx, privateRotationKey, privateJSON(seen))
}

// privateVersionDatesKey is the private-state key under which a refresh
// keeps the creation dates of the labelled versions it read, so the next
// one calls ListSecretVersionIds only for a version it has not seen.
const privateVersionDatesKey = "version_dates"

type privateStore interface {
	privateState
	privateStateReader
}

// readVersionDates fills o's version dates from p's cache and, for new
// versions, from AWS, then caches them in p again.
func (r *rotatedSecretResource) readVersionDates(ctx context.Context, o *stack.Observed, p privateStore) diag.Diagnostics {
	var known stack.VersionDates
	getPrivateJSON(ctx, p, privateVersionDatesKey, &known)
	if err := r.pd.stack.ReadVersionDates(ctx, o, known); err != nil {
		return diag.Diagnostics{errorDiag("Cannot read the secret's versions", "", err)}
	}
	return p.SetKey(ctx, privateVersionDatesKey, privateJSON(o.VersionDates))
}

// loadRotationSeen returns what the last refresh recorded, ok false when
// nothing was (a state written before this version).
func loadRotationSeen(ctx context.Context, p privateStateReader) (stack.RotationSeen, bool) {
	var seen stack.RotationSeen
	ok := getPrivateJSON(ctx, p, privateRotationKey, &seen)
	return seen, ok
}
