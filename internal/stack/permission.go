package stack

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Who may invoke the rotation function, and how.
const (
	secretsManagerPrincipal = "secretsmanager.amazonaws.com"
	invokeAction            = "lambda:InvokeFunction"
)

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
		p.servicePrincipal() == secretsManagerPrincipal &&
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

// ensurePermission adds the invoke permission for Secrets Manager unless
// existing already matches; a mismatching statement is replaced.
func (s *Stack) ensurePermission(ctx context.Context, spec Spec, st *State, existing *PermissionStatement) error {
	names := spec.Names()
	if existing != nil {
		if existing.Matches(spec.Account, st.SecretARN) {
			return nil
		}
		if err := s.removePermission(ctx, names); err != nil {
			return err
		}
	}
	_, err := s.c.Lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName:  aws.String(names.Function),
		StatementId:   aws.String(names.StatementID),
		Action:        aws.String(invokeAction),
		Principal:     aws.String(secretsManagerPrincipal),
		SourceAccount: aws.String(spec.Account),
		SourceArn:     aws.String(st.SecretARN),
	})
	if existing == nil && isCode(err, codeResourceConflict) {
		// An adopted function still has the statement, for an older secret.
		found, ferr := FindPermission(ctx, s.c.Lambda, names.Function, names.StatementID)
		if ferr == nil {
			return s.ensurePermission(ctx, spec, st, found)
		}
	}
	return stepErr("allowing Secrets Manager to invoke the rotation function", KindPermission, err)
}

// removePermission removes the invoke permission, tolerating NotFound.
func (s *Stack) removePermission(ctx context.Context, names Names) error {
	if _, err := s.c.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{
		FunctionName: aws.String(names.Function), StatementId: aws.String(names.StatementID),
	}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("removing the invoke permission", KindPermission, err)
	}
	return nil
}
