package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/lambdabundle"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider/validators"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/schedule"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// Defaults of the resource, also used when an optional block is absent.
const (
	defaultRecoveryWindowDays = 30
	defaultArchitecture       = "arm64"
	defaultMemorySize         = 128
	defaultTimeout            = 30
	defaultLogRetentionDays   = 30
	defaultRotateImmediately  = false
	defaultRotationEnabled    = true
)

// defaultNamePrefix starts generated names when neither name nor name_prefix is set.
const defaultNamePrefix = "rotated-"

// logRetentionValues are the retention periods the schema accepts: 0
// (never expire) and CloudWatch Logs' values.
var logRetentionValues = append([]int64{0}, validators.LogRetentionDays...)

func codeList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: desc,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func (r *rotatedSecretResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	retention := make([]string, len(logRetentionValues))
	for i, v := range logRetentionValues {
		retention[i] = fmt.Sprint(v)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An AWS Secrets Manager secret that rotates itself. One block creates the secret with a " +
			"generated first value, a rotation function shipped inside the provider, its least-privilege IAM role, " +
			"its log group, the invoke permission for Secrets Manager (with `aws:SourceAccount` and `aws:SourceArn`) " +
			"and the rotation schedule. The resource owns the secret, not a version: rotations never show up as a diff, " +
			"and no secret value is ever stored in state or plan.",
		Attributes: map[string]schema.Attribute{
			"id":  computedString("The secret's ARN."),
			"arn": computedString("The secret's ARN."),
			"name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Name of the secret: 1–512 characters of letters, digits and `/_+=.@-`. " +
					"Conflicts with `name_prefix`; with neither, a unique name beginning with `" + defaultNamePrefix + "` is generated. Changing it replaces the secret.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{validators.NewSecretName()},
			},
			"name_prefix": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Creates a unique name beginning with this prefix. Conflicts with `name`. Changing it replaces the secret.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{validators.NewSecretNamePrefix()},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Description of the secret.",
			},
			"kms_key_id": schema.StringAttribute{
				Optional:   true,
				Validators: []validator.String{validators.NewKMSKeyID()},
				MarkdownDescription: "The customer-managed KMS key that encrypts the secret: " + validators.KMSKeyForms + ". " +
					"When set, the rotation function's role gets `kms:Decrypt` and `kms:GenerateDataKey` on this key, " +
					"only for this secret's encryption context. Default: the AWS managed key `aws/secretsmanager`.",
			},
			"tags": schema.MapAttribute{
				ElementType: types.StringType, Optional: true,
				Validators:          []validator.Map{mapvalidator.NoNullValues()},
				MarkdownDescription: "Tags of the secret, the function, its role and its log group. Merged over the provider's `default_tags`.",
			},
			"tags_all": schema.MapAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "All tags, including the provider's `default_tags`.",
			},
			"recovery_window_in_days": schema.Int64Attribute{
				Optional: true, Computed: true,
				Default:    int64default.StaticInt64(defaultRecoveryWindowDays),
				Validators: []validator.Int64{validators.NewRecoveryWindowInDays()},
				MarkdownDescription: fmt.Sprintf("Days Secrets Manager keeps the secret after destroy, during which the name "+
					"cannot be reused: `0` (delete at once, without recovery) or `7`–`30`. Default `%d`.", defaultRecoveryWindowDays),
			},
			"policy": schema.StringAttribute{
				Optional:            true,
				Validators:          []validator.String{validators.NewPolicyJSON()},
				MarkdownDescription: "Resource policy of the secret, as a JSON string (for example from `jsonencode` or `aws_iam_policy_document`).",
			},
			"secret_template": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A JSON object of the keys that do not rotate (for databases: `engine`, `host`, `port`, `username`, `dbname`). " +
					"The secret is this object plus `rotated_field`. Without it the secret is a plain string: the password itself. " +
					"A change is applied to the current value in place: the rotated field (and, for alternating strategies, `username`) is kept.",
			},
			"rotated_field": schema.StringAttribute{
				Optional: true, Computed: true,
				Default:    stringdefault.StaticString(config.DefaultRotatedField),
				Validators: []validator.String{validators.NewRotatedField()},
				MarkdownDescription: fmt.Sprintf("The JSON key the rotation regenerates. Default `%s`. Renaming it moves the current "+
					"value from the old key to the new one (a new secret version; nothing is regenerated), and the rotation function "+
					"regenerates the new key from then on.", config.DefaultRotatedField),
			},
			"initial_value_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Write-only (Terraform/OpenTofu ≥ 1.11): a known first value of `rotated_field` (or of the " +
					"whole secret without `secret_template`), for example the current database password for single-user rotation. " +
					"It is written once, by `CreateSecret`, and never stored in state or plan. Without it the provider generates the " +
					"first value locally with the `password` policy.",
			},
			"initial_value_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Change this number to write `initial_value_wo` again, as a new current version (for example " +
					"after restoring a database). Nothing is written when it does not change.",
			},
			"current_version_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Version ID that holds `AWSCURRENT`. It changes with every rotation; that is not drift and " +
					"never plans a change.",
			},
			"function_name": computedString("Name of the rotation function (`rotator-<name>-<hash>`)."),
			"function_arn":  computedString("ARN of the rotation function."),
			"role_arn": computedString("ARN of the rotation function's role: the one this resource created, or `function.role_arn`. " +
				"Reference it in a secret or key policy to allow only the rotator."),
			"log_group_name": computedString("CloudWatch Logs group of the rotation function (`/aws/lambda/<function_name>`)."),
			"code_sha256": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Base64 SHA-256 of the rotation function's code (Lambda's `CodeSha256`). A provider " +
					"upgrade that ships new function code plans an in-place update of this attribute alone.",
			},
			"rotation_enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether Secrets Manager rotates the secret automatically.",
			},
			"created_date": computedString("RFC 3339 time Secrets Manager created the secret."),
			"last_rotated_date": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "RFC 3339 time of the last rotation. Empty until the first rotation.",
			},
			"next_rotation_date": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "RFC 3339 time by which the next rotation will have happened (\"on or before\"). " +
					"It can lie in the past after failed rotations.",
			},
			"rotates_on_apply": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Shown in the plan: `true` when this apply rotates the secret, so it gets a new value during " +
					"the apply: rotation is (re)configured with `rotate_immediately = true`, or `rotation.rotate_triggers` changed. " +
					"It is `false` again after the next refresh.",
			},
			"current_version_created_date": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "RFC 3339 time the version holding `AWSCURRENT` was created (for a rotation: when it " +
					"started). Its age is `timecmp`/`timeadd` arithmetic with `plantimestamp()`, for example in a `check` block; " +
					"the provider keeps no age attribute, which would change the state every day. Read with " +
					"`ListSecretVersionIds` only when `AWSCURRENT` or `AWSPENDING` moved to a version not seen before: a " +
					"refresh with nothing new costs no extra call.",
			},
			"rotation_pending": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether a rotation is unfinished: `AWSPENDING` is on a version other than the " +
					"`AWSCURRENT` one (a rotation is running, or one failed and left it behind).",
			},
			"rotation_stuck": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Whether an unfinished rotation is stuck: `rotation_pending`, and the "+
					"`AWSPENDING` version was created more than %g hour(s) before the refresh (by Secrets Manager's clock), or "+
					"Secrets Manager's `NextRotationDate` has passed (\"if rotation is unsuccessful, this date may be in the "+
					"past\", DescribeSecret). This provider's function ends a rotation in seconds and the provider waits at "+
					"most %g minutes for one, so a rotation this old failed and needs a look at the function's log group. "+
					"Secrets Manager refuses new rotations until it is cleared.", stack.RotationStuckAfter.Hours(), stack.RotationWaitTimeout.Minutes()),
			},
			"drift": schema.ListAttribute{
				ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Differences found by the last refresh between the AWS objects and this configuration " +
					"(a deleted function, a changed role policy, a removed permission, rotation disabled out of band…). " +
					"A non-empty list plans an in-place repair; after the apply it is empty.",
			},
			"alert_rule_arn": alertRuleARNAttr(),
		},
		Blocks: map[string]schema.Block{
			"replica": replicaBlock(),
			"alerts":  alertsBlock(),
			"password": schema.SingleNestedBlock{
				MarkdownDescription: "Policy of the generated passwords (the first value and every rotation), with the " +
					"options and defaults of Secrets Manager's `GetRandomPassword`. Generated with `crypto/rand`, without API calls.",
				Attributes: map[string]schema.Attribute{
					"length": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(config.DefaultPasswordLength),
						Validators:          []validator.Int64{int64validator.Between(config.MinPasswordLength, config.MaxPasswordLength)},
						MarkdownDescription: fmt.Sprintf("Length, %d–%d. Default `%d`.", config.MinPasswordLength, config.MaxPasswordLength, config.DefaultPasswordLength),
					},
					"exclude_characters": optEmptyString("Characters never used. Default none for `generic`; for the database " +
						"strategies, empty means `" + config.DBExcludeCharacters[:len(config.DBExcludeCharacters)-1] + "` and space, " +
						"the characters AWS's rotation templates leave out of connection strings."),
					"exclude_numbers":            optBool(false, "Use no digits."),
					"exclude_punctuation":        optBool(false, "Use no punctuation ("+"`"+config.Punctuation+"`"+")."),
					"exclude_uppercase":          optBool(false, "Use no uppercase letters."),
					"exclude_lowercase":          optBool(false, "Use no lowercase letters."),
					"include_space":              optBool(false, "Allow the space character."),
					"require_each_included_type": optBool(true, "Use at least one character of every included type."),
				},
			},
			"rotation": schema.SingleNestedBlock{
				MarkdownDescription: "How and when the secret rotates. Required.",
				Validators:          []validator.Object{objectvalidator.IsRequired()},
				Attributes: map[string]schema.Attribute{
					"strategy": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(config.StrategyGeneric),
						Validators: []validator.String{validators.NewStrategy()},
						MarkdownDescription: "What a rotation changes: one of " + codeList(config.Strategies()) + ". `generic` regenerates " +
							"`rotated_field` and touches nothing else; the database strategies also change the password in the " +
							"database (single user: the user changes its own password; alternating users: the master secret " +
							"alternates between `username` and `username_clone`). Default `generic`.",
					},
					"master_secret_arn": schema.StringAttribute{
						Optional:   true,
						Validators: []validator.String{validators.NewSecretARN()},
						MarkdownDescription: "ARN of the secret holding a database administrator's credentials. Required by the " +
							"alternating strategies; stored in the secret as `masterarn`, and the function's role may read it.",
					},
					"ca_bundle": schema.StringAttribute{
						Optional:   true,
						Validators: []validator.String{validators.NewCABundle()},
						MarkdownDescription: fmt.Sprintf("PEM CA certificates the database strategies trust, besides the system roots and "+
							"Amazon RDS's published CA bundle (built in). TLS to the database is verified (certificate and host name) "+
							"unless `secret_template` sets `\"ssl\": false` (plain text) or `\"ssl\": \"require\"` (encrypted, not "+
							"verified); a missing `ssl` key means verified TLS, never a fallback to plain text. At most %d bytes "+
							"(it travels in the function's environment).", config.MaxCABundleBytes),
					},
					"automatically_after_days": schema.Int64Attribute{
						Optional:            true,
						Validators:          []validator.Int64{validators.NewAutomaticallyAfterDays()},
						MarkdownDescription: fmt.Sprintf("Rotate every N days, %d–%d. Exactly one of this and `schedule_expression`.", schedule.MinDays, schedule.MaxDays),
					},
					"schedule_expression": schema.StringAttribute{
						Optional:   true,
						Validators: []validator.String{validators.NewScheduleExpression()},
						MarkdownDescription: "`rate()` or `cron()` expression in UTC, at most every 4 hours, for example " +
							"`rate(10 days)` or `cron(0 4 ? * SUN *)`. Exactly one of this and `automatically_after_days`.",
					},
					"duration": schema.StringAttribute{
						Optional:   true,
						Validators: []validator.String{validators.NewWindowDuration()},
						MarkdownDescription: "Length of the rotation window, as `Nh` (for example `3h`). It must end before the next " +
							"window and within the UTC day. Default: to the end of the UTC day (1 hour for hourly schedules).",
					},
					"rotate_immediately": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(defaultRotateImmediately),
						MarkdownDescription: "Whether configuring rotation also rotates at once. Default `false`: the provider already " +
							"wrote a fresh value at create, and rotating when a schedule changes breaks clients that still hold the " +
							"current credential. With `false`, Secrets Manager only runs the function's `testSecret` step to validate " +
							"the setup, and the first rotation happens in the next window (note: with `automatically_after_days` or " +
							"`rate()`, a rotation already due may still run). The plan shows `rotates_on_apply`.",
					},
					"rotate_triggers": schema.MapAttribute{
						ElementType: types.StringType, Optional: true,
						MarkdownDescription: "Arbitrary strings that rotate the secret when they change, like the `keepers` of the " +
							"`random` provider: when a key is added, removed or given another value, the apply rotates the secret " +
							"once (`RotateSecret`, whatever `rotate_immediately` says) and waits for the outcome; the plan shows " +
							"`rotates_on_apply = true` and a warning naming the keys. Setting it on an existing resource (from " +
							"nothing to a non-empty map) rotates; creating the resource does not rotate because of it. Stored in " +
							"state (do not put secrets in it). If the rotation fails, the apply fails and the state keeps the " +
							"previous triggers, so the next apply rotates again. A change while `enabled = false` is refused at plan time.",
					},
					"enabled": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(defaultRotationEnabled),
						MarkdownDescription: "Set `false` to stop automatic rotation (`CancelRotateSecret`). Nothing is destroyed, " +
							"and setting it back to `true` resumes. Default `true`.",
					},
				},
			},
			"function": schema.SingleNestedBlock{
				MarkdownDescription: "The rotation function: a static Go binary on `provided.al2023`, shipped inside the provider.",
				Attributes: map[string]schema.Attribute{
					"architecture": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(defaultArchitecture),
						Validators:          []validator.String{validators.NewArchitecture()},
						MarkdownDescription: "Instruction set: one of " + codeList(lambdabundle.Architectures()) + ". Default `" + defaultArchitecture + "`.",
					},
					"memory_size": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(defaultMemorySize),
						Validators:          []validator.Int64{validators.NewMemorySize()},
						MarkdownDescription: fmt.Sprintf("Memory in MB, %d–%d. Default `%d`.", validators.MinMemorySize, validators.MaxMemorySize, defaultMemorySize),
					},
					"timeout": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(defaultTimeout),
						Validators:          []validator.Int64{validators.NewTimeout()},
						MarkdownDescription: fmt.Sprintf("Timeout of one step in seconds, %d–%d. Default `%d`.", validators.MinTimeout, validators.MaxTimeout, defaultTimeout),
					},
					"subnet_ids": schema.SetAttribute{
						ElementType: types.StringType, Optional: true,
						Validators: []validator.Set{
							setvalidator.AlsoRequires(path.MatchRoot("function").AtName("security_group_ids")),
							setvalidator.SizeAtLeast(1),
							setvalidator.NoNullValues(),
						},
						MarkdownDescription: "Subnets to run the function in, for databases in a VPC. The subnets need a route to " +
							"Secrets Manager (a NAT gateway or an interface endpoint), or rotation times out. Requires `security_group_ids`.",
					},
					"security_group_ids": schema.SetAttribute{
						ElementType: types.StringType, Optional: true,
						Validators: []validator.Set{
							setvalidator.AlsoRequires(path.MatchRoot("function").AtName("subnet_ids")),
							setvalidator.SizeAtLeast(1),
							setvalidator.NoNullValues(),
						},
						MarkdownDescription: "Security groups of the function in the VPC.",
					},
					"log_retention_in_days": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(defaultLogRetentionDays),
						Validators:          []validator.Int64{int64validator.Any(int64validator.OneOf(0), validators.NewLogRetentionInDays())},
						MarkdownDescription: fmt.Sprintf("Days to keep the function's logs: one of %s (`0` keeps them forever). Default `%d`.", strings.Join(retention, ", "), defaultLogRetentionDays),
					},
					"role_arn": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Bring your own execution role: no role is created. It must trust `lambda.amazonaws.com` " +
							"and allow what the resource documentation lists for the function.",
					},
				},
			},
		},
	}
}

func optBool(def bool, desc string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(def),
		MarkdownDescription: fmt.Sprintf("%s Default `%t`.", desc, def),
	}
}

func optEmptyString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true, Computed: true, Default: stringdefault.StaticString(""),
		MarkdownDescription: desc,
	}
}
