package stack

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// FindSecret describes a secret by ARN or name. A secret that is gone or
// scheduled for deletion is a NotFoundError.
func FindSecret(ctx context.Context, c SecretsManagerAPI, id string) (*secretsmanager.DescribeSecretOutput, error) {
	out, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindSecret, ID: id, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.DeletedDate != nil {
		return nil, &NotFoundError{Kind: KindSecret, ID: id}
	}
	return out, nil
}

// FindFunction gets a function's configuration, code location and tags.
func FindFunction(ctx context.Context, c LambdaAPI, name string) (*lambda.GetFunctionOutput, error) {
	out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindFunction, ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.Configuration == nil {
		return nil, &NotFoundError{Kind: KindFunction, ID: name}
	}
	return out, nil
}

// FindRole gets a role.
func FindRole(ctx context.Context, c IAMAPI, name string) (*iamtypes.Role, error) {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isCode(err, codeNoSuchEntity) {
		return nil, &NotFoundError{Kind: KindRole, ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.Role == nil {
		return nil, &NotFoundError{Kind: KindRole, ID: name}
	}
	return out.Role, nil
}

// FindRolePolicy returns the decoded document of a role's inline policy.
// A missing role is reported as a missing policy.
func FindRolePolicy(ctx context.Context, c IAMAPI, role, policy string) (string, error) {
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
	if isCode(err, codeNoSuchEntity) {
		return "", &NotFoundError{Kind: KindRolePolicy, ID: role + "/" + policy, Err: err}
	}
	if err != nil {
		return "", err
	}
	doc := aws.ToString(out.PolicyDocument)
	if d, err := url.QueryUnescape(doc); err == nil && strings.HasPrefix(strings.TrimSpace(d), "{") {
		doc = d
	}
	return doc, nil
}

// FindLogGroup finds a log group by exact name.
func FindLogGroup(ctx context.Context, c LogsAPI, name string) (*logtypes.LogGroup, error) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)}
	for {
		out, err := c.DescribeLogGroups(ctx, in)
		if err != nil {
			return nil, err
		}
		for i := range out.LogGroups {
			if aws.ToString(out.LogGroups[i].LogGroupName) == name {
				return &out.LogGroups[i], nil
			}
		}
		if out.NextToken == nil {
			return nil, &NotFoundError{Kind: KindLogGroup, ID: name}
		}
		in.NextToken = out.NextToken
	}
}

// PermissionStatement is one statement of a function's resource policy.
type PermissionStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal json.RawMessage              `json:"Principal"`
	Action    json.RawMessage              `json:"Action"`
	Condition map[string]map[string]string `json:"Condition"`
}

// servicePrincipal returns the statement's Principal.Service (or Principal when a string).
func (p *PermissionStatement) servicePrincipal() string {
	var s string
	if json.Unmarshal(p.Principal, &s) == nil {
		return s
	}
	var m map[string]string
	_ = json.Unmarshal(p.Principal, &m)
	return m["Service"]
}

// condition returns a condition value by key, case-insensitively (Lambda
// writes AWS:SourceAccount), across operators.
func (p *PermissionStatement) condition(key string) string {
	for _, kv := range p.Condition {
		for k, v := range kv {
			if strings.EqualFold(k, key) {
				return v
			}
		}
	}
	return ""
}

// Matches reports whether the statement lets secretsmanager.amazonaws.com
// invoke the function for exactly this account and secret.
func (p *PermissionStatement) Matches(account, secretARN string) bool {
	return p.Effect == "Allow" &&
		p.servicePrincipal() == "secretsmanager.amazonaws.com" &&
		p.condition("aws:SourceAccount") == account &&
		p.condition("aws:SourceArn") == secretARN
}

// FindPermission finds the statement sid in a function's resource policy.
func FindPermission(ctx context.Context, c LambdaAPI, function, sid string) (*PermissionStatement, error) {
	out, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(function)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindPermission, ID: function + "/" + sid, Err: err}
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Statement []PermissionStatement `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
		return nil, err
	}
	for i := range doc.Statement {
		if doc.Statement[i].Sid == sid {
			return &doc.Statement[i], nil
		}
	}
	return nil, &NotFoundError{Kind: KindPermission, ID: function + "/" + sid}
}
