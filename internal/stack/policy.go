package stack

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
)

// PolicyInput is what the function's inline policy is scoped to.
type PolicyInput struct {
	Partition       string
	SecretARN       string
	MasterSecretARN string // alternating strategies: the master secret the function reads
	LogGroupARN     string // arn:…:log-group:/aws/lambda/NAME
	KMSKeyARN       string // only when the secret uses a customer-managed key
	// MasterKMSKeyARN is the customer-managed key of the master secret,
	// when it has one: reading the master secret needs kms:Decrypt on it.
	MasterKMSKeyARN string
	VPC             bool // the function runs in a VPC
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// RolePolicyDocument is the least-privilege inline policy of the rotation
// function's role: the rotation actions on this secret only, logs on its
// own log group only, KMS only for a customer key and only for this secret's
// encryption context, ENI actions only in a VPC.
func RolePolicyDocument(in PolicyInput) string {
	doc := policyDocument{Version: "2012-10-17"}
	add := func(s policyStatement) {
		s.Effect = "Allow"
		doc.Statement = append(doc.Statement, s)
	}
	add(policyStatement{
		Sid: "RotateThisSecret",
		Action: []string{
			"secretsmanager:DescribeSecret",
			"secretsmanager:GetSecretValue",
			"secretsmanager:PutSecretValue",
			"secretsmanager:UpdateSecretVersionStage",
		},
		Resource: []string{in.SecretARN},
	})
	// No secretsmanager:GetRandomPassword: the function generates
	// passwords locally with crypto/rand, so the role does not need it.
	if in.MasterSecretARN != "" {
		add(policyStatement{
			Sid:      "ReadMasterSecret",
			Action:   []string{"secretsmanager:GetSecretValue"},
			Resource: []string{in.MasterSecretARN},
		})
	}
	add(policyStatement{
		Sid:      "WriteOwnLogs",
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{in.LogGroupARN, in.LogGroupARN + ":*"},
	})
	if in.KMSKeyARN != "" {
		add(policyStatement{
			Sid:       "UseSecretKey",
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  []string{in.KMSKeyARN},
			Condition: map[string]map[string]string{"StringEquals": {"kms:EncryptionContext:SecretARN": in.SecretARN}},
		})
	}
	if in.MasterSecretARN != "" && in.MasterKMSKeyARN != "" {
		add(policyStatement{
			Sid:       "DecryptMasterSecret",
			Action:    []string{"kms:Decrypt"},
			Resource:  []string{in.MasterKMSKeyARN},
			Condition: map[string]map[string]string{"StringEquals": {"kms:EncryptionContext:SecretARN": in.MasterSecretARN}},
		})
	}
	if in.VPC {
		add(policyStatement{
			Sid: "ManageVPCNetworkInterfaces",
			Action: []string{
				"ec2:CreateNetworkInterface",
				"ec2:DescribeNetworkInterfaces",
				"ec2:DeleteNetworkInterface",
				"ec2:AssignPrivateIpAddresses",
				"ec2:UnassignPrivateIpAddresses",
			},
			Resource: []string{"*"},
		})
	}
	b, _ := json.Marshal(doc) // plain structs of strings cannot fail
	return string(b)
}

// TrustPolicyDocument lets Lambda assume the role, only on behalf of
// account (aws:SourceAccount guards against the confused deputy).
func TrustPolicyDocument(account string) string {
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"Service": "lambda.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": account}},
	}}}
	b, _ := json.Marshal(doc)
	return string(b)
}

// PolicyEqual compares two policy documents semantically: IAM returns
// documents URL-encoded and may reorder keys or collapse one-item lists.
func PolicyEqual(a, b string) bool {
	na, errA := normalizePolicy(a)
	nb, errB := normalizePolicy(b)
	if errA != nil || errB != nil {
		return false
	}
	return reflect.DeepEqual(na, nb)
}

func normalizePolicy(doc string) (any, error) {
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		if d, err := url.QueryUnescape(doc); err == nil {
			doc = d
		}
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, err
	}
	return collapse(v), nil
}

// collapse turns one-element lists into their element, recursively, the
// way IAM treats "Action": "x" and "Action": ["x"] as equal.
func collapse(v any) any {
	switch t := v.(type) {
	case []any:
		if len(t) == 1 {
			return collapse(t[0])
		}
		out := make([]any, len(t))
		for i := range t {
			out[i] = collapse(t[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = collapse(x)
		}
		return out
	default:
		return v
	}
}
