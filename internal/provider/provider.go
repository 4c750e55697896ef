// Package provider is the Terraform glue of terraform-provider-rotator: the
// provider's configuration, the rotator_rotated_secret schema, and the
// translation between Terraform plans and state and internal/stack.
package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var _ provider.Provider = (*rotatorProvider)(nil)

// defaultMaxRetries matches the AWS provider's default.
const defaultMaxRetries = 25

type rotatorProvider struct {
	version string
	code    stack.CodeSource
}

// New returns the provider factory for providerserver. The rotation
// function's code is the bundle embedded in this binary.
func New(version string) func() provider.Provider {
	return NewWithCodeSource(version, EmbeddedCode{})
}

// NewWithCodeSource is New with another source of the function's code;
// acceptance tests of a checkout built before `make bundle` use it.
func NewWithCodeSource(version string, code stack.CodeSource) func() provider.Provider {
	return func() provider.Provider { return &rotatorProvider{version: version, code: code} }
}

type providerModel struct {
	Region                    types.String      `tfsdk:"region"`
	Profile                   types.String      `tfsdk:"profile"`
	SharedConfigFiles         types.List        `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List        `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String      `tfsdk:"access_key"`
	SecretKey                 types.String      `tfsdk:"secret_key"`
	Token                     types.String      `tfsdk:"token"`
	MaxRetries                types.Int64       `tfsdk:"max_retries"`
	SkipCredentialsValidation types.Bool        `tfsdk:"skip_credentials_validation"`
	AssumeRole                *assumeRoleModel  `tfsdk:"assume_role"`
	Endpoints                 *endpointsModel   `tfsdk:"endpoints"`
	DefaultTags               *defaultTagsModel `tfsdk:"default_tags"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type endpointsModel struct {
	SecretsManager types.String `tfsdk:"secretsmanager"`
	Lambda         types.String `tfsdk:"lambda"`
	IAM            types.String `tfsdk:"iam"`
	STS            types.String `tfsdk:"sts"`
	Logs           types.String `tfsdk:"logs"`
	KMS            types.String `tfsdk:"kms"`
	Events         types.String `tfsdk:"events"`
	SNS            types.String `tfsdk:"sns"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

func (p *rotatorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rotator"
	resp.Version = p.version
}

func endpointAttr(service string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: fmt.Sprintf("Custom endpoint URL for %s. Overrides `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.", service),
	}
}

func (p *rotatorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `rotator` provider manages AWS Secrets Manager secrets that rotate themselves with a " +
			"rotation function shipped inside the provider. Its configuration mirrors the AWS provider's, and the standard " +
			"AWS environment variables (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, …) work too.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region. Defaults to `AWS_REGION`/`AWS_DEFAULT_REGION` or the profile's region.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile of the shared configuration files. Defaults to `AWS_PROFILE`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared configuration files. Defaults to `~/.aws/config`.",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared credentials files. Defaults to `~/.aws/credentials`.",
			},
			"access_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "AWS access key ID. Prefer `AWS_ACCESS_KEY_ID` or a profile over a literal here.",
			},
			"secret_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "AWS secret access key. Required with `access_key`.",
			},
			"token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Session token for temporary credentials given with `access_key`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
				MarkdownDescription: fmt.Sprintf("How many times the AWS SDK retries a throttled or failed request. Default `%d`.", defaultMaxRetries),
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip the STS `GetCallerIdentity` call that validates credentials when the provider is configured. " +
					"The account ID is then read from the secret's ARN. Default `false`.",
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume an IAM role for every call the provider makes.",
				Attributes: map[string]schema.Attribute{
					"role_arn":     schema.StringAttribute{Optional: true, MarkdownDescription: "ARN of the role to assume."},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name. Default `terraform-provider-rotator`."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External ID the role's trust policy requires."},
					"duration": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session duration as a Go duration such as `1h` or `15m`. Default `15m`.",
					},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Custom service endpoints, for example a local emulator.",
				Attributes: map[string]schema.Attribute{
					"secretsmanager": endpointAttr("Secrets Manager"),
					"lambda":         endpointAttr("Lambda"),
					"iam":            endpointAttr("IAM"),
					"sts":            endpointAttr("STS"),
					"logs":           endpointAttr("CloudWatch Logs"),
					"kms":            endpointAttr("KMS"),
					"events":         endpointAttr("EventBridge (the `alerts` rule)"),
					"sns":            endpointAttr("SNS (the `alerts` topic's policy)"),
				},
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags added to every object the provider creates. A resource's own `tags` win on conflicts.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{
						ElementType: types.StringType, Optional: true, MarkdownDescription: "Default tags.",
						Validators: []validator.Map{mapvalidator.NoNullValues()},
					},
				},
			},
		},
	}
}

// baseSpec is the part of every spec the provider decides.
func (pd *providerData) baseSpec() stack.Spec {
	return stack.Spec{Region: pd.region, Account: pd.account, Partition: pd.partition}
}

// providerData is what resources receive from Configure.
type providerData struct {
	stack       *stack.Stack
	code        stack.CodeSource
	region      string
	account     string // "" when credentials validation was skipped
	partition   string
	defaultTags map[string]string
}

func (p *rotatorProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	ctx = withLogging(ctx)
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, err := loadAWSConfig(ctx, &m)
	if err != nil {
		resp.Diagnostics.Append(errorDiag("Invalid AWS configuration", "Check the provider block and the AWS_* environment variables.", err))
		return
	}
	if cfg.Region == "" {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "No AWS region",
			"Set region in the provider block, or AWS_REGION, or a region in the AWS profile.")
		return
	}
	ep := endpointsModel{}
	if m.Endpoints != nil {
		ep = *m.Endpoints
	}
	data := &providerData{region: cfg.Region, partition: stack.PartitionOf(cfg.Region), code: p.code}
	if !m.SkipCredentialsValidation.ValueBool() {
		client := sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, ep.STS) })
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			resp.Diagnostics.Append(errorDiag("Invalid AWS credentials",
				"The provider could not validate its credentials with STS GetCallerIdentity. Check access keys, profile or assume_role; "+
					"set skip_credentials_validation = true to skip this check.", err))
			return
		}
		data.account = aws.ToString(out.Account)
		if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
			data.partition = a.Partition
		}
	}
	if m.DefaultTags != nil && !m.DefaultTags.Tags.IsNull() {
		resp.Diagnostics.Append(m.DefaultTags.Tags.ElementsAs(ctx, &data.defaultTags, false)...)
	}
	data.stack = stack.New(stack.NewClients(cfg, stack.Endpoints{
		SecretsManager: endpoint(ep.SecretsManager),
		Lambda:         endpoint(ep.Lambda),
		IAM:            endpoint(ep.IAM),
		Logs:           endpoint(ep.Logs),
		KMS:            endpoint(ep.KMS),
		Events:         endpoint(ep.Events),
		SNS:            endpoint(ep.SNS),
	}), p.code)
	tflog.Debug(ctx, "configured rotator provider", map[string]any{"region": data.region, "account": data.account})
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
}

// setEndpoint overrides a client's endpoint only when the provider block
// sets one, keeping AWS_ENDPOINT_URL(_<SERVICE>) otherwise.
func setEndpoint(dst **string, v types.String) {
	if e := endpoint(v); e != nil {
		*dst = e
	}
}

// endpoint returns nil for an unset endpoint so the SDK's own resolution
// (including AWS_ENDPOINT_URL*) applies.
func endpoint(v types.String) *string {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return nil
	}
	return aws.String(v.ValueString())
}

// loadAWSConfig builds the SDK configuration from the provider block, on
// top of the SDK's default chain (environment, shared files, IMDS).
func loadAWSConfig(ctx context.Context, m *providerModel) (aws.Config, error) {
	maxRetries := defaultMaxRetries
	if !m.MaxRetries.IsNull() && !m.MaxRetries.IsUnknown() {
		maxRetries = int(m.MaxRetries.ValueInt64())
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithLogger(sdkLogger{ctx: ctx}),
		awsconfig.WithClientLogMode(sdkLogMode()),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxRetries + 1
				o.MaxBackoff = 20 * time.Second
			})
		}),
		awsconfig.WithAppID("terraform-provider-rotator"),
	}
	if v := m.Region.ValueString(); v != "" {
		opts = append(opts, awsconfig.WithRegion(v))
	}
	if v := m.Profile.ValueString(); v != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(v))
	}
	var files []string
	if !m.SharedConfigFiles.IsNull() {
		if d := m.SharedConfigFiles.ElementsAs(ctx, &files, false); d.HasError() {
			return aws.Config{}, fmt.Errorf("shared_config_files must be a list of known paths")
		}
		opts = append(opts, awsconfig.WithSharedConfigFiles(files))
	}
	var credFiles []string
	if !m.SharedCredentialsFiles.IsNull() {
		if d := m.SharedCredentialsFiles.ElementsAs(ctx, &credFiles, false); d.HasError() {
			return aws.Config{}, fmt.Errorf("shared_credentials_files must be a list of known paths")
		}
		opts = append(opts, awsconfig.WithSharedCredentialsFiles(credFiles))
	}
	if ak := m.AccessKey.ValueString(); ak != "" {
		if m.SecretKey.ValueString() == "" {
			return aws.Config{}, fmt.Errorf("access_key is set but secret_key is not")
		}
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(ak, m.SecretKey.ValueString(), m.Token.ValueString())))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if ar := m.AssumeRole; ar != nil && ar.RoleARN.ValueString() != "" {
		duration := 15 * time.Minute
		if d := ar.Duration.ValueString(); d != "" {
			if duration, err = time.ParseDuration(d); err != nil {
				return aws.Config{}, fmt.Errorf("assume_role.duration %q: %w", d, err)
			}
		}
		var stsEndpoint *string
		if m.Endpoints != nil {
			stsEndpoint = endpoint(m.Endpoints.STS)
		}
		client := sts.NewFromConfig(cfg, func(o *sts.Options) {
			if stsEndpoint != nil {
				o.BaseEndpoint = stsEndpoint
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, ar.RoleARN.ValueString(), func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "terraform-provider-rotator"
			if v := ar.SessionName.ValueString(); v != "" {
				o.RoleSessionName = v
			}
			if v := ar.ExternalID.ValueString(); v != "" {
				o.ExternalID = aws.String(v)
			}
			o.Duration = duration
		}))
	}
	return cfg, nil
}

func (p *rotatorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewRotatedSecretResource}
}

func (p *rotatorProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}
