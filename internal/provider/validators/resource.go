package validators

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
)

var (
	_ resource.ConfigValidator = (*rotationScheduleValidator)(nil)
	_ resource.ConfigValidator = (*passwordPolicyValidator)(nil)
	_ resource.ConfigValidator = (*masterSecretValidator)(nil)
	_ resource.ConfigValidator = (*secretTemplateValidator)(nil)
)

// Attribute paths the resource-level validators read.
var (
	pathSecretTemplate = path.Root("secret_template")
	pathRotatedField   = path.Root("rotated_field")

	pathRotation          = path.Root("rotation")
	pathStrategy          = pathRotation.AtName("strategy")
	pathMasterSecretARN   = pathRotation.AtName("master_secret_arn")
	pathAfterDays         = pathRotation.AtName("automatically_after_days")
	pathScheduleExpr      = pathRotation.AtName("schedule_expression")
	pathDuration          = pathRotation.AtName("duration")
	pathRotationEnabled   = pathRotation.AtName("enabled")
	pathPassword          = path.Root("password")
	pathPasswordLength    = pathPassword.AtName("length")
	pathExcludeCharacters = pathPassword.AtName("exclude_characters")
)

// NewConfigValidators returns every resource-level validator of
// rotator_rotated_secret, for the resource's ConfigValidators method.
func NewConfigValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{
		NewNameConflict(),
		NewRotationSchedule(),
		NewPasswordPolicy(),
		NewMasterSecret(),
		NewSecretTemplate(),
	}
}

// NewNameConflict rejects `name` and `name_prefix` set together (the
// framework's Conflicting validator; unset, null and unknown values pass).
func NewNameConflict() resource.ConfigValidator {
	return resourcevalidator.Conflicting(path.MatchRoot("name"), path.MatchRoot("name_prefix"))
}

// reader gets attributes by path and collects the diagnostics of doing so;
// a failed read means the schema does not match what the validators expect.
type reader struct {
	ctx   context.Context
	cfg   tfsdk.Config
	diags *diag.Diagnostics
}

func (r reader) str(p path.Path) types.String {
	var v types.String
	r.diags.Append(r.cfg.GetAttribute(r.ctx, p, &v)...)
	return v
}

func (r reader) int64(p path.Path) types.Int64 {
	var v types.Int64
	r.diags.Append(r.cfg.GetAttribute(r.ctx, p, &v)...)
	return v
}

func (r reader) bool(p path.Path) types.Bool {
	var v types.Bool
	r.diags.Append(r.cfg.GetAttribute(r.ctx, p, &v)...)
	return v
}

// block reports whether the block at p is set and known.
func (r reader) block(p path.Path) bool {
	var v types.Object
	r.diags.Append(r.cfg.GetAttribute(r.ctx, p, &v)...)
	return !v.IsNull() && !v.IsUnknown()
}

// ---------------------------------------------------------------------------

// rotationScheduleValidator checks the rotation schedule as a whole.
type rotationScheduleValidator struct{}

// NewRotationSchedule checks the rotation block: exactly one of
// `rotation.automatically_after_days` and `rotation.schedule_expression`
// (neither is allowed only when `rotation.enabled = false`), and a
// `rotation.duration` that neither runs into the next rotation window nor
// past the end of the UTC day it opens on. The syntax of each attribute is
// left to its attribute validator.
func NewRotationSchedule() resource.ConfigValidator { return &rotationScheduleValidator{} }

func (*rotationScheduleValidator) Description(context.Context) string {
	return "Exactly one of rotation.automatically_after_days and rotation.schedule_expression must be set, and rotation.duration must fit in the schedule: it must not run into the next rotation window or past the end of the UTC day."
}

func (*rotationScheduleValidator) MarkdownDescription(context.Context) string {
	return "Exactly one of `rotation.automatically_after_days` and `rotation.schedule_expression` must be set, and `rotation.duration` must fit in the schedule: it must not run into the next rotation window or past the end of the UTC day."
}

func (*rotationScheduleValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	r := reader{ctx, req.Config, &resp.Diagnostics}
	if !r.block(pathRotation) {
		return
	}
	days, expr, dur, enabled := r.int64(pathAfterDays), r.str(pathScheduleExpr), r.str(pathDuration), r.bool(pathRotationEnabled)
	if resp.Diagnostics.HasError() || days.IsUnknown() || expr.IsUnknown() {
		return
	}
	switch {
	case !days.IsNull() && !expr.IsNull():
		resp.Diagnostics.AddAttributeError(pathRotation, "Conflicting rotation schedules",
			fmt.Sprintf("Both %s and %s are set. Set exactly one: %s for a rotation every N days (%d to %d), or %s for a rate() or cron() schedule.",
				pathAfterDays, pathScheduleExpr, pathAfterDays, schedule.MinDays, schedule.MaxDays, pathScheduleExpr))
		return
	case days.IsNull() && expr.IsNull():
		if !enabled.IsNull() && !enabled.IsUnknown() && !enabled.ValueBool() {
			return // rotation is switched off; no schedule is needed
		}
		resp.Diagnostics.AddAttributeError(pathRotation, "Missing rotation schedule",
			fmt.Sprintf("Neither %s nor %s is set. Set exactly one: %s for a rotation every N days (%d to %d), or %s for a rate() or cron() schedule, e.g. \"rate(30 days)\" or \"cron(0 16 ? * SUN *)\".",
				pathAfterDays, pathScheduleExpr, pathAfterDays, schedule.MinDays, schedule.MaxDays, pathScheduleExpr))
		return
	}
	if dur.IsNull() || dur.IsUnknown() {
		return
	}
	d, err := schedule.ParseDuration(dur.ValueString())
	if err != nil {
		return // reported by NewWindowDuration
	}
	rules := schedule.Rules{ScheduleExpression: expr.ValueString()}
	if !days.IsNull() {
		rules = schedule.Rules{AutomaticallyAfterDays: days.ValueInt64()}
	}
	e, err := rules.Expression()
	if err != nil {
		return // reported by the attribute's own validator
	}
	if err := e.CheckWindow(d); err != nil {
		resp.Diagnostics.AddAttributeError(pathDuration, "Rotation window does not fit the schedule",
			fmt.Sprintf("%s %q: %s. The window must not run into the next rotation window or past the end of the UTC day.", pathDuration, dur.ValueString(), reason(err)))
	}
}

// ---------------------------------------------------------------------------

// passwordPolicyValidator checks the password block.
type passwordPolicyValidator struct{}

// NewPasswordPolicy checks the password block as GetRandomPassword would: at
// least one character class left after the exclude_* options and
// exclude_characters, and, with require_each_included_type (default true), a
// length of at least the number of included classes. Unset attributes take
// GetRandomPassword's defaults (config.DefaultPasswordPolicy). The length
// bounds (1 to 4096) are NewPasswordLength's: an out-of-bounds length is
// skipped here so it is reported once.
func NewPasswordPolicy() resource.ConfigValidator { return &passwordPolicyValidator{} }

func (*passwordPolicyValidator) Description(context.Context) string {
	return "At least one password character class must remain included, and with require_each_included_type the password length must be at least the number of included classes."
}

func (*passwordPolicyValidator) MarkdownDescription(context.Context) string {
	return "At least one password character class must remain included, and with `require_each_included_type` the `password.length` must be at least the number of included classes."
}

func (*passwordPolicyValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	r := reader{ctx, req.Config, &resp.Diagnostics}
	if !r.block(pathPassword) {
		return
	}
	p := config.DefaultPasswordPolicy()
	length := r.int64(pathPasswordLength)
	lengthOK := !length.IsUnknown() // an out-of-bounds length is NewPasswordLength's to report
	if !length.IsNull() && !length.IsUnknown() {
		n := length.ValueInt64()
		lengthOK = n >= config.MinPasswordLength && n <= config.MaxPasswordLength
		p.Length = int(min(max(n, 0), config.MaxPasswordLength))
	}
	known := true
	flag := func(name string, dst *bool) {
		v := r.bool(pathPassword.AtName(name))
		known = known && !v.IsUnknown()
		if !v.IsNull() && !v.IsUnknown() {
			*dst = v.ValueBool()
		}
	}
	flag("exclude_numbers", &p.ExcludeNumbers)
	flag("exclude_punctuation", &p.ExcludePunctuation)
	flag("exclude_uppercase", &p.ExcludeUppercase)
	flag("exclude_lowercase", &p.ExcludeLowercase)
	flag("include_space", &p.IncludeSpace)
	flag("require_each_included_type", &p.RequireEachIncludedType)
	excl := r.str(pathExcludeCharacters)
	known = known && !excl.IsUnknown()
	p.ExcludeCharacters = excl.ValueString()
	if resp.Diagnostics.HasError() || !known {
		return
	}
	classes := p.IncludedClasses()
	if classes == 0 {
		at, why := pathPassword, "the exclude_* options leave no character class"
		withoutExcluded := p
		withoutExcluded.ExcludeCharacters = ""
		if withoutExcluded.IncludedClasses() > 0 {
			at, why = pathExcludeCharacters, "exclude_characters removes every character of the classes the exclude_* options leave"
		}
		resp.Diagnostics.AddAttributeError(at, "Impossible password policy",
			fmt.Sprintf("No password can be generated: %s. Keep at least one of lowercase, uppercase, numbers and punctuation (exclude_lowercase, exclude_uppercase, exclude_numbers, exclude_punctuation = false), or set include_space = true.", why))
		return
	}
	if lengthOK && p.RequireEachIncludedType && p.Length < classes {
		resp.Diagnostics.AddAttributeError(pathPasswordLength, "Impossible password policy",
			fmt.Sprintf("%s is %d, but require_each_included_type needs one character of each of the %d included character classes: set the length to at least %d, exclude more classes, or set require_each_included_type = false.",
				pathPasswordLength, p.Length, classes, classes))
	}
}

// ---------------------------------------------------------------------------

// masterSecretValidator checks rotation.master_secret_arn against the
// strategy.
type masterSecretValidator struct{}

// NewMasterSecret requires `rotation.master_secret_arn` when
// `rotation.strategy` is an alternating-users one (config.IsAlternating),
// and warns that it is ignored for the other strategies. Its format is
// checked by NewSecretARN.
func NewMasterSecret() resource.ConfigValidator { return &masterSecretValidator{} }

func (*masterSecretValidator) Description(context.Context) string {
	return "rotation.master_secret_arn is required when rotation.strategy is postgresql_alternating_users or mysql_alternating_users."
}

func (*masterSecretValidator) MarkdownDescription(context.Context) string {
	return "`rotation.master_secret_arn` is required when `rotation.strategy` is `postgresql_alternating_users` or `mysql_alternating_users`."
}

func (*masterSecretValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	r := reader{ctx, req.Config, &resp.Diagnostics}
	if !r.block(pathRotation) {
		return
	}
	strategyValue, master := r.str(pathStrategy), r.str(pathMasterSecretARN)
	if resp.Diagnostics.HasError() || strategyValue.IsUnknown() {
		return
	}
	s := strategyOf(strategyValue)
	switch {
	case config.IsAlternating(s) && master.IsNull():
		resp.Diagnostics.AddAttributeError(pathMasterSecretARN, "Missing master secret ARN",
			fmt.Sprintf("%s = %q switches between two database users, and changing their passwords needs a user that may do so: set %s to the ARN of the Secrets Manager secret holding that user's credentials.",
				pathStrategy, s, pathMasterSecretARN))
	case !config.IsAlternating(s) && !master.IsNull():
		resp.Diagnostics.AddAttributeWarning(pathMasterSecretARN, "Master secret ARN is ignored",
			fmt.Sprintf("%s is only used by the alternating-users strategies (%s), and %s is %q. Remove it, or choose an alternating strategy.",
				pathMasterSecretARN, strings.Join(alternating(), ", "), pathStrategy, s))
	}
}

func strategyOf(v types.String) string {
	if v.IsNull() {
		return config.StrategyGeneric
	}
	return v.ValueString()
}

func alternating() []string {
	var out []string
	for _, s := range config.Strategies() {
		if config.IsAlternating(s) {
			out = append(out, s)
		}
	}
	return out
}

// ---------------------------------------------------------------------------

// secretTemplateValidator checks secret_template against the strategy and
// rotated_field.
type secretTemplateValidator struct{}

// NewSecretTemplate checks `secret_template`: a JSON object that does not
// contain `rotated_field` (default "password"), whose value the provider
// generates and rotation replaces. For the database strategies it is
// required and must hold non-empty string "username" and "host" keys, an
// "engine" (if present) of the strategy's family (strategy.PostgreSQLEngines or
// strategy.MySQLEngines) and a "port" (if present) from 1 to 65535; `rotated_field`
// must then be "password", the key the database strategies rotate.
// Diagnostics name keys, never values.
func NewSecretTemplate() resource.ConfigValidator { return &secretTemplateValidator{} }

func (*secretTemplateValidator) Description(context.Context) string {
	return "secret_template must be a JSON object without the rotated_field key; for database strategies it must contain username and host, and an engine of the strategy's family if it has one."
}

func (*secretTemplateValidator) MarkdownDescription(context.Context) string {
	return "`secret_template` must be a JSON object without the `rotated_field` key; for database strategies it must contain `username` and `host`, and an `engine` of the strategy's family if it has one."
}

// dbEngines returns the engines of a database strategy, or nil for the
// generic strategy.
func dbEngines(name string) []string {
	switch name {
	case config.StrategyPostgreSQLSingleUser, config.StrategyPostgreSQLAlternatingUsers:
		return strategy.PostgreSQLEngines
	case config.StrategyMySQLSingleUser, config.StrategyMySQLAlternatingUsers:
		return strategy.MySQLEngines
	}
	return nil
}

func (*secretTemplateValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	r := reader{ctx, req.Config, &resp.Diagnostics}
	tmpl, field := r.str(pathSecretTemplate), r.str(pathRotatedField)
	strategyValue := types.StringNull()
	if r.block(pathRotation) {
		strategyValue = r.str(pathStrategy)
	}
	if resp.Diagnostics.HasError() || tmpl.IsUnknown() {
		return
	}
	s := strategyOf(strategyValue)
	engines := dbEngines(s)
	isDB := !strategyValue.IsUnknown() && engines != nil
	rotated := config.DefaultRotatedField
	if !field.IsNull() {
		rotated = field.ValueString()
	}
	if isDB && !field.IsUnknown() && rotated != config.DefaultRotatedField {
		resp.Diagnostics.AddAttributeError(pathRotatedField, "Unsupported rotated field",
			fmt.Sprintf("%s = %q rotates the database password, which is stored under the key %q: remove %s or set it to %q (got %q).",
				pathStrategy, s, config.DefaultRotatedField, pathRotatedField, config.DefaultRotatedField, rotated))
	}
	if tmpl.IsNull() {
		if isDB {
			resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Missing secret template",
				fmt.Sprintf("%s = %q needs to know which user on which server to rotate: set %s to a JSON object with at least %q and %q, e.g. jsonencode({ engine = %q, host = \"db.example.com\", port = 5432, username = \"app\", dbname = \"app\" }).",
					pathStrategy, s, pathSecretTemplate, strategy.KeyUsername, strategy.KeyHost, engines[0]))
		}
		return
	}
	obj, kind := parseObject(tmpl.ValueString())
	if obj == nil {
		resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Invalid secret template",
			fmt.Sprintf("%s must be a JSON object of the keys that do not rotate, e.g. jsonencode({ username = \"app\", host = \"db.example.com\" }); %s.", pathSecretTemplate, kind))
		return
	}
	if _, ok := obj[rotated]; ok && !field.IsUnknown() {
		resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Secret template contains the rotated field",
			fmt.Sprintf("%s has the key %q, which is the %s: its value is generated by the provider (or set once with initial_value_wo) and replaced by every rotation, and a value written in the template would be stored in plan and state. Remove the key %q from the template.",
				pathSecretTemplate, rotated, pathRotatedField, rotated))
	}
	if !isDB {
		return
	}
	for _, k := range []string{strategy.KeyUsername, strategy.KeyHost} {
		raw, ok := obj[k]
		var v string
		if !ok || json.Unmarshal(raw, &v) != nil || v == "" {
			resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Incomplete database secret template",
				fmt.Sprintf("%s = %q needs the key %q in %s as a non-empty string; the template must contain at least %q and %q.",
					pathStrategy, s, k, pathSecretTemplate, strategy.KeyUsername, strategy.KeyHost))
		}
	}
	var user, engine string
	if json.Unmarshal(obj[strategy.KeyUsername], &user) == nil && user != "" {
		_ = json.Unmarshal(obj[strategy.KeyEngine], &engine)
		if err := config.CheckUsername(s, engine, user); err != nil {
			resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Database username too long",
				fmt.Sprintf("In %s, %v. The database would refuse or silently truncate it, so rotation could not work: choose a shorter username.", pathSecretTemplate, err))
		}
		if config.IsAlternating(s) && strings.HasSuffix(user, config.CloneSuffix) {
			resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Base username ends in the clone suffix",
				fmt.Sprintf("%s = %q alternates between %q's username and the same name plus %q; a username that already ends in %q would make the pair ambiguous. Name the base user (without %q) in %s.",
					pathStrategy, s, pathSecretTemplate, config.CloneSuffix, config.CloneSuffix, config.CloneSuffix, pathSecretTemplate))
		}
	}
	if raw, ok := obj[strategy.KeyEngine]; ok && string(raw) != "null" {
		var v string
		if json.Unmarshal(raw, &v) != nil || !slices.ContainsFunc(engines, func(e string) bool { return strings.EqualFold(e, v) }) {
			resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Secret template engine does not match the strategy",
				fmt.Sprintf("The %q key of %s must be one of %s for %s = %q, or be left out.",
					strategy.KeyEngine, pathSecretTemplate, strings.Join(engines, ", "), pathStrategy, s))
		}
	}
	if raw, ok := obj[strategy.KeyPort]; ok && string(raw) != "null" && !validPort(raw) {
		resp.Diagnostics.AddAttributeError(pathSecretTemplate, "Invalid port in secret template",
			fmt.Sprintf("The %q key of %s must be a port number from 1 to 65535 (a JSON number or a string of digits).", strategy.KeyPort, pathSecretTemplate))
	}
}

// parseObject decodes s as one JSON object. On failure it returns nil and
// what s is instead, without quoting s (a template may hold sensitive text).
func parseObject(s string) (map[string]json.RawMessage, string) {
	dec := json.NewDecoder(strings.NewReader(s))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return nil, "it is not valid JSON"
	}
	if dec.More() {
		return nil, "it has more text after the first JSON value"
	}
	switch strings.TrimSpace(string(v))[0] {
	case '{':
	case '[':
		return nil, "it is a JSON array"
	case '"':
		return nil, "it is a JSON string"
	case 't', 'f':
		return nil, "it is a JSON boolean"
	case 'n':
		return nil, "it is JSON null"
	default:
		return nil, "it is a JSON number"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(v, &obj); err != nil {
		return nil, "it is not valid JSON"
	}
	return obj, ""
}

func validPort(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return false
		}
		s = n.String()
	}
	p, err := strconv.Atoi(strings.TrimSpace(s))
	return err == nil && p >= 1 && p <= 65535
}
