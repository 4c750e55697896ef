package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
)

var (
	_ validator.String = (*secretNameValidator)(nil)
	_ validator.String = (*scheduleExpressionValidator)(nil)
	_ validator.String = (*windowDurationValidator)(nil)
	_ validator.String = (*secretARNValidator)(nil)
)

// Secret name rules (Secrets Manager CreateSecret).
const (
	// MaxNameLength is the longest secret name AWS accepts.
	MaxNameLength = 512
	// NameSuffixLength is the number of characters the provider appends to
	// name_prefix to build a unique name.
	NameSuffixLength = 7
	// MaxNamePrefixLength leaves room for that suffix.
	MaxNamePrefixLength = MaxNameLength - NameSuffixLength
	// NameCharacters lists the characters a secret name may contain besides
	// ASCII letters and digits.
	NameCharacters = "/_+=.@-"
)

// Rotation function bounds (Lambda CreateFunction).
const (
	MinMemorySize = 128
	MaxMemorySize = 10240
	MinTimeout    = 1
	MaxTimeout    = 900
)

// Architectures of the rotation function.
const (
	ArchitectureARM64 = "arm64"
	ArchitectureX8664 = "x86_64"
)

// LogRetentionDays are the values CloudWatch Logs PutRetentionPolicy
// accepts.
var LogRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// secretNameValidator checks a name or a name prefix.
type secretNameValidator struct {
	prefix bool
	max    int
}

// NewSecretName returns the validator of `name`: 1 to 512 characters, each
// an ASCII letter, a digit or one of /_+=.@- (Secrets Manager's rule). A name
// ending in a hyphen and six characters draws a warning, because AWS
// appends such a suffix to secret ARNs and partial-ARN lookups become
// ambiguous.
func NewSecretName() validator.String {
	return &secretNameValidator{max: MaxNameLength}
}

// NewSecretNamePrefix returns the validator of `name_prefix`: the characters
// of a name, 1 to MaxNamePrefixLength (505) long, so that the name with the
// provider's suffix stays within 512.
func NewSecretNamePrefix() validator.String {
	return &secretNameValidator{prefix: true, max: MaxNamePrefixLength}
}

func (v *secretNameValidator) what() string {
	if v.prefix {
		return "secret name prefix"
	}
	return "secret name"
}

func (v *secretNameValidator) Description(context.Context) string {
	return fmt.Sprintf("The %s must be 1 to %d characters long and use only ASCII letters, digits and %s.", v.what(), v.max, NameCharacters)
}

func (v *secretNameValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("The %s must be 1 to %d characters long and use only ASCII letters, digits and `%s`.", v.what(), v.max, NameCharacters)
}

func (v *secretNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	summary := "Invalid " + v.what()
	if n := len(s); n < 1 || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, summary,
			fmt.Sprintf("%s must be 1 to %d characters long, got %d.", req.Path, v.max, n))
		return
	}
	for i, r := range s {
		if !nameRune(r) {
			resp.Diagnostics.AddAttributeError(req.Path, summary,
				fmt.Sprintf("%s contains %q at position %d; it may contain only ASCII letters, digits and %s.", req.Path, r, i+1, NameCharacters))
			return
		}
	}
	if !v.prefix && len(s) > 7 && s[len(s)-7] == '-' {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Secret name ends like an ARN suffix",
			fmt.Sprintf("%s ends with a hyphen followed by six characters. AWS appends such a suffix to secret ARNs, so looking this secret up by partial ARN can match the wrong secret; AWS recommends avoiding this ending.", req.Path))
	}
}

func nameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(NameCharacters, r)
}

// scheduleExpressionValidator checks rotation.schedule_expression.
type scheduleExpressionValidator struct{}

// NewScheduleExpression returns the validator of
// `rotation.schedule_expression`: a rate() or cron() expression that
// Secrets Manager accepts, firing no more often than every four hours (see
// package schedule for the exact rules).
func NewScheduleExpression() validator.String { return &scheduleExpressionValidator{} }

func (*scheduleExpressionValidator) Description(context.Context) string {
	return "Must be rate(N hours) with N from 4 to 23, rate(N days) with N from 1 to 999, or cron(0 Hours Day-of-month Month Day-of-week *) in UTC, firing no more often than every 4 hours."
}

func (*scheduleExpressionValidator) MarkdownDescription(context.Context) string {
	return "Must be `rate(N hours)` with N from 4 to 23, `rate(N days)` with N from 1 to 999, or `cron(0 Hours Day-of-month Month Day-of-week *)` in UTC, firing no more often than every 4 hours."
}

func (*scheduleExpressionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := schedule.ParseExpression(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid rotation schedule expression",
			fmt.Sprintf("%s %s", req.Path, reason(err)))
	}
}

// windowDurationValidator checks rotation.duration on its own.
type windowDurationValidator struct{}

// NewWindowDuration returns the validator of `rotation.duration`: whole hours
// followed by h, from 1h to 24h. Whether the window fits the schedule is
// checked by NewRotationSchedule.
func NewWindowDuration() validator.String { return &windowDurationValidator{} }

func (*windowDurationValidator) Description(context.Context) string {
	return "Must be a whole number of hours followed by h, from 1h to 24h, e.g. 3h."
}

func (*windowDurationValidator) MarkdownDescription(context.Context) string {
	return "Must be a whole number of hours followed by `h`, from `1h` to `24h`, e.g. `3h`."
}

func (*windowDurationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := schedule.ParseDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid rotation window duration",
			fmt.Sprintf("%s %s", req.Path, reason(err)))
	}
}

// reason returns a schedule error's reason (without the AWS field name).
func reason(err error) string {
	if e, ok := schedule.AsError(err); ok {
		return e.Reason
	}
	return err.Error()
}

// secretARNRegexp matches a Secrets Manager secret ARN in any partition.
var secretARNRegexp = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)

// secretARNValidator checks that a value is a Secrets Manager secret ARN.
type secretARNValidator struct{}

// NewSecretARN returns the validator of `rotation.master_secret_arn`: a
// Secrets Manager secret ARN, arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME.
// Whether it is required is checked by NewMasterSecret.
func NewSecretARN() validator.String { return &secretARNValidator{} }

func (*secretARNValidator) Description(context.Context) string {
	return "Must be a Secrets Manager secret ARN: arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:NAME."
}

func (*secretARNValidator) MarkdownDescription(context.Context) string {
	return "Must be a Secrets Manager secret ARN: `arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:NAME`."
}

func (*secretARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !secretARNRegexp.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid secret ARN",
			fmt.Sprintf("%s must be the ARN of a Secrets Manager secret, arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:NAME (as the arn attribute of a secret resource gives it), got %q.", req.Path, req.ConfigValue.ValueString()))
	}
}

// caBundleValidator checks rotation.ca_bundle.
type caBundleValidator struct{}

var _ validator.String = (*caBundleValidator)(nil)

// NewCABundle returns the validator of `rotation.ca_bundle`: PEM
// CERTIFICATE blocks only, at most config.MaxCABundleBytes.
func NewCABundle() validator.String { return &caBundleValidator{} }

func (*caBundleValidator) Description(context.Context) string {
	return fmt.Sprintf("Must be PEM CA certificates, at most %d bytes.", config.MaxCABundleBytes)
}

func (v *caBundleValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (*caBundleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := req.ConfigValue.ValueString()
	if len(v) > config.MaxCABundleBytes {
		resp.Diagnostics.AddAttributeError(req.Path, "CA bundle too large",
			fmt.Sprintf("%s is %d bytes; it travels in the rotation function's environment, which Lambda limits to 4 KB, so at most %d bytes fit. Give only the CA certificates that sign the database server's certificate (Amazon RDS's CAs are already trusted).", req.Path, len(v), config.MaxCABundleBytes))
		return
	}
	if _, err := config.ParseCABundle(v); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CA bundle",
			fmt.Sprintf("%s must be PEM CA certificates (-----BEGIN CERTIFICATE----- blocks), for example from file(\"ca.pem\"): %v.", req.Path, err))
	}
}

// NewStrategy returns the validator of `rotation.strategy`: one of
// config.Strategies().
func NewStrategy() validator.String { return stringvalidator.OneOf(config.Strategies()...) }

// NewArchitecture returns the validator of `function.architecture`: arm64
// or x86_64.
func NewArchitecture() validator.String {
	return stringvalidator.OneOf(ArchitectureARM64, ArchitectureX8664)
}

// NewRotatedField returns the validator of `rotated_field`: a non-empty
// JSON key.
func NewRotatedField() validator.String { return stringvalidator.LengthAtLeast(1) }

// NewAutomaticallyAfterDays returns the validator of
// `rotation.automatically_after_days`: 1 to 1000.
func NewAutomaticallyAfterDays() validator.Int64 {
	return int64validator.Between(schedule.MinDays, schedule.MaxDays)
}

// NewPasswordLength returns the validator of `password.length`: 1 to 4096,
// GetRandomPassword's bounds.
func NewPasswordLength() validator.Int64 {
	return int64validator.Between(config.MinPasswordLength, config.MaxPasswordLength)
}

// NewMemorySize returns the validator of `function.memory_size`: 128 to
// 10240 MB.
func NewMemorySize() validator.Int64 { return int64validator.Between(MinMemorySize, MaxMemorySize) }

// NewTimeout returns the validator of `function.timeout`: 1 to 900 seconds.
func NewTimeout() validator.Int64 { return int64validator.Between(MinTimeout, MaxTimeout) }

// NewRecoveryWindowInDays returns the validator of
// `recovery_window_in_days`: 0 (delete at once) or 7 to 30.
func NewRecoveryWindowInDays() validator.Int64 {
	return int64validator.Any(int64validator.OneOf(0), int64validator.Between(7, 30))
}

// NewLogRetentionInDays returns the validator of
// `function.log_retention_in_days`: one of LogRetentionDays.
func NewLogRetentionInDays() validator.Int64 { return int64validator.OneOf(LogRetentionDays...) }
