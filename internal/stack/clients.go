package stack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// SecretsManagerAPI is the part of the Secrets Manager client the stack uses.
type SecretsManagerAPI interface {
	CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	ListSecretVersionIds(context.Context, *secretsmanager.ListSecretVersionIdsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error)
	GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(context.Context, *secretsmanager.PutSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(context.Context, *secretsmanager.UpdateSecretVersionStageInput, ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
	UpdateSecret(context.Context, *secretsmanager.UpdateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error)
	RotateSecret(context.Context, *secretsmanager.RotateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.RotateSecretOutput, error)
	CancelRotateSecret(context.Context, *secretsmanager.CancelRotateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CancelRotateSecretOutput, error)
	DeleteSecret(context.Context, *secretsmanager.DeleteSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	TagResource(context.Context, *secretsmanager.TagResourceInput, ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error)
	UntagResource(context.Context, *secretsmanager.UntagResourceInput, ...func(*secretsmanager.Options)) (*secretsmanager.UntagResourceOutput, error)
	PutResourcePolicy(context.Context, *secretsmanager.PutResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutResourcePolicyOutput, error)
	GetResourcePolicy(context.Context, *secretsmanager.GetResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetResourcePolicyOutput, error)
	DeleteResourcePolicy(context.Context, *secretsmanager.DeleteResourcePolicyInput, ...func(*secretsmanager.Options)) (*secretsmanager.DeleteResourcePolicyOutput, error)
	ReplicateSecretToRegions(context.Context, *secretsmanager.ReplicateSecretToRegionsInput, ...func(*secretsmanager.Options)) (*secretsmanager.ReplicateSecretToRegionsOutput, error)
	RemoveRegionsFromReplication(context.Context, *secretsmanager.RemoveRegionsFromReplicationInput, ...func(*secretsmanager.Options)) (*secretsmanager.RemoveRegionsFromReplicationOutput, error)
}

// LambdaAPI is the part of the Lambda client the stack uses.
type LambdaAPI interface {
	CreateFunction(context.Context, *lambda.CreateFunctionInput, ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error)
	GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	UpdateFunctionCode(context.Context, *lambda.UpdateFunctionCodeInput, ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	UpdateFunctionConfiguration(context.Context, *lambda.UpdateFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error)
	DeleteFunction(context.Context, *lambda.DeleteFunctionInput, ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
	AddPermission(context.Context, *lambda.AddPermissionInput, ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error)
	RemovePermission(context.Context, *lambda.RemovePermissionInput, ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error)
	GetPolicy(context.Context, *lambda.GetPolicyInput, ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	TagResource(context.Context, *lambda.TagResourceInput, ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	UntagResource(context.Context, *lambda.UntagResourceInput, ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error)
}

// IAMAPI is the part of the IAM client the stack uses.
type IAMAPI interface {
	CreateRole(context.Context, *iam.CreateRoleInput, ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	DeleteRole(context.Context, *iam.DeleteRoleInput, ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	UpdateAssumeRolePolicy(context.Context, *iam.UpdateAssumeRolePolicyInput, ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	GetRolePolicy(context.Context, *iam.GetRolePolicyInput, ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	DeleteRolePolicy(context.Context, *iam.DeleteRolePolicyInput, ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	TagRole(context.Context, *iam.TagRoleInput, ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(context.Context, *iam.UntagRoleInput, ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
}

// LogsAPI is the part of the CloudWatch Logs client the stack uses.
type LogsAPI interface {
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DeleteLogGroup(context.Context, *cloudwatchlogs.DeleteLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteRetentionPolicy(context.Context, *cloudwatchlogs.DeleteRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteRetentionPolicyOutput, error)
	TagResource(context.Context, *cloudwatchlogs.TagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	UntagResource(context.Context, *cloudwatchlogs.UntagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
	// FilterLogEvents reads the function's lines for a rotation that did
	// not end at once (wait.go).
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// KMSAPI is the part of the KMS client the stack uses: resolving a key ID
// or alias to the key ARN that the role policy must name.
type KMSAPI interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// EventsAPI is the part of the EventBridge client the alerts child uses
// (alerts.go); only a spec with alerts calls it.
type EventsAPI interface {
	PutRule(context.Context, *eventbridge.PutRuleInput, ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	DescribeRule(context.Context, *eventbridge.DescribeRuleInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error)
	DeleteRule(context.Context, *eventbridge.DeleteRuleInput, ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
	PutTargets(context.Context, *eventbridge.PutTargetsInput, ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	// ListTargetsByRule is the alerts child's one refresh call.
	ListTargetsByRule(context.Context, *eventbridge.ListTargetsByRuleInput, ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	RemoveTargets(context.Context, *eventbridge.RemoveTargetsInput, ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	ListTagsForResource(context.Context, *eventbridge.ListTagsForResourceInput, ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error)
}

// SNSAPI is the part of the SNS client the alerts child uses: the topic
// policy statement that lets EventBridge publish.
type SNSAPI interface {
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	SetTopicAttributes(context.Context, *sns.SetTopicAttributesInput, ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error)
}

// Compile-time checks that the SDK clients satisfy the narrow interfaces.
var (
	_ SecretsManagerAPI = (*secretsmanager.Client)(nil)
	_ LambdaAPI         = (*lambda.Client)(nil)
	_ IAMAPI            = (*iam.Client)(nil)
	_ LogsAPI           = (*cloudwatchlogs.Client)(nil)
	_ KMSAPI            = (*kms.Client)(nil)
	_ EventsAPI         = (*eventbridge.Client)(nil)
	_ SNSAPI            = (*sns.Client)(nil)
)

// Clients are the service clients one stack talks to.
type Clients struct {
	SecretsManager SecretsManagerAPI
	Lambda         LambdaAPI
	IAM            IAMAPI
	Logs           LogsAPI
	KMS            KMSAPI
	Events         EventsAPI
	SNS            SNSAPI
}

// Endpoints override the service endpoints; a nil entry keeps the SDK's
// own resolution (including AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>).
type Endpoints struct {
	SecretsManager, Lambda, IAM, Logs, KMS, Events, SNS *string
}

// SDKClients are the concrete SDK clients behind Clients; tests check AWS
// with them directly, without the stack's finders.
type SDKClients struct {
	SecretsManager *secretsmanager.Client
	Lambda         *lambda.Client
	IAM            *iam.Client
	Logs           *cloudwatchlogs.Client
	KMS            *kms.Client
	Events         *eventbridge.Client
	SNS            *sns.Client
}

// NewSDKClients builds the client set from one SDK configuration: the only
// place the clients are made (the provider and the tests use it).
func NewSDKClients(cfg aws.Config, ep Endpoints) SDKClients {
	set := func(dst **string, v *string) {
		if v != nil {
			*dst = v
		}
	}
	return SDKClients{
		SecretsManager: secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { set(&o.BaseEndpoint, ep.SecretsManager) }),
		Lambda:         lambda.NewFromConfig(cfg, func(o *lambda.Options) { set(&o.BaseEndpoint, ep.Lambda) }),
		IAM:            iam.NewFromConfig(cfg, func(o *iam.Options) { set(&o.BaseEndpoint, ep.IAM) }),
		Logs:           cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { set(&o.BaseEndpoint, ep.Logs) }),
		KMS:            kms.NewFromConfig(cfg, func(o *kms.Options) { set(&o.BaseEndpoint, ep.KMS) }),
		Events:         eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { set(&o.BaseEndpoint, ep.Events) }),
		SNS:            sns.NewFromConfig(cfg, func(o *sns.Options) { set(&o.BaseEndpoint, ep.SNS) }),
	}
}

// Stack returns the clients as the stack's narrow interfaces.
func (c SDKClients) Stack() Clients {
	return Clients{SecretsManager: c.SecretsManager, Lambda: c.Lambda, IAM: c.IAM, Logs: c.Logs, KMS: c.KMS, Events: c.Events, SNS: c.SNS}
}

// NewClients is NewSDKClients as the stack's interfaces.
func NewClients(cfg aws.Config, ep Endpoints) Clients { return NewSDKClients(cfg, ep).Stack() }

// AllEndpoints sets every service's endpoint to url (an emulator).
func AllEndpoints(url string) Endpoints {
	u := &url
	return Endpoints{SecretsManager: u, Lambda: u, IAM: u, Logs: u, KMS: u, Events: u, SNS: u}
}
